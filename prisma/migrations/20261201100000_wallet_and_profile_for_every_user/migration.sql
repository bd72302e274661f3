-- Data only, no schema change: every existing user gets the wallet (starting balance 1000.00 USD)
-- and profile that registration now creates, so reads never have to create them.
INSERT INTO "wallets" ("id", "user_id", "balance", "currency", "created_at", "updated_at")
SELECT gen_random_uuid(), u."id", 1000.00, 'USD', now(), now()
FROM "users" u
WHERE NOT EXISTS (SELECT 1 FROM "wallets" w WHERE w."user_id" = u."id");

INSERT INTO "user_profiles" ("id", "user_id", "created_at", "updated_at")
SELECT gen_random_uuid(), u."id", now(), now()
FROM "users" u
WHERE NOT EXISTS (SELECT 1 FROM "user_profiles" p WHERE p."user_id" = u."id");
