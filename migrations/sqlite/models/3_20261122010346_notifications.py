from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "notification_channels" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "kind" VARCHAR(20) NOT NULL,
    "config" JSON NOT NULL,
    "secret" VARCHAR(500),
    "enabled" INT NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "organization_id" INT NOT NULL REFERENCES "organizations" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_notificatio_organiz_7950bc" UNIQUE ("organization_id", "name")
);
        CREATE TABLE IF NOT EXISTS "notification_deliveries" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "kind" VARCHAR(20) NOT NULL,
    "payload" JSON NOT NULL,
    "status" VARCHAR(20) NOT NULL,
    "attempts" INT NOT NULL,
    "http_status" INT,
    "smtp_reply" VARCHAR(500),
    "latency_ms" REAL,
    "error" TEXT,
    "job_id" VARCHAR(200),
    "alert_id" INT,
    "dedupe_key" VARCHAR(200),
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "next_attempt_at" TIMESTAMP,
    "delivered_at" TIMESTAMP,
    "channel_id" INT NOT NULL REFERENCES "notification_channels" ("id") ON DELETE CASCADE,
    "organization_id" INT NOT NULL REFERENCES "organizations" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_notificatio_channel_11a3e9" UNIQUE ("channel_id", "dedupe_key")
);
CREATE INDEX IF NOT EXISTS "idx_notificatio_organiz_18f2ac" ON "notification_deliveries" ("organization_id", "channel_id", "id");
CREATE INDEX IF NOT EXISTS "idx_notificatio_organiz_7d39ae" ON "notification_deliveries" ("organization_id", "alert_id");
CREATE INDEX IF NOT EXISTS "idx_notificatio_organiz_07aeef" ON "notification_deliveries" ("organization_id", "id");"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "notification_channels";
        DROP TABLE IF EXISTS "notification_deliveries";"""


MODELS_STATE = (
    "eJztXW1zm0gS/iuUPjlVjiuWLcd3t7VVsq0kvrWtlC3vpjbZIiM0kjgjIDDY8e3lv98M7w"
    "wDAVkgQP0lsYbpAZ5uenqenpe/eytjhjX7YGiqv+Hn3j+lv3s6WmH6B3dlX+oh04zKWQFB"
    "U82tikxVfsDPbiGa2sRCCqHlc6TZmBbNsK1YqklUQ2e1h7o0/HgpUQFJtSWbGBaeSciWvn"
    "41LTxXv3/9Ku2ZzlRTlX1J1Wf4O569kkzNsSUk3X0Yvu4PTiRjLpEllp6WhoZZSwfs1jND"
    "ofdW9UVld/mif9EpGrSOhSVa4/VUJZKF9Jmxkrxb2/uSbdAm5sgm0hLZS3Z3rBvOYvkvtz"
    "Hv7pKGic1+f9E1w3hwTGlJWzJ0LFnGEy23mABtxtHVbw72HpD+axOMZuyxWMv0bhJaIFYq"
    "4UdsPYdAeFIyMRaY3sKicHz+ixZ7r2kHP80Hea5ibZbQujpjDbjlMnk23bJLnbxzKzKMp7"
    "JiaM5Kjyqbz2Rp6GFtVSesdIF1bCGCWfPEcpgd6I6m+SYTmIb3pFEVXxNRwQzPkaMxa2LS"
    "3gNEZT1ZvhlP5LvRRJZ7KUsLJGJm4Rcphs6slD6q7b79gj3C6/7h8dvj06OT41NaxX3MsO"
    "TtD+/WETCeoAvPzaT3w72OCPJquBhHoLr/p2A9XyJLjGtQn0OWPjKPbIBjHrRBQYRt9GHW"
    "Ae4KfZc1rC/Ikv48fPMmB8rfh7fnH4a3e7TWK3ZLg3oSz8Xc+Jf63jWGd4Sv902VQTiS2A"
    "zG2zXfJMInRQA+ycb3hIeXuhWZOZwyAMdlOmjGJ8cFQD45zgSZXUqCbNE+pgzAQf36wO2t"
    "8GqKrV4tAPeLuIl+tpfop5wEg0PW1JVKZBNb8krVHSJAPLOzy5T/ef8n0IDvHxpj3RvpAS"
    "OwFQuzd5cRSSN8Qa8QdYXFMCclOWxnvuhB8EcbHQl9wdlY1559K8jBdXJ5PbqbDK8/stut"
    "bPub5uI3nIzYlb5b+syV7vGePWxE+uNy8kFiP6U/xzcjF17DJgvLvWNUb/Jnjz0Tcogh68"
    "aTjGaxDi0oDVBLaF2jQa/s2GvpnZfdgOYb9o21RNEBJrmatvCj8bCWnpOSoOUma9mwFkhX"
    "/4sYBnKpkaFAcq1usoDzbt9AMQKY+jurHLAxCQDUA5RxGfMH4cA7boZpkN8ZFlYXjNBxsb"
    "6kT4Z0RRTT+VzYmGuuXVj/CGwpKI3ub6GnkAsSfbv0DwoAJt6YZHh3PrwY9VKWvAGE7/1m"
    "uols7OMVI8pMeYqUhydkzeSETbMrRt/gSsK66Uur/oovQTpauNiwt2DPLDJrAQXMm302ER"
    "w3nWJscDbGQGICidkUaDlqohg3kUdOpNgJGDBno9+tAXMqXMl2+pF5xDNsSeM48yXf/XaL"
    "tdBFi3vXKJfXMhPI6mBTIcgLAdpc+NE8eJ4M68E2kYJfiNEfQTtdBcrtAW3DsV4MFXXc6M"
    "5tqKtYmZaxMskLYfroNtJViOiDKU4YEL8UpVHQWlfh8ixKfqS+fFOY/e611VXEdIOoc1Xx"
    "xuvKEum6PyxbH7ebWJPnXos7gR59eZVanvpSxx/H78Jrs1NhV5VshBuDCViIIDbLZh/CAB"
    "BYh86wDniFVK0M7RAKdI53OCo0J+IoZ1LEUXpWhIlsm44MZqUn+KQE18K7Yck7jugZDIoQ"
    "PYNBNtHDrsE8n1rn+ai2TF0/7XIFXbhBwUR6hkeOy3FoT6lgVXAHDqXeXPTZeHyVIMnOLi"
    "ccxvfXZ6PbvUMXelpJ9XIVMNdnd6lLmBsAqexGYL3xVDZw8G3kAxsWPW5luBzR8YIxc4Kr"
    "zx44J1MDmx09f055LvcZ/4JR9c7m8rcdlEE2H0LinQ2JW7espM0xcSPCj0qDYgj46g74Yp"
    "MKBBFfcspBdsjHT3KAoA+CPgj6XhT0PdBXK4NvUL9GZj8IeL5p9bD7gyIwD7JRHkBkDZE1"
    "RNYQWTczzqsgsq4ycvTDbEHUGAXg2RFjLNKvdH7NZyGMT3q4dMpdKe7NqvTcOW1AKEStkj"
    "i2F3VCmFlXmOk4Iljv7y8vMla0OkJkWfEBk1rHX2wV4Bz0vBk6Xkca7yLd90wGOhCtVxut"
    "E/xdEEJOaKkY36B+jdF6VTF6XmA4+jRJxIQBhnvXw0+vEnHh1fjmfVA9hvn51fiMg9r3wy"
    "WMOZKoEe6ZheaknnHR5mc9pTrFFNoFtl/h5GFzjiZvzhHTGAt5VoIP7J1moAx3JpTmFD5n"
    "4p1S8sX4/uxqJH28HZ1f3l2Ob5JadS+6gWM42+12NLwSfWkx+pQGmwLo/303vslBXiDPf2"
    "2qQqT/SZpqVzY87f0yd3SFwStNHVUjqm4fsPv9uoWOh+GV3/HwfQz3SbEG+I4nBfWDN/Om"
    "aDeUJd+BGCC1K2fBbTlz9+UEtg7YOjZ0M2draj0pCVpvitYFAUlq6h9wtFXvFhYnwYpCGx"
    "OBfUrTkIYzH8vByotVBG3baEFIKGwroSC06Q3gXGazj2bZc1GI+U85gS99COnm/uqql/bD"
    "GwC34G4zDXPBhW031vVkgFpkghlsn1FqAQbsm5ELVfXp1cjCMvOsCSP8WcJVTn4AFade/X"
    "v6X62iOJbl51hLJVHP1MWu5FH/0e8fHb3tvzk6OR0cv307OH0TRk7pS3kh1NnlexZF7ceH"
    "bwX2R3jEOhEGr9kZ17gMZF1F7rP0bgi8XPc2QzjsnxZhCPun2QQhu9bKzKBCnSKLXoLHaV"
    "12kBgEafLMsdA6uSKhNOSKCuSKkCpTX2PSe9J+V13hsshnyAP2BbCn72g9x1Kc6+Cf0wbo"
    "oFCulGBdeS6fnI6LAdIFkFYM9/gcQRx4gRV1hbSMNFtMjE+3eHIHvny3EKdIXw+v9g5P90"
    "+5/W2C/vU41YnaimGJOLVsOw4lwIQLmPAL5lTAdIo6plPYyhKvkMx+ltIOLweq2bhq6j9I"
    "qGG+aeO51hj3le5ScycxcKIdnMXQ3lkL6ckqFlaw+rjmUXYJ0Q4quqXTVWBJYRNcaCKXUB"
    "DbhAygCvMqGjSvwgwXSb4Q5M6dd8HDm8wiNm4F7K2haY55gVS3X8tI0sYr7RdI01pufVue"
    "hRIb3lElAerUUR4wkamlWa4h8fmn+NLXdTdcgSRuXUlciEUgFmkjqlvNljd6Pc3uJstrm5"
    "Cw+Sw536mW4QJ42Q6SAS0Z/BdifRTD0QU6zuwLwvr19QNvWtIJuLNDSuUDIolmZALYbTuT"
    "Ccg/vbJQCg1UU2X+bI3UGSikIoXQLpsCXE4jMRlQycZVwkK8F+TeBOKwi0mTAzFYK54dqL"
    "Uz+SZQe7j0puC593VRwB9ouPNzDtivtV+CBF5GIsACAwvcAxa4EUNVYIGrQBVYYGCBgQUG"
    "FrjpUSiwwMAC7wqNAixwY1UDLHDTFAIscNNUAizwbgViwAJnB2rAAlfGAgcbXGUSwLEdsH"
    "7K/cZ33qqG9U1RvHCe4jYPumkf71UbK1MJ8zVXLZvINsb6Gv1ESriDXUV7u4Z0ROBuvb+m"
    "rnlZUHWjVQ15L8h7tQVVWIkJKzHbBG9jV2LeGESdq4qrdxoq6zrWeoJhmKjaft5gTI8JyI"
    "onAQfc78aADI7M3PUD7ls87YDebq4uyuQgIgnIQGw+KYQVCwtCjJxpNqFE9zZ/HhRyJ4Mc"
    "dzJIuxOss1cXTTk1DA0jXQxzTIrDeUrFqrL3oJus17LPxuOrhGWfXfLH7d5fn41u9w65TS"
    "zTQ0A4iS/b1NuZYYGT+HZR61l5NSDUgPppCNgbp36yGYrYhDesqY/YUkXTeMqcfBQnHC68"
    "Np87pINKD0ASYvcTUieOcUFWJ6nqTfM6SsQyzfDMMb1Dn3li57PIen1R/xf9lwoJKyINWy"
    "4pl1WBXYJVWo1cpQUkSIUkiImeNQMJ8M1mQWIiQINsngZpxWojdk6Lg1t7OhMiBK9MIoA5"
    "06fHRWAxCk92LAkx5SzTzcSUk4Jd8dPA2isKkYVNb217YZeQkAJ2tBA7Ckcn1XXuDLYsQ3"
    "Cc8wR/z8A4FOiCKefxXqNPk/yIIoT6anzzPqjOhxlJtP9jTIWcVLb7iCS6gHcNedpweFki"
    "noiJQMeX7vhiVEAJy01KgfUWsl7IVGWj386cBWSqdlHrRTJVOo2xZH8su4bqBeKwzrM56k"
    "5/5T51v9Z3zsuCppus6WQupGAUmhSCzLPoXELI7UNuf+suqpplHbHU6wtRzlg20FGwk26z"
    "Sas8hthSlWVPMAfAv7Kfl/VHUZ2NJvlhkcb2V82XoVFiIl3Mog8GRUiUwSCbRGHXOAqQfl"
    "QlEPardxDdw0IU1WEORXUooKgMnWDRzoG5izUCkfqnKWxnzLKxCQlb3TPmx/8B0QqC3g=="
)
