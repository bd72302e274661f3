-- A user's own merchant → category memory, taught by re-categorising a transaction.
CREATE TABLE "merchant_categories" (
    "user_id" UUID NOT NULL,
    "merchant_key" VARCHAR(100) NOT NULL,
    "category" "transaction_category" NOT NULL,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "merchant_categories_pkey" PRIMARY KEY ("user_id","merchant_key")
);

ALTER TABLE "merchant_categories" ADD CONSTRAINT "merchant_categories_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
