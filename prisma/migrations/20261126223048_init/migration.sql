-- CreateTable
CREATE TABLE "accounts" (
    "id" UUID NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "currency" CHAR(3) NOT NULL DEFAULT 'CNY',
    "timezone" VARCHAR(64) NOT NULL DEFAULT 'Asia/Shanghai',
    "phone" VARCHAR(32),
    "contact_email" VARCHAR(254) NOT NULL,
    "real_name_status" VARCHAR(16) NOT NULL DEFAULT 'none',
    "alert_threshold_minor" BIGINT NOT NULL DEFAULT 10000,
    "alert_state" VARCHAR(16) NOT NULL DEFAULT 'ok',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "accounts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "email" VARCHAR(254) NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "password_hash" VARCHAR(255) NOT NULL,
    "roles" VARCHAR(16)[],
    "account_id" UUID,
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sessions" (
    "id" UUID NOT NULL,
    "token_hash" CHAR(64) NOT NULL,
    "user_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "login_throttles" (
    "email" VARCHAR(254) NOT NULL,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "locked_until" TIMESTAMPTZ(3),

    CONSTRAINT "login_throttles_pkey" PRIMARY KEY ("email")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" UUID NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "prefix" VARCHAR(16) NOT NULL,
    "key_hash" CHAR(64) NOT NULL,
    "created_by_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "real_name_verifications" (
    "id" UUID NOT NULL,
    "account_id" UUID NOT NULL,
    "type" VARCHAR(16) NOT NULL,
    "legal_name" VARCHAR(200) NOT NULL,
    "document_number" VARCHAR(18) NOT NULL,
    "legal_representative" VARCHAR(100),
    "status" VARCHAR(16) NOT NULL DEFAULT 'pending',
    "rejection_reason" VARCHAR(500),
    "submitted_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "reviewed_by_id" UUID,
    "reviewed_at" TIMESTAMPTZ(3),

    CONSTRAINT "real_name_verifications_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "cloud_accounts" (
    "id" UUID NOT NULL,
    "account_id" UUID NOT NULL,
    "provider" VARCHAR(16) NOT NULL,
    "external_account_id" VARCHAR(64) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "cloud_accounts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "workspaces" (
    "id" VARCHAR(64) NOT NULL,
    "site" VARCHAR(64) NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "account_id" UUID NOT NULL,
    "settlement" VARCHAR(16) NOT NULL DEFAULT 'billing_center',
    "cloud_account_id" UUID,
    "bound_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "workspaces_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_events" (
    "id" BIGSERIAL NOT NULL,
    "actor_id" UUID NOT NULL,
    "action" VARCHAR(64) NOT NULL,
    "target_type" VARCHAR(32) NOT NULL,
    "target_id" VARCHAR(64) NOT NULL,
    "details" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ledger_accounts" (
    "id" BIGSERIAL NOT NULL,
    "key" VARCHAR(200) NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "type" VARCHAR(16) NOT NULL,
    "account_id" UUID,
    "source" VARCHAR(16),
    "source_id" VARCHAR(64),
    "net_minor" BIGINT NOT NULL DEFAULT 0,
    "status" VARCHAR(16) NOT NULL DEFAULT 'active',
    "valid_from" TIMESTAMPTZ(3),
    "expires_at" TIMESTAMPTZ(3),
    "scope" VARCHAR(64)[],
    "min_spend_minor" BIGINT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ledger_accounts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "journal_entries" (
    "id" BIGSERIAL NOT NULL,
    "business_key" VARCHAR(300) NOT NULL,
    "kind" VARCHAR(32) NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "account_id" UUID,
    "reverses_key" VARCHAR(300),
    "balance_after_minor" BIGINT,
    "actor_id" UUID,
    "details" JSONB NOT NULL DEFAULT '{}',
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "journal_entries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "postings" (
    "id" BIGSERIAL NOT NULL,
    "entry_id" BIGINT NOT NULL,
    "ledger_account_id" BIGINT NOT NULL,
    "amount_minor" BIGINT NOT NULL,

    CONSTRAINT "postings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "usage_records" (
    "id" VARCHAR(128) NOT NULL,
    "workspace_id" VARCHAR(64) NOT NULL,
    "site" VARCHAR(64) NOT NULL,
    "item" VARCHAR(64) NOT NULL,
    "unit" VARCHAR(32) NOT NULL,
    "quantity" DECIMAL(38,12),
    "unit_price" DECIMAL(38,8),
    "amount_minor" BIGINT,
    "currency" CHAR(3),
    "period_start" TIMESTAMPTZ(3) NOT NULL,
    "period_end" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL,
    "account_id" UUID,
    "status" VARCHAR(16) NOT NULL,
    "content_hash" CHAR(64) NOT NULL,
    "charged_at" TIMESTAMPTZ(3),
    "entry_id" BIGINT,

    CONSTRAINT "usage_records_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outbox_messages" (
    "id" BIGSERIAL NOT NULL,
    "business_key" VARCHAR(300) NOT NULL,
    "kind" VARCHAR(64) NOT NULL,
    "to_address" VARCHAR(254) NOT NULL,
    "subject" VARCHAR(300) NOT NULL,
    "body" TEXT NOT NULL,
    "account_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" VARCHAR(1000),

    CONSTRAINT "outbox_messages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "idempotency_records" (
    "scope" VARCHAR(100) NOT NULL,
    "key" VARCHAR(255) NOT NULL,
    "method" VARCHAR(8) NOT NULL,
    "path" VARCHAR(300) NOT NULL,
    "request_hash" CHAR(64) NOT NULL,
    "response_status" INTEGER,
    "response_body" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "idempotency_records_pkey" PRIMARY KEY ("scope","key")
);

-- CreateTable
CREATE TABLE "prepaid_card_batches" (
    "id" UUID NOT NULL,
    "count" INTEGER NOT NULL,
    "face_value_minor" BIGINT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3),
    "valid_days" INTEGER,
    "note" VARCHAR(500),
    "created_by_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "prepaid_card_batches_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "prepaid_cards" (
    "id" UUID NOT NULL,
    "card_no" VARCHAR(32) NOT NULL,
    "secret_hash" VARCHAR(255) NOT NULL,
    "batch_id" UUID NOT NULL,
    "face_value_minor" BIGINT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "status" VARCHAR(16) NOT NULL DEFAULT 'issued',
    "account_id" UUID,
    "bound_at" TIMESTAMPTZ(3),
    "expires_at" TIMESTAMPTZ(3),
    "recharge_id" UUID,
    "failed_attempts" INTEGER NOT NULL DEFAULT 0,
    "locked_until" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "prepaid_cards_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "vouchers" (
    "id" UUID NOT NULL,
    "code" VARCHAR(32) NOT NULL,
    "face_value_minor" BIGINT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "valid_from" TIMESTAMPTZ(3) NOT NULL,
    "valid_until" TIMESTAMPTZ(3) NOT NULL,
    "min_spend_minor" BIGINT,
    "scope" VARCHAR(64)[],
    "target_account_id" UUID,
    "status" VARCHAR(16) NOT NULL DEFAULT 'issued',
    "account_id" UUID,
    "recharge_id" UUID,
    "redeemed_at" TIMESTAMPTZ(3),
    "created_by_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "vouchers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "recharges" (
    "id" UUID NOT NULL,
    "account_id" UUID NOT NULL,
    "method" VARCHAR(16) NOT NULL,
    "status" VARCHAR(20) NOT NULL,
    "amount_minor" BIGINT,
    "currency" CHAR(3) NOT NULL,
    "voucher_id" UUID,
    "prepaid_card_id" UUID,
    "payment_order_id" VARCHAR(100),
    "payment_url" VARCHAR(500),
    "failure_code" VARCHAR(64),
    "failure_reason" VARCHAR(500),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "completed_at" TIMESTAMPTZ(3),

    CONSTRAINT "recharges_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "payment_refund_claims" (
    "id" UUID NOT NULL,
    "recharge_id" UUID NOT NULL,
    "payment_order_id" VARCHAR(100) NOT NULL,
    "amount_minor" BIGINT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "status" VARCHAR(16) NOT NULL DEFAULT 'open',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "payment_refund_claims_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE INDEX "users_account_id_idx" ON "users"("account_id");

-- CreateIndex
CREATE UNIQUE INDEX "sessions_token_hash_key" ON "sessions"("token_hash");

-- CreateIndex
CREATE INDEX "sessions_user_id_idx" ON "sessions"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_key_hash_key" ON "api_keys"("key_hash");

-- CreateIndex
CREATE INDEX "real_name_verifications_account_id_submitted_at_idx" ON "real_name_verifications"("account_id", "submitted_at");

-- CreateIndex
CREATE INDEX "real_name_verifications_status_submitted_at_idx" ON "real_name_verifications"("status", "submitted_at");

-- CreateIndex
CREATE INDEX "cloud_accounts_account_id_idx" ON "cloud_accounts"("account_id");

-- CreateIndex
CREATE UNIQUE INDEX "cloud_accounts_provider_external_account_id_key" ON "cloud_accounts"("provider", "external_account_id");

-- CreateIndex
CREATE INDEX "workspaces_account_id_idx" ON "workspaces"("account_id");

-- CreateIndex
CREATE INDEX "workspaces_cloud_account_id_idx" ON "workspaces"("cloud_account_id");

-- CreateIndex
CREATE INDEX "audit_events_created_at_idx" ON "audit_events"("created_at");

-- CreateIndex
CREATE INDEX "audit_events_target_type_target_id_idx" ON "audit_events"("target_type", "target_id");

-- CreateIndex
CREATE UNIQUE INDEX "ledger_accounts_key_key" ON "ledger_accounts"("key");

-- CreateIndex
CREATE INDEX "ledger_accounts_account_id_idx" ON "ledger_accounts"("account_id");

-- CreateIndex
CREATE INDEX "ledger_accounts_status_expires_at_idx" ON "ledger_accounts"("status", "expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "journal_entries_business_key_key" ON "journal_entries"("business_key");

-- CreateIndex
CREATE INDEX "journal_entries_account_id_id_idx" ON "journal_entries"("account_id", "id");

-- CreateIndex
CREATE INDEX "journal_entries_occurred_at_idx" ON "journal_entries"("occurred_at");

-- CreateIndex
CREATE INDEX "journal_entries_kind_occurred_at_idx" ON "journal_entries"("kind", "occurred_at");

-- CreateIndex
CREATE INDEX "postings_entry_id_idx" ON "postings"("entry_id");

-- CreateIndex
CREATE INDEX "postings_ledger_account_id_entry_id_idx" ON "postings"("ledger_account_id", "entry_id");

-- CreateIndex
CREATE INDEX "usage_records_account_id_status_received_at_idx" ON "usage_records"("account_id", "status", "received_at");

-- CreateIndex
CREATE INDEX "usage_records_account_id_period_start_idx" ON "usage_records"("account_id", "period_start");

-- CreateIndex
CREATE INDEX "usage_records_status_received_at_idx" ON "usage_records"("status", "received_at");

-- CreateIndex
CREATE UNIQUE INDEX "outbox_messages_business_key_key" ON "outbox_messages"("business_key");

-- CreateIndex
CREATE INDEX "outbox_messages_sent_at_id_idx" ON "outbox_messages"("sent_at", "id");

-- CreateIndex
CREATE UNIQUE INDEX "prepaid_cards_card_no_key" ON "prepaid_cards"("card_no");

-- CreateIndex
CREATE UNIQUE INDEX "prepaid_cards_recharge_id_key" ON "prepaid_cards"("recharge_id");

-- CreateIndex
CREATE INDEX "prepaid_cards_batch_id_idx" ON "prepaid_cards"("batch_id");

-- CreateIndex
CREATE INDEX "prepaid_cards_account_id_idx" ON "prepaid_cards"("account_id");

-- CreateIndex
CREATE UNIQUE INDEX "vouchers_code_key" ON "vouchers"("code");

-- CreateIndex
CREATE UNIQUE INDEX "vouchers_recharge_id_key" ON "vouchers"("recharge_id");

-- CreateIndex
CREATE INDEX "vouchers_account_id_idx" ON "vouchers"("account_id");

-- CreateIndex
CREATE UNIQUE INDEX "recharges_payment_order_id_key" ON "recharges"("payment_order_id");

-- CreateIndex
CREATE INDEX "recharges_account_id_created_at_idx" ON "recharges"("account_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "payment_refund_claims_recharge_id_key" ON "payment_refund_claims"("recharge_id");

-- AddForeignKey
ALTER TABLE "users" ADD CONSTRAINT "users_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "real_name_verifications" ADD CONSTRAINT "real_name_verifications_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "cloud_accounts" ADD CONSTRAINT "cloud_accounts_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "workspaces" ADD CONSTRAINT "workspaces_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "workspaces" ADD CONSTRAINT "workspaces_cloud_account_id_fkey" FOREIGN KEY ("cloud_account_id") REFERENCES "cloud_accounts"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "postings" ADD CONSTRAINT "postings_entry_id_fkey" FOREIGN KEY ("entry_id") REFERENCES "journal_entries"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "postings" ADD CONSTRAINT "postings_ledger_account_id_fkey" FOREIGN KEY ("ledger_account_id") REFERENCES "ledger_accounts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "prepaid_cards" ADD CONSTRAINT "prepaid_cards_batch_id_fkey" FOREIGN KEY ("batch_id") REFERENCES "prepaid_card_batches"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

