-- AlterTable
ALTER TABLE "workspaces" ADD COLUMN     "settled_since" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "settlement_periods" (
    "id" BIGSERIAL NOT NULL,
    "workspace_id" VARCHAR(64) NOT NULL,
    "method" VARCHAR(16) NOT NULL,
    "cloud_account_id" UUID,
    "effective_from" TIMESTAMPTZ(3),
    "effective_until" TIMESTAMPTZ(3) NOT NULL,
    "change_id" UUID NOT NULL,

    CONSTRAINT "settlement_periods_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "settlement_changes" (
    "id" UUID NOT NULL,
    "workspace_id" VARCHAR(64) NOT NULL,
    "account_id" UUID NOT NULL,
    "in_flight_workspace_id" VARCHAR(64),
    "from_method" VARCHAR(16) NOT NULL,
    "from_cloud_account_id" UUID,
    "to_method" VARCHAR(16) NOT NULL,
    "to_cloud_account_id" UUID,
    "effective" VARCHAR(16) NOT NULL,
    "cutover_at" TIMESTAMPTZ(3) NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "failure_code" VARCHAR(64),
    "failure_reason" VARCHAR(500),
    "requested_by_id" UUID NOT NULL,
    "requested_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "ended_at" TIMESTAMPTZ(3),

    CONSTRAINT "settlement_changes_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "settlement_periods_workspace_id_effective_until_key" ON "settlement_periods"("workspace_id", "effective_until");

-- CreateIndex
CREATE UNIQUE INDEX "settlement_changes_in_flight_workspace_id_key" ON "settlement_changes"("in_flight_workspace_id");

-- CreateIndex
CREATE INDEX "settlement_changes_workspace_id_requested_at_idx" ON "settlement_changes"("workspace_id", "requested_at");

-- CreateIndex
CREATE INDEX "settlement_changes_to_cloud_account_id_status_idx" ON "settlement_changes"("to_cloud_account_id", "status");

-- AddForeignKey
ALTER TABLE "settlement_periods" ADD CONSTRAINT "settlement_periods_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "settlement_changes" ADD CONSTRAINT "settlement_changes_in_flight_workspace_id_fkey" FOREIGN KEY ("in_flight_workspace_id") REFERENCES "workspaces"("id") ON DELETE SET NULL ON UPDATE CASCADE;

