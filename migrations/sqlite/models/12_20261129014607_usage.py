from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "usage_rollups_daily" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "organization_id" INT NOT NULL,
    "bucket_start" TIMESTAMP NOT NULL,
    "resource_type" VARCHAR(20) NOT NULL,
    "provider" VARCHAR(100) NOT NULL,
    "model" VARCHAR(200) NOT NULL,
    "user_id" INT NOT NULL,
    "prompt_id" INT NOT NULL,
    "version_hash" VARCHAR(128) NOT NULL,
    "status" VARCHAR(20) NOT NULL,
    "requests" INT NOT NULL,
    "input_tokens" BIGINT NOT NULL,
    "output_tokens" BIGINT NOT NULL,
    "cached_tokens" BIGINT NOT NULL,
    "reasoning_tokens" BIGINT NOT NULL,
    "quantity" REAL NOT NULL,
    "cost_usd" REAL NOT NULL,
    "latency_sum_ms" REAL NOT NULL,
    "latency_n" INT NOT NULL,
    "latency" JSON NOT NULL,
    CONSTRAINT "uid_usage_rollu_organiz_5b1472" UNIQUE ("organization_id", "bucket_start", "resource_type", "provider", "model", "user_id", "prompt_id", "version_hash", "status")
);
        CREATE TABLE IF NOT EXISTS "usage_rollups_hourly" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "organization_id" INT NOT NULL,
    "bucket_start" TIMESTAMP NOT NULL,
    "resource_type" VARCHAR(20) NOT NULL,
    "provider" VARCHAR(100) NOT NULL,
    "model" VARCHAR(200) NOT NULL,
    "user_id" INT NOT NULL,
    "prompt_id" INT NOT NULL,
    "version_hash" VARCHAR(128) NOT NULL,
    "status" VARCHAR(20) NOT NULL,
    "requests" INT NOT NULL,
    "input_tokens" BIGINT NOT NULL,
    "output_tokens" BIGINT NOT NULL,
    "cached_tokens" BIGINT NOT NULL,
    "reasoning_tokens" BIGINT NOT NULL,
    "quantity" REAL NOT NULL,
    "cost_usd" REAL NOT NULL,
    "latency_sum_ms" REAL NOT NULL,
    "latency_n" INT NOT NULL,
    "latency" JSON NOT NULL,
    CONSTRAINT "uid_usage_rollu_organiz_3eb519" UNIQUE ("organization_id", "bucket_start", "resource_type", "provider", "model", "user_id", "prompt_id", "version_hash", "status")
);
        CREATE TABLE IF NOT EXISTS "public_profiles" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "username" VARCHAR(40) NOT NULL UNIQUE,
    "display_name" VARCHAR(100) NOT NULL,
    "partner_status" VARCHAR(10) NOT NULL,
    "published" INT NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "organization_id" INT NOT NULL REFERENCES "organizations" ("id") ON DELETE CASCADE,
    "user_id" INT NOT NULL UNIQUE REFERENCES "users" ("id") ON DELETE CASCADE
);
        CREATE TABLE IF NOT EXISTS "stream_sessions" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "started_at" TIMESTAMP NOT NULL,
    "duration_seconds" INT NOT NULL,
    "views" INT NOT NULL,
    "followers_gained" INT NOT NULL,
    "average_viewers" REAL NOT NULL,
    "peak_viewers" INT NOT NULL,
    "category" VARCHAR(100) NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "profile_id" INT NOT NULL REFERENCES "public_profiles" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_stream_sess_profile_f60545" ON "stream_sessions" ("profile_id", "started_at");
        CREATE TABLE IF NOT EXISTS "usage_budget_notices" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "period_start" DATE NOT NULL,
    "threshold_percent" INT NOT NULL,
    "spent_usd" REAL NOT NULL,
    "budget_usd" REAL NOT NULL,
    "alert_id" INT,
    "created_at" TIMESTAMP NOT NULL,
    "organization_id" INT NOT NULL REFERENCES "organizations" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_usage_budge_organiz_c7b2dc" UNIQUE ("organization_id", "period_start", "threshold_percent")
);
        CREATE TABLE IF NOT EXISTS "usage_events" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "event_id" CHAR(36) NOT NULL UNIQUE,
    "user_id" INT,
    "api_key_id" INT,
    "resource_type" VARCHAR(20) NOT NULL,
    "provider" VARCHAR(100) NOT NULL,
    "model" VARCHAR(200) NOT NULL,
    "input_tokens" BIGINT NOT NULL,
    "output_tokens" BIGINT NOT NULL,
    "cached_tokens" BIGINT NOT NULL,
    "reasoning_tokens" BIGINT NOT NULL,
    "quantity" REAL NOT NULL,
    "latency_ms" REAL,
    "status" VARCHAR(20) NOT NULL,
    "cost_usd" VARCHAR(40) NOT NULL,
    "cost_source" VARCHAR(10) NOT NULL,
    "prompt_id" INT,
    "version_hash" VARCHAR(128),
    "request_id" VARCHAR(200),
    "occurred_at" TIMESTAMP NOT NULL,
    "received_at" TIMESTAMP NOT NULL,
    "organization_id" INT NOT NULL REFERENCES "organizations" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_usage_event_organiz_97924c" ON "usage_events" ("organization_id", "occurred_at");
