-- "Log out everywhere" and password changes invalidate every token issued before them: tokens
-- carry the version current at issue, and the auth check refuses any other.
ALTER TABLE "users" ADD COLUMN "token_version" INTEGER NOT NULL DEFAULT 0;
