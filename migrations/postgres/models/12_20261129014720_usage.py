from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "usage_rollups_daily" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "organization_id" INT NOT NULL,
    "bucket_start" TIMESTAMPTZ NOT NULL,
    "dimension" VARCHAR(10) NOT NULL,
    "key" VARCHAR(340) NOT NULL,
    "requests" BIGINT NOT NULL,
    "errors" BIGINT NOT NULL,
    "input_tokens" BIGINT NOT NULL,
    "output_tokens" BIGINT NOT NULL,
    "cached_tokens" BIGINT NOT NULL,
    "reasoning_tokens" BIGINT NOT NULL,
    "quantity" DOUBLE PRECISION NOT NULL,
    "cost_usd" DOUBLE PRECISION NOT NULL,
    "latency_sum_ms" DOUBLE PRECISION NOT NULL,
    "latency_n" BIGINT NOT NULL,
    "latency" JSONB NOT NULL,
    CONSTRAINT "uid_usage_rollu_organiz_99c7b5" UNIQUE ("organization_id", "bucket_start", "dimension", "key")
);
        CREATE TABLE IF NOT EXISTS "usage_rollups_hourly" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "organization_id" INT NOT NULL,
    "bucket_start" TIMESTAMPTZ NOT NULL,
    "dimension" VARCHAR(10) NOT NULL,
    "key" VARCHAR(340) NOT NULL,
    "requests" BIGINT NOT NULL,
    "errors" BIGINT NOT NULL,
    "input_tokens" BIGINT NOT NULL,
    "output_tokens" BIGINT NOT NULL,
    "cached_tokens" BIGINT NOT NULL,
    "reasoning_tokens" BIGINT NOT NULL,
    "quantity" DOUBLE PRECISION NOT NULL,
    "cost_usd" DOUBLE PRECISION NOT NULL,
    "latency_sum_ms" DOUBLE PRECISION NOT NULL,
    "latency_n" BIGINT NOT NULL,
    "latency" JSONB NOT NULL,
    CONSTRAINT "uid_usage_rollu_organiz_bf3719" UNIQUE ("organization_id", "bucket_start", "dimension", "key")
);
        CREATE TABLE IF NOT EXISTS "public_profiles" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "username" VARCHAR(40) NOT NULL UNIQUE,
    "display_name" VARCHAR(100) NOT NULL,
    "partner_status" VARCHAR(10) NOT NULL,
    "published" BOOL NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "organization_id" INT NOT NULL REFERENCES "organizations" ("id") ON DELETE CASCADE,
    "user_id" INT NOT NULL UNIQUE REFERENCES "users" ("id") ON DELETE CASCADE
);
        CREATE TABLE IF NOT EXISTS "stream_sessions" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "started_at" TIMESTAMPTZ NOT NULL,
    "duration_seconds" INT NOT NULL,
    "views" INT NOT NULL,
    "followers_gained" INT NOT NULL,
    "average_viewers" DOUBLE PRECISION NOT NULL,
    "peak_viewers" INT NOT NULL,
    "category" VARCHAR(100) NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "profile_id" INT NOT NULL REFERENCES "public_profiles" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_stream_sess_profile_f60545" ON "stream_sessions" ("profile_id", "started_at");
        CREATE TABLE IF NOT EXISTS "usage_budget_notices" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "period_start" DATE NOT NULL,
    "threshold_percent" INT NOT NULL,
    "spent_usd" DOUBLE PRECISION NOT NULL,
    "budget_usd" DOUBLE PRECISION NOT NULL,
    "alert_id" INT,
    "created_at" TIMESTAMPTZ NOT NULL,
    "organization_id" INT NOT NULL REFERENCES "organizations" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_usage_budge_organiz_c7b2dc" UNIQUE ("organization_id", "period_start", "threshold_percent")
);
        CREATE TABLE IF NOT EXISTS "usage_events" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "event_id" UUID NOT NULL UNIQUE,
    "user_id" INT,
    "api_key_id" INT,
    "resource_type" VARCHAR(20) NOT NULL,
    "provider" VARCHAR(100) NOT NULL,
    "model" VARCHAR(200) NOT NULL,
    "input_tokens" BIGINT NOT NULL,
    "output_tokens" BIGINT NOT NULL,
    "cached_tokens" BIGINT NOT NULL,
    "reasoning_tokens" BIGINT NOT NULL,
    "quantity" DOUBLE PRECISION NOT NULL,
    "latency_ms" DOUBLE PRECISION,
    "status" VARCHAR(20) NOT NULL,
    "cost_usd" DECIMAL(20,10) NOT NULL,
    "cost_source" VARCHAR(10) NOT NULL,
    "prompt_id" INT,
    "version_hash" VARCHAR(128),
    "request_id" VARCHAR(200),
    "occurred_at" TIMESTAMPTZ NOT NULL,
    "received_at" TIMESTAMPTZ NOT NULL,
    "organization_id" INT NOT NULL REFERENCES "organizations" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_usage_event_organiz_97924c" ON "usage_events" ("organization_id", "occurred_at");
