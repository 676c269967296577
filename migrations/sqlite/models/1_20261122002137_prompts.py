from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "prompt_rollups_hourly" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "organization_id" INT NOT NULL,
    "prompt_id" INT NOT NULL,
    "version_hash" VARCHAR(128) NOT NULL,
    "status" VARCHAR(20) NOT NULL,
    "bucket_start" TIMESTAMP NOT NULL,
    "count" INT NOT NULL,
    "totals" JSON NOT NULL,
    "data_sources" JSON NOT NULL,
    "schemas" JSON NOT NULL,
    "sketches" JSON NOT NULL,
    "max_occurred_at" TIMESTAMP,
    "updated_at" TIMESTAMP NOT NULL,
    CONSTRAINT "uid_prompt_roll_prompt__98da50" UNIQUE ("prompt_id", "bucket_start", "version_hash", "status")
);
        CREATE TABLE IF NOT EXISTS "data_sources" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "kind" VARCHAR(50) NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "organization_id" INT NOT NULL REFERENCES "organizations" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_data_source_organiz_d10175" UNIQUE ("organization_id", "name")
);
        CREATE TABLE IF NOT EXISTS "prompts" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "uuid" CHAR(36) NOT NULL UNIQUE,
    "name" VARCHAR(200) NOT NULL,
    "text" TEXT NOT NULL,
    "status" VARCHAR(20) NOT NULL,
    "last_executed_at" TIMESTAMP,
    "last_execution_ms" REAL,
    "last_data_source_ids" JSON NOT NULL,
    "last_data_source_key" VARCHAR(1000) NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "organization_id" INT NOT NULL REFERENCES "organizations" ("id") ON DELETE CASCADE,
    "owner_id" INT REFERENCES "users" ("id") ON DELETE SET NULL,
    "workspace_id" INT REFERENCES "workspaces" ("id") ON DELETE SET NULL
);
CREATE INDEX IF NOT EXISTS "idx_prompts_workspa_7d3394" ON "prompts" ("workspace_id");
CREATE INDEX IF NOT EXISTS "idx_prompts_organiz_86e61d" ON "prompts" ("organization_id", "owner_id", "last_executed_at");
CREATE INDEX IF NOT EXISTS "idx_prompts_organiz_2f1ca5" ON "prompts" ("organization_id", "status");
        CREATE TABLE IF NOT EXISTS "prompt_executions" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "event_id" CHAR(36) NOT NULL UNIQUE,
    "version_hash" VARCHAR(128),
    "status" VARCHAR(20) NOT NULL,
    "total_duration_ms" REAL,
    "ai_response_time_ms" REAL,
    "query_execution_time_ms" REAL,
    "latency_ms" REAL,
    "cost_usd" VARCHAR(40),
    "score" REAL,
    "data_source_ids" JSON NOT NULL,
    "schema_names" JSON NOT NULL,
    "user_id" INT,
    "occurred_at" TIMESTAMP NOT NULL,
    "received_at" TIMESTAMP NOT NULL,
    "organization_id" INT NOT NULL REFERENCES "organizations" ("id") ON DELETE CASCADE,
    "prompt_id" INT NOT NULL REFERENCES "prompts" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_prompt_exec_prompt__98252b" ON "prompt_executions" ("prompt_id", "occurred_at");
        CREATE TABLE IF NOT EXISTS "prompt_versions" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "version_hash" VARCHAR(128) NOT NULL,
    "first_seen_at" TIMESTAMP NOT NULL,
    "last_seen_at" TIMESTAMP NOT NULL,
    "organization_id" INT NOT NULL REFERENCES "organizations" ("id") ON DELETE CASCADE,
    "prompt_id" INT NOT NULL REFERENCES "prompts" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_prompt_vers_prompt__10d845" UNIQUE ("prompt_id", "version_hash")
);"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "prompts";
        DROP TABLE IF EXISTS "prompt_versions";
        DROP TABLE IF EXISTS "data_sources";
        DROP TABLE IF EXISTS "prompt_rollups_hourly";
        DROP TABLE IF EXISTS "prompt_executions";"""


MODELS_STATE = (
    "eJztXWFzmzgT/iuMP6UzaSZx4iR37zvvjJ24V79N4k7i3N1ce0NlkG3GgKgQSX13/e8ngT"
    "EghAuOsYHoSxsLrYSfXbTP7gr575aFdGi6R13H+AAXrZ+Vv1s2sCD9g7tyqLSA40TtrIGA"
    "sel3BY6hzuHCbwRjl2CgEdo+AaYLaZMOXQ0bDjGQzXp3baX7caBQAcVwFZcgDHUFuMqXLw"
    "6GE+Pbly/KgeONTUM7VAxbh9+g/kZxTM9VgPLwvvu23TlX0EQhM6g8z5AJ2UhHbGodaXRu"
    "w56WNstn+7NN0aB9MFRoj7djgygY2DqylGBq91BxER1iAlyizIA7Y7NDG3nT2X/8wYLZFR"
    "MSl33+bJsIzT1HmdGRkA0VjJ5pO2YCdBjPNr56MLhB+q9LINDZbbGR6WwKmALWqsAniBcr"
    "IAIplaAppFNgCsenP2lz8DXd8KMzVycGNPWE1g2dDeC3q2Th+G0Dm7zzOzKMx6qGTM+yo8"
    "7OgsyQvept2IS1TqENMSCQDU+wx+zA9kxzaTKhaQR3GnVZaiJq0OEEeCazJiYd3EDU1lLV"
    "u+FIfeiPVLWVsrRQImYWyyYN2cxK6a26/refslt42z45uzi7PD0/u6Rd/NtctVx8D6aOgA"
    "kEfXjuRq3v/nVAQNDDxzgC1f8/BevVDGAxrmF/Dll6yzyyIY7roA0bImyjB3MX4Frgm2pC"
    "e0pm9OPJ8fEaKH/t3l+9794f0F5v2JSIriTBEnO3vNQOrjG8I3yDZ6oIwpHEdjDer/kmET"
    "7PA/B5Nr7nPLx0WVHZglME4LhMA834/CwHyOdnmSCzS0mQMfUxRQAO++8O3JYFrTHErZ0A"
    "3M6zTLSzV4l2apFgcKimYRlEdSBWLcP2iADxTGeXKf9j/yfQwHJ9qIx1b8UDRmBrGLLvrg"
    "KSRviaXiGGBcUwJyU5bPWl6FH4Rx0XEvoF9aFtLpZWsAbX0eC2/zDq3n5k01mu+9X08euO"
    "+uxK229dcK0H/Mq+GkT5bTB6r7CPyh/Du74PL3LJFPszRv1Gf7TYPQGPINVGzyrQYw4tbA"
    "1RS2jdpKRX9dyN9M7LbkHzFXvGaqLoEJO1msbwCc030nNSUmq5ylpGeAps4y/AMFALRYYC"
    "yY3cZI7Fu36BYgQwXe9wMWBjEhLQAFCWy5jMhYF33AzTIL9DGBpTltDxsR7QOwO2JuJ0y1"
    "zYkBuuXlh/D20pbI3mx+B5lQsSPbv0DwoAJEFM0n246l73WylL3gLCj8thmols7OEVI8pM"
    "eQy0+TPAupqwaXYFtRHXsuqbvmS1Lb4F2GDqY8O+BbtnkVkLUsC82WcnguOmky8bnI2xTG"
    "LKJGZVoOVSE/lyE+uSE6nshAyYs9FvVsCcoivZi35kHvEKW9I4ekvJdx/uoblaosXeNarl"
    "1cwEshxsioK8EKDt0Y/qwfOM8Nx1gAZfiNFv4ThNBcr3gC7y8Iuhogs3ePAHaipWDkaWQ1"
    "4I00d/kKZCRG9M81aE+KUo9cPRmgpXYFHqE13Lt4XZr8FYTUKszHDQd4KCMDB0jtnh38oD"
    "y7CvMWEftIBhFon7VgKNC/xOcxWlT9dUpU/TZWkHuC6lZnrhHRYpwY3wrlj1hIu0O508kX"
    "ankx1ps2tyo8VON1oYrkqXfuNJgHIPUTCBnbEix+U4tMdUsCy4wwVlt8XA3nB4k8hS9AYj"
    "DuPH217//uDEh552MoJksdxs8XpzR7I4K2uJlcB667VEmQStY0KmYuxxL+FylA8VxMyJZG"
    "l24JzMzW43ev6UWrn8e/xTRtWvtpi6b1Imy6mSEr9aSly7ff115sSVoB+lkmJJ+HZN+GJV"
    "XQHjS9Z8sykfX2WWpE+SPkn6XkT65vSrFcE37L/DzH5IeL6au8nud/LA3MlGuSOZtWTWkl"
    "lLZl1NnlcCsy6TOS5ptoA1RgQ8mzHGmH6p+2s+CWF8tlfvrviv6gbb2oLlnA4gFKJWSTw3"
    "YJ2SZu6KZnqeCNbHx8F1xiuFnhBZ1nzEpDZZL/YK8Br0gh06gSONu0j/eyaJjmTr5bJ1Ar"
    "8JKOSItorxDfvvkK2XxdHXEcP+76MEJwwxPLjt/v4mwQtvhne/hN1jmF/dDHsc1Mt1uIAx"
    "RxI7hFvHYEJ2Exdtf9dTyimm0M5x/gUnL09HqPLpCDGNMcpjCR6wdyYCGcuZUJpT+ISJN0"
    "rJ18PH3k1f+Xjfvxo8DIZ3Sa36F33iuNrtdt/v3oietFj6lJJNAfT/fxjerUFeIM8/bYZG"
    "lH8U03BLC09b/514tsbgVcaeYRLDdo/YfP/bg+NheK13PLyP4R4pNgDveFJQz4OdN3ndUJ"
    "Z8AzhA6ljEnOcirj0YUWbrZLaOhW6OvqHWk5JS61XRuoCQpLb+yRxt2cc1xZNgeaGNiciD"
    "ItOQrnY+FoOVFysJ2rqlBWVBYV8FBaFNbwHnIqctVMue80LMP8oJfOlNKHePNzet9Dq8BX"
    "BzHvdRsSU4t+3GXE8GqHk2mMnzCwq9gCEPLlgLVfnl1cjCMuusCSP8UcFVTT4AJZdel3Mu"
    "n1pN8zBe1lgLFVF7xvS11FF/ardPTy/ax6fnl52zi4vO5fGKOaUvraNQvcEvjEUdxsO3HO"
    "cjPEGbCMlrdsU1LiOrrqLls/BpCLxc8w5DOGlf5skQti+zE4TsWi0rgxpdFBl7CW+ndtVB"
    "gggwVd3DYJNakVBa1opy1IqAodK1xqFzUr9rWLAo8hnyEvsc2NPviBexEucm+K8ZQ+ogV6"
    "2UQFtbFC9Ox8Uk0jmQ1pD/+yUCHngNNcMCZkaZLSbGl1sCuaOlfLMQp0jfdm8OTi4PL7nz"
    "bUL/epZyoq6GsCinlm3HKwlpwjlM+AV7KuR2il1sp3C1GbSAyj4W0g4vJ1WzddXs/pdcKr"
    "Y2bb3WGst9pV3q2k0MnGgDdzHUd9dCerMKhho0njb8LbGEaAMVXdPtKvKVwiosoYlaQk5s"
    "EzISVbmvokL7KpzVS5IvBLlxPzjAw5usIlbuDdh7ZJqe856Gi75jy6jSJnod5ijUYl/AVW"
    "eRyJYPVUngOva0OSQqNTbs2xJfgoq//brpmSuyjrurOq6kI5KO1BHVvRbMK/1Kzeutl+9s"
    "T8L2C+W8Uy2SDuBlG5gPqEn8nyvxoyHPFug40xes+u/ODxzXxAn4G0QKlQQiiWoUA9i0jS"
    "kGrP8FwVxVNKmaMktoG1TPpEJKUgh12RTgYhqJyUiVbF0ljOK9oPwmEJcHmVSZiMnXxbOJ"
    "Wj3rbwK1r96+yfnb4+VngcO3mzITwLHXn36Y+42/dlVO1jeV4pWHae/zlMP65b3q/abIxM"
    "AuUV0I7Q38REq4ga6ivq4hzQj8c5c21DUvK1VdaVXLupese9UFVbkNR27DqRO8ld2G04XY"
    "0GYtQeS1vHK4LuQCUZ8yD0OQ8dQe4qkNQqmGRlHtTidPcbvTya5us2vc+8j0oSqA8LJ7A9"
    "E9yXve6brjTlOnnSKbQFFNObuUEBPZfSVhPyHK1moGe80mfv8XY+ymRQ=="
)
