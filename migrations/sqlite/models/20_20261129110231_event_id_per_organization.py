from tortoise import BaseDBAsyncClient

# An event id is unique within its organization, no longer across all of them (tool executions and
# usage events).  SQLite cannot drop a column's inline UNIQUE constraint: the tables are rebuilt (copy,
# drop, rename) with foreign keys off, which SQLite only allows outside a transaction; the script opens
# its own (as migration 8 does).
RUN_IN_TRANSACTION = False


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
PRAGMA foreign_keys=OFF;
BEGIN;
CREATE TABLE "tool_executions__rebuild" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "event_id" CHAR(36) NOT NULL,
    "user_id" INT,
    "tool_name" VARCHAR(200) NOT NULL,
    "mcp_server" VARCHAR(200),
    "operation" VARCHAR(64) NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "error_type" VARCHAR(200),
    "duration_ms" REAL NOT NULL,
    "started_at" TIMESTAMP NOT NULL,
    "prompt_id" INT,
    "prompt_version" VARCHAR(128),
    "arguments_size" INT,
    "result_size" INT,
    "received_at" TIMESTAMP NOT NULL,
    "organization_id" INT NOT NULL REFERENCES "organizations" ("id") ON DELETE CASCADE
);
INSERT INTO "tool_executions__rebuild" ("id", "event_id", "user_id", "tool_name", "mcp_server", "operation", "status", "error_type", "duration_ms", "started_at", "prompt_id", "prompt_version", "arguments_size", "result_size", "received_at", "organization_id") SELECT "id", "event_id", "user_id", "tool_name", "mcp_server", "operation", "status", "error_type", "duration_ms", "started_at", "prompt_id", "prompt_version", "arguments_size", "result_size", "received_at", "organization_id" FROM "tool_executions";
DROP TABLE "tool_executions";
ALTER TABLE "tool_executions__rebuild" RENAME TO "tool_executions";
CREATE INDEX IF NOT EXISTS "idx_tool_execut_organiz_99191a" ON "tool_executions" ("organization_id", "tool_name", "started_at");
CREATE INDEX IF NOT EXISTS "idx_tool_execut_organiz_b28933" ON "tool_executions" ("organization_id", "started_at", "tool_name", "status", "error_type", "duration_ms");
CREATE INDEX IF NOT EXISTS "idx_tool_execut_organiz_c855a1" ON "tool_executions" ("organization_id", "user_id", "started_at");
CREATE UNIQUE INDEX "uid_tool_execut_organiz_d6823f" ON "tool_executions" ("organization_id", "event_id");
CREATE TABLE "usage_events__rebuild" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "event_id" CHAR(36) NOT NULL,
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
INSERT INTO "usage_events__rebuild" ("id", "event_id", "user_id", "api_key_id", "resource_type", "provider", "model", "input_tokens", "output_tokens", "cached_tokens", "reasoning_tokens", "quantity", "latency_ms", "status", "cost_usd", "cost_source", "prompt_id", "version_hash", "request_id", "occurred_at", "received_at", "organization_id") SELECT "id", "event_id", "user_id", "api_key_id", "resource_type", "provider", "model", "input_tokens", "output_tokens", "cached_tokens", "reasoning_tokens", "quantity", "latency_ms", "status", "cost_usd", "cost_source", "prompt_id", "version_hash", "request_id", "occurred_at", "received_at", "organization_id" FROM "usage_events";
DROP TABLE "usage_events";
ALTER TABLE "usage_events__rebuild" RENAME TO "usage_events";
CREATE INDEX IF NOT EXISTS "idx_usage_event_organiz_8170df" ON "usage_events" ("organization_id", "prompt_id", "version_hash");
CREATE INDEX IF NOT EXISTS "idx_usage_event_organiz_97924c" ON "usage_events" ("organization_id", "occurred_at");
CREATE INDEX IF NOT EXISTS "idx_usage_event_organiz_e1eaba" ON "usage_events" ("organization_id", "user_id", "occurred_at");
CREATE UNIQUE INDEX "uid_usage_event_organiz_4adedd" ON "usage_events" ("organization_id", "event_id");
COMMIT;
PRAGMA foreign_keys=ON;"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
PRAGMA foreign_keys=OFF;
BEGIN;
CREATE TABLE "tool_executions__rebuild" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "event_id" CHAR(36) NOT NULL UNIQUE,
    "user_id" INT,
    "tool_name" VARCHAR(200) NOT NULL,
    "mcp_server" VARCHAR(200),
    "operation" VARCHAR(64) NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "error_type" VARCHAR(200),
    "duration_ms" REAL NOT NULL,
    "started_at" TIMESTAMP NOT NULL,
    "prompt_id" INT,
    "prompt_version" VARCHAR(128),
    "arguments_size" INT,
    "result_size" INT,
    "received_at" TIMESTAMP NOT NULL,
    "organization_id" INT NOT NULL REFERENCES "organizations" ("id") ON DELETE CASCADE
);
INSERT INTO "tool_executions__rebuild" ("id", "event_id", "user_id", "tool_name", "mcp_server", "operation", "status", "error_type", "duration_ms", "started_at", "prompt_id", "prompt_version", "arguments_size", "result_size", "received_at", "organization_id") SELECT "id", "event_id", "user_id", "tool_name", "mcp_server", "operation", "status", "error_type", "duration_ms", "started_at", "prompt_id", "prompt_version", "arguments_size", "result_size", "received_at", "organization_id" FROM "tool_executions";
DROP TABLE "tool_executions";
ALTER TABLE "tool_executions__rebuild" RENAME TO "tool_executions";
CREATE INDEX IF NOT EXISTS "idx_tool_execut_organiz_99191a" ON "tool_executions" ("organization_id", "tool_name", "started_at");
CREATE INDEX IF NOT EXISTS "idx_tool_execut_organiz_b28933" ON "tool_executions" ("organization_id", "started_at", "tool_name", "status", "error_type", "duration_ms");
CREATE INDEX IF NOT EXISTS "idx_tool_execut_organiz_c855a1" ON "tool_executions" ("organization_id", "user_id", "started_at");
CREATE TABLE "usage_events__rebuild" (
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
INSERT INTO "usage_events__rebuild" ("id", "event_id", "user_id", "api_key_id", "resource_type", "provider", "model", "input_tokens", "output_tokens", "cached_tokens", "reasoning_tokens", "quantity", "latency_ms", "status", "cost_usd", "cost_source", "prompt_id", "version_hash", "request_id", "occurred_at", "received_at", "organization_id") SELECT "id", "event_id", "user_id", "api_key_id", "resource_type", "provider", "model", "input_tokens", "output_tokens", "cached_tokens", "reasoning_tokens", "quantity", "latency_ms", "status", "cost_usd", "cost_source", "prompt_id", "version_hash", "request_id", "occurred_at", "received_at", "organization_id" FROM "usage_events";
DROP TABLE "usage_events";
ALTER TABLE "usage_events__rebuild" RENAME TO "usage_events";
CREATE INDEX IF NOT EXISTS "idx_usage_event_organiz_8170df" ON "usage_events" ("organization_id", "prompt_id", "version_hash");
CREATE INDEX IF NOT EXISTS "idx_usage_event_organiz_97924c" ON "usage_events" ("organization_id", "occurred_at");
CREATE INDEX IF NOT EXISTS "idx_usage_event_organiz_e1eaba" ON "usage_events" ("organization_id", "user_id", "occurred_at");
COMMIT;
PRAGMA foreign_keys=ON;"""


MODELS_STATE = (
    "eJztXWtz5Lax/StT+uJ11WTLeq335qZSJa1kW4lWUukRO3FcNMXBaHjFIWk+pJUT//cL8A"
    "mCAAVwSA4J9Yc4qyGanDkNAt2nH/jPztpbICd8f+Tbf0cvO3+e/WfHNdcI/4O5Mp/tmL5f"
    "fk4+iMx7Jxlq+rbxiF6SD837MApMK8KfL00nRPijBQqtwPYj23PJ6CN3dnR1NsMCMzuchZ"
    "EXoMXMDGe//uoHaGl/+fXX2Ts/vndsaz6z3QX6ghZfz3wnDmfm7OaHoz/tHX6YectZtEKz"
    "55XnIHKn9+TRC8/Cz7bdh96e8m/33y5GA48J0AyP+NO9Hc0C011461n66HA+Cz18i6UZRr"
    "OVGa7I05HrxQ+r/01ulj595qAoJH//23U87zH2Zyt8J89Fs8B7xp8HRADfJnbt32KUfkH8"
    "3zBC5oJ8LXJn/LSZ+WCST2foCQUvBRCplBF5Dwg/IsBw/PwL/jj9mWH+p/9oLG3kLCpatx"
    "fkBsnnRvTiJ5+dudF3yUCC8b1heU68dsvB/ku08txitO1G5NMH5KLAjBC5fRTEZB64seNk"
    "UyafGuk3LYdkmig/WKClGTtkNhHp9AuUn+0YxsXlrXFzemsYO7WZlktQ0yL7yPJcMkvxVw"
    "2TX/9AvsKf9nYPvj34uP/h4CMeknzN4pNv/0gfXQKTCibwXNzu/JFcNyMzHZFgXIKa/H8N"
    "1k8rM+Djmo9nkMVfmUU2x7EJ2vyDEtvyxRwC3LX5xXCQ+xCt8J+733zTAOU/jq4//XB0/Q"
    "6P+po80sMrSbrEXGSX9tJrBO8S3/SdUkG4lOgG4+1O3yrCH2QA/iDG9wMLL15WDLLgqABM"
    "y2g4jT8cSID84UAIMrlUBTnAe4wKwPn44cDdWaP1PQp2BgF4T2aZ2BOvEnu1RYLAYTj22o"
    "4MHwXG2nbjiIO4cLMTyr++/3E0kK0Po5ndneyAJdhWgMhvN8yojvAJvhLZa8SHuSrJYLvI"
    "RN/n/5jiQoJ/4OLSdV6yWdCA6+3Z59Ob26PPV+Rx6zD8zUnwO7o9JVf2kk9fmE/fsSt7cZ"
    "PZj2e3P8zIn7N/XV6cJvB6YfQQJE8sx93+a4d8JzOOPMP1ng1zQW1o+ac5ahWtO9joNeKw"
    "ld5Z2Q40P7J3bCKKzjFp1HSAnrzHVnquSoKWx6xlL3gwXft3k2BgKHmGHMlW26TE4j09R7"
    "EEGK93gRqwlAQAmgJKuIzlI9fxpqdhHeTvvADZD4TQSbA+w9/MdC2eTZdxYZfM7aaF9R/5"
    "XMo/LZ8fmM8FF8R7d/E/MAAoSn2So5tPRyenO7WZ3AHCd9lt9ESWenn5iJKpfG9aj89msD"
    "Aqc5pc8fY85pNibP3Sem/NfmK65kOCDfkV5DvzpjWHAmanvZgIpqeOHBssxhhITCAxxwIt"
    "Q03IcRNN5ESNnQCHWYy+Xg5zzVwRL/rl9KAjbNXJcZxJfvf3a+QUSzR/dy1jeRObAqINtm"
    "aCbAhQd+bH+OB59oLH0DcttCFGP+b30RWoZAcMvTjYGCq8cJs3yY10xcoPvLUfbQjTVXIT"
    "XSHCX8yKC4N4U5RO87vpClc6o4wnvJZ3hdk/0nvpipjrRfbStlJ/3VqZrpu5Ze1xu6Bu+S"
    "m945tAD/94G888e9OFn8bvJL2ntmaXiX9UZKwRvpW1qX1KbvU5uZOuaC0RWhBjvxvAvsvu"
    "pjdmxHJdOtix6gSzH7O76Y1ZCpXhe4nURoClQF15nQUYxoeW6aBgU5iOyD0mG6+UwMcIYm"
    "fTjTEB6Tp2tHWIFsh3vJc12vitOylupCtUyH2yA8/tAKvT8k66ghV5nmN05Ure4ptp70gm"
    "iAWe48R+B3BdJzfSFasH/HuezRcjNNf+xmv89+nNbpJ7aboh5oBFZvCANl2+MsBuk3vpOs"
    "XSWhvDD7ylvfEUu0pudpXeS1fE4hC71sZ9vMCzwiA0xcZ89B2543Fyw4vkfnpDh542Ny0S"
    "yE6fNLYsUqz8oKPp9Zn8+yrQeHKF2HAK7Oilk/l1k91MdopNZbNUyleqTUbH5KTr5bBeuu"
    "jWw/+RnJBX2c00AlYhtyuJaHNyuvJItziXqwinQw6XNjlcaG3aTh1XcRJXIaBdFte+VIXZ"
    "fkOJ2X69xsw3w/DZw+ubarlkTbAV3iNbw5i0ucNDmbS5w0Nx2hy5BlWTg1ZN2qGBl377iY"
    "PysYfBNF3BikzLMWjfY8G+4M4XlGEre44vL8/JnYuUw+OzWwbju8/Hp9fvdhPo8SA7zfzm"
    "Vk4usClo41+WBPMf2iaFCu4CFVdjrriCNGDxSqdXGjDU2UFZ2Ciw7rwsDPLZp5hbO85NvT"
    "NiqRp+6IJcUo1BTAlgBYKpLAfgsEyVWgEx1VQtTeiWb/q5tton3/EX4KHebC3htg1ZqCYE"
    "N+LNuhHDKvuN+xGjsCh6dSTASN7YSFY0+KiiRo7FVy15FJt8bJElGH1g9IHRt5HR94h/mg"
    "q++fgBY2G5wfObM0w87FAG5kMxyodgWYNlDZY1WNbjtPN6sKz7tBwzM5tjNZYGuNhipCz9"
    "vo3FOMbgscbiz1x4n92ipVvSwTYt0UmXeXwDrhCerVEcpg8A83Mo8zNRag3Wu7uzEz6u+X"
    "gGWfLxeyI13XWEh1+a7ZZusfTmmfzSqgkEdny/dnyEvnCMy1v8KR/ffPyAdnxf1nuTyXj6"
    "023FWswxfPf56KevKxbj+eXF9/lwCvNP55fHDNTZSqwwmUuJAeFeBOYyGsZj6j6DsLYt1t"
    "CWaAzPyEMS25iT2CiNEaNnzXnBvnM8U7CccaUZhS+JuFZKPrm8Oz4/nV1dn346uzm7vKhq"
    "NbmYmI5F5uj16dE5702jiFVsbnKg/9vN5UUD8hx59m2zrWj235ljh705rjt/WcauReCd3c"
    "e2E9lu+J48769b2HgIXs0bD7vHMK8UuQG78dSgfkzzmGS3IZG8BjZA7bwwyQPDGk8MqxtZ"
    "5oPSu5GPH8e7QB6rzbsAlKr4XdCXUo39RUutVyVB62PROsc2rOW0ApHe95EyNCMpCy0lAo"
    "fZ1SEt0lPVYGXFeoJ2ahwtRH22FfXhzukOcFbpCD+u+SwLMfsqV/DFX2J2cXd+vlNfhzsA"
    "V/JIgpEtwdJzl9p6BKDKZAFCj3WlyiJori4N1db66E7kha6A1UPzU20nWf+JFuUyJsy4qK"
    "x0r6VeMO1H+0zCyHaEpMFWvjtYVhwEWWJFLTUj+4aCodJJFsf2w1vJs/ifvb39/W/3vtn/"
    "8PHw4NtvDz9+Uxjz9UtNVv3x2ffEsJ/TjIJEJyJKtbIZGbQMZGUwTmq2pyt3HmLl9Gs8tL"
    "v3USaCsPdRHEAg1yaZOWB5pAkvuekgUHefPRB5kekYizgw28SSudIQS5aIJZu2gdcaHz8T"
    "79P2GqkiL5AH7CWwx78xeKFSINrg33AP0IFULkWEXOtFPXmFFgOkJZC2sF1jxCHHEjxBlr"
    "02HUHslxJjY4Cp3PtMXi/EMdKfj87f7X6cf2R6yeX760FtEw0tL+ARveJ5XEjAFJaYwhvk"
    "XEG61RApJqG1QmvTIH8qaYeVA9V0rhrSZlotrkpJQLSakwBAsV/1LbUxs4YR1TC1ZrqpNP"
    "UMqgBZyH5qpWhGVENFTzSHCoqRx7CEVqIJkthWZABVSPbZPE6Yf4HNs338or56Q5SlOyVN"
    "Ft9qJHF01fPpOYQnpp3sbIKwLj1oLhHYzU5JNBaFRMex3Qqo97H1iCIDT7X0vFw2AkWXx7"
    "dt1gSB3KECuWCNgDUyRVS3Gi9vRwX1RflAuHz4vhFdx8nZTVWFDWBlNaQDJuL+S/E+lhe7"
    "HB0L94Ji/HD7wDcT2QSS/BC1OuBCYhyxAK0qgdmmsC2CaKCaPiNoLYJnoJCeFIK3bAywmk"
    "YoGVBJ5yohJt4G0TeOOPQ5GrMhBi0MxIbaNMNvHLUXxTo1one7FPAP2Nx5nQPORs0VSOBV"
    "KQIsMLDAO8ACj8JVBRa4D1SBBQYWGFhgYIHHboUCCwws8FuhUYAFHq1qgAUem0KABR6bSo"
    "AFfluGGLDAYkMNWODeWOC8JZaQAKZ6Zr3K/dIN4fphfWsUL5zFus3DsKbHew3GyvTCfC3t"
    "IIyMECG3xT5RE9Zwq5ju1lC3CJLDOVrqmpUFVY9a1RD3grjXVFCFWswNagU7a7wOpZiy8I"
    "62EvPCi+ylbSV6x6ay6yJnh+OG8YbNm5wxlxIwrFRikPOOky8ODtk2HTI4VLffQ3Uf8U9T"
    "wTcfryW+Xacd4Mct7QeVGEQpARGI7oNCyAoQx8RoSLMpJPRr/3wotZwcNiwnh/XlBLnkp/"
    "NSTj3PQabLh5mSYnC+x2J9zfd8mxx2Zh9fXp5XZvbxGXsg993n49Prd7tMG8u6CwgHRIqn"
    "+jQjLHBA5FvUuiiuBoQaUD8jAbtz6kfMUNDHJjn2EwpsXhqPyqlJNOFwkt7zRSMd9HpkEh"
    "e7V0gdGmNJVqeq6q55HatkmRZoEfvpsfD105I4szcTzf7C/8VC3IGmg4KElBMNIJegSmuU"
    "VVpAgvRIgvjmi+OZHHzFLAglAjRI9zTIJKqNyEktMZrs+UxmFKG1zzvvUbim0yJQjMKSHa"
    "so8g3R1BViykhBX/w6sOEaQxQgP61tl14SKlLAjkqxo3B40lAnz6Ag8DinjN+iLwKMCwEd"
    "pnIT73X6022zRVFAfX558X0+nDUzqmj/n3fP5aTEy0cpoQPeA8RpC/dSwZ6gRGDjq298FB"
    "WgMHOrUjB7pWYvRKrE6E8zZgGRqreodZlIlYttLCPzZVuoniMOdZ7jUXf9Lc+o+1bvOSsL"
    "mh6zpquxEEkrtCoEkWfeyYQQ24fY/taXqH7KOqjQ64YoC8oGNAW7umyOqcrjCCMefUb4Z1"
    "o7nEQA+vK8Kf5vkoHGOhnZQ9RfJrgfIMsLFqn1AbH5ccbm4Rzkjq2N9L0LPEeprqYqpWHi"
    "w64U77XbwHvtcljbBLUEJmWscyn9KMZeoJ5GVsOAGEtB3IAwC/AiDtK9M8S7prtQC2HyhF"
    "sGMseGe8+RTNpGqSH+6mnmtCjQqGNhW+A0cyAFRg72gAn/fTqr3yG0IHcS+6vMiHmTy7rM"
    "xoLXCl4reK2Deq3Fq6fqTNUEtTT2e3CoiMHucpoXiKEuJbTEuGuHCoiYASczCn38ULzZYk"
    "enlQcrvAPk44IXC14seLHgxY4PbE282M+ea0decPNsR9Zqh+PEVgfMm3zYdTrUCJOxfdRb"
    "Mz6s0EPdbmu37TqpFYvnw4GEwfPhQGjvkEvN7uiU2jIVn0y2LxN+GgqeTEdsZ4pZGI7ocN"
    "ve/lSKQUl2DF4pjXtO6UZjJmIpBCSLGNYWZRoVSbDRx2KjixL2axbkdgybm5cwQuuUer8x"
    "137y22vWDWdUo4kTJuMzkt4IE4khuPr0SSkvT5rArLy0SwX9OfD1o+Trc1XJ2qL5eA35t7"
    "3DQ5kCwMNDcQEgucZk55SvgOLOUpXUcGeZ7k7CqRDxY8NHgYV4R/A2kKuMHGQGyXCqa7T2"
    "gpdWeNdFAXIFyOMwcSMibmPChj2bK64TqznILk6lJNrhY6v5zwrC7JeZ/Qlqbec+Rxhmfu"
    "uZ76IoxdEIuXO/SRN1WVBEB4oIkPXUVhG5LCiitSJIw0hjV2kXKEUghi+x/CdwHaojfAgI"
    "qyC82wLiXcBYFmM/8CwU4iUX/6+FGcMVh2W79bKd4xmtCMGuEirjSOqkhy4PCk1w8nzkYh"
    "GHN+NfBbkqDDiLEnG2E0b50Qse8Wr/LK5yYEbMm8Inz9lYqHKAqAlUOQy6VhevnmqVQ01Q"
    "w8AUlI1PscoBysa34uaEEfJDA/8wK454iX/CFbouCAt1faGGegb9cqWgnmE0bhTUM+hdz5"
    "A4llde+gPq1QzU5XljLUOa4ed7CT7zbbipeVECWarx5Fv74KyO1FndbrnJtlfp/j2pJ9OJ"
    "OQA3WPeFBJj0Mia9KiegMRXQ/Xlt5fqtaM5XBDU05idivEulpz6hICRb98oMVypvEiunYU"
    "vGvY8yO8LeR/GOQK4x75T5wKF7xMd+5uPhzM/KC9XFmZ8EWtWTjmiZAc/97Avy2jFHkucc"
    "NR50BCcdAS0EtNAwWQzkQCAlbCsywGID1zaeYzHSqdkByFfFjaY1lWXRrbzDY+Iwj8jpmj"
    "sc9jK9MG88+oIM2RJhiSdUEFFFyvwhJMKdXA5iBzEfK/Gbb4Xc3HCjE9OWoRcHlhLvU0oM"
    "aLWTeTKM5X4odzB3w7ncrM2O3MiOlFyjUkI7x2hfyi/ab3CL9uteUZI+quh+0jKdEC4j6v"
    "h0IAXyQQPIB5DKNDhHHKInFCiuFLSMhiB3ny+2RmGILa46xrfoi7CsuhDRYDluokVOf7pt"
    "pgYLVuT88uL7fDjLF247bjdOV6S3sN0qQOHKczjGcQPGFSnAWSrjsXBsakC/0mKmIqkh8z"
    "oRplUqhre0yU9toeWKIBw0PWYdm9YjvuSgRbtmhBxx0Pdk9H3/osby84WB7uclrYee89Qy"
    "ab0iCq/TmF+nQlmqr1JdEF4jTssXL1JyT/PxOmQNDe2cOmYY4XlOTn5vtW7x5GHxGvPiFf"
    "uLlgk0VUkN3biJJtBw1J59+zEl0Izsle7c9ivjuLLGQCkBgI48d2ZkWPeaOpNHmjdEOEnT"
    "uM7upSe81BtcgRU/f3Zxd37elDpDRcefUFZdx1SuZXLf/f0aOcVEbQD79AlNMpVRBPcfva"
    "cXpYiJcowKPF9JNDJKDfacbpQ+Lp1x0LZntJWQj/jH1/EXx7Dz8RrGr7tPElgG3tpQT8Vg"
    "xHTgCnov2fNa4FwRggktATPeLjzFLl+0CPgOwCBCess4Ae8i7aJFeFZXfm66fBwnJEuZ8r"
    "KrPiUCNWyvU0ZmXijSBZMxQXhlaQx6Xo2uAihhkEQeek4vveagE6JmS+VA66IhcH7aL9T3"
    "DFrfA22J6Jp8uZL8por8ej55PsFlES4lNMS4l9ZP5gM2PR4EsQ8x0IyYDt5N39URlrf2zc"
    "AO1YCuSmk4q/dlStbEBWs1ZmlrKftjg7ln5xEbYS5Jym4HOFcanHYZ3PHPIgc82G7MPQFH"
    "aNXVBcHT43UrQe6CzEx1gDmSwyH8zUTghULMAUyN0PJ4/SbF7dsKAejf1sxit+jfZq1M10"
    "UOdtqVOuoxYuNQDHmeNorJWZOaUo49z0Gmy9cLJcXo5B6L9aWMnDYZFvbjy8vzCuzHZ2zY"
    "5u7z8Slenb6u2i28ApYklfulxb7KE4XQZB3ivAuhaulITQ7A5ZxRS6oREIkvtkxx594A6h"
    "nGHEiDhqDi12ua9QwyDUGhikU3rU+jimV0yta56mJsYHdediFTHlD2stywPGCyZsqwhQEn"
    "9zmeN+ba5ycf1MbMm3IQFvc+CpZGkIkYYSIzRD5C+qSyF2lAzRT6GtQRjLKOgFKRopFTld"
    "TQyJmuUVO3Zem3UpZtD8Rrvg5sey+ZKsmCbKjmA1WlAGs5rKEEquynLIHuobibci1sZP+O"
    "jPsXLjvbtDVX5bSJeQ6yRVMMo/2EjMB7VgS/IqYRczsw+gtkLlqgXxED9NuiH6LfjNAyOX"
    "ZK47pDSQH2bbG3F19aYE9LAfZtsScrh/Ec2FGEFPFnJUEHKjqo8ZLbKUM5ub+JzKiJDKKu"
    "zyWIIFIfvSUSCIgeIHqm5UvpRPSQFz808A1RmxbqtCikJIxZz1/wYo51t17bHD03raqMID"
    "jp7Qy2BMbAcxxiALTQAC0KOming3vnkaxXpqJdURED7DfAfqW6+NBSgHw75KPYx7M3igOX"
    "m7LcgD4rCRpor4EliqxVGwVQgoB/e/xtN0TkwB91BdCSoIH2GsiSHNUVQAkC/u3xT3O9Wu"
    "BPCQL+LfFHa7yS245qgLQqB+hvgH6L8HRVDtBvHyB1POuxRYC0EAPs22GPv4SLklJMlbo5"
    "Rkob8Dur6SK5NO2g5UhqFIDrDGASlbg3w1ZJRXVZbSbw0Ct3HKTZ4WuOChp6tDByQ7bF6U"
    "sBPfRmGUko+RJjsc4KQ65jd4cTTWaHzCUCyh4lYwSxO0hUOW3yDc0MB21mGCD8I8O0DlwB"
    "XlYMSt84KzAUF/aNcGSGPM9E3F6lEIDGKpXYdxeNVZJNRFEb93xyBNSxuToWwQvZujnmd1"
    "OfG0pqwD43xSeTbXSjfq7JNg412cFDY7Toa4r33uAMQ4bW/MPNGrqcVaRgpel8pblHSy9Q"
    "ajxXSoxDHVp1njOXEQpUtFEIgDI6VwYKAo+jDPHJQYWADs21m3Iw+zg6CFo3iffmaTbxkW"
    "ndhDf4oJ3Wq5KQAz3mHOil7drhqpWaGVHQ85j1vN24xXQUO/HIxQnyHe9lLTgumbo6b4xX"
    "FOO2dBoTZTckDZG4nG+5+ojG5MEPchm5T3bgueRH8e4A8ZEh4yNw2FO/bV2eUBAqdiqiRD"
    "REuZfjnuhvVkNa7IsyYgPylFtw/3txSCdCC2dnmAzDC3d/4DV+3NJ+yOw/FearJggMWOcM"
    "WAVjI0BPNn/Bb0poFNxguJj47qjNFzgMYFBwgV3UmoAAOvEtaBnoxLehZ9J6gWxspvXYQt"
    "V1adD2mLUNp3iIraFpBgA5aq+d4sFjTKXM3rogpNlCIjOckjIusP/IZ1VXp6QI1o4OkD6t"
    "3k1ToOvL5gan0QSRvTStTQ+kKQOGR9kNNcK/ykKsTPeBW1bZCq5Pye20BavCHXYNXXJzvQ"
    "H0A2/tR0YWc+sMuqvktv8oI3k6YoevuKEtKDJvh9ttcUudQBsmz6TYGBrzTejtQybvxKhs"
    "YN0moPxMPYfcPT/TJPnyvzDpKZAXAnkhQ4ELx/0MiO++DLz7YnT3a+AGaKmCbTZcg/QP5h"
    "wlqYl72DBxDzmpNja2MDmupBjeUkKHko8B1gZq81Xa22pyQEW9TkVVLZAN6ZFqWu/EgJZl"
    "R2rTTJUcGcYczvzWRmO49G2lTGHKv+7XEA5X5mb2L5xEQq4NchIJVpXCZpgN19CM+3AgsR"
    "N+OBBuhOQSm1lHznVomZHEyGoY8JxugLMe116jMDQflDxOSgQsdynLHcxKMCvBrNzUrKSD"
    "Is3GJRM+kTMxE6HhLM0i3RzMzUmYmy3qC7ZTUTDypbvSUMaKvEBtT6RFoJSgDqlvRtaqjq"
    "e4UqkQGEeFklb9q9S9J/CZJuAzgT0P9jzY85va89VMnUaDvpbUI2XRczKM+jXp0wfWDPqf"
    "81ynVBvZ9zFWZriCphvDJldUsK/B+2pniEJOQxZ5d++jTHuIvY/i9hDkGjBfA9r69LIiiW"
    "xFBlAF+2Nr9kd9JncA8FVxI03Brby/4zTsqFTiRquumnIsZdIxic89d2WrTWTlLmlAzw5F"
    "zy7xe2GoN0VixHTMk5NKk1PoiRR5LXCuCGloPXcPM3DjndvLrhdxEh3EXery8TqsCk38ax"
    "/96YD6BuobHHpwPUfpem7HQ6JL+DmOEVPhL/aHqCL5XkhttkcEFAVunbeGosB+2xhDUWCP"
    "nkxjj+iG6jXtekQPkGoMnUTF6E+zTZnMOUXQRgvaaE3AOpduoyW2z3nOUWc9UDSCvtfOJ7"
    "ee55x+QVYsivFUB8ybnJkIDzVQPnYQfwY9Zf5hPVGHf4AO1Xo5+bq5dV0y2snZiunEIl+M"
    "OjDqF8G5PHGIgvoTRKPZxxbjIRo1ymhUMcVqOri7Ozvha4CWYfQQx/biPZGc7grFwzbtL5"
    "LaTbRFlPzSql1LvS6Slg0lAbGQeiyksqLIR/EoIS193x6aiqwt38Bz8Yl3dHJDkW1FSocI"
    "1ABQez4SHdUjRroiNCDLkBo9xFjxnGEYh+4bBUzjFKrhuMkPMtQkSxRQzOQHFuCqYSkLcl"
    "UKFg+55k9bPR52bBO7Ad+258OO9CicCSE/Jl5SKl1gOxnqY1u7+kn7b3HAaV1Sv72hlzoW"
    "M3iIE6rRCO3fOVuxOCWvJggzuj6j8YqDv58qtowUAMsD1kL2U6t9lhHVcKOFgCAEBCEgOP"
    "GAYN9xrmvPcWJ/RxDkyq7OX41wBclAufDWzqWLZvex9Yiimbecefgvco8/z3799SEw8Xc0"
    "Azt6+fXX2VcrLw6+mnnB7KuF+fLVHA9IxYzEScIj7Cic3d1+miV/v99hlNfrg2QKrDj6px"
    "7MhMnoJ0Lga6SBL4jTQJxmovwfs/LIYs2IaYi2jD8t9qZrvnRlHVd0SlhZDb2SiXghUvSf"
    "ZToOLzurYTsuRIbzOr7RYEdmIkaKoJcygHo71IsgUBiv20WPMsEhw0d9qaDn2FEZ3eRMc3"
    "GjS0ZsHO0uyWO1aXcZ4r3ZWhm/o8BTXIBYSViG2i1DGY6Op+CAVWS0Ab4zByyDx/Jifqa5"
    "7ZrBSyOypSiD7v1LlK5F03Jxm2ZptlIUywpeVY7PLo6u/8nvJXDMWVmO/3l7egTnxAOfPR"
    "6wNeGzv8eIP5svN+baT2CuUdrVAfMmVvshHWqEydghunFxwM3LcPHr7iCLrqGIzADfKhtW"
    "vQzM8SiZYyjB7rEEu/IG1EB+7UCvqixwbqPm3FbIdKIVh8I+9jwHmS5fyZQUa6Rm6en6qP"
    "T48vK8os3jM7ah1d3n49Prd7tfV7kIbuKSj5+LVHOGGbmWpM90/IIuaJ9VFPnCzoPCTZqR"
    "ghCjgDFW2XoLAf2yR3uJLC7thzhQIyspESAqOycqt08njO0l6DprgXa/JKGtyACoI6doRo"
    "Z15wxNfTZ3gHHGr9wW99MT5MqbPEICLMNfTICVCnqdAEt/7PYaMf68g1zynRKwHTMkJ5m2"
    "prveCtcFjRoHKMSCRo0TYwnjwFHBNhuuJbSybmCjH1gDmFqpFbg5SmpAbi5flSfLzeGnoe"
    "DJdIwQ4ecvVEgjnuhwUeMPU0mNIGy/F0digBsYUI7skKlvh+8nmvxWt/BqqDeHc7g36CCm"
    "M05fRYuQTqKydnEdVrTdBjId3Xa4fyTQKXPjVSkgyKUIcuhaLUZf3yL12F+01HpVErQ+Fq"
    "1zdrPs248p9jI6ZescJxgb2AOmclI55GWSJGO7KfQpryVnTsuMEAHfa6fyq/jesa2rwFva"
    "/IzX6oB5E+HvJ0MNPx3bf8YrEPdDEvekDYEqeU/LdMOCbhfiiqF/IGPnH4jN/IN6g0079B"
    "3zRbmbASunIeHcS6zEN4MIY9LitN665IB9kV3PRTsDoS4FegPmNcjJHhGulCn+ityAJH/x"
    "yWRZGqAOxJN9mk4kUAdvUetAHYwhojd8+66RmcBAxWyfEZj3SsWgMMwPGmvPxdxEeJVd36"
    "T30gh6DhlTXRzqsF266NbD/5Gcs3fZTSa1LMjOVGoxlJihGzFb1RnIYbZqU1TMbIXJUIN+"
    "NXqu5c5INM4BeMB6Dcl6wTEcr73zE7Sb6+5S2WRMORWOJwqmM8d0frLRswqwxXhoucRCuf"
    "Qcx3tGQWg84GfwyDQhqjxRAJgF2HzCP/0BGWQOIl6zyIbETY4s9CysspSctE0fmY9iuMVn"
    "ITFiMJVr/C/+3Q9eoNSymZYZMLAxVFCjh1ASsOxi9KfJt8qw7FUvTXbJqgiBqfg6K+iX2S"
    "cbEoK1bJaJAS3Ls1Tn2JgqjO9C/PlxvHhA0YUX2Rba4VAz9UHzJnomJsON+2Q8fleJwCDl"
    "xj4KbG9RNtuPVnhpWXl4guIrFnKjWi0ykDdDkjesfurbssiorMo1bcrTXUS4ljzeVNkatt"
    "qklp+oXFnY8XhNlH2MjhGHnGWgwdWsSMG5yjJ+ZrZLqCJdFQOoZaA2HRQotjiiRaDDESRz"
    "gZtJbgFpPZCGsv1tYurN3ROn8vQJudzGVtTV+eu+JiIDB/ExkycRNOttrXh4W1YcBFSbd8"
    "4YOgdDYrgfeGs/35OfUEAyIIyVGa6gUfxIG8UXU6amg7u7sxO+BmgZRg9xbC/eE8npLl08"
    "bBOWfz/d1en9Ovml20761NyMNX3beEQvir5BRQhg5TZb9+LAQikqNWTF8b6aoIYVZN13g8"
    "M745O94KV8NhSOUTIQWZWJrCY2mArEhYB2+PbSWsZ2/TjCRugj4uZ8N1ltjKQ2uRcDn0no"
    "xVFbFdREQQftdGCZ1gr7QW10UBMFHbTTQYDM0HPx92qlBp40aKKdJn6LTTeyI07OWEOIhB"
    "aChMdXoyMOhsG1XlQPRqqKwblIEkirt3fYSluHMLYsFIZDmZJde0OWFwrCqifIstemI9g9"
    "KTE2KpXKvc/kdVo/8Gz+fHSOUZxn3TPKCUx3juEgnDrqKpOZERtwRseuH9gWWgwzpXtoVk"
    "JT3/LZnaUMkFScMiA6hKAwjVk5/TrH7u59lJnBex/FU5hcY41q/EtD/iRuIgRpKf2g7oVJ"
    "oaNp9U2wMTuDEdUwPWMi6Rg5Jo35GAGykP3UStGMqIaKhjwcyMOBPBzIw2nOw/lM/n0VNN"
    "V/UEPmr2fkJBeMxN8YJC+niDI9mY6N0cNmP1R7bLXaYwqBwmkbuBDwHiLgnYZVE9bGR0Ea"
    "zVCiiEU3AFL+Vao4i6duAL7wDoD+q+gnkVSD+A8GlVuQYKmkg1fuA0GTFm8CE17d6J3g3A"
    "t0IqETytSswd9MO1QlNWQdJsIySNFLeanWvWKCbE0Owg9QQQfM3Q4wd8DcjWJ30oK5u3JM"
    "bjvd8uL8dbbOx+PggCi9+DfVU4uGP61ox4rDKDWBJ8oNOfbajjipbH+7ubwQ5AsWEqzFYl"
    "vR7L8zxw572752/rKMXYvAOLuPbSey3fA9eexf+9JAA+AEoYqxkuP87vPRT6wKPp1fHrNW"
    "CLnBca02xY1WzovR1FSkMfuNf4ON8+BGZsNLZMLtHsz3pBPh6P5MxsLkpCk39Autiw5nz+"
    "2OemlnO7cU3ZuUFhye7DiWHvI8bZYe0uZuaVupqWitTNdFDjYZlVTVdA9QWecqgzO5xAvY"
    "NKkHDp03hTO5Ju+G1IgHFX9YlqRQPLdnU4piEuf3tCMoNicdrj3Hif0T005WCD73QI+Zv0"
    "5BBMnwEBuBuUCPGUMZVvex9YjN/KKx6AKv1m5+/NAjepFr8lORqtwSOvKMsyPPCPeAbW/4"
    "HXss7JulYl2xshraV9O1p+qxnMryJ0s2VoQ0zPfrvviNbEcKAGfDNYR2/0AG2/0DMbj7dQ"
    "orK7BS7nFQSkFvg3a9DVAQeLwjhppwL2UA9XaoQ5ehbWsAugxtXwfQZWj7OoAuQ2PRBHQZ"
    "GiClXtiVpSl/XtyTBTAWd3IK43Xbbk6lKOAtjTeHAGhauitisGa3W7MzEOvIN2QglSLjCC"
    "pPPgVpo/BXL5GZH7w4eDU0kw2ay8dmVqXECIMzEGyBYMs0+EwItkCwBYItEGwZP7QQbNFg"
    "b4ZgCwRb3rYGINiyfR1AsGX7OoBgy1g0AcEWCLbogDEEWyDY8lbWbAi2QLAlj6PcICsO8F"
    "YsPMC6OmDeFGQJs6G9HWNdr2KROGi6NiY7k9T2uVfTE4uT2c27TAqQzchw8DCnNgAiN6OM"
    "3Izp4OoxlOPxkFU4trr6hshyy1UpHSnmPRmGeU9MMO+x/DK71shCzcppCHb3oZLKriCLdE"
    "VIQ5gPDiVgPjgUwkwuMa1t8GbuKZ0ZVEpoCHAPh4uZkdL5V/l4DcE93JVZkvEoIbzJNblT"
    "H4W2nPDQR+ibSoypEAVq2TSUBAAqABT7ei4nhUa8ClSlNDyY7fCDxFKAR4nPrSDXqlAvUG"
    "TaHMtMTKOUEhuxKCODeuiGR3Ag3hvJEiN5ugo7Qz4ckit5qQNbT18d2aqldafqkWHdVR8o"
    "/D1mF3fn59vqVH2EAtta7XBo8uzKvIkfN8sx0J56Sq/5vIFczs6PVjG2KRENve69QxnSCI"
    "9qMLVrtBF5qRQQzoZriG4v7b/xEyOuwyj2ZCiR4QPCE/dlthr6/eP/ASPuiXU="
)
