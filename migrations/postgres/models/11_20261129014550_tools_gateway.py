from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "tool_executions" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "event_id" UUID NOT NULL UNIQUE,
    "user_id" INT,
    "tool_name" VARCHAR(200) NOT NULL,
    "mcp_server" VARCHAR(200),
    "operation" VARCHAR(64) NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "error_type" VARCHAR(200),
    "duration_ms" DOUBLE PRECISION NOT NULL,
    "started_at" TIMESTAMPTZ NOT NULL,
    "prompt_id" INT,
    "prompt_version" VARCHAR(128),
    "arguments_size" INT,
    "result_size" INT,
    "received_at" TIMESTAMPTZ NOT NULL,
    "organization_id" INT NOT NULL REFERENCES "organizations" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_tool_execut_organiz_6101fc" ON "tool_executions" ("organization_id", "started_at");
CREATE INDEX IF NOT EXISTS "idx_tool_execut_organiz_c855a1" ON "tool_executions" ("organization_id", "user_id", "started_at");
CREATE INDEX IF NOT EXISTS "idx_tool_execut_organiz_99191a" ON "tool_executions" ("organization_id", "tool_name", "started_at");
        CREATE TABLE IF NOT EXISTS "tool_rollups" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "user_id" INT,
    "tool_name" VARCHAR(200) NOT NULL,
    "granularity" VARCHAR(8) NOT NULL,
    "bucket_start" TIMESTAMPTZ NOT NULL,
    "calls" BIGINT NOT NULL,
    "errors" BIGINT NOT NULL,
    "duration_sum" DOUBLE PRECISION NOT NULL,
    "error_types" JSONB NOT NULL,
    "sketch" JSONB NOT NULL,
    "organization_id" INT NOT NULL REFERENCES "organizations" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_tool_rollup_organiz_8d4005" ON "tool_rollups" ("organization_id", "granularity", "user_id", "bucket_start");
COMMENT ON TABLE "tool_rollups" IS 'One bucket of one tool: ``granularity`` ''hour'' or ''day'', ``bucket_start`` its UTC start.';
        CREATE TABLE IF NOT EXISTS "gateway_targets" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "name" VARCHAR(100) NOT NULL,
    "kind" VARCHAR(20) NOT NULL,
    "url" VARCHAR(2000) NOT NULL,
    "enabled" BOOL NOT NULL,
    "interval_seconds" INT NOT NULL,
    "timeout_seconds" DOUBLE PRECISION NOT NULL,
    "last_collected_at" TIMESTAMPTZ,
    "last_healthy" BOOL,
    "last_error" VARCHAR(200),
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "organization_id" INT NOT NULL REFERENCES "organizations" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_gateway_tar_organiz_9b5b41" UNIQUE ("organization_id", "name")
);
CREATE INDEX IF NOT EXISTS "idx_gateway_tar_enabled_4a15ec" ON "gateway_targets" ("enabled", "last_collected_at");
        CREATE TABLE IF NOT EXISTS "gateway_samples" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "kind" VARCHAR(20) NOT NULL,
    "collected_at" TIMESTAMPTZ NOT NULL,
    "healthy" BOOL NOT NULL,
    "response_ms" DOUBLE PRECISION,
    "http_status" INT,
    "error" VARCHAR(200),
    "figures" JSONB NOT NULL,
    "organization_id" INT REFERENCES "organizations" ("id") ON DELETE CASCADE,
    "target_id" INT REFERENCES "gateway_targets" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_gateway_sam_organiz_5c0e06" ON "gateway_samples" ("organization_id", "kind", "collected_at");