CREATE INDEX IF NOT EXISTS "idx_usage_event_organiz_e1eaba" ON "usage_events" ("organization_id", "user_id", "occurred_at");
CREATE INDEX IF NOT EXISTS "idx_usage_event_organiz_8170df" ON "usage_events" ("organization_id", "prompt_id", "version_hash");
        CREATE TABLE IF NOT EXISTS "usage_model_prices" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "model" VARCHAR(200) NOT NULL,
    "provider" VARCHAR(100) NOT NULL,
    "input_cost_per_token" REAL NOT NULL,
    "output_cost_per_token" REAL NOT NULL,
    "cache_read_input_token_cost" REAL,
    "output_cost_per_reasoning_token" REAL,
    "valid_from" TIMESTAMP NOT NULL,
    "created_by_id" INT,
    "created_at" TIMESTAMP NOT NULL,
    "organization_id" INT NOT NULL REFERENCES "organizations" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_usage_model_organiz_20ef49" UNIQUE ("organization_id", "model", "valid_from")
);
        CREATE TABLE IF NOT EXISTS "usage_plans" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "limits" JSON NOT NULL,
    "monthly_budget_usd" VARCHAR(40),
    "period_start_day" INT NOT NULL,
    "alert_thresholds" JSON NOT NULL,
    "notification_channel_ids" JSON NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "organization_id" INT NOT NULL UNIQUE REFERENCES "organizations" ("id") ON DELETE CASCADE
);"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "usage_events";
        DROP TABLE IF EXISTS "usage_rollups_hourly";
        DROP TABLE IF EXISTS "public_profiles";
        DROP TABLE IF EXISTS "usage_model_prices";
        DROP TABLE IF EXISTS "usage_budget_notices";
        DROP TABLE IF EXISTS "stream_sessions";
        DROP TABLE IF EXISTS "usage_rollups_daily";
        DROP TABLE IF EXISTS "usage_plans";"""


MODELS_STATE = (
    "eJztXW1z27i1/isaf9nsjJqJ37K5vZ3O2LF3N61je2K7u9N0h6EoSOI1RXL5Isdt979fgG"
    "8CQYAGKJIikfOh21jEIaXngMA5z3nBfw7W3hw54esz3/47ej748+Q/B665RvgfzJXp5MD0"
    "/e3n5IPInDnJUNO3jUf0nHxozsIoMK0If74wnRDhj+YotALbj2zPJaPP3MnZ7YcJFpjY4S"
    "SMvADNJ2Y4+fLFD9DC/vrly+SVH88c25pObHeOvqL59xPficOJObn7+exPR6dvJ95iEq3Q"
    "5GnlOYjc6TV59Nyz8LNtd9nZU/7l/svFaOAxAZrgEX+a2dEkMN25t56kjw6nk9DDt1iYYT"
    "RZmeGKPB25Xrxc/W9ys/TpEwdFIfn7X67jeY+xP1nhO3kumgTeE/48IAL4NrFr/x6j9Avi"
    "/4YRMufka5E746dNzKVJPp2gDQqeCyBSKSPylgg/IsBwfP4Nf5z+zDD/0380FjZy5iWt23"
    "Nyg+RzI3r2k88+uNGPyUCC8cywPCdeu9vB/nO08txitO1G5NMlclFgRojcPgpiMg/c2HGy"
    "KZNPjfSbbodkmth+MEcLM3bIbCLS6RfYfnZgGNc398bd5b1hHFRmWi5BTYvsI8tzySzFXz"
    "VMfv2SfIU/HR2e/HDy7vjtyTs8JPmaxSc//JE+egtMKpjAc31/8Edy3YzMdESC8RbU5P8r"
    "sL5fmQEf13w8gyz+yiyyOY510OYfbLHdvph9gLs2vxoOcpfRCv95+OZNDZT/OPv0/uezT6"
    "/wqO/JIz28kqRLzHV26Si9RvDe4pu+UyoIbyXawXi/07eM8FsZgN+K8X3LwouXFYMsOCoA"
    "0zIaTuO3JxIgvz0RgkwulUEO8B6jAnA+vj9wD9ZoPUPBQS8AH8ksE0fiVeKoskgQOAzHXt"
    "uR4aPAWNtuHHEQF252QvmX9z+OBrL1YTCzu5UdcAu2FSDy2w0zqiJ8ga9E9hrxYS5LMtjO"
    "M9HX+T/GuJDgHzi/cZ3nbBbU4Hr/4ePl3f3Zx1vyuHUY/u4k+J3dX5IrR8mnz8ynr9iVvb"
    "jJ5JcP9z9PyJ+Tf95cXybwemG0DJInbsfd//OAfCczjjzD9Z4Mc05taPmnOWolrTvY6DXi"
    "sJHeWdkWND+wd2wkis4xqdV0gDbeYyM9lyVBy0PWshcsTdf+t0kwMJQ8Q45ko21SYvEen6"
    "O4BRivd4EasJQEAJoCSriMxSPX8aanYRXkH70A2UtC6CRYf8DfzHQtnk2XcWE3zO3GhfUf"
    "+VzKP90+PzCfCi6I9+7if2AAUJT6JGd3788uLg8qM7kFhB+y2+iJLPXy8hElU3lmWo9PZj"
    "A3SnOaXPGOPOaTYmz10vpozX5iuuYywYb8CvKdedOaQwGz015MBNNTR44NFmMMJCaQmEOB"
    "lqEm5LiJOnKiwk6AwyxGXy+HuWKuiBf97fSgI2zlyXGeSf7490/IKZZo/u66jeWNbAqINt"
    "iKCbIjQO2ZH8OD58kLHkPftNCOGP2S30dXoJIdMPTiYGeo8MJt3iU30hUrP/DWfrQjTLfJ"
    "TXSFCH8xKy4M4l1Ruszvpitc6YwyNngtbwuzf6T30hUx14vshW2l/rq1Ml03c8ua43ZN3f"
    "J9esdvAj3842088+xdF34av4v0ntqaXSb+UZGxRvhW1q72KbnVx+ROuqK1QGhOjP12APsx"
    "u5vemBHLdeFgx6oVzH7J7qY3ZilUhu8lUjsBlgJ167UWYBgeWqaDgl1hOiP3GG28UgIfI4"
    "idXTfGBKRPsaOtQzRHvuM9r9HOb91FcSNdoULuxg48twWsLrd30hWsyPMcoy1X8h7fTHtH"
    "MkEs8Bwn9luA61NyI12xWuLf82Q+G6G59nde439Kb3aX3EvTDTEHLDKDJdp1+coAu0/upe"
    "sUS2ttDD/wFvbOU+w2udltei9dEYtD7Fobs3iOZ4VBaIqd+egHcsfz5IbXyf30hg5tdjct"
    "EsguNxpbFilWftDS9PpI/n0baDa5lNJvKtg6Jif7LEf2xkX3Hv6PJL632c002VQVU5WSAC"
    "0nRSkP3IpTk4roMKQkaZOShNam7ajkJBUC2iUlHUsVTB3XVEwdV0umfDMMnzy8vqlW/1UE"
    "G+E9sDWMyQI7PZXJAjs9FWeBkWtQBNhrEaAdGnjptzcclM+xl49MV7Ai03IM2jMs2BXc+Y"
    "LSb6HK+c3NFblzkUF3/uGewfjh4/nlp1eHCfR4kJ0mMnMLAefYeLbxL0ti08umOY6Cu0AB"
    "0ZALiCCrVbzS6ZXVCmVjUOU0CKxbr3KC9OwxpooOc1NvjVgqs+ltkEuqlPqYAFYgmLbZ7R"
    "yWqZT6Lqaaypn27fJNnyurffIdfwMe6pstjdu3IQvFceBGfLNuRL/K/sb9iEFYFJ06EmAk"
    "72wkKxp8VI0ex+IrV/CJTT62ZhCMPjD6wOjbyeh7xD9NBd98fI+xsNzg+d3pJx52KgPzqR"
    "jlU7CswbIGyxos62HaeR1Y1l1ajpmZzbEatwa42GKkLP2ujcU4xuCxxuJnLrxPbtGhLGnI"
    "mlacpMs8vgFXCM/WKA7TB4D52Zf5mSi1AuvDw4cLPq75eAZZ8vFrIjXedYSHX5rtlm6x9O"
    "aZ/NKyCQR2fLd2fIS+cozLe/wpH998fI92fFfWe53JePnrfclazDF89fHs1+9LFuPVzfVP"
    "+XAK8/dXN+cM1NlKrDCZtxI9wj0PzEXUj8fUfgZhZVusoC3R55yRhyS2ISexURojRs+a84"
    "L96HimYDnjSjMKXxBxrZR8cfNwfnU5uf10+f7D3Yeb67JWk4uJ6Vhkjn66PLvivWkUsYrN"
    "TQ70f7u7ua5BniPPvm22FU3+O3HssDPH9eAvi9i1CLyTWWw7ke2Gr8nz/rqHjYfgVb/xsH"
    "sM80qRG7AbTwXqxzSPSXYbEslrYANUjr+SPP+q9gCsqpFlLpXejXz8MN4F8lht3gWgVMXv"
    "gr6UauzPG2q9LAlaH4rWObZhJacViPSuT0ihGUlZaCkROJutCmmRnqoGKyvWEbRj42gh6r"
    "OvqA93TreAs0qD82HNZ1mI2Ve5hC/+EpPrh6urg+o63AK4kh32B7YES89dausRgCqTBQgt"
    "w5Uqi6BXuDRUe2sLO5IXugRWB708tZ1k3SdabJcxYcZFaaV7KfWC6abZaVugz/kzs63Bsu"
    "IgyLIqlNImzu3lt5I58T9HR8fHPxy9OX777vTkhx9O370pzPPqpTo7/fzDT8RUn9IcgURv"
    "IdLzjeshiXMsaJk28yz2qo52siyyPVq5kxArp18jocOjdzIRgaN34oAAuTbKTADLIz1iyU"
    "17gbr9bIDIi0zHmMeB2SQ2zJWG2LBEbNi0DbzW+PiZeN+110gVeYE8YC+BPf6NwTOV0tAE"
    "/5p7gA6kciMi5FrP6skotBggLYG0he0aIw45duAFsuy16QhiuZQYG9NL5V5n8nohjpH+eH"
    "b16vDd9B3TGy7fX08qm2hoeQGPuBXP40ICprDEFN4hhwrSp/pIGQmtFVqbBvlTSTusHKim"
    "ddWQttFqcVJKAqLPnIA+xX1Vt9TaTBlGVMNUmfGmxlQzogJkIXvTSNGMqIaKHmlOFBQXD2"
    "EJLcUSJLEtyQCqkLwzoOQdvyiX3hFk7Q6SZ+EtRxEHVwufHpJ3YdrJviYI0tKDphJh2uwI"
    "P2NeSLRcLl8CdRZbjygy8ExLD3Nl4090sXvT1ksQxO0riAu2CNgiY0R1r9HyQdfPfbvB8t"
    "4SEtqPkrObqgoXwMpqSAaMxPmXYn0sL3Y5OhbuBcX4/vaBNyPZBJLsELWq3kJiGJEArep6"
    "2RavDUJooJou42cNQmegkI4UgrdsDLCaRigZUEnrKiEm3g6xN444dC0asiEGDQnEhto4g2"
    "8ctRelNxWid78U8M/Y3HmZA85GTRVI4NVWBFhgYIEPgAUehKsKLHAXqAILDCwwsMDAAg/d"
    "CgUWGFjgb4VGARZ4sKoBFnhoCgEWeGgqARb42zLEgAUWG2rAAnfGAucNroQEMNUB60Xul2"
    "7v1g3rW6F44WTVfR5tNT7eqzdWphPma2EHYWSECLkN9omKsIZbxXi3hqpFkBy10VDXrCyo"
    "etCqhrgXxL3GgipUYkIl5pjgHWwl5rUX2QvbSvSOTWXXRc4Bxw3jDZvWOWMuJWBYqUQvpx"
    "cnXxwcsn06ZHBEbrdH5D7in6aCbz5eS3zbTjvAj1vYS5UYxFYCIhDtB4WQFSCOiVGTZlNI"
    "6Nf8+VRqOTmtWU5Oq8sJcslP56Wcep6DTJcPMyXF4DzDYl3N93yb7Hdmn9/cXJVm9vkH9n"
    "jth4/nl59eHTJNLKsuIBz3KJ7q44ywwHGP36LWRXE1INSA+hkI2K1TP2KGgj4EybE3KLB5"
    "aTwqZyDRhMNFes9njXTQ6QFIXOxeIHVojCVZnbKq2+Z1rC3LNEfz2E8PeWeJnc+82ZuJZn"
    "/h/2Ih7kDTQUFCyokGkEtQpTXIKi0gQTokQXzz2fFMDr5iFoQSARqkfRpkFNVG5JyWGI32"
    "dCYzitDa553eKFzTaREoRmHJjlUU+YZo6goxZaSgK34V2HCNIQqQn9a2Sy8JJSlgR6XYUT"
    "g6qa9zZ1AQeJwzw+/RVwHGhYAOU7mO97r89b7eoiigvrq5/ikfzpoZZbT/z5txOSnx8rGV"
    "0AHvHuK0hXupYE9QIrDxVTc+igpQmLllKZi9UrMXIlVi9McZs4BI1beodZlIlYttLCPzZR"
    "uoniMOdZ7DUXf1Lc+o+0bvOSsLmh6ypsuxEEkrtCwEkWfeuYQQ24fY/t6XqG7KOqjQ644o"
    "C8oGNAW7vGwOqcrjDCMefUT4Z1oHnEQA+vK0Lv5vkoHGOhnZQdRfJrgfIMsL5qn1AbH5Yc"
    "bm4RTklq2N9L0LPEeprqYspWHiw6EU73VYw3sdcljbBLUEJmWscyn9KMZOoB5HVkOPGEtB"
    "XIMwC/A8DtK9M8S7pjtXC2HyhBsGMoeGe8eRTNpGqSD+4lnmtCjQqENhW+AscyAFBg52jw"
    "n/XTqrPyI0J3cS+6vMiGmdy7rIxoLXCl4reK29eq3Fq6fqTFUEtTT2O3CoiMHucpoXiKHe"
    "SmiJcdsOFRAxPU5mFPr4oXizxY5OIw9WeAfIxwUvFrxY8GLBix0e2Jp4sR8914684O7Jjq"
    "zVAceJLQ+Y1vmw63SoESZju6i3ZnxYoYe639Zu+3VSSxbP2xMJg+ftidDeIZfq3dExtWUq"
    "PhltXyb8NBRsTEdsZ4pZGI5of9ve8ViKQUl2DF4pjRmndKM2E3ErBCSLGNYGZRolSbDRh2"
    "KjixL2Kxbkfgybu+cwQuuUer8z137y2yvWDWdUrYkTJuMzkt4IE4k+uPr0SSkvT5rArLy0"
    "SwX9OfD1g+Trc1XJ2qL5eA35t6PTU5kCwNNTcQEgucZk52xfAcWdpSyp4c4y3p2EUyHix4"
    "aPAgvxjuCtIVcZOcgMkuFU12jtBc+N8K6KAuQKkMdh4kZE3MaENXs2V1wnVrOXXZxKSbTD"
    "x0bznxWE2S8z+xPUms59jjDM/MYz30VRiqMRcud+nSaqsqCIFhQRIGvTVBG5LCiisSJIw0"
    "jjUGkX2IpADF9i+U/gOlVH+BQQVkH4sAHEh4CxLMZ+4FkoxEsu/l8DM4YrDst242U7xzNa"
    "EYJdJVTGkdRJD20eFJrg5PnIxSIOb8a/CHJZGHAWJeLsJ4zyixc84tX+SVzlwIyY1oVPnr"
    "KxUOUAUROocuh1rS5ePdUqh4qghoEpKBsfY5UDlI3vxc0JI+SHBv5hVhzxEv+EK3RVEBbq"
    "6kIN9Qz65UpBPcNg3CioZ9C7niFxLG+99AdUqxmoy9PaWoY0w8/3Enym+3BT86IEslTjyb"
    "f2wVkdqLO633KTfa/S3XtSG9OJOQDXWPeFBJj0Mia9KiegMRXQ/nlt2/Vb0ZwvCWpozI/E"
    "eJdKT92gICRb98oMVypvEiunYUvGo3cyO8LRO/GOQK4x75S55NA94mM/8/Fw5mfphWrjzE"
    "8CrepJR7RMj+d+dgV55ZgjyXOOag86gpOOgBYCWqifLAZyIJAStiUZYLGBaxvOsRjp1GwB"
    "5NviRuOayrLolt7hIXGYZ+R0zQMOe5lemNYefUGG7ImwxBMqiKgiZf4QEuFOLgexg5iPlf"
    "jNb4Xc3HGjE9OWoRcHlhLvs5Xo0Won86Qfy/1U7mDumnO5WZsduZEdKblGWwntHKNjKb/o"
    "uMYtOq56RUn6qKL7Scu0QrgMqOPTiRTIJzUgn0AqU+8ccYg2KFBcKWgZDUFuP19sjcIQW1"
    "xVjO/RV2FZdSGiwXJcR4tc/npfTw0WrMjVzfVP+XCWL9x33G6YrkhnYbtVgMKV53CM4xqM"
    "S1KAs1TGY+HYVIB+ocVMSVJD5nUkTKtUDG9hk5/aQMslQThoesg6Nq1HfMlB82bNCDnioO"
    "/R6Hv2rMby84WB7uclrYees2mYtF4ShddpyK9ToSzVV6kqCK8Rp+WLFym5p/l4HbKG+nZO"
    "HTOM8DwnJ783Wrd48rB4DXnxiv15wwSasqSGbtxIE2g4as++/ZASaAb2Srdu+23juLLGwF"
    "YCAB147szAsO40dSaPNO+IcJKm8Sm7l57wUm9wCVb8/Mn1w9VVXeoMFR3foKy6jqlcy+R+"
    "/Psn5BQTtQbsyw0aZSqjCO4/Ok8vShET5RgVeL6QaGRsNdhxulH6uHTGQduewVZCPuIfX8"
    "VfHMPOx2sYv24/SWAReGtDPRWDEdOBK+i8ZM9rgHNJCCa0BMx4u/AUu3zRIuA7AIMI6S3D"
    "BLyNtIsG4Vld+bnx8nGckCxlysuu+pQI1LC9TBmZeaFIG0zGCOGVpTHoeTW4CqCEQRJ56D"
    "m99JKDToiaPZUDrYuGwPlpv1Df02t9D7Qlomvy5Ury6yryq/nk+QSXRXgroSHGnbR+MpfY"
    "9FgKYh9ioBkxHbybrqsjLG/tm4EdqgFdltJwVh/LlKyJC9YqzNLeUvaHBnPHziM2wlySlN"
    "0McK40OO0yuOOfRQ54sN2YewKO0KqrCoKnx+tWgtw5mZnqAHMk+0P4zUjghULMHkyN0PJ4"
    "/SbF7dsKAejfVs9iN+jfZq1M10UOdtqVOuoxYsNQDHmeNorJWZOKUs49z0Gmy9cLJcXoZI"
    "bFulJGTpv0C/v5zc1VCfbzD2zY5uHj+SVenb4v2y28ApYklfu5wb7KE4XQZBXivAuhaulI"
    "RQ7A5ZxRS6oREIkvNkxx594A6hmGHEiDhqDi12uc9QwyDUGhikU3rY+jimVwyta56mJoYL"
    "dediFTHrDtZbljecBozZR+CwMuZjmed+ba5ycfVMZM63IQ5jMfBQsjyESMMJHpIx8hfdK2"
    "F2lAzRT6GtQRDLKOgFKRopFTltTQyBmvUVO1Zem3UpZtD8Rrvg5seyeZKsmCbKjmA5WlAG"
    "s5rKEEattPWQLdU3E35UrYyP43MmbPXHa2bmsuy2kT8+xli6YYRnuDjMB7UgS/JKYRc9sz"
    "+nNkzhugXxID9JuiH6LfjdAyOXZK7bpDSQH2TbG3518bYE9LAfZNsScrh/EU2FGEFPFnJU"
    "EHKjqo8JL7KUO5mN1FZlRHBlHXpxJEEKmP3hMJBEQPED3j8qV0InrIix8a+IaoSQt1WhRS"
    "Eoas5694Mce6W69tjp7rVlVGEJz0ZgZbAmPgOQ4xABpogBYFHTTTwcx5JOuVqWhXlMQA+x"
    "2wX6kuPrQUIN8M+Sj28eyN4sDlpizXoM9Kggaaa2CBImvVRAGUIODfHH/bDRE58EddAbQk"
    "aKC5BrIkR3UFUIKAf3P801yvBvhTgoB/Q/zRGq/ktqMaIC3LAfo7oN8gPF2WA/SbB0gdz3"
    "psECAtxAD7ZtjjL+GipBRTpW6OkdIG/NZqukguTTNoOZIaBeBaA5hEJWZm2CipqCqrzQTu"
    "e+WOgzQ7fM1RQU2PFkauz7Y4XSmgg94sAwkl32As1llhyKfYPeBEk9khU4mAskfJGEHs9h"
    "JVTpt8QzPDXpsZBgj/yDCtA1eAlxWD0jfOCgzFhV0jHJkhzzMRt1cpBKCxSin23UZjlWQT"
    "UdTGjE+OgDp2V8c8eCZbN8f8rutzQ0n12Oem+GS0jW7UzzXZx6EmB3hojOZdTfHOG5xhyN"
    "Caf7hZTZezkhSsNK2vNDO08AKlxnNbiWGoQ6vOc+YiQoGKNgoBUEbrykBB4HGUIT45qBDQ"
    "obl2XQ5mF0cHQesm8d48ziY+Mq2b8AYfNNN6WRJyoIecA72wXTtcNVIzIwp6HrKe9xu3GI"
    "9iRx65uEC+4z2vBcclU1entfGKYtyeTmOi7IakIRKX892uPqIxefCDXEbuxg48l/wo3h0g"
    "PtJnfAQOe+q2rcsGBaFipyJKREOUOznuif5mFaTFvigj1iNPuQf3vxOHdCS0cHaGST+8cP"
    "sHXuPHLexlZv+pMF8VQWDAWmfAShgbAdrY/AW/LqFRcIP+YuKHgzZf4DCAXsEFdlFrAgLo"
    "xG9By0Anfht6Jq0XyMZmWo8NVF2VBm0PWdtwiofYGhpnAJCj9sopHjzGVMrsrQpCmi0kMs"
    "MpKcMC+498VrV1Sopg7WgB6cvy3TQFurps7nAaTRDZC9Pa9UCabcDwLLuhRviXWYiV6S65"
    "ZZWN4Hqf3E5bsErcYdvQJTfXG0A/8NZ+ZGQxt9agu01u+49tJE9H7PAVN7QFRebNcLsvbq"
    "kTaP3kmRQbQ22+Cb19yOSdGKUNrN0ElM/Uc8jd8zNNki//G5OeAnkhkBfSF7hw3E+P+B7L"
    "wHssRve4Am6AFirYZsM1SP9gzlGSmrinNRP3lJNqY2MLk+NKiuHdSuhQ8tHD2kBtvkp7W0"
    "UOqKiXqaiyBbIjPVJO6x0Z0LLsSGWaqZIj/ZjDmd9aawxvfVspU5jyr7s1hMOVuZv9CyeR"
    "kGu9nESCVaWwGWbDNTTj3p5I7IRvT4QbIbnEZtaRcx0aZiQxshoGPMcb4KzGtdcoDM2lks"
    "dJiYDlLmW5g1kJZiWYlbualXRQpN64ZMInciZmItSfpVmkm4O5OQpzs0F9wX4qCga+dJca"
    "yliRF6jtibQIlBJUIfXNyFpV8RRXKhUCw6hQ0qp/lbr3BD7TCHwmsOfBngd7fld7vpypU2"
    "vQV5J6pCx6ToZRtyZ9+sCKQf85z3VKtZF9H2NlhitoutFvckUJ+wq8L3aGKOQ0ZJEPj97J"
    "tIc4eiduD0GuAfPVo61PLyuSyJZkAFWwP/Zmf1RncgsA3xY30hTc0vs7TMOOSiWuterKKc"
    "dSJh2T+NxxV7bKRFbukgb0bF/07AK/F4Z6UyRGTMc8Oak0OYWeSJHXAOeSkIbWc/swAzfe"
    "ur3sehEn0UHcpS4fr8OqUMe/dtGfDqhvoL7BoQfXc5Cu5348JLqEn+MYMRX+Yn+IKpLvhN"
    "Rme0RAUeDeeWsoCuy2jTEUBXboydT2iK6pXtOuR3QPqcbQSVSM/jjblMmcUwRttKCN1gis"
    "c+k2WmL7nOcctdYDRSPoO+18cu95zuVXZMWiGE95wLTOmYnwUAPlY/d01g7VXvk3wTk6cY"
    "gC+dHJr8qNcHo8RI8GGT1CGxGj9fDw4YKvAVqG0UMc2/PXRLLJirJXddQgm3YDSa0c2n5J"
    "fmfZCqVeFkk7hJKAyEU1clFaT+RjbpSQlp5qBy1A1pZv4Lm44R10XFMSW5LSIV7UA9Sej0"
    "QH64iRLgn1yAmkJgoxLTynH36g/bL+cZwZ1R+T+FaGSGTdeopHfMsCnByxnWKkAHJZChYP"
    "uVZNez3MdWgTuwbfpqe5DvTgmhEhPyQWUSq4v5988qGtXd0k6Tc4jrQqqd/e0EnViRks44"
    "QYNEL735ytWJxAVxGEGV2d0XjFwd9PFVtGCoDlAWshe9Non2VENdxoIXwH4TsI3408fNd1"
    "VOqT5zixfyAISWVXpy/Go4JkoFww6uDGRZNZbD2iaOItJh7+i9zjz5MvX5aBib+jGdjR85"
    "cvk+9WXhx8N/GCyXdz8/m7KR6QihmJk4RH2FE4ebh/P0n+fn3AKK/TBzUMnFEPZoJk9BMh"
    "7DXQsBfEaSBOM1L+j1l5ZLFmxDREW8afFnvTFV+6tI4rOiWsrIZeyUi8ECn6zzIdh5dLVb"
    "MdFyL9eR1vNNiRmYiRIuhbGUC9GepFECiM182iR5lgn+GjrlTQcexoG93kTHNxW0pGbBjN"
    "KcljtWlOGeK9Wa1V6FYC1NG6OoAEBBJw/4bs2EnAnzDiT+bznbn2E5grPGB5wLSOClymQ4"
    "0wGbun1PS80hC/7g6y6LRz7FXhW2XDypeBbhsk3QZVph1WmZbegArIL51ZVJYFomLQRMUK"
    "mU604vB+557nINPlK5mSYvQ7y3J69VHp+c3NVUmb5x/Ynj0PH88vP706/L7swHGzPXz8XK"
    "SaaMnINfSUBxYv6NhXXkWRL2yuJtykGSmIywhoNpWttxDQL+Wuk3DMwl7GgRrDQ4kAnaAh"
    "nTC0l6DtUC/tfklCW5IBUAdO0QwM69YZmupsbgHjjF+5L+6nJ8ilN3mABFiGv5gA2yroZQ"
    "Is/bH76zX3+QC55DslYDtmSA5rbEx3fStcF/Si66F6BXrRjYwljANHBdtsuJbQyrqBtX5g"
    "BWBqpVbg5iipHrm5fFUeLTeHn4aCjekYIcLPn6uQRjzR/qLGbzvOJ2rPy7PXyIsjMcA1DC"
    "hHts98odPXI80Yqlp4FdTrwzncG7QQ0xmmr6JFSCdRWbO4DivabAMZj25b3D8S6JS58bIU"
    "EORSBDk05hWjr29lb+zPG2q9LAlaH4rWObtZ9u2HFHsZnLJ1jhMMDeweUzmpbPJtkiRjuy"
    "m0Yq4kZ47LjBAB32kz5tt45tjWbeAtbH7Ga3nAtI7w95Oh5OB0Mrb7jFcg7vsk7knttip5"
    "T8u0w4LuF+KSoX8iY+efiM38k2pXQjv0HfNZuQScldOQcO4kVuKbQYQxaXAgaVWyx2ayru"
    "eig55QlwK9BvMK5GSPCFfKFH9JrkeSv/hktCwNUAfiyT5OJxKog29R60AdDCGi13/Po4GZ"
    "wEDF7J8RmHZKxaAwzM9Sas7F3EV4lV3fpffSCHoOGVNeHKqw3bjo3sP/kZyzD9lNRrUsyM"
    "5UajGUmKE7MVvlGchhtipTVMxshclQg341Oq7lzkg0zplhwHr1yXrB2QUvvfMjtJur7tK2"
    "M5NyKhxPFExnjum8sdGTCrDFeG36lLUG5cJzHO8JBaGxxM/gkWlCVHmiADALsLnBP32JDD"
    "IHEa/DXk3iJkcWGr2VWUpO2qaPzEcx3OIDZBgxmMoV/hf/7qUXKPW5pWV6DGz0FdToIJQE"
    "LLsY/XHyrTIse9lLk12ySkJgKr7MCvrb7JMdCcFKNsvIgJblWcpzbEgVxg8h/vw8ni9RdO"
    "1FtoUOONRMddC0jp6JyXBjlozH7yoR6KXc2EeB7c23HcqjFV5aVh6eoPiKhdyoUosM5E2f"
    "5A2rn+q2LDIqy3J1m/J4FxGuJY83VbaGrTKp5ScqVxZ2PI6VHvoYHSMOOctAjatZkoLDaG"
    "X8zGyXUEW6LAZQy0BtOihQbHFEi0CHI0jmAjeT3ALSeiANZf/bxNibuydO5eUGudzGVtTV"
    "6cu+JiID99TT3bOsOAioVu6cMXSehcTw0jHs2YnhxsoMV9AMfqDN4JMJyN0LHh4+XPA1QM"
    "sweohje/6aSDZZnoaQecRDNuHxj9N9m96Rk9+577ROzQ1V07eNR/SsaP2XhABWbjt1Lw4s"
    "lKJSQVYc0asIalgj1n6/N7wvbuw5L6mzpjSMkoHYqUzsNLGyVCAuBLTDt5PmMbbrxxE2Mx"
    "8RN6u7zmZjJLXJruj5xEgvjpqqoCIKOmimA8u0VtgLaqKDiijooJkOAmSGnou/VyM18KRB"
    "E8008XtsuhH39POaIAgtBCmNL8Y/HAyDaz2rHn1UFoOTjySQVm/gsJfGDWFsWSgM+zIl2/"
    "aGLC8UBE4vkGWvTUewe1JibNwplXudyeu0fuDZ/PHsCqM4zfpjbCcw3RuGg3DqqKtMZkas"
    "xxkdu35gW2jez5TuoB0JTXzL529uZYCk4hT60AEEhWnMyunXG/bw6J3MDD56J57C5BprVO"
    "NfGvIncR0hSEvpB3UnTAodS6tugrX5F4yohgkYI0m4yDGpzbgIkIXsTSNFM6IaKhoybSDT"
    "BjJtINOmPtPmI/n3bVBX4UENmb6cc5NcMBJ/o5fqjiLKtDEdG6OHzX6o59hrPccYAoXjNn"
    "Ah4N1HwDsNqyasjY+CNJqhRBGLbgCk/ItUcRZP3QF84R0A/RfRTyKpBvEfDCq3IMFSSQcv"
    "3AeCJg3eBCa8utM7wbkX6ERCJ5SpWYG/nnYoS2rIOoyEZZCil/JirJligmxFDsIPUCMHzN"
    "0BMHfA3A1id9KCubt1TG7D3O3F6ctsnY/HwRFQevFvqucS9X8e0YEVh1FqAo+UG3LstR1x"
    "Utn+dndzLcgXLCRYi8W2osl/J44ddrZ9HfxlEbsWgXEyi20nst3wNXnsX7vSQA3gBKGSsZ"
    "Lj/Orj2a+sCt5f3ZyzVgi5wXmlNsWNVs6zUdc2pDb7jX+DnfPgBmbDS2TCHZ5Mj6QT4egO"
    "TMbc5KQp13QErYr2Z88dDnppZ3uzFP2ZlBYcnuwwlh7yPG2WHtLIbmFbqalorUzXRQ42GZ"
    "VUVXcPUFnrKoNTt8QL2DipBw6dN4ZTt0bvhlSIBxV/WJakUDyZZ1eKYgh9MjoiKHYnHT55"
    "jhP7F6adrBB87oEeM32ZggiS4SE2AnOBDjOGMqxmsfWIzfyidWi17wKVLVGkp9DNRISteK"
    "ZF1dJOWUjQo4dc66NHzwD3hX0bAS17MezbpmJxsbIa2lzjtbF4GfnQ+QY632iWCDiGhNYx"
    "d74ZwGm9+0zma3u73U+1rNaQ7rVWdsjrQSelstAnog/bISstVjnGjRaBRYJdJKCB277bJU"
    "EDt/3rABq47V8H0MBtKJqABm49VCsJG17VlSaJ210BxuImeWG8btoobysKeEvjzQmHCtft"
    "kow2C3Zr5nkGTxXQmpzNrcgw0nBGn7S5U8JAJ7Hsn704eDGYnQ2aykezV1sJCGdDOBvC2S"
    "+sdhDOTrYVCGdDOHu4qoVwNoSztcIXwtnD324hnA3hbAhnQzj7BdsBwtkQztYseATh7P3r"
    "AMLZ+9cBhLOHogkIZ0M4WweMIZwN4eyRm+cQzoZwdh6pPkOBba0OODHs7Mq0LnBtbsdAE7"
    "jSnB18UFIcBs6ougbsnq7RqtNTGcrp9FTMOZFrTH8m/FIpIJwN1xDdTgJV+Il4w+LE2MVb"
    "HCXS/xa3n6C6HpvZH/8PTlMOjA=="
)
