-- Per-account login throttling shared by every replica (it was kept in each process's memory, so
-- N replicas behind a load balancer gave an attacker N times the attempts). Keyed by a hash of the
-- e-mail as typed, whether or not an account has it; no user id, so nothing here identifies a user.
CREATE TABLE "login_throttle" (
    "account_key" BYTEA NOT NULL,
    "failures" INTEGER NOT NULL,
    "last_failure_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "login_throttle_pkey" PRIMARY KEY ("account_key")
);

CREATE INDEX "login_throttle_last_failure_at_idx" ON "login_throttle"("last_failure_at");
