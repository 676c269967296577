from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "organizations" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "name" VARCHAR(200) NOT NULL UNIQUE,
    "created_at" TIMESTAMPTZ NOT NULL
);
CREATE TABLE IF NOT EXISTS "users" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "email" VARCHAR(320) NOT NULL UNIQUE,
    "password_hash" VARCHAR(255),
    "role" VARCHAR(20) NOT NULL,
    "is_active" BOOL NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "organization_id" INT NOT NULL REFERENCES "organizations" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_users_organiz_d1d822" ON "users" ("organization_id");
CREATE TABLE IF NOT EXISTS "api_keys" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "name" VARCHAR(100) NOT NULL,
    "prefix" VARCHAR(16) NOT NULL UNIQUE,
    "key_hash" VARCHAR(64) NOT NULL,
    "role" VARCHAR(20) NOT NULL,
    "rate_limit_per_minute" INT,
    "created_at" TIMESTAMPTZ NOT NULL,
    "last_used_at" TIMESTAMPTZ,
    "revoked_at" TIMESTAMPTZ,
    "organization_id" INT NOT NULL REFERENCES "organizations" ("id") ON DELETE CASCADE,
    "user_id" INT NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_api_keys_organiz_0f4ed0" ON "api_keys" ("organization_id");
CREATE INDEX IF NOT EXISTS "idx_api_keys_user_id_6285a8" ON "api_keys" ("user_id");
COMMENT ON TABLE "api_keys" IS 'An API key is stored as ``prefix`` (public, indexed) plus a SHA-256 of the whole key.';
CREATE TABLE IF NOT EXISTS "workspaces" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "name" VARCHAR(200) NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "organization_id" INT NOT NULL REFERENCES "organizations" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_workspaces_organiz_bde44d" UNIQUE ("organization_id", "name")
);
CREATE TABLE IF NOT EXISTS "aerich" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "version" VARCHAR(255) NOT NULL,
    "app" VARCHAR(100) NOT NULL,
    "content" JSONB NOT NULL
);"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        """


MODELS_STATE = (
    "eJztm21z2jgQgP+Kxp/SmSTTkIR27j6ZlEy4NqET6PWmTUcRtgANtuRKcgjt5b+f5BeM3z"
    "hIgQLxlwRWu5L8aLVerZKfhsts7Ihj0yPv8cT4A/w0KHKx+pBpOQQG8rxErgUS9ZxAFXkE"
    "jvAkEKKekBxZUsn7yBFYiWwsLE48SRjV2iYF5scWUAaACCAk49gGSID7e4/jPnm8vwcHnt"
    "9ziHUICLXxI7ZfAc/xBUCgc2Ue1c7rgPWBHGIwHjIH656O9dA2s9TYhA7WNsodvaOKhtLh"
    "GCiNox6RgCNqMxeEQ4tDIJjqoo+EBEMkhnp0TJk/GP4ZdBaODhwshf5+Rx3GRr4HhqonRj"
    "HgbKzkXBuobnxKvvs4nKD6KSRGtp6W7lmNBtAAaSnAD5hPpiBCKyjZAKshuMLx9ZsSh48p"
    "4q/eCPYJduzUqhNbdxDIoZx4gaxF5WWgqBn3oMUc36WJsjeRQ0an2oRKLR1gijmSWHcvua"
    "/9gPqOE7lM7BrhTBOVaCUSgY37yHe0N2nrcAKJzIDwpt2FnWYXQiPnabHFjFtEIotR7aVq"
    "qiJ4+oGewlHt5OzN2dvT+tlbpRJMcyp58xQOnYAJDQM8N13jKWhHEoUaAeMEavA7h/ViiH"
    "gx11g/Q1ZNOUs25jgPbSxI2CYbcxNwXfQIHUwHcqi+nrx+PQfl3+btxZV5e6C0XukhmYok"
    "YYi5iZpqYZvmnfAN99QyhBOL1TD+ve6bJlxfBHC9nG89i1eFFagDzjKAZ2320I3rZwtArp"
    "+VQtZNachcvWOWARzrbw6u4WK3h7mxEcC1RcJErTxK1HJBQuOADnGJhB7m0CXUlwXES192"
    "pfb///4rWIEoPmyNd6/kDZjAtjjWzw6RzBN+p1okcXEx5rRlhq0dmR7HH3YxkKgHtNvUmU"
    "ReMIdrt3Xd7HTN6496OFeI707Az+w2dUstkE4y0oNsZJ92Aj63uldAfwVf2jfNAC8TcsCD"
    "ERO97hdDzwn5kkHKxhDZMy+0WBpTS626o5Je6ItnrXvWdgUrv2V7bEcWOmYyd6U5fmCjZ6"
    "1z2rJa5W1eZcYHiJIfSDOAS50MCyyf9ZpcIHjv3kExAaziHV8O7IxFBTQEqmsZ/VHhwXvW"
    "DfOQLxnHZKALOgHrlpoZolZRThfVwtqZ7naL9VPsS7E0GZ+j8bQWVLR31QcFAMvwTGJ2Ls"
    "x3TSPnySsg/CnqZj/JzmzeYqLalXvIGo0Rt2HKp3ULq7GMZKqbb3JrblaCKBoEbPRT6DkX"
    "uXVBCTjr9uWF4FnXWawaXM64KmJWRcxtQZspTSxWm5hXnMhVJ6oDczn9/Tow59KV8qCfuM"
    "fsDVvaORqR5eX7W+xMQ3Tx2zW5y9sxFyh7weZSkF8EtLr0Y/vwjBkfCQ9Z+BcZfY772SdQ"
    "60yvAqcqSKtiZytPp6YeXaVRe5NGYRcRZ5k8amqwd4nU6UKXPKdzbnlO89c8HhJChTp76R"
    "vLnOGzeG9ZNTKTuZ6fL5K5np+XZ666rbq43OjFJRFQhX7yUEC5wRRMREsi8qxdhnZPGa4L"
    "dxxQNltcb7TbH1JZf6PVzTD+dN1o3h6cBOiVEgmLL9Xl5cs9i1WXHVVtfitYr7w2XxUVtv"
    "MwmJyeC06EqaN1+bEwfZJf7dnwa25fBnP8Vp0ZX2zp/XenHFXxvUr4XmzCt3N/BbrLGd9W"
    "pB9rSPnWmdCYmBNrWJTNRC1zUxmU6FQl7l3a5vPSlQfMReEWL89YZkz2MWlZR91Vb6olCE"
    "fqe0h3Lf9SpkaUmBbkg3912jcluWBikk0EiSXBv8AhYhezgjlwNYxUthczPbg2/8nivvjQ"
    "bmTTON1Boyhr2OTL7Ok/uzKfvw=="
)
