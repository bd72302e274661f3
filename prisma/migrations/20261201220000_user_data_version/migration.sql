-- The data version moves from the wallet to the user's row. The auth check reads that row on every
-- request, so a coaching answer's reuse check and the prediction cache get the version from the same
-- round trip instead of a query of their own. It is raised by statement-level triggers, as before on
-- every statement that inserts, edits or deletes transactions, and now also when a wallet is opened or
-- its balance is set, so the version alone (without the balance beside it) says the state changed.
ALTER TABLE "users" ADD COLUMN "data_version" BIGINT NOT NULL DEFAULT 0;

DROP TRIGGER "transactions_inserted_raise_data_version" ON "transactions";
DROP TRIGGER "transactions_updated_raise_data_version" ON "transactions";
DROP TRIGGER "transactions_deleted_raise_data_version" ON "transactions";
DROP FUNCTION raise_wallet_data_version();
ALTER TABLE "wallets" DROP COLUMN "data_version";

CREATE FUNCTION raise_user_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Once per statement (an import's batch of rows raises each affected user once).
  UPDATE users SET data_version = data_version + 1
   WHERE id IN (SELECT DISTINCT user_id FROM changed_rows);
  RETURN NULL;
END
$$;

-- A trigger with transition tables serves one event, hence one per event and table.
CREATE TRIGGER "transactions_inserted_raise_data_version" AFTER INSERT ON "transactions"
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION raise_user_data_version();
CREATE TRIGGER "transactions_updated_raise_data_version" AFTER UPDATE ON "transactions"
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION raise_user_data_version();
CREATE TRIGGER "transactions_deleted_raise_data_version" AFTER DELETE ON "transactions"
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION raise_user_data_version();
CREATE TRIGGER "wallets_inserted_raise_data_version" AFTER INSERT ON "wallets"
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION raise_user_data_version();
CREATE TRIGGER "wallets_updated_raise_data_version" AFTER UPDATE ON "wallets"
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION raise_user_data_version();
