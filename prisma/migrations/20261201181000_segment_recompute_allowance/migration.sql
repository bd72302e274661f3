-- The hourly allowance of segment recomputations a user can cause (SEGMENT_REFRESHES_PER_HOUR) moves
-- from each process's memory onto the user's segment row, so every replica counts the same
-- recomputations and a restart does not hand out a fresh allowance.
ALTER TABLE "user_segments" ADD COLUMN "recompute_window_start" TIMESTAMPTZ(6),
ADD COLUMN "recomputes_in_window" INTEGER NOT NULL DEFAULT 0;
