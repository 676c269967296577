from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "notification_channels" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "name" VARCHAR(200) NOT NULL,
    "kind" VARCHAR(20) NOT NULL,
    "config" JSONB NOT NULL,
    "secret" VARCHAR(500),
    "enabled" BOOL NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "organization_id" INT NOT NULL REFERENCES "organizations" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_notificatio_organiz_7950bc" UNIQUE ("organization_id", "name")
);
        CREATE TABLE IF NOT EXISTS "notification_deliveries" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "kind" VARCHAR(20) NOT NULL,
    "payload" JSONB NOT NULL,
    "status" VARCHAR(20) NOT NULL,
    "attempts" INT NOT NULL,
    "http_status" INT,
    "smtp_reply" VARCHAR(500),
    "latency_ms" DOUBLE PRECISION,
    "error" TEXT,
    "job_id" VARCHAR(200),
    "alert_id" INT,
    "dedupe_key" VARCHAR(200),
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "next_attempt_at" TIMESTAMPTZ,
    "delivered_at" TIMESTAMPTZ,
    "channel_id" INT NOT NULL REFERENCES "notification_channels" ("id") ON DELETE CASCADE,
    "organization_id" INT NOT NULL REFERENCES "organizations" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_notificatio_channel_11a3e9" UNIQUE ("channel_id", "dedupe_key")
);
CREATE INDEX IF NOT EXISTS "idx_notificatio_organiz_18f2ac" ON "notification_deliveries" ("organization_id", "channel_id", "id");
CREATE INDEX IF NOT EXISTS "idx_notificatio_organiz_7d39ae" ON "notification_deliveries" ("organization_id", "alert_id");
CREATE INDEX IF NOT EXISTS "idx_notificatio_organiz_07aeef" ON "notification_deliveries" ("organization_id", "id");"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "notification_deliveries";
        DROP TABLE IF EXISTS "notification_channels";"""


MODELS_STATE = (
    "eJztXW1zm7gW/iuMP6UzaSZx4jT3Ze6Mnbjb3E3iTl52d7btUBnLNjdYoiCS5u7tf78SLw"
    "aERME2NhB9aWOhI8FzDtLRc47EX50FnkDLPejb5q/wpfN37a8OAgtI/+Cu7GsdYNtxOSsg"
    "YGz5VYFt6o/wxS8EY5c4wCC0fAosF9KiCXQNx7SJiRGr3Uda/+OlRgU009Vcgh040YCrff"
    "1qO3Bqfv/6VduzvbFlGvuaiSbwO5y80WzLczWg3X3ov+32TjU81cgcas9zbEHW0gHreoIN"
    "2reJZpX18hl9RhQNWseBGq3xdmwSzQFoghda0LW7r7mYNjEFLtHmwJ2z3iHC3mz+D7+xoH"
    "fNgsRlvz8jC+NHz9bmtCWMoObgZ1ruMAHajIfMbx4MbpD+6xIIJuy2WMu0Nw3MACvV4BN0"
    "XpZABFI6wTNIu3AoHJ++0OLgMd3op/2oT01oTVJaNyesAb9cJy+2X3aJyHu/IsN4rBvY8h"
    "Yormy/kDlGy9omIqx0BhF0AIGseeJ4zA6QZ1mhyUSmEdxpXCXURFwwgVPgWcyamHRwA3FZ"
    "R9dvRvf63fBe1zsZS4skEmYRFhkYMSult+r6Tz9jt/C2e3Ty7uTs+PTkjFbxb3NZ8u5H0H"
    "UMTCDow3Nz3/nhXwcEBDV8jGNQ/f8zsJ7PgSPGNarPIUtvmUc2wjEP2qggxjZ+MbcB7gJ8"
    "1y2IZmROfx4dHuZA+Vv/9vxD/3aP1nrDusR0JAmGmJvwUje4xvCO8Q3eqTIIxxKbwXi35p"
    "tG+LQIwKdyfE95eOmworMBpwzASZkWmvHpSQGQT0+kILNLaZAdOseUATiqvz1wOwu4GEOn"
    "sxWAu0WGia58lOhmBgkGh26ZC5PoNnT0hYk8IkBcOtlJ5X8+/wk0EI4PtbHujcyAMdiGA9"
    "mz64BkEb6gV4i5gGKY05IctpNQ9CD6o4kDCX3AyQhZL6EV5OB6f3k9vLvvX39k3S1c95vl"
    "49e/H7IrXb/0hSvd40f2ZSPa75f3HzT2U/tzdDP04cUumTl+j3G9+z877J6AR7CO8LMOJo"
    "kJLSqNUEtp3aJOr+65K+mdl92A5mv2jjVE0REmuZp24BN+XEnPaUml5TprGTszgMz/AoaB"
    "XmplKJBcaZosMHg3b6EYA0zHO6ccsAkJBWgAKOMypo/ChXfSDLMgv8cONGeM0PGxvqR3Bp"
    "Ah8ulCLmzENdcsrH9EthSVxv074HnJBYneXfoHBQCSYE3SvzvvXww7GUveAMIPYTPtRDbx"
    "8ooRZaY8BsbjM3Amesqm2RXcxVzJsm720qK74EsAAjMfG/YU7J5FZi2ggHmzlxPBSdMpxg"
    "bLMVYkpiIx6wItR00U4ybyyIkMO6EWzHL027Vgzrgr8kE/No9khC1tHINQ8v2vt9BaDtHi"
    "2TWO5TXMBGQTbMYFWROgzbkf9YPnGTuPrg0MuCZGv0fttBUofwZ0seesDRUduMGd31Bbsb"
    "IdvLDJmjB99BtpK0T0xgxv6RCvi9Iwaq2tcAUWpT/RsXxTmP0WtNVWxBAm5tQ0gvW6MQcI"
    "hcuy1XG7STR5HrT4KtCjD29SyzPXHfiT+F0EbbbK7aqSjfB9MAELEflmcvZh6QAq1qE1rA"
    "NcANMqQzssBVrHOxwXyok4zkmKOM5mRdjAdenKYFI6wScjuBLeNQvecURPr1eE6On15EQP"
    "u6byfLaa52O6Oh366ZQrmMIxBRMgyYiclOPQHlPBquCOBpTtxqIHo9FViiQbXN5zGD9cD4"
    "a3e0c+9LSSGcQqVK7P66UuVW6ACmXXAuuNh7IVB99EPrBm3uNOlssxHS9YM6e4evnCOR0a"
    "2Ozq+VNm5PLv8YtaVb/aWP6unTIVzVcu8at1iRu3raTJPnEt3I9KnWLl8G3b4UskFQg8vn"
    "TKgdzl45MclNOnnD7l9K3l9D3SRyuDb1R/i8x+5PB8s7bD7veKwNyTo9xTnrXyrJVnrTzr"
    "evp5FXjWVXqOoZst8BpjB1zuMSY8/Urzaz4JYXxGy61T/k7xIKsyGM5pA0IhapXEcwOvU7"
    "mZ23IzPU8E68PD5YVkR6snRJYVHzCpVcaLnQKcg16QoRNMpMkp0n/OtKOjvPVqvXUCvwtc"
    "yHtaKsY3qr9Fb70qHz3PMRz+cZ/yCSMM9677f7xJ+YVXo5tfouoJzM+vRgMO6nAcLmHMsc"
    "QW4Z44YEq2sy7afNZTZlLMoF3g+BVOXh3OUefDORIaYy7PQvCCvbcwkAxnQmlO4VMm3iol"
    "X4weBldD7ePt8Pzy7nJ0k9aqf9F3HJfZbrfD/pXoTUvQp9TZFED/77vRTQ7yAnn+bTMNov"
    "1Ps0y3suVp559TDxkMXm3smRYxkXvA+vvXDiYehlf+xMPPMdwrxRrgJ54M1I9B5k3RaUgm"
    "3wIfIHMqZ8FjOXPP5VRsnWLr2NLNnqyo9bSk0npdtC5wSDKpf4qjrfq0sCQJVhTahIg6pz"
    "QL6TLzsRysvFhF0DaNFlQBhV0FFIQ2vQGcyxz2US97Lgox/yqn8KU3od08XF11suPwBsAt"
    "eNpMzYbgwrabmHokoBZJMFPHZ5TagKHOzciFqvrwamxh0jhrygh/FnDV0y9AxaHXsM/wrT"
    "UMz3HCGGupIOrAnL2WOOrfut3j43fdw+PTs97Ju3e9s8Ol55S9lOdCDS5/YV7UfnL5VuB8"
    "hCeIiNB5lUdckzIq6ioaPkufhsDLte8whKPuWRGGsHsmJwjZtUZGBg06KDLvJbqdxkUHCS"
    "bA0ieeA1aJFQmlVayoQKwImDoda2zaJ513zQUsi7xEXmFfAHv6jM5LIsS5Cv45bSgdFIqV"
    "EoiMl/LB6aSYQroA0gb2P58j8AMvoGEugCUJsyXE+HBLIHcQyrcLcYr0df9q7+hs/4w73y"
    "aaX08yk6hrYEfEqcnteCmhTLiACa+RU6HSKbaRTuEac7gAOvtZSju8nFLNxlWz/Q8J1Wxs"
    "2nisNcF9ZafU3CQGTrSFWQzNzVrIJqs40IDm04qfskuJtlDRDU1XUVsK6zCEpmIJBbFNyS"
    "hUVV5FjfIq7OUmyTVBbt33Lnh401HE2u2AvcWW5dkf6HLRn9gkUdpUrf0CgVrHF3D1eSyy"
    "4UNVUriOPeMREp0am+PbEh+CSu5+XfXMFRXH3VYcV7kjyh1pIqo7DZjXekvN642Xby0nYf"
    "OBcn5SLUMH8LIt5AMasv4vRPwY2EMCHUvngmX97c0Dhw2ZBPwEkVIhgViiHsEA1m1rggH5"
    "H7AsFEVTqqkyhLZC9EwppCKF0CmbAlxOIwkZpZKNq4S5eGuE3wTi6iCTOjtiaru43FFrZv"
    "xNoPbl7psM17srFjja3SQlgBPbn37K/Sa3XVXD+mYoXnWY9i5POWwe79XsnSJT03GJ7kKI"
    "VpgnMsItnCqaOzVkPQL/3KUVdc3LKlXXWtUq7qXiXk1BVaXhqDScJsFb2zScG0zMqWn4eq"
    "euMkLQ6giWYaJq+3mLMZQQ0I1AQn3d6HUsyNR56a/960YNTjug3U3NWZkYRCyhIhCbDwpB"
    "w4ECFyMnzWYp0b6TP3qFhpNeznDSyw4nELFHF6WcYmxBgMQwJ6Q4nMdUrCp7j6bJ7Vr2YD"
    "S6Sln24JL/1sLD9WB4u3fE7WDOLgHVMcxyU29mhEUdw/watS6LqylCTVE/NQF749SPnKFI"
    "JLxBy3yCjilK4ylz7GWScLgI2nxpkQ4qPf1SiN1PSJ0kxgVZnbSqN83rGDHLNIETzw6++M"
    "ETO8KPDYai4S/67xfJVwmBBR2flJNVYJfULq1a7tJSJEiFJIgNXiwMBPjKWZCEiKJBNk+D"
    "NGK3ETukz2vu0ZyAEBh9V7ego54UUZtReLJjToity0xXiiknpY5EygLrLihEDrStUt9QS0"
    "spdrQQO6rOzdzWoYPQcbDgWx7y7wAvBdpgynm8VxVfAv4PHgs5KfnwEUu0Ae8txGmXy8sS"
    "/kRCRE182YkvQQWUsNy0lLLeQtarIlVy9JsZs1CRqteo9SKRKkR9LD1cy66geoG42udZH3"
    "Vn3/KQul/pPedllabrrOl0LKSgF5oWUpFn0aHUKravYvs7H6Kq2daRCL2uibJk20BLwU4P"
    "m3Xa5dGHjmnMO4IcgPDKfl7UH8R1qvzkpdqksYNd82VolIRIG6PovV4REqXXk5Mo7BpHAd"
    "KXqgTCYfUWontUiKI6yqGojgQUFUYEik4OzN2sEYlsP01hN2uWjSUk7PTMmB//BzWbflg="
)
