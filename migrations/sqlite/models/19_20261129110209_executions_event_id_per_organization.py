from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    # SQLite cannot drop the column's inline UNIQUE on event_id: the table is rebuilt without it
    # (same columns, same foreign keys and indexes), then unique per organization and time.
    return """
        CREATE TABLE "prompt_executions_rebuilt" (
            "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
            "event_id" CHAR(36) NOT NULL,
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
        INSERT INTO "prompt_executions_rebuilt" ("id", "event_id", "version_hash", "status", "total_duration_ms", "ai_response_time_ms",
            "query_execution_time_ms", "latency_ms", "cost_usd", "score", "data_source_ids", "schema_names",
            "user_id", "occurred_at", "received_at", "organization_id", "prompt_id")
            SELECT "id", "event_id", "version_hash", "status", "total_duration_ms", "ai_response_time_ms",
            "query_execution_time_ms", "latency_ms", "cost_usd", "score", "data_source_ids", "schema_names",
            "user_id", "occurred_at", "received_at", "organization_id", "prompt_id" FROM "prompt_executions";
        DROP TABLE "prompt_executions";
        ALTER TABLE "prompt_executions_rebuilt" RENAME TO "prompt_executions";
        CREATE INDEX "idx_prompt_exec_prompt__98252b" ON "prompt_executions" ("prompt_id", "occurred_at");
        CREATE UNIQUE INDEX "uid_prompt_exec_organiz_50fc41" ON "prompt_executions" ("organization_id", "event_id", "occurred_at");"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE "prompt_executions_rebuilt" (
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
        INSERT INTO "prompt_executions_rebuilt" ("id", "event_id", "version_hash", "status", "total_duration_ms", "ai_response_time_ms",
            "query_execution_time_ms", "latency_ms", "cost_usd", "score", "data_source_ids", "schema_names",
            "user_id", "occurred_at", "received_at", "organization_id", "prompt_id")
            SELECT "id", "event_id", "version_hash", "status", "total_duration_ms", "ai_response_time_ms",
            "query_execution_time_ms", "latency_ms", "cost_usd", "score", "data_source_ids", "schema_names",
            "user_id", "occurred_at", "received_at", "organization_id", "prompt_id" FROM "prompt_executions";
        DROP TABLE "prompt_executions";
        ALTER TABLE "prompt_executions_rebuilt" RENAME TO "prompt_executions";
        CREATE INDEX "idx_prompt_exec_prompt__98252b" ON "prompt_executions" ("prompt_id", "occurred_at");"""


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
    "ee55x+QVYsivFUB8ybnJkIDzVQPnZLZ+1U2ysnXym3oEvWOjk/MZ085OHUoVC/CM7eiUMU"
    "1J8gGs0+thgPEadRRpzQk4gFu7s7O+FrgJZh9BDH9uI9kWyzCm1VHQ3Iph1EUsuItnmS31"
    "m1XKmXRdJ2oSQg2lGPdlTWE/k4HSWkpXfbQ9uQteUbeC4+8Q5HbiijrUjpEGMaAGrPR6LD"
    "eMRIV4QG5BFSs4aYI54zDKfQfSuAaZwzNRz7+EGGfGSpAIp7/MACXDUrZUGuSsHiIdfeaa"
    "sHwI5tYjfg2/YE2JEedjMh5MfEPEolBGwnB31sa1c/if0tjjCtS+q3N/RSqWIGD3FCJhqh"
    "/TtnKxYn3dUEYUbXZzRecfD3U8WWkQJgecBayH5qtc8yohputBDyg5AfhPwmHvLrO5J17T"
    "lO7O8IwljZ1fmrMawgGSgXwNq5dNHsPrYeUTTzljMP/0Xu8efZr78+BCb+jmZgRy+//jr7"
    "auXFwVczL5h9tTBfvprjAamYkThJeIQdhbO720+z5O/3O4zyen1Qy2Ab9WAmSEY/EcJeIw"
    "17QZwG4jQT5f+YlUcWa0ZMQ7Rl/GmxN13zpSvruKJTwspq6JVMxAuRov8s03F4+VcN23Eh"
    "MpzX8Y0GOzITMVIEvZQB1NuhXgSBwnjdLnqUCQ4ZPupLBT3HjsroJmeai1tZMmLjaGhJHq"
    "tNQ8sQ783WyvgdBZ7iAsRKwjLUbhnKcHQ8BQesIqMN8J05YBk8lhfzc8lt1wxeGpEtRRl0"
    "71+idC2alovbNEuzlaJYVvCqcnx2cXT9T363gGPOynL8z9vTIzgJHvjs8YCtCZ/9PUb82X"
    "y5Mdd+AnON0q4OmDex2g/pUCNMxm6pMiMvtMWvu4MsuoIiMgN8q2xY9TIwx6NkjqHIusci"
    "68obUAP5tSO7qrLAuY2ac1sh04lWHAr72PMcZLp8JVNSrJGapafro9Ljy8vzijaPz9iWVX"
    "efj0+v3+1+XeUiuIlLPn4uUs0ZZuRakj7T8Qu6oH1WUeQLewsKN2lGCkKMAsZYZestBPTL"
    "Hu0lsri0H+JAjaykRICo7Jyo3D6dMLaXoOusBdr9koS2IgOgjpyiGRnWnTM09dncAcYZv3"
    "Jb3E9PkCtv8ggJsAx/MQFWKuh1Aiz9sdtrtfjzDnLJd0rAdsyQnFXamu56K1wXtGIcoBAL"
    "WjFOjCWMA0cF22y4ltDKuoGNfmANYGqlVuDmKKkBubl8VZ4sN4efhoIn0zFChJ+/UCGNeK"
    "LDRY0/TCU1grD9XhyJAW5gQDmyQ6a+Hb6faPJb3cKrod4czuHeoIOYzjh9FS1COonK2sV1"
    "WNF2G8h0dNvh/pFAp8yNV6WAIJciyKEvtRh9fYvUY3/RUutVSdD6WLTO2c2ybz+m2MvolK"
    "1znGBsYA+YyknlkJdJkoztptCJvJacOS0zQgR8r73Ir+J7x7auAm9p8zNeqwPmTYS/nww1"
    "/HRs/xmvQNwPSdyTNgSq5D0t0w0Lul2IK4b+gYydfyA28w/qDTbt0HfMF+VuBqychoRzL7"
    "ES3wwijEmL83jrkgP2RXY9F+0MhLoU6A2Y1yAne0S4Uqb4K3IDkvzFJ5NlaYA6EE/2aTqR"
    "QB28Ra0DdTCGiN7w7btGZgIDFbN9RmDeKxWDwjA/Sqw9F3MT4VV2fZPeSyPoOWRMdXGow3"
    "bpolsP/0dyzt5lN5nUsiA7U6nFUGKGbsRsVWcgh9mqTVExsxUmQw361ei5ljsj0TjH3wHr"
    "NSTrBcdwvPbOT9BurrtLZZMx5VQ4niiYzhzT+clGzyrAFuOh5RIL5dJzHO8ZBaHxgJ/BI9"
    "OEqPJEAWAWYPMJ//QHZJA5iHjNIhsSNzmy0LOwylJy0jZ9ZD6K4RafhcSIwVSu8b/4dz94"
    "gVLLZlpmwMDGUEGNHkJJwLKL0Z8m3yrDsle9NNklqyIEpuLrrKBfZp9sSAjWslkmBrQsz1"
    "KdY2OqML4L8efH8eIBRRdeZFtoh0PN1AfNm+iZmAw37pPx+F0lAoOUG/sosL1F2Ww/WuGl"
    "ZeXhCYqvWMiNarXIQN4MSd6w+qlvyyKjsirXtClPdxHhWvJ4U2Vr2GqTWn6icmVhx+M1Uf"
    "YxOkYccpaBBlezIgXnKsv4mdkuoYp0VQygloHadFCg2OKIFoEOR5DMBW4muQWk9UAayva3"
    "iak3d0+cytMn5HIbW1FX56/7mogM3FJPd8+y4iCgWrlzxtB5FhLDs2Pv0z+eUECyHIyVGa"
    "6gGfxIm8EnE5C7F9zdnZ3wNUDLMHqIY3vxnki2WZ7GkHnEQzbh8ffTfZvekZPfue20Ts0N"
    "VdO3jUf0omj9V4QAVm47dS8OLJSiUkNWHNGrCWpYI9Z9vze8Lz7ZC15SZ0NpGCUDsVOZ2G"
    "liZalAXAhoh28vzWNs148jbGY+Im5Wd5PNxkhqk10x8KmDXhy1VUFNFHTQTgeWaa2wF9RG"
    "BzVR0EE7HQTIDD0Xf69WauBJgybaaeK32HQjO+JkhTUEQWghSGl8Nf7hYBhc60X16KOqGJ"
    "x8JIG0egOHrTRuCGPLQmE4lCnZtTdkeaEgcHqCLHttOoLdkxJj406p3PtMXqf1A8/mz0fn"
    "GMV51h+jnMB0bxgOwqmjrjKZGbEBZ3Ts+oFtocUwU7qHdiQ08S2fv1nKAEnFKfShAwgK05"
    "iV06837O7eR5kZvPdRPIXJNdaoxr805E/iJkKQltIP6l6YFDqWVt8EG/MvGFENEzAmknCR"
    "Y9KYcREgC9lPrRTNiGqoaMi0gUwbyLSBTJvmTJvP5N9XQVOFBzVk/nrOTXLBSPyNQao7ii"
    "jTk+nYGD1s9kM9x1brOaYQKJy2gQsB7yEC3mlYNWFtfBSk0Qwlilh0AyDlX6WKs3jqBuAL"
    "7wDov4p+Ekk1iP9gULkFCZZKOnjlPhA0afEmMOHVjd4Jzr1AJxI6oUzNGvzNtENVUkPWYS"
    "IsgxS9lBdj3SsmyNbkIPwANXLA3O0AcwfM3Sh2Jy2YuyvH5DbMLS/OX2frfDwOjoDSi39T"
    "PZdo+POIdqw4jFITeKLckGOv7YiTyva3m8sLQb5gIcFaLLYVzf47c+ywt+1r5y/L2LUIjL"
    "P72HYi2w3fk8f+tS8NNABOEKoYKznO7z4f/cSq4NP55TFrhZAbHNdqU9xo5bwYTW1DGrPf"
    "+DfYOA9uZDa8RCbc7sF8TzoRju7AZCxMTppyQ0fQuuhw9tzuqJd2tjdL0Z9JacHhyY5j6S"
    "HP02bpIY3slraVmorWynRd5GCTUUlVTfcAlXWuMjh1S7yATZN64NB5Uzh1a/JuSI14UPGH"
    "ZUkKxZN5NqUoxtAnoyeCYnPS4dpznNg/Me1kheBzD/SY+esURJAMD7ERmAv0mDGUYXUfW4"
    "/YzC9ahy7wau3mBww9opdaBhH3LhWpyi2hH884+/GMcA/Y9obfscfCvlkq1hUrq6F9NV17"
    "qh7LqSx/smRjRUjDfL/ui9/IdqQAcDZcQ2j3D2Sw3T8Qg7tfp7CyAivlHgelFPQ2aNfbAA"
    "WBxztEqAn3UgZQb4c6dBnatgagy9D2dQBdhravA+gyNBZNQJehAVLqhV1ZmvLnxT1ZAGNx"
    "J6cwXrft5lSKAt7SeHMIgKaluyIGa3a7NTsDsY58QwZSKTKOoPLkU5A2Cn/1Epn5wYuDV0"
    "Mz2aC5fGxmVUqMMDgDwRYItkyDz4RgCwRbINgCwZbxQwvBFg32Zgi2QLDlbWsAgi3b1wEE"
    "W7avAwi2jEUTEGyBYIsOGEOwBYItb2XNhmALBFvyOMoNsuIAb8XCI6qrA+ZNQZYwGzrgQd"
    "USx0zXxmRnkto+92p6XnEyu3mXSQGyGRkOHubUBkDkZpSRGzi2utNjq6tviCy3XJXSkWLe"
    "k2GY98QE8x7LL7NrjSzUrJyGYHcfKqnsCrJIV4Q0hPngUALmg0MhzOQS09oGb+ae0plBpY"
    "SGAPdwuJgZKZ1/lY/XENzDXZklGY8Swptckzv1UWjLCQ99hL6pxJgKUaCWTUNJAKACQLGv"
    "53JSaMSrQFVKw4PZDj9ILAV4lPjcCnKtCvUCRabNsczENEopsRGLMjKoh254BAfivZEsMZ"
    "Knq7Az5MMhuZKXOrD19NWRrVpad6oeGdZd9YHC32N2cXd+vq1O1UcosK3VDocmz67Mm/hx"
    "sxwD7amn9JrPG8jl7PxoFWObEtHQ6947lCGN8KgGU7tGG5GXSgHhbLiG6PbS/hs/MeI6jG"
    "JPhhIZPiA8cV9mq6HfP/4fL890aw=="
)
