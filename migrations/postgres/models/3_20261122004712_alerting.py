from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "metric_points" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "name" VARCHAR(100) NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "type" VARCHAR(20) NOT NULL,
    "timestamp" TIMESTAMPTZ NOT NULL,
    "version_hash" VARCHAR(128),
    "tags" JSONB NOT NULL,
    "tags_key" VARCHAR(2000) NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "organization_id" INT NOT NULL REFERENCES "organizations" ("id") ON DELETE CASCADE,
    "prompt_id" INT REFERENCES "prompts" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_metric_poin_organiz_935ba7" ON "metric_points" ("organization_id", "name", "timestamp");
        CREATE TABLE IF NOT EXISTS "alert_rules" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "name" VARCHAR(200) NOT NULL,
    "metric" VARCHAR(100) NOT NULL,
    "aggregation" VARCHAR(10),
    "comparison" VARCHAR(3) NOT NULL,
    "threshold" DOUBLE PRECISION NOT NULL,
    "warning_threshold" DOUBLE PRECISION,
    "window_minutes" INT NOT NULL,
    "pending_minutes" INT NOT NULL,
    "severity" VARCHAR(10) NOT NULL,
    "scope" JSONB NOT NULL,
    "channel_ids" JSONB NOT NULL,
    "enabled" BOOL NOT NULL,
    "renotify_minutes" INT,
    "created_by_id" INT,
    "last_evaluated_at" TIMESTAMPTZ,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "organization_id" INT NOT NULL REFERENCES "organizations" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_alert_rules_organiz_7e13e4" ON "alert_rules" ("organization_id", "metric", "enabled");
        CREATE TABLE IF NOT EXISTS "alerts" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "source" VARCHAR(50) NOT NULL,
    "entity" VARCHAR(300) NOT NULL,
    "open_key" VARCHAR(400) UNIQUE,
    "status" VARCHAR(20) NOT NULL,
    "severity" VARCHAR(10) NOT NULL,
    "message" TEXT NOT NULL,
    "value" DOUBLE PRECISION,
    "threshold" DOUBLE PRECISION,
    "started_at" TIMESTAMPTZ NOT NULL,
    "firing_at" TIMESTAMPTZ,
    "acknowledged_at" TIMESTAMPTZ,
    "acknowledged_by_id" INT,
    "resolved_at" TIMESTAMPTZ,
    "resolved_by_id" INT,
    "note" TEXT,
    "last_notified_at" TIMESTAMPTZ,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "organization_id" INT REFERENCES "organizations" ("id") ON DELETE CASCADE,
    "rule_id" INT REFERENCES "alert_rules" ("id") ON DELETE SET NULL
);
CREATE INDEX IF NOT EXISTS "idx_alerts_organiz_f45274" ON "alerts" ("organization_id", "started_at");
CREATE INDEX IF NOT EXISTS "idx_alerts_organiz_4e55d2" ON "alerts" ("organization_id", "status");
CREATE INDEX IF NOT EXISTS "idx_alerts_rule_id_3a39c1" ON "alerts" ("rule_id", "status");
        CREATE TABLE IF NOT EXISTS "alert_events" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "kind" VARCHAR(20) NOT NULL,
    "from_status" VARCHAR(20),
    "to_status" VARCHAR(20) NOT NULL,
    "actor_id" INT,
    "note" TEXT,
    "value" DOUBLE PRECISION,
    "at" TIMESTAMPTZ NOT NULL,
    "alert_id" INT NOT NULL REFERENCES "alerts" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_alert_event_alert_i_e38488" ON "alert_events" ("alert_id", "at");"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "alert_events";
        DROP TABLE IF EXISTS "metric_points";
        DROP TABLE IF EXISTS "alerts";
        DROP TABLE IF EXISTS "alert_rules";"""


MODELS_STATE = (
    "eJztXW1zm7gW/iuMP7Uz2U7rxGnuy9wZu3W3uZvEncTZ3dndO1TBss0EA8tL0ty9/e9XAv"
    "MmBBE2YEHOlzYWOgKeI6Sj55wj/TXYWAtsuG/Gtv4Tfhr8XflrYKINJn8wV46UAbLtpJwW"
    "eOjOCKoiW1fv8VNQiO5cz0GaR8qXyHAxKVpgV3N029Mtk9Yem8r4y7lCBBTdVVzPcvBCQa"
    "7y9avt4KX+7etX5ZXt3xm6dqTo5gJ/w4vXim34roKUm8/jH4ajU8VaKt4aK49ry8C0pTf0"
    "1gtLI/fWzVVjd/nD/MMkaJA6DlZIjR/udE9xkLmwNkp4a/dIcS3SxBK5nrJG7preHZuWv1"
    "r/I2gsvLtiYM+lv/8wDcu6921lTVqyTKw41iMpd6gAacY39T99HD4g+df1MFrQx6Itk7sp"
    "aIVoqYIfsPMUAxFKqZ61wuQWDoHj9/+Q4vA13einfa8udWwsMlrXF7SBoFz1nuyg7Nz0Pg"
    "UVKcZ3qmYZ/sZMKttP3toy49q66dHSFTaxgzxMm/ccn/YD0zeMbZeJukb4pEmVrSaSggVe"
    "It+gvYlKhw+QlA1U9Wo2V2+mc1Ud5HpaJJHqFtsizTJpLyWP6gZvv6KP8MPw3cn7k7Pj05"
    "MzUiV4zLjk/ffw1gkwoWAAz9V88D24jjwU1ggwTkAN/s/B+mGNHD6uUX0GWfLILLIRjmXQ"
    "RgUJtsmH2Qa4G/RNNbC58tbk57u3b0ug/Hl8/eHz+PoVqfWa3tIiI0k4xFxtLw3DaxTvBN"
    "/wm6qCcCJRD8aH7b5ZhE9FAD4txveUhZcMKyodcKoAnJbpYTc+PREA+fSkEGR6KQuyQ+aY"
    "KgBH9dsDd7DBmzvsDFoBeCgyTAyLR4lhbpCgcKiGvtE91caOutFN3+MgXjjZFco/P/9xNL"
    "AdH6Tp3bXMgAnYmoPpu6vIyyP8kVzx9A3mw5yVZLBdbEXfRH90cSAhL7iYmcbTtheU4Do/"
    "v5zezMeXX+jtNq77pxHgN55P6ZVhUPrElL5iR/a4EeWX8/lnhf5UfptdTQN4LddbOcEdk3"
    "rz3wb0mZDvWappPapokZrQotIItYzWDWL0qr67k95Z2Ro0L9k31hFFR5iUatrBD9b9TnrO"
    "SoKWZday5ayQqf8XUQzUSitDjuRO06TA4N29hWICMBnvnGrApiQA0BBQymUs77kL73Q3zI"
    "P8yXKwvqKEToD1OXkyZGo8m27Lhc2Y5rqF9feoL0Wlyf0d9BhzQbxvl/xBAMBeuCYZ33wY"
    "f5wOcj25BoRvt830E9nUx8tHlHblO6TdPyJnoWb6NL1iDS2mJK6bv7QZbtgSZKJVgA19C/"
    "rMvG7NoYDZbl9MBKe7jhgbXIwxkJhAYsoCLUNNiHETZeREjp2ABXMx+v1aMOfMleJBP+ke"
    "aQ9btnNMtpKffrrGRjxE82fXxJfXsS5QNMHmTJA9AarP/JAPnkfLuXdtpOE9MfolaqevQA"
    "UzoGv5zt5QkYEb3QQN9RUr27E2trcnTF+CRvoKEXkwzY8N4n1Rmkat9RWusEepD2Qsrwuz"
    "n8O2+orYBpNGNNW2Aqm98LoMmvpi1cYlyYcWMrCzL0xj2kZnqWkBfFTHN/ad/AKQrn2jV3"
    "NfkzRMYHxy6JfIKC2mXWLLF+iW3tAteIN0owrfEgv0jnA5FgoGOS6JBjnOh4PYyHXJkmhR"
    "ObIpJ7gT3pJNDQzDNRqJMFyjUTHDRa9BgFOrAU66q5KhX3/goDyxCJjILBiR03IM2ndEsC"
    "m4owGlXSf8ZDa7yLCDk/M5g/Ht5WR6/epdAD2ppIdOGghyermcLQRFgA9fCqxr9+GD86GL"
    "RKhk1uNBlsuJH4KzZs44KYoXzlmfSL2r599zI1fwjP+BVfWLDWI4tFEGYQxgEr9Yk7hz+T"
    "RdtomlMD8aNYrB4Gvb4EtFU3AsvmysRbHJx0Z3gNEHRh8YfXsZfffk1argG9VvkdmPDJ4/"
    "jXbY/ZEIzKNilEdgWYNlDZY1WNZy2nkNWNZNWo5bM5tjNSYGeLHFmLL0G42v+Z0L46MZ54"
    "wFKfJhOGk4nJMGuEKkV3q+G1qdYGa2ZWb6Pg/W29vzjwWpvD4XWVr8hkrtMl4cFOAS9MII"
    "nXAiTU+RwXtmDR2w1pu11j38jWNCzkkpH9+ofovWelM2eplhOP11nrEJIwxfXY5/fZ2xCy"
    "9mVz9G1VOYf7iYTRiot+Nwhc6cSLQI98JBS6+ddVH9UU+5STGHtsC+M4w87Eoi864kKY1R"
    "k2fD+cA+GRYqGM640ozCl1S8V0r+OLudXEyVL9fTD+c357OrrFaDi4HhGEe7XU/HF7wvLU"
    "WfEmOTA/2/b2ZXJchz5NmvTdc85X+KobuNLU8H/1z6pkbhVe583fB0031D7/evA0w8FK/y"
    "iYedY5hPijbATjw5qO/DyBvRaahIvgc2QG47UsH9SEs3JAW2Dtg6unSzFztqPSsJWpdF6x"
    "yDJBf6Bxxt09ukpUkwUWhTIrBBax7SOPKxGqysWEPQdo0WBIfCoRwK3D5dA85VdjmRqz+L"
    "Qsx+yhl8yUMoV7cXF4P8OFwDuILb7Eg2BAv33dTUUwCqSIAZ7BtSKQEDNgwRhupgG4Z05I"
    "NuNIqR/RwLndKZL/Y577SaHS0a9lNv77kd4jTNd5ytQ7qSx3mir16K0/lvw+Hx8fvh2+PT"
    "s9HJ+/ejs7exmZm/VGZvTs5/pCbnUXqtK7CZxAM2Pa6lX+yeTsuAi5o311TeOoKV69/OEe"
    "+GZyJ06vCsmE2l1zrpRtXIoEhNvehxOudK9SwPGerCd9AujjWuNDjWBBxrSFfJWGOTe5J5"
    "V9/gqsgXyAP2AtiTd3SeUv7gXfAvaQN0IORY9rCpPVX35KfFAGkBpDUrOGSJYwd+xJq+QU"
    "aBTzIlxvqmQrk3W/l+IU6QvhxfvHp3dnTGbAYUza8nuUnU1SyHR0AW9+NYArqwQBfeIwAF"
    "Yk/aiD1xtTXeIJX+rKQdVg5UU7tq2j9uSrKxqXbHdIr7yk+ppREfjGgPQz66G+KRj+xxsI"
    "b1hx0PPMyI9lDRHY3tgfxLGYbQjC9BENuMDKAKQSgSBaHYcUbpniD37lQUFt6sF1G6dOFr"
    "yzB8+yPSg3mtwEmbrnQk4KZ1gvquuoglat5+JgPqna/dY08lPS08roL1P6XzhHfdnQacuG"
    "05ccEWAVuki6ge1FsudfLRy3WWtxaQUL+XnJ1Uq3ABrGwPyYCOLP6FWB/N8k2Ojgvngrh+"
    "e/PA245MAkF0SCV/QCIhhyeA3rY3noDyM06FXGigmib9Zzu4zkAhDSmETNkE4GoaScmASm"
    "pXCTXx9vC9ccRhyxeZDTFIrC821LrpfOOoPU69yRG9h6WAPxNz53kOeFvrqAIJvE5EgAUG"
    "FngALLAUS1VggZtAFVhgYIGBBQYWWHYrFFhgYIFfCo0CLLC0qgEWWDaFAAssm0qABX5Zhh"
    "iwwMWGGrDAjbHA0W5ghQRwaruwZ7nf9DZlzbC+OYoXDp885KlA3eO9WmNlGmG+lrrjeqqL"
    "sbnDPJET7uFU0d2pIW8RBOcU7KhrVhZULbWqwe8Ffq+uoAqZmJCJ2SV4pc3ETG8vzFl+Mb"
    "sPFy++cjset3+Qa3RMJTUlSIfb2LBZrqQRNnAAafp4LJEVWvnhWOwK7QEZfrUd0mKJHXdI"
    "kw3kEkzr2CItgKdCB47q97ADN7BJbjx+5xAuX29mBGGxKfViEzb4bpWz89CqWlDItj74VG"
    "v3qVJoq54WmpbpXXjmUOyE0GHZCaFDOCG0kgK66cyE/eReLosp25wNJKZ8LFtHSEzJunLn"
    "OcyxgR0uexleOCrjLRGtciDCMkhP2B7rdaQUVQkyB+llxzcwUwyBJm0GmoTx2FXs9kSiRa"
    "ud9pN2LPeRiN0+KrbaRzmbHZue7lVaGiUSvVsYHQuti45LlkXH+VWRZWOz6vIzLVML4XLY"
    "YSID8okQyCclIJ/kQYbkwIY5Yhc/YKfiSJGW6SHI78QcSSV+JBbkDXZdYnHlMZ7jbwWmRE"
    "qkB8NxGS0y/XVeTg3GrMjF7OrHqDrLFx7abyfnUqQxt93awe7aMjjGcdmxi2kpwFkA59TC"
    "Jgd0OfOalewh89oRplXIh7fU6avuFgSeCEJGmMw6Rto9uWTgxWqn75kjDvrujL7vnqqx/H"
    "xhoPvzPhSiMcvY9bSrjCh8TjJ/TrGyqn5KeUH4jPKfkWl5lZanUf0+RA21vTgNsrkIgDq5"
    "4y7jFk8eBi+ZBy/YDaB4IOtmAA1H7dunlymARrJPunbbL/HjihoDiQQAKnnsjGRYNxo6E3"
    "ma90Q4CNO43rbVT3hTX3AGVnJ/5er24qIsdCblHX/A2+w6JnNtK/fpp2tsxB21BOwpbaiD"
    "024R3N8bDy8KESuKMYrxfCbQSE002HC4UXi7sMfR+CLIhJQyE/KevHwe/2IfdlS/h/7r+o"
    "MElo61UauHYjBifeAKGk/Zs3bAOSMEHVoAZjJdWE5VSj4RgbUDMIgQ3iIn4HWEXezgnu0r"
    "P9ddPo7jkk2Z8qKjfkoEctiep4xQlChSB5PRQXhFaYx0v5IuAyhgkIpW6BG99NwCnRI1B0"
    "oHCrdQon9hkz7UAvJ72s3vgW2J0jn5Yin5ZRn5+XjyqIOLIpxI9BDjRrZ+QitieqwKfB/F"
    "QDNifVjdNJ0doVkbGzm6Ww3orFQPe/WxSMpaccJajlk6WMi+bDA3vHgkRphJg7J3A5wrDY"
    "t2EdzJa5H14EY3fY939k2hVZcXhJUeb7cSbC5oz6wOMEcSzptj4YVEzBZMDVezePtNlh1U"
    "ZnE3nIT92/bfv01bI9PEBlm0V9pRjxGTQzH0fr1RTMSa5JQysSwDI5Ovl5QUo5M7ItaUMi"
    "LapF3YJ7PZRQb2yTnrtrm9nEzJ6PQ6a7fwEliCUO6nHeZVnii4JvMQR7sQVk0dyckBuHlw"
    "g2wETP2LO4a4cxuAfAaZHWmwIWjx59XNfAaRDUEhi6VvWu9GFot0yu5z1oVsYNeediGSHp"
    "DsZblnekBnzZSWEwOwo2vrAS/kILxyVBpvkNRpMtQAQgjaDCF4SA4qFmVDUyI9JEOHo5FI"
    "IMFoVBxIQK8xTm6bczZMiXPb5p0I0wd0GwkhIHf0tulMwuRmItI+sXmY1W9tFGbOpmozhO"
    "77/wE0ceKF"
)
