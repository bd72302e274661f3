-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "user_role" AS ENUM ('user', 'admin');

-- CreateEnum
CREATE TYPE "transaction_type" AS ENUM ('debit', 'credit');

-- CreateEnum
CREATE TYPE "transaction_category" AS ENUM ('groceries', 'dine_out', 'entertainment', 'bills', 'transport', 'shopping', 'health', 'fitness', 'savings', 'income', 'other');

-- CreateEnum
CREATE TYPE "transaction_source" AS ENUM ('manual', 'purchase', 'import', 'seed');

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "email" VARCHAR(255) NOT NULL,
    "password_hash" VARCHAR(255) NOT NULL,
    "first_name" VARCHAR(100) NOT NULL,
    "last_name" VARCHAR(100) NOT NULL,
    "date_of_birth" DATE,
    "role" "user_role" NOT NULL DEFAULT 'user',
    "is_active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "user_profiles" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "monthly_income" DECIMAL(12,2) NOT NULL DEFAULT 0,
    "savings_goal" DECIMAL(12,2) NOT NULL DEFAULT 0,
    "risk_tolerance" VARCHAR(20) NOT NULL DEFAULT 'medium',
    "financial_goals" JSONB NOT NULL DEFAULT '[]',
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "user_profiles_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "revoked_tokens" (
    "jti" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "expires_at" TIMESTAMPTZ(6) NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "revoked_tokens_pkey" PRIMARY KEY ("jti")
);

-- CreateTable
CREATE TABLE "wallets" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "balance" DECIMAL(12,2) NOT NULL DEFAULT 1000.00,
    "currency" VARCHAR(3) NOT NULL DEFAULT 'USD',
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "wallets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "transactions" (
    "id" UUID NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "user_id" UUID NOT NULL,
    "wallet_id" UUID NOT NULL,
    "transaction_type" "transaction_type" NOT NULL,
    "amount" DECIMAL(12,2) NOT NULL,
    "category" "transaction_category" NOT NULL,
    "description" TEXT NOT NULL,
    "merchant_name" VARCHAR(255),
    "location_city" VARCHAR(100),
    "location_country" VARCHAR(100),
    "balance_after" DECIMAL(12,2) NOT NULL,
    "transaction_date" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "source" "transaction_source" NOT NULL DEFAULT 'manual',
    "import_key" VARCHAR(128),
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "transactions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "statement_imports" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "file_name" VARCHAR(255),
    "file_sha256" CHAR(64) NOT NULL,
    "format" VARCHAR(50) NOT NULL,
    "dry_run" BOOLEAN NOT NULL,
    "rows_total" INTEGER NOT NULL,
    "rows_imported" INTEGER NOT NULL,
    "rows_skipped" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "statement_imports_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "product_categories" (
    "id" UUID NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "description" TEXT,
    "transaction_category" "transaction_category" NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "product_categories_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "products" (
    "id" UUID NOT NULL,
    "name" VARCHAR(255) NOT NULL,
    "description" TEXT,
    "price" DECIMAL(12,2) NOT NULL,
    "category_id" UUID,
    "merchant_name" VARCHAR(255) NOT NULL,
    "is_available" BOOLEAN NOT NULL DEFAULT true,
    "stock_quantity" INTEGER NOT NULL DEFAULT 100,
    "image_url" VARCHAR(500),
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "products_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "user_purchases" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "product_id" UUID,
    "transaction_id" UUID NOT NULL,
    "quantity" INTEGER NOT NULL DEFAULT 1,
    "total_amount" DECIMAL(12,2) NOT NULL,
    "purchase_date" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "user_purchases_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "recommendation_history" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "recommendation_text" TEXT NOT NULL,
    "action_id" INTEGER NOT NULL,
    "action_type" VARCHAR(50) NOT NULL,
    "confidence_score" DOUBLE PRECISION NOT NULL,
    "kind" VARCHAR(20) NOT NULL DEFAULT 'basic',
    "decision_source" VARCHAR(20) NOT NULL DEFAULT 'fallback',
    "policy_version" VARCHAR(50),
    "propensity" DOUBLE PRECISION,
    "segment_id" INTEGER,
    "strategy" VARCHAR(50),
    "financial_state_snapshot" JSONB,
    "feature_snapshot" JSONB,
    "feedback_status" VARCHAR(20) NOT NULL DEFAULT 'pending',
    "reward" DOUBLE PRECISION,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "recommendation_history_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "recommendation_feedback" (
    "id" UUID NOT NULL,
    "recommendation_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "feedback_type" VARCHAR(20) NOT NULL,
    "feedback_text" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "recommendation_feedback_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "bandit_arms" (
    "segment_id" INTEGER NOT NULL,
    "arm" VARCHAR(50) NOT NULL,
    "alpha" DOUBLE PRECISION NOT NULL DEFAULT 1,
    "beta" DOUBLE PRECISION NOT NULL DEFAULT 1,
    "pulls" INTEGER NOT NULL DEFAULT 0,
    "successes" INTEGER NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "bandit_arms_pkey" PRIMARY KEY ("segment_id","arm")
);

