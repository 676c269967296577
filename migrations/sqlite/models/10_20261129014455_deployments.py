from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "dbperf_relation_samples" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "sampled_at" TIMESTAMP NOT NULL,
    "relation" VARCHAR(200) NOT NULL,
    "table_name" VARCHAR(200) NOT NULL,
    "kind" VARCHAR(5) NOT NULL,
    "size_bytes" BIGINT NOT NULL,
    "live_rows" BIGINT,
    "dead_rows" BIGINT,
    "seq_scan" BIGINT,
    "idx_scan" BIGINT,
    "rows_written" BIGINT
);
CREATE INDEX IF NOT EXISTS "idx_dbperf_rela_sampled_5b998a" ON "dbperf_relation_samples" ("sampled_at");
CREATE INDEX IF NOT EXISTS "idx_dbperf_rela_relatio_9fccba" ON "dbperf_relation_samples" ("relation", "sampled_at");
        CREATE TABLE IF NOT EXISTS "dbperf_stat_samples" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "sampled_at" TIMESTAMP NOT NULL,
    "stats_reset" TIMESTAMP,
    "xact_commit" BIGINT NOT NULL,
    "xact_rollback" BIGINT NOT NULL,
    "blks_read" BIGINT NOT NULL,
    "blks_hit" BIGINT NOT NULL,
    "tup_returned" BIGINT NOT NULL,
    "tup_fetched" BIGINT NOT NULL,
    "tup_inserted" BIGINT NOT NULL,
    "tup_updated" BIGINT NOT NULL,
    "tup_deleted" BIGINT NOT NULL,
    "temp_files" BIGINT NOT NULL,
    "temp_bytes" BIGINT NOT NULL,
    "deadlocks" BIGINT NOT NULL,
    "connections" INT NOT NULL,
    "max_connections" INT,
    "database_bytes" BIGINT NOT NULL,
    "duration_ms" REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS "idx_dbperf_stat_sampled_19ae93" ON "dbperf_stat_samples" ("sampled_at");
        CREATE TABLE IF NOT EXISTS "dbperf_optimization_runs" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "requested_by" INT NOT NULL,
    "organization_id" INT NOT NULL,
    "tasks" JSON NOT NULL,
    "tables" JSON NOT NULL,
    "dry_run" INT NOT NULL,
    "status" VARCHAR(10) NOT NULL,
    "statements" JSON NOT NULL,
    "before" JSON NOT NULL,
    "after" JSON NOT NULL,
    "error" TEXT,
    "created_at" TIMESTAMP NOT NULL,
    "started_at" TIMESTAMP,
    "finished_at" TIMESTAMP,
    "duration_ms" REAL
);
CREATE INDEX IF NOT EXISTS "idx_dbperf_opti_status_114f5b" ON "dbperf_optimization_runs" ("status");
        CREATE TABLE IF NOT EXISTS "environments" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "kind" VARCHAR(20) NOT NULL,
    "description" VARCHAR(500) NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "organization_id" INT NOT NULL REFERENCES "organizations" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_environment_organiz_beb0eb" UNIQUE ("organization_id", "name")
);
        CREATE TABLE IF NOT EXISTS "deployments" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "version" VARCHAR(100) NOT NULL,
    "description" TEXT NOT NULL,
    "status" VARCHAR(20) NOT NULL,
    "configuration" JSON NOT NULL,
    "configuration_revision" INT NOT NULL,
    "created_by_id" INT,
    "created_at" TIMESTAMP NOT NULL,
    "started_at" TIMESTAMP,
    "finished_at" TIMESTAMP,
    "rolled_back_at" TIMESTAMP,
    "updated_at" TIMESTAMP NOT NULL,
    "environment_id" INT NOT NULL REFERENCES "environments" ("id") ON DELETE CASCADE,
    "organization_id" INT NOT NULL REFERENCES "organizations" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_deployments_organiz_9c8419" ON "deployments" ("organization_id", "created_at");
