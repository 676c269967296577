from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


# Hand-edited (aerich wrote only the unique-constraint change): prompt_executions becomes a
# table range-partitioned by occurred_at.  A partitioned table's unique constraints must
# include the partition key, so the primary key is (id, occurred_at) and an event is unique
# by (event_id, occurred_at).  A populated table is converted in place: it is renamed, gets
# the two indexes the parent needs (the (prompt_id, occurred_at) index is reused as is) and a
# CHECK that lets ATTACH skip its validation scan, and is attached as ONE partition covering
# its whole range in weeks (from the week of its first event to the end of the week of its
# last).  Its foreign keys are reused, not re-validated.  Nothing is copied.  A DEFAULT
# partition catches events for periods without a partition (late events, up to ten years
# back); services/core/partitions.py creates partitions ahead, moves such rows out of the
# default partition into a partition of their own, and drops expired ones.
async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
DO $$
DECLARE
    lo timestamptz;
    hi timestamptz;
    con record;
    seq text := pg_get_serial_sequence('prompt_executions', 'id');
BEGIN
    IF (SELECT relkind FROM pg_class WHERE oid = 'prompt_executions'::regclass) = 'p' THEN
        RETURN;
    END IF;
    ALTER TABLE prompt_executions RENAME TO prompt_executions_legacy;
    ALTER INDEX "idx_prompt_exec_prompt__98252b" RENAME TO prompt_executions_legacy_prompt_id_occurred_at_idx;
    FOR con IN SELECT conname FROM pg_constraint
               WHERE conrelid = 'prompt_executions_legacy'::regclass AND contype IN ('p', 'u') LOOP
        EXECUTE format('ALTER TABLE prompt_executions_legacy DROP CONSTRAINT %I', con.conname);
    END LOOP;
    -- its foreign keys step aside so the new table's get the usual names (ATTACH reuses these)
    FOR con IN SELECT conname FROM pg_constraint
               WHERE conrelid = 'prompt_executions_legacy'::regclass AND contype = 'f'
                 AND conname LIKE 'prompt\\_executions\\_%' LOOP
        EXECUTE format('ALTER TABLE prompt_executions_legacy RENAME CONSTRAINT %I TO %I', con.conname,
                       'prompt_executions_legacy_' || substr(con.conname, length('prompt_executions_') + 1));
    END LOOP;
    EXECUTE format('ALTER SEQUENCE %s OWNED BY NONE', seq);
    EXECUTE format($t$
        CREATE TABLE prompt_executions (
            "id" BIGINT NOT NULL DEFAULT nextval(%L::regclass),
            "event_id" UUID NOT NULL,
            "version_hash" VARCHAR(128),
            "status" VARCHAR(20) NOT NULL,
            "total_duration_ms" DOUBLE PRECISION,
            "ai_response_time_ms" DOUBLE PRECISION,
            "query_execution_time_ms" DOUBLE PRECISION,
            "latency_ms" DOUBLE PRECISION,
            "cost_usd" DECIMAL(18,8),
            "score" DOUBLE PRECISION,
            "data_source_ids" JSONB NOT NULL,
            "schema_names" JSONB NOT NULL,
            "user_id" INT,
            "occurred_at" TIMESTAMPTZ NOT NULL,
            "received_at" TIMESTAMPTZ NOT NULL,
            "organization_id" INT NOT NULL REFERENCES "organizations" ("id") ON DELETE CASCADE,
            "prompt_id" INT NOT NULL REFERENCES "prompts" ("id") ON DELETE CASCADE,
            PRIMARY KEY ("id", "occurred_at")
        ) PARTITION BY RANGE ("occurred_at")$t$, seq);
    EXECUTE format('ALTER SEQUENCE %s OWNED BY prompt_executions.id', seq);
    CREATE UNIQUE INDEX "uid_prompt_exec_event_i_816e28" ON prompt_executions ("event_id", "occurred_at");
    CREATE INDEX "idx_prompt_exec_prompt__98252b" ON prompt_executions ("prompt_id", "occurred_at");
    CREATE TABLE prompt_executions_default PARTITION OF prompt_executions DEFAULT;

    SELECT min(occurred_at), max(occurred_at) INTO lo, hi FROM prompt_executions_legacy;
    IF lo IS NULL THEN
        DROP TABLE prompt_executions_legacy;
        RETURN;
    END IF;
    lo := date_trunc('week', lo AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
    hi := (date_trunc('week', hi AT TIME ZONE 'UTC') + interval '1 week') AT TIME ZONE 'UTC';
    CREATE UNIQUE INDEX prompt_executions_legacy_event_id_occurred_at_idx
        ON prompt_executions_legacy ("event_id", "occurred_at");
    ALTER TABLE prompt_executions_legacy ADD PRIMARY KEY ("id", "occurred_at");
    EXECUTE format('ALTER TABLE prompt_executions_legacy ADD CONSTRAINT prompt_executions_legacy_bounds '
                   'CHECK ("occurred_at" >= %L AND "occurred_at" < %L)', lo, hi);
    EXECUTE format('ALTER TABLE prompt_executions ATTACH PARTITION prompt_executions_legacy '
                   'FOR VALUES FROM (%L) TO (%L)', lo, hi);
    ALTER TABLE prompt_executions_legacy DROP CONSTRAINT prompt_executions_legacy_bounds;
    EXECUTE format('ALTER TABLE prompt_executions_legacy RENAME TO %I',
                   'prompt_executions_p' || to_char(lo AT TIME ZONE 'UTC', 'YYYYMMDD'));
END $$;"""


# Back to one plain table: every row is copied (slow on a large table), and event_id alone is
# unique again, which fails if the same event id was stored with two different times.
async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
DO $$
DECLARE
    seq text := pg_get_serial_sequence('prompt_executions', 'id');
BEGIN
    IF (SELECT relkind FROM pg_class WHERE oid = 'prompt_executions'::regclass) <> 'p' THEN
        RETURN;
    END IF;
    CREATE TABLE prompt_executions_plain (LIKE prompt_executions INCLUDING DEFAULTS);
    INSERT INTO prompt_executions_plain SELECT * FROM prompt_executions;
    EXECUTE format('ALTER SEQUENCE %s OWNED BY NONE', seq);
    DROP TABLE prompt_executions;
    ALTER TABLE prompt_executions_plain RENAME TO prompt_executions;
    EXECUTE format('ALTER SEQUENCE %s OWNED BY prompt_executions.id', seq);
    ALTER TABLE prompt_executions ADD PRIMARY KEY ("id");
    ALTER TABLE prompt_executions ADD CONSTRAINT prompt_executions_event_id_key UNIQUE ("event_id");
    ALTER TABLE prompt_executions ADD FOREIGN KEY ("organization_id") REFERENCES "organizations" ("id") ON DELETE CASCADE;
    ALTER TABLE prompt_executions ADD FOREIGN KEY ("prompt_id") REFERENCES "prompts" ("id") ON DELETE CASCADE;
    CREATE INDEX "idx_prompt_exec_prompt__98252b" ON prompt_executions ("prompt_id", "occurred_at");
END $$;"""


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
    "x0r6VeMO1Hu07CSLpp5VuBZcVBkGVR1PIwsq8jGCqdUXFsP7yVpIr/2dvb3/9275v9Dx8P"
    "D7799vDjN4XlXr/UZMIfn31PrPg5TR9ItB2iVCubfkHLQAoG45FmG7hymyFWTr8uQ7t7H2"
    "XCBXsfxdECcm2SaQKWRzrukpsOAnX3qQKRF5mOsYgDs03gmCsNgWOJwLFpG3it8fEz8aZs"
    "r5Eq8gJ5wF4Ce/wbgxcq36EN/g33AB1IJU5EyLVe1DNVaDFAWgJpC9s1RhxyLMETZNlr0x"
    "EEeikxNuCXyr3P5PVCHCP9+ej83e7H+UemcVy+vx7UNtHQ8gIeqyuex4UETGGJKbxBghXk"
    "Vg2RTxJaK7Q2DfKnknZYOVBN56ohPaXVgqiUBISmOdF+iv2qb6mNaTSMqIZ5NNPNm6mnSw"
    "XIQvZTK0UzohoqeqIJU1B5PIYltBJNkMS2IgOoQmbPiDJ7/KKWekOQpbsiTRXeahxxdIXy"
    "6ZGDJ6ad7GuCCC49aC4Rw80ORDQWhUTHYdwKqPex9YgiA8+09GhcNv5EV8K37csEYdyhwr"
    "hgi4AtMkVUtxotb0cE9UX4QLB8+BYRXUfJ2U1VhQtgZTUkAybi/EuxPpYXuxwdC/eCYvxw"
    "+8A3E9kEkuwQtZLfQmIckQCtin7Z/q8tQmigmj7jZy1CZ6CQnhSCt2wMsJpGKBlQSecqIS"
    "beBrE3jji0NBqzIQbdCsSG2jSDbxy1F3U5NaJ3uxTwD9jceZ0DzkbNFUjgVSkCLDCwwDvA"
    "Ao/CVQUWuA9UgQUGFhhYYGCBx26FAgsMLPBboVGABR6taoAFHptCgAUem0qABX5bhhiwwG"
    "JDDVjg3ljgvPuVkACm2mO9yv3Svd/6YX1rFC8cu7rNc6+mx3sNxsr0wnwt7SCMjBAht8U+"
    "URPWcKuY7tZQtwiSczha6pqVBVWPWtUQ94K411RQhUpMqMScEryjrcS88CJ7aVuJ3rGp7L"
    "rI2eG4Ybxh8yZnzKUEDCuVGORo4+SLg0O2TYcMzs/t9/zcR/zTVPDNx2uJb9dpB/hxS/tB"
    "JQZRSkAEovugELICxDExGtJsCgn9mj8fSi0nhw3LyWF9OUEu+em8lFPPc5Dp8mGmpBic77"
    "FYX/M93yaHndnHl5fnlZl9fMaevX33+fj0+t0u08Sy7gLCWZDiqT7NCAucBfkWtS6KqwGh"
    "BtTPSMDunPoRMxT0CUmO/YQCm5fGo3JAEk04nKT3fNFIB72ejsTF7hVSh8ZYktWpqrprXs"
    "cqWaYFWsR+egJ8/awkzuzNRLO/8H+xEHeg6aAgIeVEA8glqNIaZZUWkCA9kiC++eJ4Jgdf"
    "MQtCiQAN0j0NMolqI3JOS4wmezqTGUVo7fOOdhSu6bQIFKOwZMcqinxDNHWFmDJS0BW/Dm"
    "y4xhAFyE9r26WXhIoUsKNS7CgcnTTUuTMoCDzOgeK36IsA40JAh6ncxHud/nTbbFEUUJ9f"
    "XnyfD2fNjCra/+fdczkp8fJRSuiA9wBx2sK9VLAnKBHY+OobH0UFKMzcqhTMXqnZC5EqMf"
    "rTjFlApOotal0mUuViG8vIfNkWqueIQ53neNRdf8sz6r7Ve87KgqbHrOlqLETSCq0KQeSZ"
    "dy4hxPYhtr/1Jaqfsg4q9LohyoKyAU3Bri6bY6ryOMKIR58R/pnWDicRgL48b4r/m2SgsU"
    "5G9hD1lwnuB8jygkVqfUBsfpyxeTgFuWNrI33vAs9RqqupSmmY+LArxXvtNvBeuxzWNkEt"
    "gUkZ61xKP4qxF6inkdUwIMZSEDcgzAK8iIN07wzxruku1EKYPOGWgcyx4d5zJJO2UWqIv3"
    "qWOS0KNOpY2BY4yxxIgZGDPWDCf5/O6ncILcidxP4qM2Le5LIus7HgtYLXCl7roF5r8eqp"
    "OlM1QS2N/R4cKmKwu5zmBWKoSwktMe7aoQIiZsDJjEIfPxRvttjRaeXBCu8A+bjgxYIXC1"
    "4seLHjA1sTL/az59qRF9w825G12uE4sdUB8yYfdp0ONcJkbB/11owPK/RQt9vabbtOasXi"
    "+XAgYfB8OBDaO+RSszs6pbZMxSeT7cuEn4aCJ9MR25liFoYjOty2tz+VYlCSHYNXSuOeU7"
    "rRmIlYCgHJIoa1RZlGRRJs9LHY6KKE/ZoFuR3D5uYljNA6pd5vzLWf/PaadcMZ1WjihMn4"
    "jKQ3wkRiCK4+fVLKy5MmMCsv7VJBfw58/Sj5+lxVsrZoPl5D/m3v8FCmAPDwUFwASK4x2T"
    "nlK6C4s1QlNdxZpruTcCpE/NjwUWAh3hG8DeQqIweZQTKc6hqtveClFd51UYBcAfI4TNyI"
    "iNuYsGHP5orrxGoOsotTKYl2+Nhq/rOCMPtlZn+CWtu5zxGGmd965rsoSnE0Qu7cb9JEXR"
    "YU0YEiAmQ9tVVELguKaK0I0jDS2FXaBUoRiOFLLP8JXIfqCB8CwioI77aAeBcwlsXYDzwL"
    "hXjJxf9rYcZwxWHZbr1s53hGK0Kwq4TKOJI66aHLg0ITnDwfuVjE4c34V0GuCgPOokSc7Y"
    "RRfvSCR7zaP4urHJgR86bwyXM2FqocIGoCVQ6DrtXFq6da5VAT1DAwBWXjU6xygLLxrbg5"
    "YYT80MA/zIojXuKfcIWuC8JCXV+ooZ5Bv1wpqGcYjRsF9Qx61zMkjuWVl/6AejUDdXneWM"
    "uQZvj5XoLPfBtual6UQJZqPPnWPjirI3VWt1tusu1Vun9P6sl0Yg7ADdZ9IQEmvYxJr8oJ"
    "aEwFdH9eW7l+K5rzFUENjfmJGO9S6alPKAjJ1r0yw5XKm8TKadiSce+jzI6w91G8I5BrzD"
    "tlPnDoHvGxn/l4OPOz8kJ1ceYngVb1pCNaZsBzP/uCvHbMkeQ5R40HHcFJR0ALAS00TBYD"
    "ORBICduKDLDYwLWN51iMdGp2APJVcaNpTWVZdCvv8Jg4zCNyuuYOh71ML8wbj74gQ7ZEWO"
    "IJFURUkTJ/CIlwJ5eD2EHMx0r85lshNzfc6MS0ZejFgaXE+5QSA1rtZJ4MY7kfyh3M3XAu"
    "N2uzIzeyIyXXqJTQzjHal/KL9hvcov26V5Skjyq6n7RMJ4TLiDo+HUiBfNAA8gGkMg3OEY"
    "foCQWKKwUtoyHI3eeLrVEYYourjvEt+iIsqy5ENFiOm2iR059um6nBghU5v7z4Ph/O8oXb"
    "jtuN0xXpLWy3ClC48hyOcdyAcUUKcJbKeCwcmxrQr7SYqUhqyLxOhGmViuEtbfJTW2i5Ig"
    "gHTY9Zx6b1iC85aNGuGSFHHPQ9GX3fv6ix/HxhoPt5Seuh5zy1TFqviMLrNObXqVCW6qtU"
    "F4TXiNPyxYuU3NN8vA5ZQ0M7p44ZRniek5PfW61bPHlYvMa8eMX+omUCTVVSQzduogk0HL"
    "Vn335MCTQje6U7t/3KOK6sMVBKAKAjz50ZGda9ps7kkeYNEU7SNK6ze+kJL/UGV2DFz59d"
    "3J2fN6XOUNHxJ5RV1zGVa5ncd3+/Rk4xURvAPn1Ck0xlFMH9R+/pRSliohyjAs9XEo2MUo"
    "M9pxulj0tnHLTtGW0l5CP+8XX8xTHsfLyG8evukwSWgbc21FMxGDEduILeS/a8FjhXhGBC"
    "S8CMtwtPscsXLQK+AzCIkN4yTsC7SLtoEZ7VlZ+bLh/HCclSprzsqk+JQA3b65SRmReKdM"
    "FkTBBeWRqDnlejqwBKGCSRh57TS6856ISo2VI50LpoCJyf9gv1PYPW90BbIromX64kv6ki"
    "v55Pnk9wWYRLCQ0x7qX1k/mATY8HQexDDDQjpoN303d1hOWtfTOwQzWgq1Iazup9mZI1cc"
    "FajVnaWsr+2GDu2XnERphLkrLbAc6VBqddBnf8s8gBD7Ybc0/AEVp1dUHw9HjdSpC7IDNT"
    "HWCO5HAIfzMReKEQcwBTI7Q8Xr9Jcfu2QgD6tzWz2C36t1kr03WRg512pY56jNg4FEOep4"
    "1ictakppRjz3OQ6fL1QkkxOrnHYn0pI6dNhoX9+PLyvAL78Rkbtrn7fHyKV6evq3YLr4Al"
    "SeV+abGv8kQhNFmHOO9CqFo6UpMDcDln1JJqBETiiy1T3Lk3gHqGMQfSoCGo+PWaZj2DTE"
    "NQqGLRTevTqGIZnbJ1rroYG9idl13IlAeUvSw3LA+YrJkybGHAyX2O54259vnJB7Ux86Yc"
    "hMW9j4KlEWQiRpjIDJGPkD6p7EUaUDOFvgZ1BKOsI6BUpGjkVCU1NHKma9TUbVn6rZRl2w"
    "Pxmq8D295LpkqyIBuq+UBVKcBaDmsogSr7KUugeyjuplwLG9m/I+P+hcvONm3NVTltYp6D"
    "bNEUw2g/ISPwnhXBr4hpxNwOjP4CmYsW6FfEAP226IfoNyO0TI6d0rjuUFKAfVvs7cWXFt"
    "jTUoB9W+zJymE8B3YUIUX8WUnQgYoOarzkdspQTu5vIjNqIoOo63MJIojUR2+JBAKiB4ie"
    "aflSOhE95MUPDXxD1KaFOi0KKQlj1vMXvJhj3a3XNkfPTasqIwhOejuDLYEx8ByHGAAtNE"
    "CLgg7a6eDeeSTrlaloV1TEAPsNsF+pLj60FCDfDvko9vHsjeLA5aYsN6DPSoIG2mtgiSJr"
    "1UYBlCDg3x5/2w0ROfBHXQG0JGigvQayJEd1BVCCgH97/NNcrxb4U4KAf0v80Rqv5LajGi"
    "CtygH6G6DfIjxdlQP02wdIHc96bBEgLcQA+3bY4y/hoqQUU6VujpHSBvzOarpILk07aDmS"
    "GgXgOgOYRCXuzbBVUlFdVpsJPPTKHQdpdviao4KGHi2M3JBtcfpSQA+9WUYSSr7EWKyzwp"
    "Dr2N3hRJPZIXOJgLJHyRhB7A4SVU6bfEMzw0GbGQYI/8gwrQNXgJcVg9I3zgoMxYV9IxyZ"
    "Ic8zEbdXKQSgsUol9t1FY5VkE1HUxj2fHAF1bK6ORfBCtm6O+d3U54aSGrDPTfHJZBvdqJ"
    "9rso1DTXbw0Bgt+privTc4w5ChNf9ws4YuZxUpWGk6X2nu0dILlBrPlRLjUIdWnefMZYQC"
    "FW0UAqCMzpWBgsDjKEN8clAhoENz7aYczD6ODoLWTeK9eZpNfGRaN+ENPmin9aok5ECPOQ"
    "d6abt2uGqlZkYU9DxmPW83bjEdxU48cnGCfMd7WQuOS6auzhvjFcW4LZ3GRNkNSUMkLudb"
    "rj6iMXnwg1xG7pMdeC75Ubw7QHxkyPgIHPbUb1uXJxSEip2KKBENUe7luCf6m9WQFvuijN"
    "iAPOUW3P9eHNKJ0MLZGSbD8MLdH3iNH7e0HzL7T4X5qgkCA9Y5A1bB2AjQk81f8JsSGgU3"
    "GC4mvjtq8wUOAxgUXGAXtSYggE58C1oGOvFt6Jm0XiAbm2k9tlB1XRq0PWZtwykeYmtomg"
    "FAjtprp3jwGFMps7cuCGm2kMgMp6SMC+w/8lnV1SkpgrWjA6RPq3fTFOj6srnBaTRBZC9N"
    "a9MDacqA4VF2Q43wr7IQK9N94JZVtoLrU3I7bcGqcIddQ5fcXG8A/cBb+5GRxdw6g+4que"
    "0/ykiejtjhK25oC4rM2+F2W9xSJ9CGyTMpNobGfBN6+5DJOzEqG1i3CSg/U88hd8/PNEm+"
    "/C9MegrkhUBeyFDgwnE/A+K7LwPvvhjd/Rq4AVqqYJsN1yD9gzlHSWriHjZM3ENOqo2NLU"
    "yOKymGt5TQoeRjgLWB2nyV9raaHFBRr1NRVQtkQ3qkmtY7MaBl2ZHaNFMlR4YxhzO/tdEY"
    "Ln1bKVOY8q/7NYTDlbmZ/QsnkZBrg5xEglWlsBlmwzU04z4cSOyEHw6EGyG5xGbWkXMdWm"
    "YkMbIaBjynG+Csx7XXKAzNByWPkxIBy13KcgezEsxKMCs3NSvpoEizccmET+RMzERoOEuz"
    "SDcHc3MS5maL+oLtVBSMfOmuNJSxIi9Q2xNpESglqEPqm5G1quMprlQqBMZRoaRV/yp17w"
    "l8pgn4TGDPgz0P9vym9nw1U6fRoK8l9UhZ9JwMo35N+vSBNYP+5zzXKdVG9n2MlRmuoOnG"
    "sMkVFexr8L7aGaKQ05BF3t37KNMeYu+juD0EuQbM14C2Pr2sSCJbkQFUwf7Ymv1Rn8kdAH"
    "xV3EhTcCvv7zgNOyqVuNGqq6YcS5l0TOJzz13ZahNZuUsa0LND0bNL/F4Y6k2RGDEd8+Sk"
    "0uQUeiJFXgucK0IaWs/dwwzceOf2sutFnEQHcZe6fLwOq0IT/9pHfzqgvoH6BoceXM9Rup"
    "7b8ZDoEn6OY8RU+Iv9IapIvhdSm+0RAUWBW+etoSiw3zbGUBTYoyfT2CO6oXpNux7RA6Qa"
    "QydRMfrTbFMmc04RtNGCNloTsM6l22iJ7XOec9RZDxSNoO+188mt5zmnX5AVi2I81QHzJm"
    "cmwkMNlI/d0lk71fbKyVfKLeiStU7OT0wnD3k4dSjUL4Kzd+IQBfUniEazjy3GQ8RplBEn"
    "9CRiwe7uzk74GqBlGD3Esb14TyTbrEJbVUcDsmkHkdQyom2e5HdWLVfqZZG0XSgJiHbUox"
    "2V9UQ+TkcJaend9tA2ZG35Bp6LT7zDkRvKaCtSOsSYBoDa85HoMB4x0hWhAXmE1Kwh5ojn"
    "DMMpdN8KYBrnTA3HPn6QIR9ZKoDiHj+wAFfNSlmQq1KweMi1d9rqAbBjm9gN+LY9AXakh9"
    "1MCPkxMY9SCQHbyUEf29rVT2J/iyNM65L67Q29VKqYwUOckIlGaP/O2YrFSXc1QZjR9RmN"
    "Vxz8/VSxZaQAWB6wFrKfWu2zjKiGGy2E/CDkByG/iYf8+o5kXXuOE/s7gjBWdnX+agwrSA"
    "bKBbB2Ll00u4+tRxTNvOXMw3+Re/x59uuvD4GJv6MZ2NHLr7/Ovlp5cfDVzAtmXy3Ml6/m"
    "eEAqZiROEh5hR+Hs7vbTLPn7/Q6jvF4f1DLYRj2YCZLRT4Sw10jDXhCngTjNRPk/ZuWRxZ"
    "oR0xBtGX9a7E3XfOnKOq7olLCyGnolE/FCpOg/y3QcXv5Vw3ZciAzndXyjwY7MRIwUQS9l"
    "APV2qBdBoDBet4seZYJDho/6UkHPsaMyusmZ5uJWlozYOBpaksdq09AyxHuztTJ+R4GnuA"
    "CxkrAMtVuGMhwdT8EBq8hoA3xnDlgGj+XF/Fxy2zWDl0ZkS1EG3fuXKF2LpuXiNs3SbKUo"
    "lhW8qhyfXRxd/5PfLeCYs7Ic//P29AhOggc+ezxga8Jnf48RfzZfbsy1n8Bco7SrA+ZNrP"
    "ZDOtQIk7FbqszIC23x6+4gi66giMwA3yobVr0MzPEomWMosu6xyLryBtRAfu3IrqoscG6j"
    "5txWyHSiFYfCPvY8B5kuX8mUFGukZunp+qj0+PLyvKLN4zO2ZdXd5+PT63e7X1e5CG7iko"
    "+fi1Rzhhm5lqTPdPyCLmifVRT5wt6Cwk2akYIQo4AxVtl6CwH9skd7iSwu7Yc4UCMrKREg"
    "KjsnKrdPJ4ztJeg6a4F2vyShrcgAqCOnaEaGdecMTX02d4Bxxq/cFvfTE+TKmzxCAizDX0"
    "yAlQp6nQBLf+z2Wi3+vINc8p0SsB0zJGeVtqa73grXBa0YByjEglaME2MJ48BRwTYbriW0"
    "sm5gox9YA5haqRW4OUpqQG4uX5Uny83hp6HgyXSMEOHnL1RII57ocFHjD1NJjSBsvxdHYo"
    "AbGFCO7JCpb4fvJ5r8Vrfwaqg3h3O4N+ggpjNOX0WLkE6isnZxHVa03QYyHd12uH8k0Clz"
    "41UpIMilCHLoSy1GX98i9dhftNR6VRK0Phatc3az7NuPKfYyOmXrHCcYG9gDpnJSOeRlki"
    "Rjuyl0Iq8lZ07LjBAB32sv8qv43rGtq8Bb2vyM1+qAeRPh7ydDDT8d23/GKxD3QxL3pA2B"
    "KnlPy3TDgm4X4oqhfyBj5x+IzfyDeoNNO/Qd80W5mwErpyHh3EusxDeDCGPS4jzeuuSAfZ"
    "Fdz0U7A6EuBXoD5jXIyR4RrpQp/orcgCR/8clkWRqgDsSTfZpOJFAHb1HrQB2MIaI3fPuu"
    "kZnAQMVsnxGY90rFoDDMjxJrz8XcRHiVXd+k99IIeg4ZU10c6rBduujWw/+RnLN32U0mtS"
    "zIzlRqMZSYoRsxW9UZyGG2alNUzGyFyVCDfjV6ruXOSDTO8XfAeg3JesExHK+98xO0m+vu"
    "UtlkTDkVjicKpjPHdH6y0bMKsMV4aLnEQrn0HMd7RkFoPOBn8Mg0Iao8UQCYBdh8wj/9AR"
    "lkDiJes8iGxE2OLPQsrLKUnLRNH5mPYrjFZyExYjCVa/wv/t0PXqDUspmWGTCwMVRQo4dQ"
    "ErDsYvSnybfKsOxVL012yaoIgan4Oivol9knGxKCtWyWiQEty7NU59iYKozvQvz5cbx4QN"
    "GFF9kW2uFQM/VB8yZ6JibDjftkPH5XicAg5cY+CmxvUTbbj1Z4aVl5eILiKxZyo1otMpA3"
    "Q5I3rH7q27LIqKzKNW3K011EuJY83lTZGrbapJafqFxZ2PF4TZR9jI4Rh5xloMHVrEjBuc"
    "oyfma2S6giXRUDqGWgNh0UKLY4okWgwxEkc4GbSW4BaT2QhrL9bWLqzd0Tp/L0CbncxlbU"
    "1fnrviYiA7fU092zrDgIqFbunDF0noXE8OzY+/SPJxSQLAdjZYYraAY/0mbwyQTk7gV3d2"
    "cnfA3QMowe4thevCeSbZanMWQe8ZBNePz9dN+md+Tkd247rVNzQ9X0beMRvSha/xUhgJXb"
    "Tt2LAwulqNSQFUf0aoIa1oh13+8N74tP9oKX1NlQGkbJQOxUJnaaWFkqEBcC2uHbS/MY2/"
    "XjCJuZj4ib1d1kszGS2mRXDHzqoBdHbVVQEwUdtNOBZVor7AW10UFNFHTQTgcBMkPPxd+r"
    "lRp40qCJdpr4LTbdyI44WWENQRBaCFIaX41/OBgG13pRPfqoKgYnH0kgrd7AYSuNG8LYsl"
    "AYDmVKdu0NWV4oCJyeIMtem45g96TE2LhTKvc+k9dp/cCz+fPROUZxnvXHKCcw3RuGg3Dq"
    "qKtMZkZswBkdu35gW2gxzJTuoR0JTXzL52+WMkBScQp96ACCwjRm5fTrDbu791FmBu99FE"
    "9hco01qvEvDfmTuIkQpKX0g7oXJoWOpdU3wcb8C0ZUwwSMiSRc5Jg0ZlwEyEL2UytFM6Ia"
    "KhoybSDTBjJtINOmOdPmM/n3VdBU4UENmb+ec5NcMBJ/Y5DqjiLK9GQ6NkYPm/1Qz7HVeo"
    "4pBAqnbeBCwHuIgHcaVk1YGx8FaTRDiSIW3QBI+Vep4iyeugH4wjsA+q+in0RSDeI/GFRu"
    "QYKlkg5euQ8ETVq8CUx4daN3gnMv0ImETihTswZ/M+1QldSQdZgIyyBFL+XFWPeKCbI1OQ"
    "g/QI0cMHc7wNwBczeK3UkL5u7KMbkNc8uL89fZOh+PgyOg9OLfVM8lGv48oh0rDqPUBJ4o"
    "N+TYazvipLL97ebyQpAvWEiwFottRbP/zhw77G372vnLMnYtAuPsPradyHbD9+Sxf+1LAw"
    "2AE4QqxkqO87vPRz+xKvh0fnnMWiHkBse12hQ3WjkvRlPbkMbsN/4NNs6DG5kNL5EJt3sw"
    "35NOhKM7MBkLk5Om3NARtC46nD23O+qlne3NUvRnUlpweLLjWHrI87RZekgju6VtpaaitT"
    "JdFznYZFRSVdM9QGWdqwxO3RIvYNOkHjh03hRO3Zq8G1IjHlT8YVmSQvFknk0pijH0yeiJ"
    "oNicdLj2HCf2T0w7WSH43AM9Zv46BREkw0NsBOYCPWYMZVjdx9YjNvOL1qELvFq7+QFDj+"
    "hlswwi6K9Drg3RX2eEa/q2N/COPRD2TVGxllhZDe2l6dpH9dhMZRGUJQ8rQhrm73VfzEa2"
    "FwWAs+EaQrt/IIPt/oEY3P06JZUVTCn3LCiloFdBu14FKAg83qFATbiXMoB6O9Sha9C2NQ"
    "Bdg7avA+gatH0dQNegsWgCugYNkCIv7LLSlA8v7rECGIs7M4Xxum13plIU8JbGm0MANC3d"
    "FTFYs9ut2RmIdeQbMopKkXEEiSefUrRROKuXSMsPXhy8GmrJBs3lYy2rUgKCLRBsoZckCL"
    "ZAsGWkcEOwBYItEGyBYAu4CxBsgWDLm9QABFu2rwMItmxfBxBsGYsmINgCwRYdMIZgCwRb"
    "3sqaDcEWCLbkcZQbZMUB3oqFR05XB8ybgixhNnTAg6cljo2ujcnOGLV97tX0/OFkdvMuk4"
    "JiMzIcPMypDYDIzSgjN3AMdafHUFffEFluuSqlI8W8J8Mw74kJ5j2WX2bXGlmoWTkNwe4+"
    "VFLZFWSRrghpCPPBoQTMB4dCmMklplUN3sw9pTOASgkNAe7hsDAzUjrPKh+vIbiHuzJLMh"
    "4lhDe5JneKo9CWEx7iCH1QiTEVokAtm4aSAEAFgGJfz+Wk0IhXgaqUhgetHX6QWArwKPE5"
    "FORaFeoFikybY5mJaZRSYiMWZWRQD93ACA64eyNZYiRPV2FnyIdDciUvdWDr6asjW7W07j"
    "w9Mqy76uuEv8fs4u78fFudp49QYFurHQ5Nnl2ZN/HjZjkG2k1P6TWfN5DL2XnQKsY2JaKh"
    "1713KEMa4VENpnaNNiIvlQLC2XAN0e2lnTd+YsR1GMWeDCUyfEB44r7MVkO/f/w/A9Bb1g"
    "=="
)