CREATE INDEX IF NOT EXISTS "idx_usage_event_organiz_e1eaba" ON "usage_events" ("organization_id", "user_id", "occurred_at");
CREATE INDEX IF NOT EXISTS "idx_usage_event_organiz_8170df" ON "usage_events" ("organization_id", "prompt_id", "version_hash");
        CREATE TABLE IF NOT EXISTS "usage_model_prices" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "model" VARCHAR(200) NOT NULL,
    "provider" VARCHAR(100) NOT NULL,
    "input_cost_per_token" DOUBLE PRECISION NOT NULL,
    "output_cost_per_token" DOUBLE PRECISION NOT NULL,
    "cache_read_input_token_cost" DOUBLE PRECISION,
    "output_cost_per_reasoning_token" DOUBLE PRECISION,
    "valid_from" TIMESTAMPTZ NOT NULL,
    "created_by_id" INT,
    "created_at" TIMESTAMPTZ NOT NULL,
    "organization_id" INT NOT NULL REFERENCES "organizations" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_usage_model_organiz_20ef49" UNIQUE ("organization_id", "model", "valid_from")
);
        CREATE TABLE IF NOT EXISTS "usage_plans" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "name" VARCHAR(100) NOT NULL,
    "limits" JSONB NOT NULL,
    "monthly_budget_usd" DECIMAL(14,2),
    "period_start_day" INT NOT NULL,
    "alert_thresholds" JSONB NOT NULL,
    "notification_channel_ids" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "organization_id" INT NOT NULL UNIQUE REFERENCES "organizations" ("id") ON DELETE CASCADE
);"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "usage_plans";
        DROP TABLE IF EXISTS "usage_budget_notices";
        DROP TABLE IF EXISTS "usage_model_prices";
        DROP TABLE IF EXISTS "usage_events";
        DROP TABLE IF EXISTS "usage_rollups_daily";
        DROP TABLE IF EXISTS "public_profiles";
        DROP TABLE IF EXISTS "usage_rollups_hourly";
        DROP TABLE IF EXISTS "stream_sessions";"""


MODELS_STATE = (
    "eJztXW1z47a1/isaf8lmRt2J3zZ7ezudsddOsq3X9qztJtNthqEoSOI1RTJ8kddt898vwB"
    "cRBAEaoEiKhM+HpmsRh5SeAwLnPOcF/zlYe3PkhG/PfPvv6Pngz5P/HLjmGuF/MFemkwPT"
    "94vPyQeROXOSoaZvG4/oOfnQnIVRYFoR/nxhOiHCH81RaAW2H9meS0afuZOz248TLDCxw0"
    "kYeQGaT8xw8ttvfoAW9tfffpu88eOZY1vTie3O0Vc0/3biO3E4MSd3P5396ej03cRbTKIV"
    "mjytPAeRO70lj557Fn627S47e8q/3H+5GA08JkATPOJPMzuaBKY799aT9NHhdBJ6+BYLM4"
    "wmKzNckacj14uXq/9NbpY+feKgKCR//8t1PO8x9icrfCfPRZPAe8KfB0QA3yZ27d9jlH5B"
    "/N8wQuacfC1yZ/y0ibk0yacTtEHB8xaIVMqIvCXCjwgwHF9+xR+nPzPM//QfjYWNnHlJ6/"
    "ac3CD53Iie/eSzj270QzKQYDwzLM+J124x2H+OVp67HW27Efl0iVwUmBEit4+CmMwDN3ac"
    "bMrkUyP9psWQTBPFB3O0MGOHzCYinX6B4rMDw7i+uTfuLu8N46Ay03IJalpkH1meS2Yp/q"
    "ph8uuX5Cv86ejw5PuT98fvTt7jIcnX3H7y/R/powtgUsEEnuv7gz+S62ZkpiMSjAtQk/+v"
    "wPphZQZ8XPPxDLL4K7PI5jjWQZt/UGBbvJh9gLs2vxoOcpfRCv95+N13NVD+4+zzh5/OPr"
    "/Bo74lj/TwSpIuMdfZpaP0GsG7wDd9p1QQLiTawXi/07eM8DsZgN+J8X3HwouXFYMsOCoA"
    "0zIaTuN3JxIgvzsRgkwulUEO8B6jAnA+vj9wD9ZoPUPBQS8AH8ksE0fiVeKoskgQOAzHXt"
    "uR4aPAWNtuHHEQF252QvmX9z+OBrL1YTCzu5UdsADbChD57YYZVRG+wFcie434MJclGWzn"
    "mejb/B9jXEjwD5zfuM5zNgtqcL3/+Ony7v7s0y153DoMf3cS/M7uL8mVo+TTZ+bTN+zKvr"
    "3J5OeP9z9NyJ+Tf95cXybwemG0DJInFuPu/3lAvpMZR57hek+GOac2tPzTHLWS1h1s9Bpx"
    "2EjvrGwLmh/YOzYSReeY1Go6QBvvsZGey5Kg5SFr2QuWpmv/2yQYGEqeIUey0TYpsXiPz1"
    "EsAMbrXaAGLCUBgKaAEi5j8ch1vOlpWAX5By9A9pIQOgnWH/E3M12LZ9NlXNgNc7txYf1H"
    "PpfyT4vnB+bTlgvivbv4HxgAFKU+ydndh7OLy4PKTG4B4YfsNnoiS728fETJVJ6Z1uOTGc"
    "yN0pwmV7wjj/lkO7Z6aX20Zj8xXXOZYEN+BfnOvGnNoYDZaS8mgumpI8cGizEGEhNIzKFA"
    "y1ATctxEHTlRYSfAYRajr5fDXDFXxIt+MT3oCFt5cpxnkj/8/TNytks0f3ctYnkjmwKiDb"
    "ZiguwIUHvmx/DgefKCx9A3LbQjRj/n99EVqGQHDL042BkqvHCbd8mNdMXKD7y1H+0I021y"
    "E10hwl/MircG8a4oXeZ30xWudEYZG7yWt4XZP9J76YqY60X2wrZSf91ama6buWXNcbumbv"
    "khveOrQA//eBvPPHvXhZ/G7yK9p7Zml4l/VGSsEb6Vtat9Sm71KbmTrmgtEJoTY78dwH7I"
    "7qY3ZsRyXTjYsWoFs5+zu+mNWQqV4XuJ1E6ApUDdeq0FGIaHlumgYFeYzsg9RhuvlMDHCG"
    "Jn140xAelz7GjrEM2R73jPa7TzW3exvZGuUCF3Ywee2wJWl8WddAUr8jzHaMuVvMc3096R"
    "TBALPMeJ/Rbg+pzcSFeslvj3PJnPRmiu/Z3X+B/Tm90l99J0Q8wBi8xgiXZdvjLA7pN76T"
    "rF0lobww+8hb3zFLtNbnab3ktXxOIQu9bGLJ7jWWEQmmJnPvqB3PE8ueF1cj+9oUOb3U2L"
    "BLLLjcaWRYqVH7Q0vT6Rf98Gmk0upfSbCraOyck+y5G9cdG9h/8jie9tdjNNNlXFVKUkQM"
    "tJUcoDt+LUpG10GFKStElJQmvTdlRykrYC2iUlHUsVTB3XVEwdV0umfDMMnzy8vqlW/1UE"
    "G+E9sDWMyQI7PZXJAjs9FWeBkWtQBNhrEaAdGnjptzcclM+xl49MV7Ai03IM2jMs2BXc+Y"
    "LSb6HK+c3NFbnzNoPu/OM9g/HDp/PLz28OE+jxIDtNZOYWAs6x8WzjX5bEppdNcxwFd4EC"
    "oiEXEEFWq3il0yurFcrGoMppEFi3XuUE6dljTBUd5qbeGrFUZtPbIJdUKfUxAaxAMBXZ7R"
    "yWqZT6Lqaaypn27fJNXyqrffIdfwUe6tWWxu3bkIXiOHAjXq0b0a+yX7kfMQiLolNHAozk"
    "nY1kRYOPqtHjWHzlCj6xycfWDILRB0YfGH07GX2P+Kep4JuP7zEWlhs8vzv9xMNOZWA+Fa"
    "N8CpY1WNZgWYNlPUw7rwPLukvLMTOzOVZjYYCLLUbK0u/aWIxjDB5rLH7hwvvkbjuUJQ1Z"
    "04qTdJnHN+AK4dkaxWH6ADA/+zI/E6VWYH14+HjBxzUfzyBLPn5LpMa7jvDwS7Pd0i2W3j"
    "yTX1o2gcCO79aOj9BXjnF5jz/l45uP79GO78p6rzMZL3+5L1mLOYZvPp398m3JYry6uf4x"
    "H05h/uHq5pyBOluJFSZzIdEj3PPAXET9eEztZxBWtsUK2hJ9zhl5SGIbchIbpTFi9Kw5L9"
    "gPjmcKljOuNKPwBRHXSskXNw/nV5eT28+XHz7efby5Lms1uZiYjtvM0c+XZ1e8N40iVrG5"
    "yYH+b3c31zXIc+TZt822osl/J44ddua4HvxlEbsWgXcyi20nst3wLXneX/ew8RC86jcedo"
    "9hXilyA3bjqUD9mOYxyW5DInkNbIDK8VeS51/VHoBVNbLMpdK7kY8fxrtAHqvNuwCUqvhd"
    "0JdSjf15Q62XJUHrQ9E6xzas5LQCkd71CSk0IykLLSUCZ7NVId2mp6rByop1BO3YOFqI+u"
    "wr6sOd0y3grNLgfFjzWRZi9lUu4Yu/xOT64erqoLoOtwCuZIf9gS3B0nOX2noEoMpkAULL"
    "cKXKIugVLg3V3trCjuSFLoHVQS9PbSdZ94kWxTImzLgorXQvpV4w3TQ7bQv0JX9mtjVYVh"
    "wEWVaFUtrEub18LZkT/3N0dHz8/dF3x+/en558//3p+++25nn1Up2dfv7xR2KqT2mOQKK3"
    "EOn5xvWQxDkWtEybeRZ7VUc7WRbZHq3cSYiV06+R0OHRe5mIwNF7cUCAXBtlJoDlkR6x5K"
    "a9QN1+NkDkRaZjzOPAbBIb5kpDbFgiNmzaBl5rfPxMvO/aa6SKvEAesJfAHv/G4JlKaWiC"
    "f809QAdSuRERcq1n9WQUWgyQlkDawnaNEYccO/ACWfbadASxXEqMjemlcm8zeb0Qx0h/Or"
    "t6c/h++p7pDZfvryeVTTS0vIBH3Irn8VYCprDEFN4hhwrSp/pIGQmtFVqbBvlTSTusHKim"
    "ddWQttFqcVJKAqLPnIA+xX1Vt9TaTBlGVMNUmfGmxlQzogJkIXvTSNGMqIaKHmlOFBQXD2"
    "EJLcUSJLEtyQCqkLwzoOQdf1suvSPI2h0kz8JbjiIOrhY+PSTvwrSTfU0QpKUHTSXCtNkR"
    "fsZ8K9FyuXwJ1FlsPaLIwDMtPcyVjT/Rxe5NWy9BELevIC7YImCLjBHVvUbLB10/93qD5b"
    "0lJLQfJWc3VRUugJXVkAwYifMvxfpYXuxydCzcC7bj+9sHvhvJJpBkh6hV9W4lhhEJ0Kqu"
    "l23x2iCEBqrpMn7WIHQGCulIIXjLxgCraYSSAZW0rhJi4u0Qe+OIQ9eiIRti0JBAbKiNM/"
    "jGUfu29KZC9O6XAv4Jmzsvc8DZqKkCCbwqRIAFBhb4AFjgQbiqwAJ3gSqwwMACAwsMLPDQ"
    "rVBggYEFfi00CrDAg1UNsMBDUwiwwENTCbDAr8sQAxZYbKgBC9wZC5w3uBISwFQHrBe5X7"
    "q9Wzesb4XihZNV93m01fh4r95YmU6Yr4UdhJERIuQ22CcqwhpuFePdGqoWQXLURkNds7Kg"
    "6kGrGuJeEPcaC6pQiQmVmGOCd7CVmNdeZC9sK9E7NpVdFzkHHDeMN2xa54y5lIBhpRK9nF"
    "6cfHFwyPbpkMERud0ekfuIf5oKvvl4LfFtO+0AP25hL1ViEIUERCDaDwohK0AcE6MmzWYr"
    "oV/z51Op5eS0Zjk5rS4nyCU/nZdy6nkOMl0+zJQUg/MMi3U13/Ntst+ZfX5zc1Wa2ecf2e"
    "O1Hz6dX35+c8g0say6gHDco3iqjzPCAsc9vkati+JqQKgB9TMQsFunfsQMBX0IkmNvUGDz"
    "0nhUzkCiCYeL9J7PGumg0wOQuNi9QOrQGEuyOmVVt83rWAXLNEfz2E8PeWeJnS+82ZuJZn"
    "/h/2Ih7kDTQUFCyokGkEtQpTXIKi0gQTokQXzz2fFMDr5iFoQSARqkfRpkFNVG5JyWGI32"
    "dCYzitDa553eKFzTaREoRmHJjlUU+YZo6goxZaSgK34V2HCNIQqQn9a2Sy8JJSlgR6XYUT"
    "g6qa9zZ1AQeJwzw+/RVwHGWwEdpnId73X5y329RbGF+urm+sd8OGtmlNH+P2/G5aTEy0ch"
    "oQPePcRpt+6lgj1BicDGV934KCpAYeaWpWD2Ss1eiFSJ0R9nzAIiVa9R6zKRKhfbWEbmyz"
    "ZQPUcc6jyHo+7qW55R943ec1YWND1kTZdjIZJWaFkIIs+8cwkhtg+x/b0vUd2UdVCh1x1R"
    "FpQNaAp2edkcUpXHGUY8+oTwz7QOOIkA9OVpXfzfJAONdTKyg6i/THA/QJYXzFPrA2Lzw4"
    "zNwynILVsb6XsXeI5SXU1ZSsPEh0Mp3uuwhvc65LC2CWoJTMpY51L6UYydQD2OrIYeMZaC"
    "uAZhFuB5HKR7Z4h3TXeuFsLkCTcMZA4N944jmbSNUkH8xbPMaVGgUYfCtsBZ5kAKDBzsHh"
    "P+u3RWf0BoTu4k9leZEdM6l3WRjQWvFbxW8Fp79Vq3r56qM1UR1NLY78ChIga7y2leIIa6"
    "kNAS47YdKiBiepzMKPTxQ/Fmix2dRh6s8A6QjwteLHix4MWCFzs8sDXxYj95rh15wd2THV"
    "mrA44TWx4wrfNh1+lQI0zGdlFvzfiwQg91v63d9uukliyedycSBs+7E6G9Qy7Vu6Njasu0"
    "/WS0fZnw01CwMR2xnSlmYTii/W17x2MpBiXZMXilNGac0o3aTMRCCEgWMawNyjRKkmCjD8"
    "VGFyXsVyzI/Rg2d89hhNYp9X5nrv3kt1esG86oWhMnTMZnJL0RJhJ9cPXpk1JenjSBWXlp"
    "lwr6c+DrB8nX56qStUXz8Rryb0enpzIFgKen4gJAco3JzileAcWdpSyp4c4y3p2EUyHix4"
    "aPAgvxjuCtIVcZOcgMkuFU12jtBc+N8K6KAuQKkMdh4kZE3MaENXs2V1wnVrOXXZxKSbTD"
    "x0bznxWE2S8z+xPUms59jjDM/MYz30VRiqMRcud+nSaqsqCIFhQRIGvTVBG5LCiisSJIw0"
    "jjUGkXKEQghi+x/CdwnaojfAoIqyB82ADiQ8BYFmM/8CwU4iUX/6+BGcMVh2W78bKd4xmt"
    "CMGuEirjSOqkhzYPCk1w8nzkYhGHN+NfBLksDDiLEnH2E0b52Qse8Wr/JK5yYEZM68InT9"
    "lYqHKAqAlUOfS6Vm9fPdUqh4qghoEpKBsfY5UDlI3vxc0JI+SHBv5hVhzxEv+EK3RVEBbq"
    "6kIN9Qz65UpBPcNg3CioZ9C7niFxLG+99AdUqxmoy9PaWoY0w8/3Enym+3BT86IEslTjyb"
    "f2wVkdqLO633KTfa/S3XtSG9OJOQDXWPdbCTDpZUx6VU5AYyqg/fPaivVb0ZwvCWpozI/E"
    "eJdKT92gICRb98oMVypvEiunYUvGo/cyO8LRe/GOQK4x75S55NA94mM/8/Fw5mfphWrjzE"
    "8CrepJR7RMj+d+dgV55ZgjyXOOag86gpOOgBYCWqifLAZyIJAStiUZYLGBaxvOsRjp1GwB"
    "5NvtjcY1lWXRLb3DQ+Iwz8jpmgcc9jK9MK09+oIM2RNhiSdUEFFFyvwhJMKdXA5iBzEfK/"
    "Gbr4Xc3HGjE9OWoRcHlhLvU0j0aLWTedKP5X4qdzB3zbncrM2O3MiOlFyjQkI7x+hYyi86"
    "rnGLjqteUZI+quh+0jKtEC4D6vh0IgXySQ3IJ5DK1DtHHKINChRXClpGQ5DbzxdbozDEFl"
    "cV43v0VVhWvRXRYDmuo0Uuf7mvpwa3rMjVzfWP+XCWL9x33G6YrkhnYbtVgMKV53CM4xqM"
    "S1KAs1TG49axqQD9QouZkqSGzOtImFapGN7CJj+1gZZLgnDQ9JB1bFqP+JKD5s2aEXLEQd"
    "+j0ffsWY3l5wsD3c9LWg89Z9Mwab0kCq/TkF+nrbJUX6WqILxGnJYvXqTknubjdcga6ts5"
    "dcwwwvOcnPzeaN3iycPiNeTFK/bnDRNoypIaunEjTaDhqD379kNKoBnYK9267VfEcWWNgU"
    "ICAB147szAsO40dSaPNO+IcJKm8Tm7l57wUm9wCVb8/Mn1w9VVXeoMFR3foKy6jqlcy+R+"
    "+Ptn5Gwnag3Ylxs0ylRGEdx/dJ5elCImyjHa4vlCopFRaLDjdKP0cemMg7Y9g62EfMQ/vo"
    "q/OIadj9cwft1+ksAi8NaGeioGI6YDV9B5yZ7XAOeSEExoCZjxduEpdvmiRcB3AAYR0luG"
    "CXgbaRcNwrO68nPj5eM4IVnKlJdd9SkRqGF7mTIy80KRNpiMEcIrS2PQ82pwFUAJgyTy0H"
    "N66SUHnRA1eyoHWm8bAuen/UJ9T6/1PdCWiK7JlyvJr6vIr+aT5xNcFuFCQkOMO2n9ZC6x"
    "6bEUxD7EQDNiOng3XVdHWN7aNwM7VAO6LKXhrD6WKVkTF6xVmKW9pewPDeaOnUdshLkkKb"
    "sZ4FxpcNplcMc/ixzwYLsx9wQcoVVXFQRPj9etBLlzMjPVAeZI9ofwdyOBFwoxezA1Qsvj"
    "9ZsUt2/bCkD/tnoWu0H/Nmtlui5ysNOu1FGPERuGYsjztFFMzppUlHLueQ4yXb5eKClGJz"
    "Ms1pUyctqkX9jPb26uSrCff2TDNg+fzi/x6vRt2W7hFbAkqdzPDfZVniiEJqsQ510IVUtH"
    "KnIALueMWlKNgEh8sWGKO/cGUM8w5EAaNAQVv17jrGeQaQgKVSy6aX0cVSyDU7bOVRdDA7"
    "v1sguZ8oCil+WO5QGjNVP6LQy4mOV43plrn598UBkzrctBmM98FCyMIBMxwkSmj3yE9ElF"
    "L9KAmin0NagjGGQdAaUiRSOnLKmhkTNeo6Zqy9JvpSzbHojXfB3Y9k4yVZIF2VDNBypLAd"
    "ZyWEMJVNFPWQLdU3E35UrYyP43MmbPXHa2bmsuy2kT8+xli6YYRnuDjMB7UgS/JKYRc9sz"
    "+nNkzhugXxID9JuiH6LfjdAyOXZK7bpDSQH2TbG3518bYE9LAfZNsScrh/EU2FGEFPFnJU"
    "EHKjqo8JL7KUO5mN1FZlRHBlHXpxJEEKmP3hMJBEQPED3j8qV0InrIix8a+IaoSQt1WhRS"
    "Eoas5694Mce6W69tjp7rVlVGEJz0ZgZbAmPgOQ4xABpogBYFHTTTwcx5JOuVqWhXlMQA+x"
    "2wX6kuPrQUIN8M+Sj28eyN4sDlpizXoM9Kggaaa2CBImvVRAGUIODfHH/bDRE58EddAbQk"
    "aKC5BrIkR3UFUIKAf3P801yvBvhTgoB/Q/zRGq/ktqMaIC3LAfo7oN8gPF2WA/SbB0gdz3"
    "psECDdigH2zbDHX8JFSSmmSt0cI6UN+K3VdJFcmmbQciQ1CsC1BjCJSszMsFFSUVVWmwnc"
    "98odB2l2+JqjgpoeLYxcn21xulJAB71ZBhJKvsFYrLPCkM+xe8CJJrNDphIBZY+SMYLY7S"
    "WqnDb5hmaGvTYzDBD+kWFaB64ALysGpW+cFRiKC7tGODJDnmcibq+yFYDGKqXYdxuNVZJN"
    "RFEbMz45AurYXR3z4Jls3Rzzu67PDSXVY5+b7SejbXSjfq7JPg41OcBDYzTvaop33uAMQ4"
    "bW/MPNarqclaRgpWl9pZmhhRcoNZ4rJIahDq06z5mLCAUq2tgKgDJaVwYKAo+jDPHJQVsB"
    "HZpr1+VgdnF0ELRuEu/N42ziI9O6CW/wQTOtlyUhB3rIOdAL27XDVSM1M6Kg5yHreb9xi/"
    "EoduSRiwvkO97zWnBcMnV1Whuv2I7b02lMlN2QNETicr7F6iMakwc/yGXkbuzAc8mP4t0B"
    "4iN9xkfgsKdu27psUBAqdiqiRDREuZPjnuhvVkFa7IsyYj3ylHtw/ztxSEdCC2dnmPTDC7"
    "d/4DV+3MJeZvafCvNVEQQGrHUGrISxEaCNzV/w6xIaBTfoLyZ+OGjzBQ4D6BVcYBe1JiCA"
    "TnwNWgY68XXombReIBubaT02UHVVGrQ9ZG3DKR5ia2icAUCO2iunePAYUymztyoIabaQyA"
    "ynpAwL7D/yWdXWKSmCtaMFpC/Ld9MU6OqyucNpNEFkL0xr1wNpioDhWXZDjfAvsxAr011y"
    "yyobwfUhuZ22YJW4w7ahS26uN4B+4K39yMhibq1Bd5vc9h9FJE9H7PAVN7QFRebNcLvf3l"
    "In0PrJM9luDLX5JvT2IZN3YpQ2sHYTUL5QzyF3z880Sb78r0x6CuSFQF5IX+DCcT894nss"
    "A++xGN3jCrgBWqhgmw3XIP2DOUdJauKe1kzcU06qjY0tTI4rKYa3kNCh5KOHtYHafJX2to"
    "ocUFEvU1FlC2RHeqSc1jsyoGXZkco0UyVH+jGHM7+11hgufFspU5jyr7s1hMOVuZv9CyeR"
    "kGu9nESCVaWwGWbDNTTj3p1I7ITvToQbIbnEZtaRcx0aZiQxshoGPMcb4KzGtdcoDM2lks"
    "dJiYDlLmW5g1kJZiWYlbualXRQpN64ZMInciZmItSfpblNNwdzcxTmZoP6gv1UFAx86S41"
    "lLEiL1DbE2kRKCWoQuqbkbWq4imuVNoKDKNCSav+VereE/hMI/CZwJ4Hex7s+V3t+XKmTq"
    "1BX0nqkbLoORlG3Zr06QMrBv2XPNcp1Ub2fYyVGa6g6Ua/yRUl7CvwvtgZYiunIYt8ePRe"
    "pj3E0XtxewhyDZivHm19elmRRLYkA6iC/bE3+6M6k1sA+HZ7I03BLb2/wzTsqFTiWquunH"
    "IsZdIxic8dd2WrTGTlLmlAz/ZFzy7we2GoN0VixHTMk5NKk1PoiRR5DXAuCWloPbcPM3Dj"
    "rdvLrhdxEh3EXery8TqsCnX8axf96YD6BuobHHpwPQfpeu7HQ6JL+DmOEVPhL/aHqCL5Tk"
    "httkcEFAXunbeGosBu2xhDUWCHnkxtj+ia6jXtekT3kGoMnUTF6I+zTZnMOUXQRgvaaI3A"
    "OpduoyW2z3nOUWs9UDSCvtPOJ/ee51x+RVYsivGUB0zrnJkIDzVQPnZPZ+1Q7ZV/FZyjE4"
    "cokB+d/KrcCKfHQ/RokNEjtBExWg8PHy/4GqBlGD3EsT1/SySbrCh7VUcNsmk3kNTKoe2X"
    "5HeWrVDqZZG0QygJiFxUIxel9UQ+5kYJaempdtACZG35Bp6LG95BxzUlsSUpHeJFPUDt+U"
    "h0sI4Y6ZJQj5xAaqIQ08Jz+uEH2i/rH8eZUf0xie9kiETWrad4xHcswMkR2ylGCiCXpWDx"
    "kGvVtNfDXIc2sWvwbXqa60APrhkR8kNiEaWC+/vJJx/a2tVNkn6D40irkvrtDZ1UnZjBMk"
    "6IQSO0/83ZisUJdBVBmNHVGY1XHPz9VLFlpABYHrAWsjeN9llGVMONFsJ3EL6D8N3Iw3dd"
    "R6U+e44T+weCkFR2dfpiPCpIBsoFow5uXDSZxdYjiibeYuLhv8g9/jz57bdlYOLvaAZ29P"
    "zbb5NvVl4cfDPxgsk3c/P5mykekIoZiZOER9hROHm4/zBJ/n57wCiv0wc1DJxRD2aCZPQT"
    "Iew10LAXxGkgTjNS/o9ZeWSxZsQ0RFvGnxZ70xVfurSOKzolrKyGXslIvBAp+s8yHYeXS1"
    "WzHW9F+vM6vtNgR2YiRoqgFzKAejPUt0GgMF43ix5lgn2Gj7pSQcexoyK6yZnm4raUjNgw"
    "mlOSx2rTnDLEe7Naq9BCAtTRujqABAQScP+G7NhJwB8x4k/m85259hOYKzxgecC0jgpcpk"
    "ONMBm7p9T0vNIQv+4Osui0c+xV4Vtlw8qXgW4bJN0GVaYdVpmW3oAKyC+dWVSWBaJi0ETF"
    "CplOtOLwfuee5yDT5SuZkmL0O8tyevVR6fnNzVVJm+cf2Z49D5/OLz+/Ofy27MBxsz18/F"
    "ykmmjJyDX0lAcWL+jYV15FkS9sribcpBkpiMsIaDaVrXcroF/KXSfhmIW9jAM1hocSATpB"
    "QzphaC9B26Fe2v2ShLYkA6AOnKIZGNatMzTV2dwCxhm/cr+9n54gl97kARJgGf5iAqxQ0M"
    "sEWPpj99dr7ssBcsl3SsB2zJAc1tiY7notXBf0ouuhegV60Y2MJYwDRwXbbLiW0Mq6gbV+"
    "YAVgaqVW4OYoqR65uXxVHi03h5+Ggo3pGCHCz5+rkEY80f6ixu86zidqz8uz18iLIzHANQ"
    "woR7bPfKHTtyPNGKpaeBXU68M53Bu0ENMZpq+iRUgnUVmzuA4r2mwDGY9uW9w/EuiUufGy"
    "FBDkUgQ5NOYVo69vZW/szxtqvSwJWh+K1jm7WfbthxR7GZyydY4TDA3sHlM5qWzyIkmSsd"
    "0UWjFXkjPHZUaIgO+0GfNtPHNs6zbwFjY/47U8YFpH+PvJUHJwOhnbfcYrEPd9EvekdluV"
    "vKdl2mFB9wtxydA/kbHzT8Rm/km1K6Ed+o75rFwCzsppSDh3EivxzSDCmDQ4kLQq2WMzWd"
    "dz0UFPqEuBXoN5BXKyR4QrZYq/JNcjyb/9ZLQsDVAH4sk+TicSqIPXqHWgDoYQ0eu/59HA"
    "TGCgYvbPCEw7pWJQGOZnKTXnYu4ivMqu79J7aQQ9h4wpLw5V2G5cdO/h/0jO2YfsJqNaFm"
    "RnKrUYSszQnZit8gzkMFuVKSpmtsJkqEG/Gh3XcmckGufMMGC9+mS94OyCl975EdrNVXep"
    "6MyknArHEwXTmWM6b2z0pALsdrw2fcpag3LhOY73hILQWOJn8Mg0Iao8UQCYBdjc4J++RA"
    "aZg4jXYa8mcZMjC43eyiwlJ23TR+ajGG7xATKMGEzlCv+Lf/fSC5T63NIyPQY2+gpqdBBK"
    "ApZdjP44+VYZlr3spckuWSUhMBVfZgX9IvtkR0Kwks0yMqBleZbyHBtShfFDiD8/j+dLFF"
    "17kW2hAw41Ux00raNnYjLcmCXj8btKBHopN/ZRYHvzokN5tMJLy8rDExRfsZAbVWqRgbzp"
    "k7xh9VPdlkVGZVmublMe7yLCteTxpsrWsFUmtfxE5crCjsex0kMfo2PEIWcZqHE1S1JwGK"
    "2Mn5ntEqpIl8UAahmoTQcFii2OaBHocATJXOBmkltAWg+koex/mxh7c/fEqbzcIJfb2Iq6"
    "On3Z10Rk4J56unuWFQcB1cqdM4bOs5AYXjqGPTsx3FiZ4QqawQ+0GXwyAbl7wcPDxwu+Bm"
    "gZRg9xbM/fEskmy9MQMo94yCY8/nG6b9M7cvI7953Wqbmhavq28YieFa3/khDAym2n7sWB"
    "hVJUKsiKI3oVQQ1rxNrv94b3xY095yV11pSGUTIQO5WJnSZWlgrEWwHt8O2keYzt+nGEzc"
    "xHxM3qrrPZGEltsit6PjHSi6OmKqiIgg6a6cAyrRX2gprooCIKOmimgwCZoefi79VIDTxp"
    "0EQzTfwem27EPf28JghCC0FK44vxDwfD4FrPqkcflcXg5CMJpNUbOOylcUMYWxYKw75Myb"
    "a9IcsLBYHTC2TZa9MR7J6UGBt3SuXeZvI6rR94Nn86u8IoTrP+GMUEpnvDcBBOHXWVycyI"
    "9TijY9cPbAvN+5nSHbQjoYlv+fzNQgZIKk6hDx1AUJjGrJx+vWEPj97LzOCj9+IpTK6xRj"
    "X+pSF/EtcRgrSUflB3wqTQsbTqJlibf8GIapiAMZKEixyT2oyLAFnI3jRSNCOqoaIh0wYy"
    "bSDTBjJt6jNtPpF/3wZ1FR7UkOnLOTfJBSPxN3qp7thGmTamY2P0sNkP9Rx7recYQ6Bw3A"
    "YuBLz7CHinYdWEtfFRkEYzlChi0Q2AlH+RKs7iqTuAL7wDoP8i+kkk1SD+g0HlFiRYKung"
    "hftA0KTBm8CEV3d6Jzj3Ap1I6IQyNSvw19MOZUkNWYeRsAxS9FJejDVTTJCtyEH4AWrkgL"
    "k7AOYOmLtB7E5aMHe3jsltmFtcnL7M1vl4HBwBpRf/pnouUf/nER1YcRilJvBIuSHHXtsR"
    "J5Xtb3c314J8wa0Ea7HYVjT578Sxw862r4O/LGLXIjBOZrHtRLYbviWP/WtXGqgBnCBUMl"
    "ZynN98OvuFVcGHq5tz1gohNziv1Ka40cp5NurahtRmv/FvsHMe3MBseIlMuMOT6ZF0Ihzd"
    "gcmYm5w05ZqOoFXR/uy5w0Ev7Wxvlm1/JqUFhyc7jKWHPE+bpYc0slvYVmoqWivTdZGDTU"
    "YlVdXdA1TWusrg1C3xAjZO6oFD543h1K3RuyEV4kHFH5YlKRRP5tmVohhCn4yOCIrdSYfP"
    "nuPE/oVpJysEn3ugx0xfpiCCZHiIjcBcoMOMoQyrWWw9YjN/2zp0jldrNz9g6BE975ZBBP"
    "11yLU++usMcE3f9wbesgfCvikq1hIrq6G9NF77qBqbKS2CsuRhSUjD/L32i9nI9qIAcDZc"
    "Q2iPT2SwPT4Rg3tcpaSyginlngWFFPQqaNarAAWBxzsUqA73QgZQb4Y6dA3atwaga9D+dQ"
    "Bdg/avA+gaNBRNQNegHlLkhV1W6vLhxT1WAGNxZ6YwXjftzlSIAt7SeHMIgLqluyQGa3az"
    "NTsDsYp8TUZRITKMIPHoU4p2Cmd1Emn5yYuDF0Mt2aCpfKxlVUhAsAWCLfSSBMEWCLYMFG"
    "4ItkCwBYItEGwBdwGCLRBseZUagGDL/nUAwZb96wCCLUPRBARbINiiA8YQbIFgy2tZsyHY"
    "AsGWPI5yhgLbWh1wIizZlWldWMUsxkADjdKcHTztLg50ZCdcqBCHlIiG5OHR6akEeYhHiZ"
    "vYkmvs2cO+CsLZcA3R7aRBCX4i3rA4USTxFkeJ9L/F7SdspMdm9sf/A52VkfY="
)