CREATE INDEX IF NOT EXISTS "idx_deployments_organiz_be03b9" ON "deployments" ("organization_id", "finished_at");
CREATE INDEX IF NOT EXISTS "idx_deployments_organiz_8833d7" ON "deployments" ("organization_id", "status");
CREATE INDEX IF NOT EXISTS "idx_deployments_environ_ce7509" ON "deployments" ("environment_id", "finished_at");
        CREATE TABLE IF NOT EXISTS "deployment_artifacts" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "kind" VARCHAR(30) NOT NULL,
    "ref" VARCHAR(500) NOT NULL,
    "digest" VARCHAR(200),
    "deployment_id" INT NOT NULL REFERENCES "deployments" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_deployment__deploym_2e941d" UNIQUE ("deployment_id", "kind", "name")
);
        CREATE TABLE IF NOT EXISTS "deployment_changes" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "sha" VARCHAR(64) NOT NULL,
    "committed_at" TIMESTAMP NOT NULL,
    "message" VARCHAR(500) NOT NULL,
    "deployment_id" INT NOT NULL REFERENCES "deployments" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_deployment__deploym_c9bfff" UNIQUE ("deployment_id", "sha")
);
        CREATE TABLE IF NOT EXISTS "deployment_config_changes" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "revision" INT NOT NULL,
    "actor_id" INT,
    "patch" JSON NOT NULL,
    "at" TIMESTAMP NOT NULL,
    "deployment_id" INT NOT NULL REFERENCES "deployments" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_deployment__deploym_74076d" UNIQUE ("deployment_id", "revision")
);
        CREATE TABLE IF NOT EXISTS "deployment_prompt_versions" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "version_hash" VARCHAR(128) NOT NULL,
    "deployment_id" INT NOT NULL REFERENCES "deployments" ("id") ON DELETE CASCADE,
    "prompt_id" INT NOT NULL REFERENCES "prompts" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_deployment__deploym_5e438c" UNIQUE ("deployment_id", "prompt_id")
);
CREATE INDEX IF NOT EXISTS "idx_deployment__prompt__aa8993" ON "deployment_prompt_versions" ("prompt_id", "version_hash");
        CREATE TABLE IF NOT EXISTS "deployment_transitions" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "from_status" VARCHAR(20),
    "to_status" VARCHAR(20) NOT NULL,
    "actor_id" INT,
    "note" TEXT,
    "at" TIMESTAMP NOT NULL,
    "deployment_id" INT NOT NULL REFERENCES "deployments" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_deployment__deploym_9ef86f" ON "deployment_transitions" ("deployment_id", "at");"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "deployment_changes";
        DROP TABLE IF EXISTS "deployment_transitions";
        DROP TABLE IF EXISTS "environments";
        DROP TABLE IF EXISTS "dbperf_relation_samples";
        DROP TABLE IF EXISTS "dbperf_stat_samples";
        DROP TABLE IF EXISTS "dbperf_optimization_runs";
        DROP TABLE IF EXISTS "deployment_prompt_versions";
        DROP TABLE IF EXISTS "deployments";
        DROP TABLE IF EXISTS "deployment_artifacts";
        DROP TABLE IF EXISTS "deployment_config_changes";"""


MODELS_STATE = (
    "eJztXWtz3DaW/Std+uRUKS7r0bJmd2urJEtOtJEllyQnqXFSDJuNVnPFV0BSsmbW/30BPk"
    "ESoEA2ySah+2EyFokLNs8FgYtzH/j3ju0ukeW/PfHMX9Dzzn/M/r3j6DYi/yjd2Z3t6J6X"
    "X6cXAn1hRU11z9Qe0HN0UV/4AdaNgFxf6ZaPyKUl8g1seoHpOrT1iTM7+XwxIwIz05/5gY"
    "vRcqb7s7/+8jBamd/++mv2xgsXlmnszkxnib6h5Q8zzwr9mT67/fnkx/350cxdzYI1mj2t"
    "XQvRnt7SRy9dgzzbdO57e8ofzh8OQYO0wWhGWvy4MIMZ1p2la8/iR/u7M98lXax0P5itdX"
    "9Nn44cN7xf/2fUWfz0mYUCn/79h2O57kPozdakJ9dBM+w+keuYCpBuQsf8O0TxDyT/9QOk"
    "L+nPoj2Tp830e51enaFHhJ8zIGIpLXDvEXkEJnB8/ZNcjl/TT//0HrSViaxlQevmknYQXd"
    "eCZy+6duEEH6OGFOOFZrhWaDt5Y+85WLtO1tp0Anr1HjkI6wGi3Qc4pOPACS0rGTLp0Ih/"
    "ad4k0UR+YYlWemjR0USl4x+QX9vRtKvrO+32/E7TdiojLZVghkVyyXAdOkrJT/Wjt7+nP+"
    "HH/b3D94fHB0eHx6RJ9DOzK++/x4/OgYkFI3iu7na+R/f1QI9bRBjnoEb/X4H1w1rHfFzT"
    "9iVkyU8uI5viWAdteiHHNv8whwDX1r9pFnLugzX5c+/duxoofz25+fDzyc0b0uoH+kiXzC"
    "TxFHOV3NqP71G8c3zjb6oJwrlENxhvd/gWET6SAfhIjO9RGV4yrWh0wmkCMCuj4DA+OpQA"
    "+ehQCDK9VQQZkzWmCcBp++HA3bGRvUB4ZxCA92WmiX3xLLFfmSQoHJpl2mageQhrtumEAQ"
    "dx4WInlH95/eNoIJkfRjO6O1kBc7ANjOi7a3pQRfiM3AlMG/FhLkqWsF0mom/Tf0xxIiEv"
    "uLx2rOdkFNTgenfx6fz27uTTZ/o42/f/tiL8Tu7O6Z396Opz6eqb8syedTL77eLu5xn9c/"
    "bP66vzCF7XD+5x9MS83d0/d+hv0sPA1Rz3SdOXzIKWXk1RK2jdIkavFvqt9F6W7UDzI/vG"
    "JqLoFJNaTWP06D600nNRErQ8Zi27+F53zH/pFAOt0c6QI9lqmZSYvKe3UcwBJvMdbgYsIw"
    "GAxoBSLmP1wN14s8OwCvJHFyPznhI6EdYX5JfpjsGz6RIu7LrU3bSw/p6OpfRq/nysP2Vc"
    "EO/bJf8gAKAg3pOc3H44OTvfqYzkDhD+knSjJrLMx8tHlA7lhW48POl4qRXGNL3j7rulK1"
    "nb6i173y5f0R39PsKGvgX9zbxhzaGAy8NeTASzQ0eODRZjDCQmkJhjgbZETchxE3XkRIWd"
    "gA2zGH21NswVc0U86efDg/WwFQfHaSL58ZcbZGVTNH91zX15ExsCogW2YoJsCFB35sf44H"
    "ly8YPv6QbaEKPf0n5UBSpaAX03xBtDRSZu/TbqSFWsPOzaXrAhTJ+jTlSFiPwwI8wM4k1R"
    "Ok97UxWueERpj2Qu7wqzX+O+VEXMcQNzZRrxft1Y646TbMva43bFdPkh7vFVoEde3iQjz9"
    "x04mfxO4v7VNbs0slLBZqNSFfGpvYp7epT1JOqaK0QWlJjvxvAPia9qY0ZtVxXFtlYdYLZ"
    "b0lvamMWQ6V5biS1EWAxUJ/dzhwM40NLtxDeFKYT2sdk/ZUS+Gg4tDZdGCOQbkJL2Q3REn"
    "mW+2yjjb+6s6wjVaFCzqOJXacDrM7znlQCq0+fT8R0cXw9KQMm9vFkNBv4dpTx7SBbN60m"
    "zp1MQDnvzoFU5OlBTejpQTX21NN9n1ixy8Zh1BXBVniPzOQoudPmcxl32nwudqfRexBNPW"
    "g0telrZOo3Hzkon7oETN0RzMisXAntBRHsC+50Qhk24u/0+vqy4Io8vbgrYfzl0+n5zZu9"
    "CHrSyIwjQrgR1Uti35jkzSKS776ts1jQC0RijjkSE8IDxDOdWuEBEH8L4aKjwLrzcFGIc5"
    "miz32ci/qwZEke8sJhTArxMGLapBh+0y138rUyc0W/8U/gVF5tvOy2jTKImAWT+NWaxMMq"
    "+5XbxKMwP3o1isHgG9rgYwJ3ORZfMaxXbPKVA4nB6AOjD4y+jYy+B/JqTfBN2w/o10kNnr"
    "+tYXw7cxmY52KU52BZg2UNljVY1uO083qwrPu0HBMzm2M15ga42GJkLP2+jcUwJOCVjcWv"
    "XHifnKxsQVSlKc5oiqd50gFXiIzWIPTjB4D5OZT5GSm1AuuXLxdnfFzT9iVk6eW3VGq68w"
    "gPvzhyK15i2cUzetOiCQR2fL92fIC+cYzLO3KVj2/afkA7vi/rvc5kPP/9rmAtphi++XTy"
    "+w8Fi/Hy+uqntDmD+YfL69MS1MlM3GAw5xIDwr3E+ioYZsfUfTRcZVmsoC1R/LAkDwFZYw"
    "7IYjRGjR6b84F9tFxdMJ1xpUsKX1FxpZR8dv3l9PJ89vnm/MPF7cX1VVGr0c3IdMyiIG/O"
    "Ty55XxpDrBJzkwP9/9xeX9Ugz5Evf22mEcz+b2aZfm8b153/WoWOQeGdLULTCkzHf0uf99"
    "9bWHgoXvULT3mNKX1StIPywlOB+iGOyZFdhkTyCtgAlZr4kkXxa6viV40s/b7Rt5G2H8e3"
    "QB+rzLcAlKr4W1CXUg29ZUutFyVB62PROsc2rMRnApHed9lklpGUhZYRgQMbqpBm4anNYC"
    "2L9QTt1Dha8Ppsy+vDHdMd4Nyk6uG4xrMsxOVPuYAv+RGzqy+XlzvVebgDcCXLbo5sCpYe"
    "u8zSIwBVJgoQ6gg2ypKBAoLSUG2tVtREPui+C/woO8j6D7TIpzFhxEVhpnsp9EIrzrK9lr"
    "j5mj4zWRoMI8Q4iapoFDZxat6/lsiJf+zvHxy83393cHQ8P3z/fn78LjPPq7fq7PTTi5+o"
    "qb7LcgQSdXIeaa3LZjEWrEyXcRZbVUc3URbJGt24Kk5ZTr2iOHv7xzIegf1jsUOA3ptkJI"
    "BBJkVqIqc/Z3LRAIEb6Ja2DLHexjfMlQbfsIRvWDc1Mtd45Jlk3TVt1BR5gTxgL4E9eUf8"
    "zIQ0tMG/pg/QgVRsRIAc47l5MAorBkhLIG240WG1HDvwDBmmrVsCXy4jVvbpxXJvE3m1EC"
    "dIfzq5fLN3vHtcqnOWrq+HlUXUN1zMI27F4ziTgCEsMYQ3iKGC8KkhQkZ8Y41sXaN/NtJO"
    "WQ5U07lqhj+2d2RzU+cOfYb7qi6ptZEyJVEFQ2WmGxpTjYjCyEDmY8uD4wuiCip6ojFRkF"
    "w8him04EuQxLYgA6hC8M6Igne8LF16Q5CVO12yDG/Rizi6XPgb17JC70w3o3VN4KRlG+1K"
    "uGlx1N7XlplEx+nyBVAXofGAAo2MtPiEp7L/iU12b1t6CZy4QzlxwRYBW2SKqG7VWz7q/L"
    "nX6ywfLCChey95eVFtwgWUZRUkAyay+ZdifQw3dDg6Fq4FWfvh1oF3E1kEouiQZlm9mcQ4"
    "PAFK5fWWS7y2cKGBavr0n7VwnYFCelIIWbIJwM00wsiASjpXCTXxNvC9ccShatGYDTEoSC"
    "A21KbpfOOoPUu9qRC926WAfybmzssccNJqtwEJvM5FgAUGFngHWOBRbFWBBe4DVWCBgQUG"
    "FhhY4LFbocACAwv8WmgUYIFHqxpggcemEGCBx6YSYIFflyEGLLDYUAMWuDcWOC1wJSSAmQ"
    "pYL3K/bHm3fljfCsULJ6tu82ir6fFeg7EyvTBfKxP7geYj5LRYJyrCCi4V010aqhZBdNRG"
    "S12XZUHVo1Y1+L3A7zUVVCETEzIxpwTvaDMxr9zAXJlGpHdiKjsOsnY42zBes926zZjDCG"
    "hGLDHI6cXRD4cN2TY3ZHBEbr9H5D6QV2uCb9peSXy7Djsgj1uZ9018ELkEeCC6dwohAyOO"
    "iVETZpNJqFf8eS41ncxrppN5dTpBDn11Xsip61pId/gwM1IlnBdErK/xni6Tw47s0+vry8"
    "LIPr0oH6/95dPp+c2bvVIRy+oWEI57FA/1aXpY4LjH16h1kV8NCDWgfkYCdufUj5ihYA9B"
    "ssxHhE1eGE+TM5BYwuEs7vNZIR30egASF7sXSB0WY0lWp6jqrnkdI2eZlmgZevEh72Vi5y"
    "tv9CaiyV/kv0SI21C3EI5IOVEDeguytEaZpQUkSI8kiKc/W67OwVfMgjAiQIN0T4NMItuI"
    "ntMSosmezqQHAbI93umNwjmdFYFklDLZsQ4CTxMNXSGmJSmoil8F1rcJRBh5cW679JRQkA"
    "J2VIodhaOThjp3BmHscs4Mv0PfBBhnAioM5Tre6/z3u3qLIoP68vrqp7R52cwoov2/7oLL"
    "SYmnj1xCBbwH8NNm28sG9gQjAgtfdeFjqIAGI7coBaNXavSCp0qM/jR9FuCpeo1al/FUOc"
    "TG0pK9bAvVc8Qhz3M86q5+5Ql13+o7L8uCpses6aIvRNIKLQqB55l3LiH49sG3v/Upqp+0"
    "Dsb1uiHKgrQBRcEuTptjyvI4IYgHnxB5TWOHEwjA3t6t8//rtKFmRy178PrLOPcxMly8jK"
    "0P8M2P0zcPpyB3bG3E3x12rUZ5NUUpBQMf9qR4r70a3muPw9pGqEUwNcY6lVKPYuwF6mlE"
    "NQyIsRTENQiXAV6GOF47fbJqOstmLkyecEtH5thw79mTydooFcRfPMucFQUadSxsC5xlDq"
    "TAyMEeMOC/z83qR4SWtCfxfrXUYrduy7pK2sKuFXatsGsddNeafXpNN1MVQSWN/R42VNRg"
    "dzjFC8RQ5xJKYtz1hgqImAEHM/I98lCy2JKNTqsdrLAHiMeFXSzsYmEXC7vY8YGtyC72k+"
    "uYgYtvn8zAWO9wNrHFBrt1e1g7bqr5Uds+8q1Le1jhDnW7pd22u0ktWDxHhxIGz9Gh0N6h"
    "t+q3o1Mqy5RdmWxdJvI0hB91S2xnilkYjuhwy97BVJJBaXQMmSm1BSd1ozYSMRcCkkUMa4"
    "s0jYIk2OhjsdFFAfsVC3I7hs3tsx8gO6beb3Xbi969Yt1wWtWaOH7UPiHpNT+SGIKrj58U"
    "8/K0CMzajatUsNeBrx8lX5+qStYWTdsryL/tz+cyCYDzuTgBkN4rRefkn0DDlaUoqeDKMt"
    "2VhJMh4oWah7CBeEfw1pCrJTmIDJLhVG1ku/i5Fd5VUYC8AeShH20jAm5hwpo1myuuEqs5"
    "yCrOhCSa/kOr8V8WhNEvM/oj1NqOfY4wjPzWI99BQYyj5nPHfp0mqrKgiA4UgZHx2FYRqS"
    "woorUiaMFIba/RKpCLgA9fYvqP4Jo3R3gOCDdBeK8FxHuAsSzGHnYN5JMpl/yvhRnDFYdp"
    "u/W0neIZrCnB3sRVxpFUSQ9dHhQa4eR6yCEiFm/EvwhyURhwFgXibMeN8puLH8hs/yTOci"
    "i12K1znzwlbSHLAbwmkOUw6FydfXpNsxwqggo6piBtfIpZDpA2vpVtjh8gz9fIixlhwAv8"
    "E87QVUGYqKsTNeQzqBcrBfkMo9lGQT6D2vkM0cbysxu/QDWbgbm9W5vLEEf4eW6Ez+42tq"
    "lpUgKdqsngsz3YrI50s7rddJNtz9L976QedSvkAFxj3WcSYNLLmPRNOQGFqYDuz2vL5++G"
    "5nxBUEFjfiLGu1R46iPCPl2617q/bvIlleUULMm4fyyzIuwfi1cEeq/0Ten3HLpHfOxn2h"
    "7O/Cx8UF2c+UmhbXrSESsz4LmffUFeOeZI8pyj2oOO4KQjoIWAFhomioEeCNQI24IMsNjA"
    "tY3nWIx4aHYA8ueso2kNZVl0C9/wmDjME3q65g6HvYxv7NYefUGbbImwJAMKB0ySMr8J9X"
    "BHt3FoodLlRvzmayE3N1zoxLSl74bYaMT75BIDWu10nAxjuc/lDuauOZe7bLMjJzCDRluj"
    "XEK5jdGB1L7ooGZbdFDdFUXhow23n6xMJ4TLiCo+HUqBfFgD8iGEMg3OEfvoEeGGMwUroy"
    "DI3ceL2cj3icVVxfgOfROmVWciCkzHdbTI+e939dRgxopcXl/9lDYv84Xb9tuNcyvSm9tu"
    "jZG/di2OcVyDcUEKcJaKeMw2NhWgXygxU5BUkHmdCNMq5cNbmfRVW2i5IAgHTY9Zx7rxQG"
    "5ZaNmuGCFHHPQ9GX0vnpux/HxhoPt5Qeu+az22DFoviMLnNObPKVNW00+pKgifEafkixs0"
    "2p6m7VWIGhp6c2rpfkDGOT35vdW8xZOHyWvMk1foLVsG0BQlFdzGTTSAhqP25NePKYBmZJ"
    "9057Zf7seVNQZyCQB05LEzI8O619CZ1NO8IcJRmMZN0pea8DJfcAFW8vzZ1ZfLy7rQGcY7"
    "/oiS7LpS5loi9/GXG2RlA7UG7PNHNMlQRhHc33sPL4oRE8UYZXi+EGik5RrsOdwoflw84q"
    "Bsz2gzIR/Iy1fxF/uw0/YK+q+7DxJYYdfWmodilMRU4Ap6T9lzW+BcEIIBLQEzWS7chlW+"
    "WBHYOwCDCOEt4wS8i7CLFu5ZVfm56fJxHJcsY8rLzvqMCOSwvUwZ6WmiSBdMxgThlaUx2H"
    "E1ugygiEES7dBTeumlDTolaraUDmRnBYHT034hv2fQ/B4oS8Tm5Mul5Ndl5FfjydMBLotw"
    "LqEgxr2UftLvielxL/B9iIEuiamwu+k7O8JwbU/Hpt8M6KKUgqP6QCZlTZywVmGWthayPz"
    "aYe948EiPMoUHZ7QDnSsOmXQZ38lr0gAfTCbkn4Aituqog7PR41UqQs6QjsznAHMnhEH43"
    "EXghEXMAU8M3XF69SXH5tkwA6rfVs9gt6rcZa91xkEU27Y0q6pXExqEY+jxlFJOyJhWlnL"
    "quhXSHrxdGqqSTBRHrSxkpbTIs7KfX15cF2E8vym6bL59Oz8ns9EPRbuElsESh3M8t1lWe"
    "KLgmqxCnVQibpo5U5ABczhm1NBsBUf9iyxB3bgeQzzBmRxoUBBV/XtPMZ5ApCApZLKppfR"
    "pZLKNTtspZF2MDu/O0C5n0gLyW5YbpAZM1U4ZNDDhbpHje6rbHDz6otNmti0FYLjyEVxpO"
    "RDQ/khkiHiF+Ul6LFDMjhb0HeQSjzCNgVNTQyClKKmjkTNeoqdqy7Fcpy7Zj8ZyvAtveS6"
    "RKNCFrTeOBilKAtRzWkAKV11OWQHcurqZccRuZ/0La4pnLztYtzUU5ZXyegyzRDMNoPiIN"
    "u08NwS+IKcTcDoz+EunLFugXxAD9tuj76G/NN3SOnVI77zBSgH1b7M3ltxbYs1KAfVvs6c"
    "yhPWEzCFBD/MuSoIMmOqjwkttJQzlb3AZ6UEcGMfd3JYggmh+9JRIIiB4geqa1l1KJ6KEf"
    "vq+RDlGbEuqsKIQkjFnP38hkTnRn2yZHz3WzakkQNuntDLYIRuxaFjUAWmiAFQUdtNPBwn"
    "qg85Xe0K4oiAH2G2C/bjr5sFKAfDvkg9AjozcIscMNWa5BvywJGmivgRUKjHUbBTCCgH97"
    "/E3HR/TAn+YKYCVBA+01kAQ5NlcAIwj4t8c/jvVqgT8jCPi3xB/ZZCY3raYO0qIcoL8B+i"
    "3c00U5QL+9g9RyjYcWDtJMDLBvhz35EQ6KUjGb5M2VpJQBv7OcLhpL0w5ajqRCDrjOAKZe"
    "iYXutwoqqsoqM4CHnrlDHEeH2xwV1NRoKckNWRanLwX0UJtlJK7ka4KFnSSG3ITODsebXG"
    "6yK+FQdhkZDYfOIF7luMg3FDMctJghRuQl/TgPvAG8ZTFIfePMwJBc2DfCge7zdibi8iqZ"
    "ABRWKfi+uyisEi0iDbWx4JMjoI7N1bHEz3Tp5pjfdXVuGKkB69xkVyZb6Kb5uSbbONRkhz"
    "QN0bKvId57gTMCGbL5h5vVVDkrSMFM0/lMs0ArFzcqPJdLjEMdSlWe01cBwk20kQmAMjpX"
    "BsLY5ShDfHJQJqBCce26GMw+jg6C0k3itXmaRXxkSjeRBR6303pREmKgxxwDvTId01+3Un"
    "NJFPQ8Zj1v128xHcVO3HNxhjzLfbYFxyUzd3dr/RVZuy2dxsTYDVFBJC7nm88+ojap84Pe"
    "Rs6jiV2HvhSvB/CPDOkfgcOe+i3r8oiw37BSESOiIMq9HPfE/rIK0uK9aElsQJ5yC9v/Xj"
    "akE6GFkzNMhuGFuz/wmjxuZd4n9l8T5qsiCAxY5wxYAWMNo0eTP+HXBTQKOhjOJ743avMF"
    "DgMYFFxgF5UmIIBOfA1aBjrxdeiZll6gC5tuPLRQdVUatD1mbcMpHmJraJoOQI7aK6d48B"
    "hTKbO3KghhthDIDKekjAvs7+mo6uqUFMHc0QHS58XeFAW6Om1ucBoNDsyVbmx6IE3uMDxJ"
    "OlQI/yILsdade25aZSu4PkTdKQtWgTvsGrqoc7UB9LBre4GW+Nw6g+5z1O2vuSdPRezIHc"
    "c3BUnm7XC7y7pUCbRh4kyyhaE23oRdPmTiTrTCAtZtAMpX5jm09/RMk+jH/1kKT4G4EIgL"
    "GQpcOO5nQHwPZOA9EKN7UAEXo1UTbJPmCoR/lM5Rkhq485qBO+eE2pjEwuRsJcXw5hIqpH"
    "wMMDcwi2+jta0iB1TUy1RU0QLZkB4phvVODGhZdqQyzJqSI8OYw8m+tdYYzve2UqYws7/u"
    "1xD21/pm9i+cRELvDXISCVFVg8Uwaa6gGXd0KLESHh0KF0J6qxxZR891aBmRVJJV0OE5XQ"
    "dn1a9tI9/X7xvtOBkRsNylLHcwK8GsBLNyU7OSdYrUG5cl94mciRkJDWdpZuHmYG5Owtxs"
    "kV+wnYyCkU/dhYIyRuDiZmsiKwKpBFVIPT0w1lU8xZlKmcA4MpSUql/VfPcEe6YJ7JnAng"
    "d7Huz5Te35YqROrUFfCeqRsug5EUb9mvTxAysG/dc01inWRvJ7tLXur6HoxrDBFQXsK/C+"
    "WBkik1OQRd7bP5YpD7F/LC4PQe8B8zWgrc9OK5LIFmQAVbA/tmZ/VEdyBwB/zjpSFNzC9z"
    "tOw44JJa616oohx1ImXSnwueeqbJWB3LhKGtCzQ9GzK/JdaM2LIpXEVIyTkwqTa1ATKXBb"
    "4FwQUtB67h5m4MY7t5cdN+AEOoir1KXtVZgV6vjXPurTAfUN1Dds6GHrOcqt53Z2SGwKP2"
    "djVMrwF++HmCT5Xkjtco0ISArcOm8NSYH9ljGGpMAedzK1NaJrsteUqxE9QKgxVBIVoz/N"
    "MmUy5xRBGS0oozUB61y6jJbYPudtjjqrgaIQ9L1WPjlB2DTWO5w9THJnt277oudt+nTfwA"
    "ZlC4E1Tew7tU9b2Z/PZezo+VxsSNN7JVKVfFQNEE6aK4huL5tA8sSAy7XVHvORigwfPr8d"
    "yrqzQPmKeTUkK/f9/wFMUJcu"
)
