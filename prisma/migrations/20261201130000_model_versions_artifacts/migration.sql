-- Model versions carry their ONNX bytes and manifest entry, so replicas hot-reload a promoted
-- version from the database; status and decision record champion/challenger outcomes.
ALTER TABLE "model_versions"
  ADD COLUMN "status" VARCHAR(20) NOT NULL DEFAULT 'candidate',
  ADD COLUMN "artifact" BYTEA,
  ADD COLUMN "manifest_entry" JSONB,
  ADD COLUMN "decision" JSONB,
  ADD COLUMN "training_data" JSONB;

UPDATE "model_versions" SET "status" = CASE WHEN "is_active" THEN 'active' ELSE 'retired' END;

-- At most one active version per model.
CREATE UNIQUE INDEX "model_versions_one_active" ON "model_versions" ("model_type") WHERE "is_active";
