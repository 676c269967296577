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
        DROP TABLE IF EXISTS "feedback_metrics";
        DROP TABLE IF EXISTS "agent_metrics";
        DROP TABLE IF EXISTS "monitor_switches";
        DROP TABLE IF EXISTS "system_metric_samples";"""


MODELS_STATE = (
    "eJztXWtzm0gW/SuUPjlViiuWLcezu7VVUiJPvGNbKT8mU5NMkRZqSZR4BRo73tn89+3mIV"
    "4NBgwIyP2ws3HTt0GnL7fPfXTz90DVl1ixDieG/Bt+GvxD+HugIRXTf8SuDIUBMoygnTUQ"
    "tFCcrsiQxS1+chrRwiImkghtXyHFwrRpiS3JlA0i6xrrPdGEyccLgQoIsiVYRDfxUkCW8P"
    "WrYeKV/P3rV+HAsBeKLA0FWVvi73j5SjAU2xKQcPth8no0PhX0lUA2WHjc6ApmIx2yWy91"
    "id5b1ta13eWL9kWjaNA+JhZoj9cLmQgm0pa6Kri3toaCpdMhVsgiwgZZG3Z3rOn2evNPZz"
    "D37oKCicX+/qIpur61DWFDR9I1LJj6I203mQAdxtbkbzZ2H5D+1yIYLdljsZHp3QS0RqxV"
    "wA/YfNoB4UqJRF9jeguTwvH5L9rs/kzL/9PYiisZK8vIrMtLNoDTLpInw2m70Mi505FhvB"
    "AlXbFVLehsPJGNru16yxphrWusYRMRzIYnps30QLMVxVMZXzXcJw26eDMRNCzxCtkK0yYm"
    "7T5A0DYQxev5nXg7uxPFQULTfImQWnhNkq4xLaWPajm/fs0e4fXo6OTtydnx6ckZ7eI85q"
    "7l7Q/31gEwrqADz/Xd4IdzHRHk9nAwDkB1/j8B67sNMvm4+v1jyNJHjiPr45gFrd8QYBu8"
    "mE2Aq6LvooK1NdnQP4/evMmA8vfJzbsPk5sD2usVu6VOLYlrYq69SyP3GsM7wNd9p4ogHE"
    "hUg/F+1TeK8GkegE/T8T2Nw0vNisgMThGAwzI9VOPTkxwgn56kgswuRUE26RpTBGC/f3Pg"
    "DlSsLrA5aATgUR4zMUq3EqOEkWBwiIqsykQ0sCmqsmYTDuKpi12q/PPrH2cGPPvQGu2uZA"
    "UMwJZMzH67iEgS4ff0CpFVzIc5KhnDdumJHvr/6KIhoT9wOdeUJ08LMnC9u7ia3d5Nrj6y"
    "26mW9U1x8JvczdiVkdP6FGs9iFv23SDCp4u7DwL7U/hzfj1z4NUtsjadOwb97v4csGdCNt"
    "FFTX8U0TK0oPmtPmqRWVco6RVtq9S8x2UrmPmWvWMdmWgfk8yZNvGDvi01z1FJmOU2z7Ju"
    "rpEm/xcxDMRCniFHstQymcN4d89RDACm9s4sBmxIAgB1AWWxjNWW63iH1TAJ8rluYnnNAj"
    "oO1hf0yZAm8TidFwubx4brFtY/fF3yW4P7m+hxFwvivbv0HxQATFyfZHL7bvJ+NkhocgUI"
    "33vD9BPZ0MvLR5Sp8gJJ20dkLsWITrMr+kiPtez6Ji+pIzXegjS0drBhv4I9M0+tOSHguN"
    "qnB4LDqpMvGpyOMQQxIYjZFmhjoYl8sYms4EQiOgEOczr6/XKYE3Ql3egH6hHOsEWVY+pJ"
    "nv92g5WdieavrkEur2MqkLbAJijICwGqjn60D55H3dxaBpLwCzH65I/TV6CcFdDSbfPFUF"
    "HDjW6dgfqKlWHqqkFeCNNHZ5C+QkQfTLJ3hPilKM380foKl6tR4gO15VVh9rs7Vl8Ro06d"
    "RkQV06GklxIENtSVM1Jf0VphvGRsqxrAzr3R+o0Zow4rhTLbSjD75I3WP8zqDNI41JQTnP"
    "Epa3pQZseLIRjTm2AMVpGsFInG7AR6F445zlUqcpxRK3KcLBYxkGVRq7csXPeUECyFd8ty"
    "mrH413icJ/41HqfHv9g1KH9qtPxJtkRq+uUHDspTnYKJtBSLHJaLob2ggnXB7RuUZlP00/"
    "n8MhI7nF7cxTC+v5rObg6OHOhpJ9lN4UAJ1M8b0YWSCcjwtwLryjP8kJroYpi0ZexxL+5y"
    "kKXg+MyRFEa64xzNmFTrPX9OWC7nGf8Cr/qnLXHYNymDIgegxD8tJe7cbpsuc+JW0I9aST"
    "EQvqYJX6jWgsP4opUY6ZQvXvsBpA9IH5C+F5G+Lf1pRfD1+zcY2fcJzzelmej+OA/M43SU"
    "x8CsgVkDswZm3U6eVwOzrpM5ejSbwxoDAp7OGENMv9b6ms9cGB+13Y4yZwO9W2zqmnM6AF"
    "eIaiWxLZd1As1simbaNg/W+/uL9ykbfW0usqz5kEmVsRd7BTgDPbdCx11Iw0uk8zujRAfY"
    "er1sneDvHAp5R1v5+Pr9G2TrdXH0LGI4++Muwgl9DA+uJn+8ivDCy/n1r373EObvLufTGN"
    "SeHS6gzIFEg3AvTbQizfhF1Vc9JRbFBNo5TqWJycOZJW0+syQ0Y4zyqJwX7FzRUYo540rH"
    "JnzFxHs1ye/n99PLmfDxZvbu4vZifh2dVeeiQxx31W43s8kl700LhU8p2eRA/5/b+XUG8h"
    "z5+NsmS0T4n6DIVm3u6eBfK1uTGLzCwpYVImvWIbvfv/ew8DC8shee+BoTe6XYAPGFJwH1"
    "1q28ybsMpcn3gAMkDivNeVpp5nGlEK2DaB1z3YxlyVmPSsKst2XWOYQkUfoHMdq6D1ELB8"
    "HyQhsSgeNbk5DuKh+LwRoXqwnaroUFIaGwr4QCV6crwLnIGSjt0ue8EMdf5Qi+9CGE6/vL"
    "y0HSDlcAbs5DeFpmgnPrbmjpSQE1T4EZnCpSaAMGHCeSCVX96dVAw1LzrBElfC7hKkZfgJ"
    "pTr949vbdWkmzT9HKshZKoU3n9s+RRfxmNjo/fjt4cn56NT96+HZ+92TGn5KUsCjW9+JWx"
    "qGHYfctxPsIDOxOnWMY1LANZV575LHwaQlyuf4chHI3O8kQIR2fpAUJ2rZOZQYkaRcZe/M"
    "fpXHaQ6AQp4tI2UZlcEVcackU5ckVIFqmtMeg96borq7go8inygH0O7OlvNJ9CKc4y+GeM"
    "AXOQK1dKsCY9FU9Oh8UA6RxIS7rzVSEOD3yPJVlFSkqaLSQWT7e4coeefL8Qp0hfTS4Pjs"
    "6GZ7Hzbfz19SSxiFqSbvJiaul6vJMAFc6hwi+oqYByiibKKSxpg1Uksj8LzU5cDqam8qlp"
    "/vtKLbNNledaQ7Gv5JKaWcQQE+1hFUN3qxaSxSomlrD8UPILfxHRHk50R8tVYEthG0xoJJ"
    "eQE9uIDKAKdRUtqqswdpskXwhy7z4DEoc3mkVs3Q7YG11RbOMDdRedhS0lSxvpNcyRqDUd"
    "AUvcBCIVH6oSwXVhS1tMRKpspqNL8RRUePdr2TNXII/bVB4X6AjQkS6iuteEeau31Py8+f"
    "LGahKqT5THF9Ui4YC4bA/jAR3x/3MFfiTd1jhznLoW7Po3tw686cgi4BSIFEoJBBLtSAaw"
    "2/YmGZD9Xc9cWTSYmjpTaCWyZzAhNU0IXbIpwMVmJCQDU1L5lDCK94L0G0ccDjJpMxGD7e"
    "LpRK2b+TfOtO923yRivfuKAvu7m1IDwKHtT8/GfsPbruqJ+iZCvHCY9j5POexe3KvbO0VW"
    "smkR0cJYK7FOJIR7uFR0d2lIMgLn3KWScx2Xhalu9VRD3gvyXl1BFcpwoAynS/C2tgxnQg"
    "EnV5j+SmnAcb/Cl4dZzhdiHUXV6bmng+lNLOnmEs5IaHNtDWyOqJhSuO+dqSuFTqiPSvXR"
    "8c17iGrWGapxx9dFzYGpMNa+VA9Po6gDaqiuiWGcC+IMhOMA746QsOiqqfG2eGZspuUJl9"
    "xX2zbca95YG+YoCcSf3eIUFu1hMKWjKRbY4gRRgJaDXXkUYD/O6jnGSzZSur8a6zHMcllX"
    "Xl/wWsFrBa+1Ua919+oVdaYSgr0k+zU4VIyw0ycoAHUg0UuMq3aoIBDToDJHDuIr48Gmjg"
    "DHQ4EXC14seLHgxbYP7J54sVe6JhPdvH2UibQZcJzYaIdhlg+rul1Fy+mL6/dhUz3U/X4k"
    "eb9OaoTxnJ7kIDynJ6l8h1165qB5jcHAiwjolEgijQ94SCqG+YKK1WUOdi3NspzpfH4ZWV"
    "SnF/GvI99fTWeUecbOHE36qvRu2HxASjrPTI/CcESbW/aOu7JnVdogjVpKccH5Imj6HuCI"
    "EARZ0mEt8cXPiCRw9LZw9JZv5rl9sghW3dD7LWLfaeCxG06vTIpjOf29IL1oORJNxOrdO7"
    "lx+aHwebDR3Y2k4XaI17cyXu9PVV4u6vfvYfxtNB7nOZhlPE4/mYVdi1XnBK9AwZUlKtnD"
    "laW7K0ky3CMZtmhgU8K8w1kygqsxOagMyhNTVbGqm0+l8E6KAuQFILctx40gvJMnstZsrn"
    "ifopqNrOKhkkTZ2pbS/7ggaH+ub3ww1MrqPkcYNL+05muYuDiKFlf3s2YiKQsTUcFEmFh6"
    "KDsRvixMROmJoCZ7KR4VWgUCEcjh5/keHINrXBzhMSBcBOGjEhAfAcZ5MTZMXcIWNbn0fy"
    "VoDFcczHZps+3jSTYswF4kVcaR7NM8VHmEhIOTbmCNiig8jX8W5Kgw4JxWiLOfNMon3dxS"
    "a/+Yvssh1mOYlT559PrCLgfImsAuh0Zt9e7VK7rLISHYw8QUbBvv4i4H2Da+FzfHItiwRP"
    "rDJJvwCv9SLXRSEAx10lDDfob+1UrBfobWuFGwn6HX+xkmmPqV3I0M3pVh5sFxQZ+97FuA"
    "I7nrO5K7CBEPifSQiddShsdeqgIIe917iG4tviS9I+Fm49O/RhMSaf5jNPvxbir77Mxeg6"
    "8//g9X0Nqn"
)
