from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "monitor_switches" (
    "name" VARCHAR(64) NOT NULL PRIMARY KEY,
    "enabled" BOOL NOT NULL,
    "interval_seconds" INT NOT NULL,
    "changed_by" INT,
    "changed_at" TIMESTAMPTZ NOT NULL
);
        CREATE TABLE IF NOT EXISTS "system_metric_samples" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "host" VARCHAR(255) NOT NULL,
    "sampled_at" TIMESTAMPTZ NOT NULL,
    "cpu_percent" DOUBLE PRECISION NOT NULL,
    "memory_percent" DOUBLE PRECISION NOT NULL,
    "memory_used_bytes" BIGINT NOT NULL,
    "disk_percent" DOUBLE PRECISION NOT NULL,
    "disk_used_bytes" BIGINT NOT NULL,
    "net_bytes_sent" BIGINT NOT NULL,
    "net_bytes_recv" BIGINT NOT NULL,
    "load_1" DOUBLE PRECISION,
    "load_5" DOUBLE PRECISION,
    "load_15" DOUBLE PRECISION,
    "process_rss_bytes" BIGINT NOT NULL,
    "process_threads" INT NOT NULL,
    "process_open_files" INT NOT NULL
);
CREATE INDEX IF NOT EXISTS "idx_system_metr_sampled_ae79bf" ON "system_metric_samples" ("sampled_at");
CREATE INDEX IF NOT EXISTS "idx_system_metr_host_ce452a" ON "system_metric_samples" ("host", "sampled_at");
        CREATE TABLE IF NOT EXISTS "agent_metrics" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "user_id" INT,
    "agent_role" VARCHAR(100) NOT NULL,
    "agent_type" VARCHAR(100),
    "status" VARCHAR(10) NOT NULL,
    "duration_seconds" DOUBLE PRECISION NOT NULL,
    "recorded_at" TIMESTAMPTZ NOT NULL,
    "organization_id" INT NOT NULL REFERENCES "organizations" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_agent_metri_organiz_8a1d66" ON "agent_metrics" ("organization_id", "recorded_at");
        CREATE TABLE IF NOT EXISTS "feedback_metrics" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "user_id" INT,
    "feedback_type" VARCHAR(100) NOT NULL,
    "rating" VARCHAR(10) NOT NULL,
    "agent_role" VARCHAR(100) NOT NULL,
    "response_time_seconds" DOUBLE PRECISION,
    "recorded_at" TIMESTAMPTZ NOT NULL,
    "organization_id" INT NOT NULL REFERENCES "organizations" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_feedback_me_organiz_46cac9" ON "feedback_metrics" ("organization_id", "recorded_at");
        CREATE TABLE IF NOT EXISTS "workflow_metrics" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "user_id" INT,
    "workflow_type" VARCHAR(100) NOT NULL,
    "status" VARCHAR(10) NOT NULL,
    "duration_seconds" DOUBLE PRECISION NOT NULL,
    "steps_executed" INT,
    "recorded_at" TIMESTAMPTZ NOT NULL,
    "organization_id" INT NOT NULL REFERENCES "organizations" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_workflow_me_organiz_5a15fd" ON "workflow_metrics" ("organization_id", "recorded_at");"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "workflow_metrics";
        DROP TABLE IF EXISTS "monitor_switches";
        DROP TABLE IF EXISTS "agent_metrics";
        DROP TABLE IF EXISTS "feedback_metrics";
        DROP TABLE IF EXISTS "system_metric_samples";"""


MODELS_STATE = (
    "eJztXftz2zYS/lc4+smdcTOxbDm+x9yMHDuNr7aV8aPpNO0wMAVZPPNVELSj6+V/P4AP8Q"
    "XQJC1SJL0/XC8msSD17RLY/XYB/DUy7Tk23DdTR/8Zr0Z/V/4aWcjE7B+ZO7vKCDlOfJ1f"
    "oOjO8JsiR1cf8Mq/iO5cSpBG2fUFMlzMLs2xqxHdobpt8dZTS5l+OlOYgKK7ikttgucKcp"
    "WvXx2CF/q3r1+VHce7M3RtV9GtOf6G5z8ojuG5ClKuP05/HE8OFXuh0CVWnpa2gXlPb/ij"
    "57bGnq1b94095Xfrd4uhwdoQrLAWP97pVCHImtumEjza3VVcm3WxQC5Vlshd8qdjy/bul/"
    "/wOwuerhiYuvzv3y3Dth88R1mynmwLK8R+YtcJF2DdeJb+p4eDF2T/dSlGc/5avGf2NAXd"
    "I35VwY+YrNZABFIqte8xewRhcHz5g10OfqYb/ek8qAsdG/OU1vU578C/rtKV4187s+gHvy"
    "HH+E7VbMMzrbixs6JL21q31i3Kr95jCxNEMe+eEo/bgeUZRmgykWkEbxo3CTURX5jjBfIM"
    "bk1cOniB+NpIVS9nN+r16Y2qjnKWFkkkzCK8pNkWt1L2qq7/6+/5K/w43jt4d3C0f3hwxJ"
    "r4r7m+8u578OgYmEDQh+fyZvTdv48oClr4GMeg+v+fg/X9EhExrlH7DLLslbPIRjgWQRtd"
    "iLGNP8w2wDXRN9XA1j1dsj/33r4tgPKX6dX7j9OrHdbqB/5Im40kwRBzGd4aB/c43jG+wT"
    "dVBeFYYjMYb9d80wgflgH4UI7vYRZeNqyofMCpAnBSZoBmfHhQAuTDAynI/FYaZMLmmCoA"
    "R+3bA3dkYvMOk1ErAI/LDBNj+Sgxzg0SHA7V0E2dqg4mqqlbHhUgLp3spPLPz38CDYTjQ2"
    "eseyMzYAy2RjD/7SqieYRP2B2qm1gMc1oyg+08FH0T/aOPAwn7gfOZZaxCKyjA9ebs4vT6"
    "ZnrxiT/OdN0/DR+/6c0pvzP2r64yV3eyI/u6E+Xz2c1Hhf+p/Da7PPXhtV16T/wnxu1ufh"
    "vxd0IetVXLflLRPDGhRVcj1FJaN5jTq3puLb1nZTeg+Y59Yz1RdIRJoaYJfrQfauk5LQla"
    "7rKWbXKPLP2/iGOgVooMBZK1pskSg3f/AsUYYDbekWrAJiQA0ABQzmUsHoSBd9IM8yB/sA"
    "nW7zmh42N9xt4MWZrIpwu5sFmmu35h/T2ypehq/HyCntZckOjbZf9gAGAaxCTT6/fTk9NR"
    "zpI3gPBt2M0wkU18vGJEuSnfIe3hCZG5mrJpfsce25kr67b5W+bYzF5BFrr3seG/gr+zyK"
    "wFFHDW7OVEcNJ0yrHBcoyBxAQSsyvQZqiJctxEETmRYycgYJajP6yAOeeuyAf92DySGba0"
    "cRyHkh9+vsLGeogWz65xLq9nJiCbYHMuyAsB2pz70T14nmzy4DpIwy/E6HPUz1CB8mdA1/"
    "bIi6FiAze69jsaKlYOsU2HvhCmT34nQ4WIvZjmrR3il6J0GvU2VLgCi1If2Vi+Kcx+Cfoa"
    "KmKWTfWFrgXxurZElhWGZfVxu0x0+T7o8VWgx368zixPf+nAn8TvJOhzsG4XYj+KqiZmXW"
    "kv9U95Vxd+T0NFa4HxnDv7mwHsQ9jbsDHjnuvCYIHVRjD7HPY2PMya5Aj9yEjADUYRk5wT"
    "XIdlwAUOhgvEJtKNKmTgWmBwbOB+qUql/YJSpf18rZKDXJeNevPKZXc5wVp4dyylnqFfJ5"
    "My9OtkIqdf+T2ovmu1+k53VTb0M0dYMHnbDExkSUbkpFwG7Tsm2BTc0YDSboXI8Wx2nqKu"
    "j89uMhjfXhyfXu3s+dCzRnqQQYQKvNebUICKHSgw6QTWGy8wgcxYH1n6jnmPWwmX4ySZIG"
    "ZOZdDkgXM6YbfZ6PlLbuTy3/EPiKpfbYXNtp0yqLEBl/jVusTtKvuV+8SdcD8adYrB4Wvb"
    "4UuU+gg8vnQhkNzly5YegdMHTh84fS9y+h7YT6uCb9S+RWY/cnj+NNph9ydlYJ7IUZ6AZw"
    "2eNXjW4Fl3089rwLNu0nMM3WyB1xg74HKPMeHpN1pf80UI45O1XtDo798Q1DoHwznrQCjE"
    "rJJ6buB1gpvZlpvpeSJYb2/PTiTrzD0hsvzyGy5VZ7zYKsAF6AUVOsFEmpwi/d+ZdnTAW2"
    "/WW6f4m8CFvGFXxfhG7Vv01pvy0Yscw9Nfb1I+YYThzsX01x9SfuH57PKnqHkC8/fns+MM"
    "1OE4XMGYY4kW4Z4TtKDtxEWbr3rKTYo5tEtsipSRhy1zurxlTkJj3OUxBR/YB8NGkuFMKJ"
    "1R+IKLD0rJJ7Pb4/NT5dPV6fuz67PZZVqr/k3fcVxXu12dTs9FX1qCPmXOpgD6f1/PLguQ"
    "F8hnvzZdo8r/FEN3GwtPR/9ceJbG4VXuPN2guuW+4c/71xYmHo5X8cSTnWMynxTvIDvx5K"
    "B+CCpvyk5DMvkB+AC5vXJLbpZbuFsusHXA1vHQzZnX1HpaErTeFa0LHJJc6R9wtE3v4Zck"
    "wcpCmxCB3YPzkK4rH6vBmhVrCNq+0YKQUNhWQkFo0xvAucoWPN2y57IQZz/lFL7sJZTL2/"
    "PzUX4c3gC4JfeA6tgQXNp2E1OPBNQyBWawqU2lBRiwm00hVM2nV2MLk+ZZU0b4XMJVTX8A"
    "Dadew2eGX62meYSEOdZKSdRj/f615FH/Nh7v778bv90/PJocvHs3OXq79pzyt4pcqOOzn7"
    "gXtZsM30rsj/DI98SplnFNykDWVTR8Vt4NISs3vM0Q9sZHZRjC8ZGcIOT3epkZ1NigyL2X"
    "6HV6lx2kNkWGOvcIqpMrEkpDrqhErgjpKhtrHPZMNu/qJq6KvEQesC+BPfuNZJVIcdbBv6"
    "AP0EGpXCnFlraqnpxOigHSJZDWbP9QK4EfeII13USGJM2WEMumWwK5N6H8sBBnSF9Mz3f2"
    "jnaPMvvbRPPrQW4SdTWbiDg1uR2vJcCES5jwC2oqoJyijXIKV1tiE6n8z0raycqBajaumv"
    "aP9+rY2LTxXGuC+8pPqYVFDBnRAVYx9LdqIV+sQrCG9ceaB0ymRAeo6J6Wq8CSwi4Moalc"
    "QklsUzKAKtRVdKiuwlkvknwhyIM7hSYLbzqL2LkVsFe2YXjOCdL9eU2SpE022i2RpiV+e1"
    "edryU2vKNKCtQ7T3vAVGWWRnxDyuafkktf6264AknctpK44IuAL9JHVLeaLe/0eprXmyxv"
    "rSBh81ny7KRahQvIyg6QDOhJ8F+K9dFszxLoWDoXrNu3Nw+87ckk4FeHVMoHxBLdyATwxw"
    "4mE1B8pmypFBqopsn8WY3UGSikIYWwKZsBXE0jCRlQycZVwl28F+TeBOKwi0mXHTFYKy53"
    "1PqZfBOofb30Jkf0bpcC/sjcnec54LDVbgUSeBmLAAsMLPAIWOBOhKrAAjeBKrDAwAIDCw"
    "wscNe9UGCBgQV+LTQKsMCdVQ2wwF1TCLDAXVMJsMCvyxEDFljuqAEL3BgLHG1wJSWAEztg"
    "Pcv9Jnfeaob1zVG8cJ7iNg+66R/v1Ror0wjztdCJS1UXY6vGPJETHuBU0d+pIe8R+Fvv19"
    "R1VhZU3WlVQ94L8l59QRVWYsJKzD7B29mVmJc21Re65uuducqWhY2RIAwTNdstCsashICq"
    "BRJwwP3rCMjgyMzXfsB9j8sO2OMW+n2VHEQsARmIzSeFsEawwMUoKLNZSwxv8+dJqeFkUj"
    "CcTPLDCbb4TxeVnNq2gZElhjkhlcH5jok1Ze/RNNmuZR/PZucpyz4+yx63e3txfHq1s5fZ"
    "xDIfAsJJfHJT72eGBU7ie41al+XVgFAD6qcjYG+c+pEzFImCN2zoj5joojKeKicfJQmHk6"
    "DP1YB00OgBSELsniF1khiXZHXSqt40r6PFLNMczz0nOPQ5S+x8EVlvKBr+xf7LhIQNkYGJ"
    "T8rJGvBbsEqrk6u0gARpkARx0MqwkQBfOQuSEAEaZPM0SC9WG/FzWjzc29OZEKXYdKgAZu"
    "mYnhSBxShZsmNJqaPKTFeKaUYKdsXPA+uaDCKCnWBte+khISUF7GgpdhSOTmrr3BlMiC04"
    "zvkGf5NgvBYYgikX8V6nv94UexRrqM9nlz9FzbNuRhrt/9h3Qk5KPnzEEkPAu4U87Tq8rO"
    "BPJERg4stPfAkqoILlpqXAektZL2Sq5Oj3M2cBmarXqPUymSqL+VhqGMvWUL1AHNZ5dkfd"
    "+a88pO5rfedZWdB0lzWdzoWU9ELTQpB5Fp1LCLl9yO1vfYhqZllHIvX6QpQlywYGCnZ62O"
    "zSKo8pQ5xeYPYztZGgECB5e7co/494Q9X0WzaQ9S+T3CdYs8k88D4gN9/N3DycgrxhbyP4"
    "7ohtVFpXk5YaYOHDXinea6+A99oTsLY+aj5MlbGOpIZHMTYCdT+qGlrEuBTEBQhnAZ57JJ"
    "g7XTZrWvNqKUyRcM1EZtdwbziTmfRRcog/e5Z5UhRo1K6wLXCWOZACHQe7xYL/JoPVDxjP"
    "eU/yeDXTYrcoZF2EbSFqhagVotZWo9b1p1c1mMoJDtLZbyCg4g67Jdi8QA51LDFIjDcdUA"
    "ER06IxY9dhD2WTLQt0akWw0h6gHheiWIhiIYqFKLZ7YA8kir2wLZ3a5PpJp9pyJAhi0w12"
    "i2JYM2iqun7bJtZbZ2JYaYS63a3dthukpjyew4MSDs/hgdTf4beKw9E+bcu0vtLbfZnY0z"
    "B5RIbcz5SzMALR9qa9/b4sBuXVMWykVO8ESzcKKxFjISBZ5LDWWKaRkgQfvSs+uqxgP+dB"
    "bsexuV65FJsB9X6NTMf/7TnvRtCq0MVx/fYhSa+6vkQbXH3wpICX55vALO1gl4rkdeDrO8"
    "nXR6oq64tG7QfIv40nkzILACcT+QJAfi9TnRN/AhVnlrTkAGeW/s4kghUijqc6mGhYdARv"
    "AbmakYPKoDKcqolNm6xq4Z0XBcgrQO65fhhBhRsTFszZQvEhsZqtzOKJkkTdfahl/1lBsP"
    "4y1u+jVtf2BcJg+bUt38I0wFF1hbZfpIm8LChiA4ogWHusq4hIFhRRWxF8w0h1r9IsEItA"
    "Dr/E8O/DNamO8AQQroLwXg2I9wDjshg7xNawy4Zc9r8aboxQHIbt2sN2hCddcoK9SqpMID"
    "kkPWzyoFAfJ9vBFhMxRBb/LMhpYcBZVoiznTTKZ5s8sNH+Sb7KIdNityh98hS2hVUOkDWB"
    "VQ6tjtXrT6/qKoec4AATU7BsvI+rHGDZ+FbCHJdix1XZD9M8Kir8k47QeUEYqPMDNaxnGF"
    "6tFKxn6EwYBesZBr2eYYpZXClcyBDe2S3cOC5us5V1C5U++4EFnC+cQOWh5CMmrvATlzvi"
    "CZEBeuKNlOHxj6oCwmHzAaLbSCzJnkiF2Xj5SXcJkfZPuttOdLOxM+22Sr5+/z9jWbdA"
)
