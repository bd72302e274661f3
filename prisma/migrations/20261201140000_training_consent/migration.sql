-- Explicit consent to use the user's own history for retraining the models; off unless the user sets it.
ALTER TABLE "user_profiles" ADD COLUMN "training_consent" BOOLEAN NOT NULL DEFAULT false;