-- CreateTable
CREATE TABLE "user_segments" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "segment_id" INTEGER NOT NULL,
    "segment_name" VARCHAR(100) NOT NULL,
    "confidence" DOUBLE PRECISION NOT NULL,
    "distances" JSONB,
    "features" JSONB,
    "source" VARCHAR(20) NOT NULL DEFAULT 'model',
    "model_version" VARCHAR(50),
    "assigned_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "user_segments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "prediction_cache" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "cache_key" VARCHAR(100) NOT NULL,
    "prediction_data" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "prediction_cache_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "behavioral_events" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "event_type" VARCHAR(50) NOT NULL,
    "event_subtype" VARCHAR(50),
    "session_id" VARCHAR(64),
    "event_data" JSONB NOT NULL,
    "timestamp" TIMESTAMPTZ(6) NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "behavioral_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "model_versions" (
    "id" UUID NOT NULL,
    "model_type" VARCHAR(50) NOT NULL,
    "version" VARCHAR(50) NOT NULL,
    "model_path" VARCHAR(500) NOT NULL,
    "sha256" CHAR(64),
    "is_active" BOOLEAN NOT NULL DEFAULT false,
    "metrics" JSONB,
    "performance_baseline" DOUBLE PRECISION,
    "performance_current" DOUBLE PRECISION,
    "deployment_date" TIMESTAMPTZ(6),
    "rollback_count" INTEGER NOT NULL DEFAULT 0,
    "training_event_id" UUID,
    "metadata" JSONB,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "model_versions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "model_performance" (
    "id" UUID NOT NULL,
    "model_name" VARCHAR(100) NOT NULL,
    "metric_name" VARCHAR(100) NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "sample_count" INTEGER NOT NULL DEFAULT 0,
    "feature_importance" JSONB,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "model_performance_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "training_datasets" (
    "id" UUID NOT NULL,
    "dataset_type" VARCHAR(50) NOT NULL,
    "data_count" INTEGER NOT NULL DEFAULT 0,
    "threshold" INTEGER NOT NULL DEFAULT 100,
    "last_training_date" TIMESTAMPTZ(6),
    "is_ready_for_training" BOOLEAN NOT NULL DEFAULT false,
    "threshold_reached" BOOLEAN NOT NULL DEFAULT false,
    "data_quality_score" DOUBLE PRECISION,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "training_datasets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "model_training_events" (
    "id" UUID NOT NULL,
    "model_type" VARCHAR(50) NOT NULL,
    "training_dataset_id" UUID,
    "start_time" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "end_time" TIMESTAMPTZ(6),
    "status" VARCHAR(20) NOT NULL DEFAULT 'pending',
    "performance_metrics" JSONB,
    "model_path" VARCHAR(500),
    "previous_model_path" VARCHAR(500),
    "training_data_size" INTEGER NOT NULL DEFAULT 0,
    "validation_score" DOUBLE PRECISION,
    "deployment_approved" BOOLEAN NOT NULL DEFAULT false,
    "error_message" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "model_training_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "data_quality_metrics" (
    "id" UUID NOT NULL,
    "training_dataset_id" UUID NOT NULL,
    "completeness_score" DOUBLE PRECISION,
    "consistency_score" DOUBLE PRECISION,
    "validity_score" DOUBLE PRECISION,
    "anomaly_count" INTEGER NOT NULL DEFAULT 0,
    "duplicate_count" INTEGER NOT NULL DEFAULT 0,
    "missing_values_count" INTEGER NOT NULL DEFAULT 0,
    "assessment_date" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "data_quality_metrics_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "scheduled_job_runs" (
    "id" UUID NOT NULL,
    "job_name" VARCHAR(100) NOT NULL,
    "started_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(6),
    "status" VARCHAR(20) NOT NULL DEFAULT 'running',
    "details" JSONB,

    CONSTRAINT "scheduled_job_runs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE UNIQUE INDEX "user_profiles_user_id_key" ON "user_profiles"("user_id");

