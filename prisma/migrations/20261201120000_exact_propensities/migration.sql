-- Off-policy evaluation needs, on every recommendation, the exact probability with which
-- its action was drawn. New rows must carry one in (0, 1]; NOT VALID leaves the rows
-- written before (greedy propensity 1, or a Monte-Carlo estimate) as they are.
ALTER TABLE "recommendation_history"
  ADD COLUMN "action_probabilities" JSONB,
  ADD COLUMN "bandit_outcome" BOOLEAN,
  ADD COLUMN "bandit_counted" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "recommendation_history"
  ADD CONSTRAINT "recommendation_history_propensity_check"
  CHECK ("propensity" IS NOT NULL AND "propensity" > 0 AND "propensity" <= 1) NOT VALID;

-- How many feedback outcomes each user has put into each shared arm: capped, so that one
-- very active user cannot decide what a whole segment is shown.
CREATE TABLE "bandit_user_weights" (
    "user_id" UUID NOT NULL,
    "segment_id" INTEGER NOT NULL,
    "arm" VARCHAR(50) NOT NULL,
    "outcomes" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "bandit_user_weights_pkey" PRIMARY KEY ("user_id", "segment_id", "arm")
);
ALTER TABLE "bandit_user_weights" ADD CONSTRAINT "bandit_user_weights_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
