-- Coaching answers are reused (and predictions cached) while the user's transactions are unchanged.
-- Checking that by aggregating the whole history (count, newest sequence number, last edit) read
-- every transaction the user has on every check. A counter on the wallet, raised by a trigger on
-- every statement that inserts, edits or deletes transactions, answers it from one row, and no code
-- path that writes transactions can forget to raise it.
ALTER TABLE "wallets" ADD COLUMN "data_version" BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION raise_wallet_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Once per statement (an import's batch of rows raises each affected wallet once).
  UPDATE wallets SET data_version = data_version + 1
   WHERE user_id IN (SELECT DISTINCT user_id FROM changed_rows);
  RETURN NULL;
END
$$;

CREATE TRIGGER "transactions_inserted_raise_data_version" AFTER INSERT ON "transactions"
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION raise_wallet_data_version();
CREATE TRIGGER "transactions_updated_raise_data_version" AFTER UPDATE ON "transactions"
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION raise_wallet_data_version();
CREATE TRIGGER "transactions_deleted_raise_data_version" AFTER DELETE ON "transactions"
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION raise_wallet_data_version();