-- CreateIndex
CREATE INDEX "revoked_tokens_expires_at_idx" ON "revoked_tokens"("expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "wallets_user_id_key" ON "wallets"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "transactions_seq_key" ON "transactions"("seq");

-- CreateIndex
CREATE INDEX "transactions_user_id_transaction_date_idx" ON "transactions"("user_id", "transaction_date" DESC);

-- CreateIndex
CREATE INDEX "transactions_user_id_category_transaction_date_idx" ON "transactions"("user_id", "category", "transaction_date");

-- CreateIndex
CREATE UNIQUE INDEX "transactions_user_id_import_key_key" ON "transactions"("user_id", "import_key");

-- CreateIndex
CREATE INDEX "statement_imports_user_id_created_at_idx" ON "statement_imports"("user_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "product_categories_name_key" ON "product_categories"("name");

-- CreateIndex
CREATE INDEX "products_category_id_idx" ON "products"("category_id");

-- CreateIndex
CREATE INDEX "products_is_available_name_idx" ON "products"("is_available", "name");

-- CreateIndex
CREATE UNIQUE INDEX "user_purchases_transaction_id_key" ON "user_purchases"("transaction_id");

-- CreateIndex
CREATE INDEX "user_purchases_user_id_purchase_date_idx" ON "user_purchases"("user_id", "purchase_date" DESC);

-- CreateIndex
CREATE INDEX "user_purchases_product_id_purchase_date_idx" ON "user_purchases"("product_id", "purchase_date");

-- CreateIndex
CREATE INDEX "recommendation_history_user_id_created_at_idx" ON "recommendation_history"("user_id", "created_at" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "recommendation_feedback_recommendation_id_user_id_key" ON "recommendation_feedback"("recommendation_id", "user_id");

-- CreateIndex
CREATE UNIQUE INDEX "user_segments_user_id_key" ON "user_segments"("user_id");

-- CreateIndex
CREATE INDEX "user_segments_segment_id_idx" ON "user_segments"("segment_id");

-- CreateIndex
CREATE INDEX "prediction_cache_expires_at_idx" ON "prediction_cache"("expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "prediction_cache_user_id_cache_key_key" ON "prediction_cache"("user_id", "cache_key");

-- CreateIndex
CREATE INDEX "behavioral_events_user_id_timestamp_idx" ON "behavioral_events"("user_id", "timestamp" DESC);

-- CreateIndex
CREATE INDEX "behavioral_events_user_id_event_type_timestamp_idx" ON "behavioral_events"("user_id", "event_type", "timestamp");

-- CreateIndex
CREATE INDEX "behavioral_events_timestamp_idx" ON "behavioral_events"("timestamp");

-- CreateIndex
CREATE INDEX "model_versions_model_type_is_active_idx" ON "model_versions"("model_type", "is_active");

-- CreateIndex
CREATE UNIQUE INDEX "model_versions_model_type_version_key" ON "model_versions"("model_type", "version");

-- CreateIndex
CREATE INDEX "model_performance_model_name_created_at_idx" ON "model_performance"("model_name", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "training_datasets_dataset_type_key" ON "training_datasets"("dataset_type");

-- CreateIndex
CREATE INDEX "model_training_events_model_type_start_time_idx" ON "model_training_events"("model_type", "start_time");

-- CreateIndex
CREATE INDEX "model_training_events_status_idx" ON "model_training_events"("status");

-- CreateIndex
CREATE INDEX "data_quality_metrics_training_dataset_id_assessment_date_idx" ON "data_quality_metrics"("training_dataset_id", "assessment_date");

-- CreateIndex
CREATE INDEX "scheduled_job_runs_job_name_started_at_idx" ON "scheduled_job_runs"("job_name", "started_at" DESC);

-- AddForeignKey
ALTER TABLE "user_profiles" ADD CONSTRAINT "user_profiles_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "revoked_tokens" ADD CONSTRAINT "revoked_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "wallets" ADD CONSTRAINT "wallets_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "transactions" ADD CONSTRAINT "transactions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "transactions" ADD CONSTRAINT "transactions_wallet_id_fkey" FOREIGN KEY ("wallet_id") REFERENCES "wallets"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "statement_imports" ADD CONSTRAINT "statement_imports_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "products" ADD CONSTRAINT "products_category_id_fkey" FOREIGN KEY ("category_id") REFERENCES "product_categories"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "user_purchases" ADD CONSTRAINT "user_purchases_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "user_purchases" ADD CONSTRAINT "user_purchases_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "products"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "user_purchases" ADD CONSTRAINT "user_purchases_transaction_id_fkey" FOREIGN KEY ("transaction_id") REFERENCES "transactions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "recommendation_history" ADD CONSTRAINT "recommendation_history_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "recommendation_feedback" ADD CONSTRAINT "recommendation_feedback_recommendation_id_fkey" FOREIGN KEY ("recommendation_id") REFERENCES "recommendation_history"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "recommendation_feedback" ADD CONSTRAINT "recommendation_feedback_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "user_segments" ADD CONSTRAINT "user_segments_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "prediction_cache" ADD CONSTRAINT "prediction_cache_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "behavioral_events" ADD CONSTRAINT "behavioral_events_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "model_versions" ADD CONSTRAINT "model_versions_training_event_id_fkey" FOREIGN KEY ("training_event_id") REFERENCES "model_training_events"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "model_training_events" ADD CONSTRAINT "model_training_events_training_dataset_id_fkey" FOREIGN KEY ("training_dataset_id") REFERENCES "training_datasets"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "data_quality_metrics" ADD CONSTRAINT "data_quality_metrics_training_dataset_id_fkey" FOREIGN KEY ("training_dataset_id") REFERENCES "training_datasets"("id") ON DELETE CASCADE ON UPDATE CASCADE;