CREATE INDEX IF NOT EXISTS "idx_gateway_sam_target__8893e0" ON "gateway_samples" ("target_id", "collected_at");"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "tool_rollups";
        DROP TABLE IF EXISTS "tool_executions";
        DROP TABLE IF EXISTS "gateway_samples";
        DROP TABLE IF EXISTS "gateway_targets";"""


MODELS_STATE = (
    "eJztXWtz4zaW/SsqfUmnytPVfsjpnd3aKrvtTrxx211+JKnppNgUBUlcUyTDh93ObP77An"
    "yCIECDFEmR8P0wmbaIS0rngsC95z7w7+nGWSDLf3vimj+j5+k/J/+e2voG4X8wV/YmU911"
    "88/JB4E+t6KhumtqD+g5+lCf+4GnGwH+fKlbPsIfLZBveKYbmI5NRp/Yk5PPFxMsMDH9iR"
    "84HlpMdH/y9avroaX57evXyRs3nFumsTcx7QX6hhbfT1wr9Cf65Pank38czI4nznISrNHk"
    "ae1YiNzpLXn0wjHws0171dlTfrd/tzEaeIyHJnjEP+ZmMPF0e+FsJvGj/b2J7+BbLHU/mK"
    "x1f02ejmwnXK3/M7pZ/PSJhQKf/P27bTnOQ+hO1vhOjo0mnvOEP/eIAL5NaJt/hij+gvi/"
    "foD0Bfla5M74aRN9pZNPJ+gRec8ZELGUFjgrhB/hYTi+/IE/jn+mn/7pPmhLE1mLgtbNBb"
    "lB9LkWPLvRZxd28DEaSDCea4ZjhRs7H+w+B2vHzkabdkA+XSEbeXqAyO0DLyTzwA4tK5ky"
    "6dSIv2k+JNFE/sECLfXQIrOJSMdfIP9sqmlX13fa7fmdpk1LMy2VoKZF8pHh2GSW4q/qR7"
    "9+Rb7CPw72j344en94fPQeD4m+ZvbJD3/Hj86BiQUjeK7upn9H1/VAj0dEGOegRv9fgvXD"
    "Wvf4uKbjGWTxV2aRTXGsgjb9IMc2fzH7AHejf9MsZK+CNf5z/927Cih/Obn58NPJzRs86n"
    "vySAevJPESc5VcOoivEbxzfON3qg7CuUQ7GO92+hYRPpYB+FiM7zELL15WNLLg1AGYllFw"
    "Gh8fSYB8fCQEmVwqguzhPaYOwOn4/sCdbtBmjrxpLwAfyCwTB+JV4qC0SBA4NMvcmIHmIk"
    "/bmHYYcBAXbnZC+Zf3P44GkvVhMLO7lR0wB9vwEPntmh6UET7DVwJzg/gwFyUZbBeJ6Nv0"
    "H2NcSPAPXFzb1nMyCypwvbv4dH57d/LpM3ncxvf/tCL8Tu7OyZWD6NNn5tM37Mqe3WTy68"
    "XdTxPy5+Rf11fnEbyOH6y86In5uLt/Tcl30sPA0WznSdMX1IaWfpqiVtC6hY1eLfQb6Z2V"
    "bUHzA3vHRqLoFJNKTXvo0XlopOeiJGh5yFp2vJVum3/pBAOtlmfIkWy0TUos3uNzFHOA8X"
    "rn1QOWkgBAY0AJl7F84Dre9DQsg/zR8ZC5IoROhPUF/ma6bfBsuoQLu2ZuNy6s/07nUvpp"
    "/nxPf8q4IN67i/+BAUBB7JOc3H44OTuflmZyCwjfJ7dRE1nq5eUjSqbyXDcennRvoRXmNL"
    "niHDjMJ9nY8qXNwYb9RLf1VYQN+RXkO/OmNYcCZqe9mAimp44cGyzGGEhMIDGHAi1DTchx"
    "E1XkRImdAIdZjL5aDnPJXBEv+vn0oCNsxclxmkh+/PkGWdkSzd9d81jeyKaAaIMtmSBbAt"
    "Se+TE8eJ4c78F3dQNtidGv6X1UBSraAX0n9LaGCi/c+m10I1Wxcj1n4wZbwvQ5uomqEOEv"
    "ZoSZQbwtSufp3VSFK55R2iNey9vC7Jf4XqoiZjuBuTSN2F831rptJ25Zc9yuqFt+iO/4Kt"
    "DDP97EM8/cduGn8TuL76ms2aXjHxVoG4RvZWxrn5JbfYrupCpaS4QWxNhvB7CPyd3UxoxY"
    "rksLO1atYPZrcje1MYuh0lwnktoKsBioz05rAYbhoaVbyNsWphNyj9HGKyXw0bzQ2nZjjE"
    "C6CS1lHaIFci3neYO2fuvOshupChWyH03PsVvA6jy/k6pgBY5jaW25knf4Zso7khFinmNZ"
    "odsCXDfRjVTFaoV/z5P+rPn6xt16jf8xvtltdC9FN8QUsED3Vmjb5SsB7C66l0pTrMugdU"
    "TVc4LVKYUvDlJncQIITisTnEYb3bTqRKczAeXC04dSqfOHFbnzh+XkeVf3feyGL2rXgZQE"
    "G+E9sC2CyQeYzWTyAWYzcT4AuQblIL2Wg5i+hpd+85GD8im295BuC1ZkWo5Be44Fu4I7XV"
    "D6TVk+vb6+LORSnF7cMRjffzo9v3mzH0GPB5lxShu3JGSBHTQT/7IoSrFqmu0iuAukkg85"
    "lRzym8QrnVr5TVBAAPnug8C69Xx3SNQbY9LQMDf1fsmSPGePw5gUEvrEtEkxf7Bd7uRLae"
    "WKvuMfwKm82oT/XRtlkPIPJvGrNYn7VfYrt4kHYX50ahSDwde3wUdVHnAsvmJdgtjkYysh"
    "wOgDow+Mvq2Mvgf80+rgm47vMa6TGjx/Wv3EdmYyMM/EKM/AsgbLGixrsKyHaed1YFl3aT"
    "kmZjbHaswNcLHFSFn6XRuLYYjBY43FL1x4n+ys70rUZi7Oo42XeXwDrhCerUHoxw8A87Mv"
    "8zNSagnW+/uLMz6u6XgGWfLxWyI13nWEh1+cuRVvsfTmGf3SogkEdny3dnyAvnGMyzv8KR"
    "/fdHyPdnxX1nuVyXj+213BWkwxfPPp5LfvCxbj5fXVj+lwCvMPl9enDNTJSlxjMucSPcK9"
    "8PRl0I/H1H42XGlbLKEt0b2VkYeErCEnZFEaI0bPhvOCfbQcXbCccaUZhS+JuFJKPru+P7"
    "08n3y+Of9wcXtxfVXUanQxMh2zLMib85NL3ptGEavY3ORA/z+311cVyHPk2bfNNILJ/00s"
    "0+/McZ3+1zK0DQLvZB6aVmDa/lvyvP/ewcZD8KreeNg9hnmlyA3YjacE9UOckyO7DYnkFb"
    "ABSod6SJ7qUXmsR9nI0le13o10/DDeBfJYZd4FoFTF74K6lGroLhpqvSgJWh+K1jm2YSk/"
    "E4j0rvu+04ykLLSUCJw4U4Y0S0+tBysr1hG0Y+NoIeqzq6gPd063gHOdtq3Dms+yELOvcg"
    "Ff/CUmV/eXl9PyOtwCuJJ9gwe2BEvPXWrrEYAqkwUIjVBrVclAB1RpqHbW7G4kL3QBrA46"
    "lCk7ybpPtMiXMWHGRWGleyn1gukR1mmLmy/pM5OtwTBCz0uyKmqlTZyaq9eSOfEfBweHhz"
    "8cvDs8fj87+uGH2ft3mXlevlRlp59e/EhM9T2aI5Dok/NImvXWy7GgZdrMs9ipOtrJskj2"
    "6NpdcVg59Zri7B+8l4kIHLwXBwTItVFmAhgO6XxHbtoL1O1nAwROoFvaIvT0JrFhrjTEhi"
    "Viw7qp4bXGxc/E+665QXWRF8gD9hLY49/oPVMpDU3wr7gH6EAqNyJAtvFcPxmFFgOkJZA2"
    "nOi0bY4deIYMc6NbglguJcbG9GK5t4m8WohjpD+dXL7Zf7/3nulzlu6vR6VN1Dccj0fciu"
    "dxJgFTWGIKb5FDBelTfaSM+MYabXSN/FlLO6wcqKZ11fR/7vjA1qbWA/oU91XeUiszZRhR"
    "BVNlxpsaU86I8pCBzMdGimZEFVT0SHOioLh4CEtoIZYgiW1BBlCF5J0BJe+4Wbn0liArdz"
    "wuC28xiji4Wvj46J8z3Yz2NUGQlh60JxGmTQ4m0haZRMvl8gVQ56HxgAINz7T4iDo2/kQX"
    "uzdtvQRB3L6CuGCLgC0yRlR3Gi0fdP3c6w2W95aQ0H6UnN1U63ABrKyCZMBInH8p1sdwQp"
    "ujY+FekI3vbx94N5JNIMoOqVfVm0kMIxKgVF0v2+K1QQgNVNNl/KxB6AwU0pFC8JaNAa6n"
    "EUoGVNK6SoiJt0XsjSMOXYuGbIhBQwKxoTbO4BtH7VnpTYno3S0F/BM2d17mgJNRezVI4H"
    "UuAiwwsMBTYIEH4aoCC9wFqsACAwsMLDCwwEO3QoEFBhb4tdAowAIPVjXAAg9NIcACD00l"
    "wAK/LkMMWGCxoQYscGcscNrgSkgAUx2wXuR+6fZu3bC+JYoXTlbd5dFW4+O9emNlOmG+lq"
    "bnB5qPkN1gnygJK7hVjHdrKFsE0VEbDXXNyoKqB61qiHtB3GssqEIlJlRijgnewVZiXjmB"
    "uTSNSO/YVLZtZE05bhhv2F6VM2ZTApoRS/RyenH0xcEh26VDBkfkdntE7gP+aXXwTccriW"
    "/baQf4cUtzVScGkUtABKL9oBAyPMQxMSrSbDIJ9Zo/z6SWk1nFcjIrLyfIJj+dl3LqOBbS"
    "bT7MlBSD8xyLdTXf022y35l9en19WZjZpxfs8dr3n07Pb97sM00syy4gHPconurjjLDAcY"
    "+vUeuiuBoQakD9DATs1qkfMUNBH4JkmY/IM3lpPHXOQKIJh7P4ns8K6aDTA5C42L1A6tAY"
    "S7I6RVW3zesYOcu0QIvQjQ95Z4mdL7zZm4gmf+H/YiHuQN1CXkTKiQaQS1ClNcgqLSBBOi"
    "RBXP3ZcnQOvmIWhBIBGqR9GmQU1UbknJYQjfZ0Jj0I0Mblnd4oXNNpEShGYcmOdRC4mmjq"
    "CjFlpKArfhlYf4Mh8pAb17ZLLwkFKWBHpdhRODqpr3NnkOc5nDPD79A3AcaZgApTuYr3Ov"
    "/trtqiyKC+vL76MR3OmhlFtP/XmXM5KfHykUuogHcPcdrMvaxhT1AisPGVNz6KCqgxc4tS"
    "MHulZi9EqsTojzNmAZGq16h1mUiVjW0sLfFlG6ieIw51nsNRd/ktT6j7Ru85KwuaHrKmi7"
    "EQSSu0KASRZ965hBDbh9j+zpeobso6qNDrligLygYUBbu4bA6pyuMEIx58QvhnGlNOIgB9"
    "ea8q/q+TgdomGtlB1F8muO8hw/EWsfUBsflhxubhFOSWrY34vfMcq1ZdTVFKwcSHfSnea7"
    "+C99rnsLYRahFMtbFOpdSjGDuBehxZDT1iLAVxBcIswIvQi/dOH++a9qJeCJMn3DCQOTTc"
    "O45k0jZKCfEXzzKnRYFGHQrbAmeZAykwcLB7TPjv0ln9iNCC3EnsrzIj9qpc1mUyFrxW8F"
    "rBa+3Va81evbrOVElQSWO/A4eKGOw2p3mBGOpcQkmM23aogIjpcTIj38UPxZstdnQaebDC"
    "O0A+Lnix4MWCFwte7PDAVsSL/eTYZuB4t09mYKynHCe2OGCvyofdxEM1PxrbRb0148MKPd"
    "TdtnbbrZNasHiOjyQMnuMjob1DLlW7o2Nqy5R9Mtq+TPhpyHvULbGdKWZhOKL9bXuHYykG"
    "JdkxeKXU5pzSjcpMxFwISBYxrA3KNAqSYKMPxUYXJeyXLMjdGDa3z36ANjH1fqtv3Oi3l6"
    "wbzqhKE8ePxickveZHEn1w9fGTYl6eNIFZO3GXCvpz4OsHydenqpK1RdPxCvJvB7OZTAHg"
    "bCYuACTXmOyc/BWoubMUJRXcWca7k3AqRNxQc5FnIN4RvBXkKiMHmUEynOoGbRzvuRHeZV"
    "GAvAbkoR+5EQG3MWHFns0VV4nV7GUXp1ISTf+h0fxnBWH2y8z+CLWmc58jDDO/8cy3URDj"
    "qPncuV+libIsKKIFRXjIeGyqiFQWFNFYEaRhpLZfaxfIRSCGL7H8R3DN6iM8A4TrILzfAO"
    "J9wFgWY9dzDOTjJRf/r4EZwxWHZbvxsp3iGawJwV4nVMaRVEkPbR4UGuHkuMjGIhZvxr8I"
    "clEYcBYl4uwmjPKr4z3g1f5JXOXAjNirCp88JWOhygGiJlDl0Otanb16dascSoIKBqagbH"
    "yMVQ5QNr4TN8cPkOtr+IcZYcBL/BOu0GVBWKjLCzXUM6iXKwX1DINxo6CeQe16hsix/OzE"
    "P6BczUBd3qusZYgz/FwnwmdvF25qWpRAlmo8+TYuOKsDdVZ3W26y61W6e0/qUbdCDsAV1n"
    "0mASa9jElflxNQmApo/7y2fP2uac4XBBU05kdivEulpz4izydb91r313XeJFZOwZaMB+9l"
    "doSD9+IdgVxj3il9xaF7xMd+puPhzM/CC9XGmZ8E2ronHdEyPZ772RXkpWOOJM85qjzoCE"
    "46AloIaKF+shjIgUC1sC3IAIsNXNtwjsWIp2YLIH/ObjSuqSyLbuEdHhKHeUJO15xy2Mv4"
    "wl7l0RdkyI4ISzyhvIAqUuYPIRHu6LIXWoj5uBa/+VrIzS03OjFt6TuhZ9TifXKJHq12Mk"
    "/6sdxncgdzV5zLzdrsyA7MoJZrlEso5xgdSvlFhxVu0WHZK4rSR2u6n7RMK4TLgDo+HUmB"
    "fFQB8hGkMvXOEfvoEXk1VwpaRkGQ288X2yDfxxZXGeM79E1YVp2JKLAcV9Ei57/dVVODGS"
    "tyeX31Yzqc5Qt3HbcbpivSWdhu7SF/7Vgc47gC44IU4CyV8Zg5NiWgX2gxU5BUkHkdCdMq"
    "FcNbmuSnNtByQRAOmh6yjnXjAV+y0KJZM0KOOOh7NPqeP9dj+fnCQPfzktZ9x3psmLReEI"
    "XXacivU6asuq9SWRBeI07LFyeo5Z6m41XIGurbObV0P8DznJz83mjd4snD4jXkxSt0Fw0T"
    "aIqSCrpxI02g4ag9+fZDSqAZ2Cvduu2Xx3FljYFcAgAdeO7MwLDuNHUmjTRviXCUpnGT3E"
    "tNeKk3uAArfv7k6v7ysip1hoqOP6Kkuo6pXEvkPv58g6xsolaAff6IRpnKKIL7787Ti2LE"
    "RDlGGZ4vJBppuQY7TjeKHxfPOGjbM9hKyAf848v4i2PY6XgF49ftJwksPWej1U/FYMRU4A"
    "o6L9lzGuBcEIIJLQEz3i6cml2+aBHwHYBBhPSWYQLeRtpFg/CsqvzcePk4TkiWMuVlV31K"
    "BGrYXqaM9LRQpA0mY4TwytIY9LwaXAVQxCCJPPSUXnrJQSdEzY7KgTZZQ+D0tF+o7+m1vg"
    "faEtE1+XIl+VUV+eV88nSCyyKcSyiIcSetn/QVNj1WgtiHGGhGTAXvpuvqCMPZuLpn+vWA"
    "LkopOKsPZUrWxAVrJWZpZyn7Q4O5Y+cRG2E2ScpuBjhXGpx2GdzxzyIHPJh2yD0BR2jVlQ"
    "XB0+N1K0H2gszM+gBzJPtD+N1I4IVCzB5MDd9weP0mxe3bMgHo31bNYjfo32asddtGFnba"
    "a3XUY8SGoRjyPGUUk7ImJaWcOo6FdJuvF0qK0ckci3WljJQ26Rf20+vrywLspxds2Ob+0+"
    "k5Xp2+L9otvAKWKJX7ucG+yhOF0GQZ4rQLYd3SkZIcgMs5o5ZUIyASX2yY4s69AdQzDDmQ"
    "Bg1Bxa/XOOsZZBqCQhWLalofRxXL4JStctXF0MBuvexCpjwg72W5ZXnAaM2UfgsDzuYpnr"
    "f6xuUnH5TG7FXlICzmLvKWmpeIaH4k00c+QvykvBepR80U+hrUEQyyjoBSUU0jpyipoJEz"
    "XqOmbMvSb6Us2+6J13wV2PZOMlWiBVmrmw9UlAKs5bCGEqi8n7IEujNxN+VS2Mj8C2nzZy"
    "47W7U1F+WUiXn2skVTDKP5iDTPeaoJfkFMIea2Z/QXSF80QL8gBug3Rd9Hf2q+oXPslMp1"
    "h5IC7Jtiby6+NcCelgLsm2JPVg7tyTODANXEn5UEHdTRQYmX3E0Zytn8NtCDKjKIur4nQQ"
    "SR+ugdkUBA9ADRMy5fSiWih7z4voZviJq0UKdFISVhyHr+hhdzrLvNxuTouWpVZQTBSW9m"
    "sEUweo5lEQOggQZoUdBBMx3MrQeyXuk17YqCGGC/BfbruosPLQXIN0M+CF08e4PQs7kpyx"
    "Xos5KggeYaWKLAWDdRACUI+DfH37R9RA78qa8AWhI00FwDSZJjfQVQgoB/c/zjXK8G+FOC"
    "gH9D/NEGr+SmVTdAWpQD9LdAv0F4uigH6DcPkFqO8dAgQJqJAfbNsMdfwkZRKWadujlGSh"
    "nwW6vpIrk0zaDlSCoUgGsNYBKVmOt+o6SisqwyE7jvlTv04uzwDUcFFT1aGLk+2+J0pYAO"
    "erMMJJR8jbHYJIUhN6E95UST2SF7EgFlh5LRvNDuJaocN/mGZoa9NjP0EP6RflwHXgNeVg"
    "xK3zgrMBQXdo1woPs8z0TcXiUTgMYqhdh3G41Vok2kpjbmfHIE1LG9OhbeM9m6OeZ3VZ8b"
    "SqrHPjfZJ6NtdFP/XJNdHGoyxUNDtOhqinfe4AxDhjb8w80qupwVpGClaX2lmaOl49VqPJ"
    "dLDEMdSnWe05cB8upoIxMAZbSuDOR5DkcZ4pODMgEVmmtX5WB2cXQQtG4S783jbOIj07oJ"
    "b/BeM60XJSEHesg50EvTNv11IzUzoqDnIet5t3GL8Sh25JGLM+RazvNGcFwydXWvMl6Rjd"
    "vRaUyU3RA1ROJyvvnqIxqTBj/IZWQ/mp5jkx/FuwPER/qMj8BhT922dXlEnl+zUxEloiDK"
    "nRz3RH+zEtJiX5QR65Gn3IH734lDOhJaODnDpB9euP0Dr/HjluYqsf/qMF8lQWDAWmfACh"
    "hrHno0+Qt+VUKj4Ab9xcT3B22+wGEAvYIL7KLSBATQia9By0Anvg49k9YLZGPTjYcGqi5L"
    "g7aHrG04xUNsDY0zAMhRe+kUDx5jKmX2lgUhzRYSmeGUlGGB/Xc6q9o6JUWwdrSA9Hnxbo"
    "oCXV42tziNxgvMpW5seyBNHjA8SW6oEP5FFmKt2ytuWWUjuD5Et1MWrAJ32DZ00c3VBtD1"
    "nI0baEnMrTXoPke3/SWP5KmIHb5i+6agyLwZbnfZLVUCrZ88k2xjqMw3obcPmbwTrbCBtZ"
    "uA8oV6Drl7eqZJ9OX/YNJTIC8E8kL6AheO++kR30MZeA/F6B6WwPXQsg62yXAF0j+Yc5Sk"
    "Ju6sYuLOOKk2JrYwOa6kGN5cQoWSjx7WBmrzrbW3leSAinqZiipaIFvSI8W03pEBLcuOlK"
    "ZZXXKkH3M48VsrjeHct5UyhSn/ultD2F/r29m/cBIJudbLSSRYVTU2w2S4gmbc8ZHETnh8"
    "JNwIySU2s46c69AwI4mRVTDgOd4AZzmuvUG+r69qeZyUCFjuUpY7mJVgVoJZua1ZSQdFqo"
    "1LJnwiZ2JGQv1Zmlm6OZibozA3G9QX7KaiYOBLd6GhjBE4Xr09kRaBUoIypK4eGOsynuJK"
    "pUxgGBVKSvWvqu89gc80Ap8J7Hmw58Ge39aeL2bqVBr0paQeKYuek2HUrUkfP7Bk0H9Jc5"
    "1ibSTfR1vr/hqabvSbXFHAvgTvi50hMjkFWeT9g/cy7SEO3ovbQ5BrwHz1aOvTy4oksgUZ"
    "QBXsj53ZH+WZ3ALAn7MbKQpu4f0dpmFHpRJXWnXFlGMpk45JfO64K1tpItfukgb0bF/07B"
    "K/F1r9pkiMmIp5clJpcjV6IgVOA5wLQgpaz+3DDNx46/ay7QScRAdxl7p0vAqrQhX/2kV/"
    "OqC+gfoGhx5cz0G6nrvxkOgSfo5jxFT4i/0hqki+E1Kb7REBRYE7562hKLDbNsZQFNihJ1"
    "PZI7qiek25HtE9pBpDJ1Ex+uNsUyZzThG00YI2WiOwzqXbaIntc55z1FoPFIWg77TzyZ3j"
    "WOffkBGKYjzFAXtVzkyAh2ooHbujs3ao9sp/CM7RCX3kyY+OflVqhNPjIXo0yOgRehQxWv"
    "f3F2d8DdAyjB7C0Fy8JZJNVpSdqqMC2bgbSGzl0PZL9DuLVij1skjaIZQERC7KkYvCeiIf"
    "c6OElPRUO2gBsjFcDc/FR95BxxUlsQUpFeJFPUDtuEh0sI4Y6YJQj5xAbKIQ08Kx+uEH2i"
    "/rH8eZUf0xiccyRCLr1lM84jELcHTEdoxRDZCLUrB4yLVq2ulhrkOb2BX4Nj3NdaAH14wI"
    "+SGxiFLB/d3kkw9t7eomSb/BcaRlSfX2hk6qTnRvFUbEoOabf3G2YnECXUkQZnR5RuMVB3"
    "+/utgyUgAsD1gDmY+N9llGVMGNFsJ3EL6D8N3Iw3ddR6VuHMsK3akgJJVc3XsxHuVFA+WC"
    "UdNrG03mofGAgomznDj4L3KPf06+fl15Ov6OumcGz1+/Tr5bO6H33cTxJt8t9Ofv9vCAWE"
    "yLnCQ8wgz8yf3dh0n099spo7xOH9QwcEY9mAmS0U+EsNdAw14Qp4E4zUj5P2blkcWaEVMQ"
    "bRl/WuxNl3zpwjpe0ylhZRX0SkbihUjRf4ZuWbxcqortOBPpz+t4p8COzESMaoKeywDqzV"
    "DPgkB+uGkWPUoE+wwfdaWCjmNHeXSTM83FbSkZsWE0pySPVaY5pY/35nqtQnMJUEfr6gAS"
    "EEjA3RuyYycBf8SIP+nPt/rGjWAu8YDFAXtVVOAqHqr50dgdpaanlYb4dbeQQaedY68K3y"
    "oZVrwMdNsg6TaoMu2wyrTwBpRAfunMoqIsEBWDJirWSLeCNYf3O3UcC+k2X8mUFKPfeZLT"
    "q45KT6+vLwvaPL1ge/bcfzo9v3mz/33RgeNme7j4uahuoiUj19BTHli8oGNfeR0ErrC5mn"
    "CTZqQgLiOg2epsvZmAeil3nYRjluYq9OoxPJQI0AkK0glDewnaDvXS7pcktAUZAHXgFM3A"
    "sG6doSnP5hYwTviVu+x+aoJceJMHSIAl+IsJsFxBLxNg8Y/dXa+5L1Nkk+8UgW3pPjmssT"
    "Hd9Vq4LuhF10P1CvSiGxlLGHpWHWyT4UpCK+sGVvqBJYCplboGN0dJ9cjNpavyaLk5/DTk"
    "PeqW5iP8/EUd0ogn2l/U+LjjfKL2vDxzg5wwEANcwYByZPvMF5q9HWnGUNnCK6FeHc7h3q"
    "CFmM4wfRUlQjqRyprFdVjRZhvIeHTb4v4RQVebGy9KAUEuRZBDY14x+upW9obuoqHWi5Kg"
    "9aFonbObJd9+SLGXwSlb5TjB0MDuMZWTyibPkyQZ261GK+ZScua4zAgR8J02Yz5Bnmmspx"
    "ymP7myV0Xx6/mYLlNbgaHvk6Fv0Gtq2yZTQ1sDGYt+NpOx6GczsUVPrjFdply3DsLJcAXR"
    "7SQKgp8YcA8+EycUUSL9JxTthgtoLXWoZFz1Gb3++/8BidjgEw=="
)
