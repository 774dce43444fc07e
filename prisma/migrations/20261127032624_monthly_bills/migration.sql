-- CreateTable
CREATE TABLE "bills" (
    "id" UUID NOT NULL,
    "kind" VARCHAR(16) NOT NULL,
    "subject_id" UUID NOT NULL,
    "account_id" UUID NOT NULL,
    "month" CHAR(7) NOT NULL,
    "timezone" VARCHAR(64) NOT NULL,
    "period_start" TIMESTAMPTZ(3) NOT NULL,
    "period_end" TIMESTAMPTZ(3) NOT NULL,
    "currency" CHAR(3),
    "opening_minor" BIGINT,
    "closing_minor" BIGINT,
    "content" JSONB NOT NULL,
    "issued_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "bills_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "bills_account_id_period_start_idx" ON "bills"("account_id", "period_start");

-- CreateIndex
CREATE INDEX "bills_period_start_idx" ON "bills"("period_start");

-- CreateIndex
CREATE UNIQUE INDEX "bills_kind_subject_id_month_key" ON "bills"("kind", "subject_id", "month");


-- CreateIndex
CREATE INDEX "marketplace_reports_account_id_hour_start_idx" ON "marketplace_reports"("account_id", "hour_start");
