-- Segments are served with hysteresis (docs/ml/segmentation.md): a challenger segment replaces
-- the stored one only after it has been clearly nearer at refreshes spanning a week, so the
-- stored row remembers the challenger and since when it has been nearer.
ALTER TABLE "user_segments" ADD COLUMN "pending_segment_id" INTEGER;
ALTER TABLE "user_segments" ADD COLUMN "pending_since" TIMESTAMPTZ(6);
-- The one-line description derived from the segment's centroid, served beside its name.
ALTER TABLE "user_segments" ADD COLUMN "segment_description" TEXT;
