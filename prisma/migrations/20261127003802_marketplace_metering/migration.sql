-- AlterTable
ALTER TABLE "usage_records" ADD COLUMN     "cloud_account_id" UUID,
ADD COLUMN     "marketplace_report_id" BIGINT;

-- CreateTable
CREATE TABLE "marketplace_reports" (
    "id" BIGSERIAL NOT NULL,
    "cloud_account_id" UUID NOT NULL,
    "account_id" UUID NOT NULL,
    "provider" VARCHAR(16) NOT NULL,
    "external_account_id" VARCHAR(64) NOT NULL,
    "hour_start" TIMESTAMPTZ(3) NOT NULL,
    "item" VARCHAR(64) NOT NULL,
    "quantity" DECIMAL(38,12) NOT NULL,
    "reported_quantity" VARCHAR(40) NOT NULL,
    "record_count" INTEGER NOT NULL,
    "carried_over" INTEGER NOT NULL DEFAULT 0,
    "status" VARCHAR(16) NOT NULL,
    "deadline" TIMESTAMPTZ(3) NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" VARCHAR(500),
    "marketplace_record_id" VARCHAR(128),
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "reported_at" TIMESTAMPTZ(3),

    CONSTRAINT "marketplace_reports_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "marketplace_reports_status_hour_start_idx" ON "marketplace_reports"("status", "hour_start");

-- CreateIndex
CREATE INDEX "marketplace_reports_cloud_account_id_status_idx" ON "marketplace_reports"("cloud_account_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "marketplace_reports_cloud_account_id_hour_start_item_key" ON "marketplace_reports"("cloud_account_id", "hour_start", "item");

-- CreateIndex
CREATE INDEX "usage_records_cloud_account_id_marketplace_report_id_period_idx" ON "usage_records"("cloud_account_id", "marketplace_report_id", "period_start");

-- CreateIndex
CREATE INDEX "usage_records_marketplace_report_id_idx" ON "usage_records"("marketplace_report_id");

