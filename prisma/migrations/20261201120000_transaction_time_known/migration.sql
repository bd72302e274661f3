-- A row whose time of day is unknown (bank statements carry dates only). Its timestamp keeps the
-- calendar day (the importer stamps noon UTC); features must not read an hour from it.
ALTER TABLE "transactions" ADD COLUMN "time_known" BOOLEAN NOT NULL DEFAULT true;

-- Every row imported so far came from a date-only statement.
UPDATE "transactions" SET "time_known" = false WHERE "source" = 'import';
