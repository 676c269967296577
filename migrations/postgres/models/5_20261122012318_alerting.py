from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "metric_points" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "name" VARCHAR(100) NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "type" VARCHAR(20) NOT NULL,
    "timestamp" TIMESTAMPTZ NOT NULL,
    "version_hash" VARCHAR(128),
    "tags" JSONB NOT NULL,
    "tags_key" VARCHAR(2000) NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "organization_id" INT NOT NULL REFERENCES "organizations" ("id") ON DELETE CASCADE,
    "prompt_id" INT REFERENCES "prompts" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_metric_poin_organiz_935ba7" ON "metric_points" ("organization_id", "name", "timestamp");
        CREATE TABLE IF NOT EXISTS "alert_rules" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "name" VARCHAR(200) NOT NULL,
    "metric" VARCHAR(100) NOT NULL,
    "aggregation" VARCHAR(10),
    "comparison" VARCHAR(3) NOT NULL,
    "threshold" DOUBLE PRECISION NOT NULL,
    "warning_threshold" DOUBLE PRECISION,
    "window_minutes" INT NOT NULL,
    "pending_minutes" INT NOT NULL,
    "severity" VARCHAR(10) NOT NULL,
    "scope" JSONB NOT NULL,
    "channel_ids" JSONB NOT NULL,
    "enabled" BOOL NOT NULL,
    "renotify_minutes" INT,
    "created_by_id" INT,
    "last_evaluated_at" TIMESTAMPTZ,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "organization_id" INT NOT NULL REFERENCES "organizations" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_alert_rules_organiz_7e13e4" ON "alert_rules" ("organization_id", "metric", "enabled");
        CREATE TABLE IF NOT EXISTS "alerts" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "source" VARCHAR(50) NOT NULL,
    "entity" VARCHAR(300) NOT NULL,
    "open_key" VARCHAR(400) UNIQUE,
    "status" VARCHAR(20) NOT NULL,
    "severity" VARCHAR(10) NOT NULL,
    "message" TEXT NOT NULL,
    "value" DOUBLE PRECISION,
    "threshold" DOUBLE PRECISION,
    "started_at" TIMESTAMPTZ NOT NULL,
    "firing_at" TIMESTAMPTZ,
    "acknowledged_at" TIMESTAMPTZ,
    "acknowledged_by_id" INT,
    "resolved_at" TIMESTAMPTZ,
    "resolved_by_id" INT,
    "note" TEXT,
    "last_notified_at" TIMESTAMPTZ,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "organization_id" INT REFERENCES "organizations" ("id") ON DELETE CASCADE,
    "rule_id" INT REFERENCES "alert_rules" ("id") ON DELETE SET NULL
);
CREATE INDEX IF NOT EXISTS "idx_alerts_organiz_f45274" ON "alerts" ("organization_id", "started_at");
CREATE INDEX IF NOT EXISTS "idx_alerts_organiz_4e55d2" ON "alerts" ("organization_id", "status");
CREATE INDEX IF NOT EXISTS "idx_alerts_rule_id_3a39c1" ON "alerts" ("rule_id", "status");
        CREATE TABLE IF NOT EXISTS "alert_events" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "kind" VARCHAR(20) NOT NULL,
    "from_status" VARCHAR(20),
    "to_status" VARCHAR(20) NOT NULL,
    "actor_id" INT,
    "note" TEXT,
    "value" DOUBLE PRECISION,
    "at" TIMESTAMPTZ NOT NULL,
    "alert_id" INT NOT NULL REFERENCES "alerts" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_alert_event_alert_i_e38488" ON "alert_events" ("alert_id", "at");"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "metric_points";
        DROP TABLE IF EXISTS "alert_events";
        DROP TABLE IF EXISTS "alert_rules";
        DROP TABLE IF EXISTS "alerts";"""


MODELS_STATE = (
    "eJztXW1zpDiS/itEfeqJ8HS0yy63725jI+xu94xvbFeHX3YmdmaDwZTKxRkQw4vdvr3+7y"
    "fxjpCwoIACnB92tg1KUTwppMwnM6V/zyy8Qqb3/sQxfkEvs/9U/j2zNQuRfzB39pSZ5jjZ"
    "dXrB1+7NsKnmGOojegkvavee72q6T66vNdND5NIKebprOL6Bbdr6xFZOvp4rREAxPMXzsY"
    "tWiuYpf/7puGhtfPvzT+WdE9ybhr6nGPYKfUOrHxTHDDxFU25+PvlxvjhS8FrxN0h53mAT"
    "0Z7e00evsE6ebdgPnT3lD/sPm6BB2rhIIS1+vDd8xdXsFbaU6NHenuJh0sVa83xlo3kb+n"
    "Rk4+Bh819hZ9HTFRP5Hv37D9vE+DFwlA3pCdtIcfEzue5SAdJNYBt/BSj6geS/no+0Ff1Z"
    "tGfyNEV70OhVBT0h9yUFIpJSffyAyCNcAsfv/yKXo9f0kj+dR3VtIHNV0Lqxoh2E11X/xQ"
    "mvndv+l7Ahxfhe1bEZWHbW2HnxN9hOWxu2T68+IBu5mo9o974b0HFgB6YZD5lkaES/NGsS"
    "ayK7sEJrLTDpaKLS0Q/Irs1U9Wp5q96c3arqrDTSEoncsIgv6dimo5T8VC98+wf6E36c7x"
    "9+PDw+ODo8Jk3Cn5le+fg9enQGTCQYwnN1O/se3td8LWoRYpyBGv5/CdZPG83l45q0Z5Al"
    "P5lFNsGxCtrkQoZt9mH2Aa6lfVNNZD/4G/Ln/ocPFVD+4+T6088n1+9Iqx/oIzGZSaIp5i"
    "q+NY/uUbwzfKNvqg7CmUQ7GO92+BYRPpIB+EiM7xELL5lWVDrh1AE4LzPBYXx0KAHy0aEQ"
    "ZHqrCLJL1pg6ACft+wN3ZiHrHrmzXgCey0wTc/EsMS9NEhQO1TQsw1cd5KqWYQc+B3HhYi"
    "eUf33942ggnh8GM7pbWQEzsHUX0XdXNb+M8GdyxzcsxIe5KMlgu4pF3yf/GONEQl5wtbTN"
    "l3gUVOB6e355dnN7cvmVPs7yvL/MEL+T2zN6Zx5efWGuvmNn9rQT5dfz258V+qfyz+XVWQ"
    "gv9vwHN3xi1u72nzP6m7TAx6qNn1VtlVvQkqsJagWtm8ToVQOvkd5Z2RY0P7BvbCSKTjCp"
    "1LSLnvBjIz0XJUHLQ9Yydh802/hfjWKg1vIMOZKNlkmJyXt8jmIGMJnv3HrA5iQA0AhQym"
    "WsH7mOd34YlkH+gl1kPFBCJ8T6nPwyzdZ5Nl3MhS2Z7saF9fdkLCVXs+e72nPKBfG+XfIP"
    "AgDyI5/k5ObTyeezWWkkt4DwXdzNNJHNfbx8ROlQvtf0x2fNXamFMU3v4DlmrqRty7esuc"
    "Ve0WztIcSGvgX9zbxhzaGA2WEvJoLzQ0eODRZjDCQmkJhDgZahJuS4iSpyosROgMMsRn9a"
    "DnPJXBFP+tnwyEfYioPjNJb88ss1MtMpmr+6ZrG8kQ0B0QJbMkG2BKg982N48Dxj99FzNB"
    "1tidGvST9TBSpcAT0cuFtDRSZu7SbsaKpYOS62HH9LmL6GnUwVIvLD9CA1iLdF6Szpbapw"
    "RSNKfSJzeVuY/SPqa6qI2dg31oYe+ev6RrPt2C1rjttVrstPUY9vAj3y8gYZeca2E38ev8"
    "9Rn5M1uzTyUr5qIdKVvq19Sru6DHuaKlprhFbU2G8HsC9xb9PGjFqua5M4Vq1g9mvc27Qx"
    "i6BSHRxKbQVYBNRX3FqAYXhoaSZyt4XphPYx2nilBD6qG5jbLowhSNeBOSmHqEtuPmQkOJ"
    "x8wlSIufiUDgEOfjIcPLI0w6xDwqcCk2PhD6QyBA8qUgQPyjmCjuZ5xNpY1U53LQk2wntg"
    "SwMT9lgsZMIei4U47EHvQdZrr1mvhqeSqZ84oJx1GxMwNVswI+flGLTviWBXcCcTSr+ZWa"
    "fL5UUhZHR6fstgfHd5enb9bj+EnjQyosg9ZL6+3UAeZMpBYtcgsG49sQsi0mOMjg3MetyJ"
    "u5wFpzk+cyFyLXaci4Hydr3n30szV/gb/wVe9ZvNbNu1UQa5bWASv1mTuF9lv3GbeBDmR6"
    "dGMRh8fRt8uRQ7jsVXTMATm3xsyh8YfWD0gdG3ldH3SF6tDr5J+x6Z/cTg+cvsh91fyMC8"
    "EKO8AMsaLGuwrMGyHqad14Fl3aXlGJvZHKsxM8DFFmPO0u80v+Z3LozPdlpIHO6bEtUYRN"
    "M56YArREalH3iR1QlmZl9mZhDwYL27O//MxzVpzyBLL7+nUk3mi50CXIFelKETLaT5JTJ8"
    "z6KhA9Z6t9a6j75xTMhbcpWPb9K+R2u9Kxu9yjA8++22YBMmGL67PPnth4JdeLG8+ilpns"
    "P808XylIE6nodrDOZMoke4V6629vvxi9rPeiotiiW0JTYjY+Rhq6ohb1WV0xg1eSzOB/bF"
    "xJpgOuNKMwpfU/FJKfnz8u704kz5en326fzmfHlV1Gp4MzQc02y367OTC96XlqNPibHJgf"
    "6/b5ZXFchz5NmvzdB95f8U0/A6c09nf1sHtk7hVe4Dw/QN23tPn/f3HSw8FK/qhYddY5hP"
    "inbALjwlqB+jzBvZZUgkPwEboLRHteQm1ZW7VANbB2wddd2cVUOtFyVB60PROscgKaX+AU"
    "fb9d6ZeRJMFtqcCOzaXYY0zXysBysr1hG0Y6MFIaCwq4ACd0y3gHOdra+GNZ5lIWY/5QK+"
    "5EcoV3cXF7PyPNwCuJJ7rw1sCpYeu7mlRwCqTIIZbCZVqwADdpGShmpnG4aM5IPuNIuR/R"
    "yFQenCF/tadFotzhYdx6njZ8ZTnK4HrhsHpGtFnE+Nh7cSdP6P+fzg4OP8w8HR8eLw48fF"
    "8YfUzCzfqrI3T89/oibnXt7XldhM4olu3FUvPJ2XgRA1b62pvXUEKze9nSP258cydOr8WM"
    "ym0nujDKPqZFKkpl7yc0YXSvWxr5nqKnC1JoE1rjQE1iQCa5qhkrnGIc8k665hobrIC+QB"
    "ewnsyTu6L7l4cBP8K/oAHUgFln1k6y/1I/l5MUBaAmkdhyfvcezAz0g3LM0UxCRzYmxsKp"
    "J7H8tPC3GC9OXJxbv9471jZjOgZH09LC2ino5dHgEpHsepBAxhiSG8RQIK5J70kXvi6Rtk"
    "aSr9s5Z2WDlQTeuq6f8MwoHNTa0HpnPcV3lJrcz4YEQnmPIx3hSPcmaPi3RkPDU8BbcgOk"
    "FFjzS3B+ovhzCFFmIJktgWZABVSEIZUBKKk1aUbgny5I7KYuEtRhEHVy58jU0zcD5rRriu"
    "CYK0+UZ7EmFaN2zvqatUouXtZwqg3gf6I/JVMtKi4yrY+FO+Trjp7jQQxO0riAu2CNgiY0"
    "R1p9HyQRcfvd1geW8JCe1HydlFtQ4XwMpOkAwYifMvxfroOLA5OhauBWn7/taBDyNZBMLs"
    "kFrxgExiGJEA+tjJRAKqD76WCqGBarqMnzUInYFCOlIIWbIJwPU0kpMBlbSuEmribRF744"
    "jDli9DNsSgsF5sqI0z+MZRe1p6UyJ6d0sB/0zMndc54LjVXg0SeJOJAAsMLPAMWOBBuKrA"
    "AneBKrDAwAIDCwws8NCtUGCBgQV+KzQKsMCDVQ2wwENTCLDAQ1MJsMBvyxADFlhsqAEL3B"
    "kLnOwGJiSAc9uFvcr95rcp64b1LVG8cPjkLk8FGh/v1Rsr0wnztTZcz1c9hOwG60RJeIJL"
    "xXiXhrJFEJ5T0FDXrCyoetCqhrgXxL3GgipUYkIl5pjgHWwl5hX2jbWhh3onprJtI3PGcc"
    "N4zfaqnDE7J6DqkUQnLhn7uYc/HByyXTpkcL5ot+eLPpJXq4Nv0n6S+LaddkAetzYe6sQg"
    "MgmIQLQfFEK6izgmRkWaTSoxvc2fF1LTyaJiOlmUpxNk01fnpZxibCLN5sOck2JwvidiXY"
    "33ZJnsd2SfLpcXhZF9es6eTXx3eXp2/W6f2cSy7ALCsYXioT7OCAscW/gWtS6KqwGhBtTP"
    "QMBunfoRMxS5hDdkGk/INXhpPHWOPcoTDp+jPl8mpINOD0DiYvcKqZPHWJLVKaq6bV5Hz1"
    "imFVoFTnRCNkvs/M4bvbFo/Bf5LxHiNtRM5IaknKgBvQVVWoOs0gISpEMSxNFeTKxx8BWz"
    "IDkRoEHap0FGUW1Ez2kJ0GhPZ9J8H1kO78BG4ZyeF4FiFJbs2Pi+o4qGrhBTRgp2xS8D61"
    "kEIhc5UW279JRQkAJ2VIodhaOT+jp3Brku5px9fYu+CTBOBaYwlKt4r7PfbqstihTqi+XV"
    "T0lz1swoov0/+J7LSYmnj0xiCnj3EKdN3csa9kROBBa+8sKXowJqjNyiFIxeqdELkSox+u"
    "OMWUCk6i1qXSZSZRMbS4192Qaq54hDnedw1F3+ymPqvtF3zsqCpoes6WIsRNIKLQpB5Jl3"
    "LiHE9iG2v/MpqpuyjlzodUuUBWUDEwW7OG0OqcrjhCDuXyLymvqMkwiQv71XFf/XaEPVCl"
    "t2EPWXCe67SMfuKrI+IDY/zNg8nILcsrURfXcuNmvV1RSlJpj4sC/Fe+1X8F77HNY2RC2E"
    "qTbWidT0KMZOoB5HVkOPGEtBXIEwC/AqcKO10yOrpr2qF8LkCTcMZA4N944jmXkbpYT4q2"
    "eZ50WBRh0K2wJnmQMpMHCwe0z479JZ/YLQivYk9leZFntVLus6bgteK3it4LX26rWmn15d"
    "Z6okOEljvwOHihrsNmfzAjHUmcQkMW7boQIipsfBjDyHPJQstsTRaeTBCnuAfFzwYsGLBS"
    "8WvNjhgT0RL/YS24aP3Ztnw9c3M44TW2ywV+XDWlFT1QvbdlFvzfiwQg91t1u77dZJLVg8"
    "R4cSBs/RodDeobeq3dExbcuUXhntvkzkach90kyxnSlmYTii/S17B2MpBqXZMWSmVO85pR"
    "uVmYiZEJAsYlgblGkUJMFGH4qNLkrYL1mQuzFsbl48H1kR9X6jWU747iXrhtOq0sTxwvYx"
    "Sa96oUQfXH30pIiXp5vAbHC0S0X+OvD1g+TrE1XJ2qJJ+wnyb/PFQqYAcLEQFwDSe0x2Tv"
    "YJ1FxZipITXFnGu5JwKkScQHWQqyPeEbwV5CojB5lBMpyqhSzsvjTCuywKkNeAPPBCN8Ln"
    "bkxYsWZzxafEavayiudSEg3vsdH4ZwVh9MuM/hC1pmOfIwwjv/HIt5Ef4ah63LFfpYmyLC"
    "iiBUW4SH9qqohEFhTRWBF0w0h1v9YqkIlADF9i+g/hWtRHeAEI10F4vwHE+4CxLMaOi3Xk"
    "kSmX/K+BGcMVh2m78bSd4OlvKMFeJ1TGkZySHto8KDTECTvIJiImb8S/CnJRGHAWJeLsJo"
    "zyK3YfyWz/LK5yYFrsVYVPnuO2UOUAUROocuh1rk4/vbpVDiXBCQamoGx8jFUOUDa+EzfH"
    "85HjqeTF9MDnJf4JZ+iyIEzU5Yka6hmmlysF9QyDcaOgnmHa9QyhY/kVRy9QrmbI3d6rrG"
    "WIMvwcHOKztws3NSlKoFM1GXyWA87qQJ3V3Zab7HqW7t6TetLMgANwhXWfSoBJL2PS1+UE"
    "JkwFtH9eWzZ/1zTnC4ITNOZHYrxLpac+IdejS/dG8zZ1viRWboJbMs6PZVaE+bF4RaD3mG"
    "9Ke+DQPeJjP5P2cOZn4YNq48xPCm3dk47yMj2e+9kV5KVjjiTPOao86AhOOgJaCGihfrIY"
    "6IFAtbAtyACLDVzbcI7FiIZmCyB/TTsa11CWRbfwDQ+Jwzyhp2vOOOxldGOv8ugL2mRHhC"
    "UZUK6fK1LmN6ER7vC2G5iIuVyL33wr5OaWC52YtvRw4Oq1eJ9MokernY6Tfiz3hdzB3BXn"
    "crM2O7J9w6/lGmUSk3OMDqT8ooMKt+ig7BWF6aM13c+8TCuEy4B2fDqUAvmwAuRDSGXqnS"
    "P20BNya84UeZkJgtx+vpiFPI9YXGWMb9E3YVl1KjKB6biKFjn77baaGkxZkYvl1U9Jc5Yv"
    "3HXcbpiuSGdhu42LvA02OcZxBcYFKcBZKuMxdWxKQL+yxUxBcoLM60iYVqkY3tqgr9pAyw"
    "VBOGh6yDrW9Edyy0SrZpsRcsRB36PR9/1LPZafLwx0Py9p3cPmU8Ok9YIofE5D/pxSZdX9"
    "lMqC8BlxtnzBfi33NGk/hayhvp1TU/N8Ms7pye+N5i2ePExeQ568AmfVMIGmKDlBN26kCT"
    "Qctce/fkgJNAP7pFu3/bI4rqwxkEkAoAPPnRkY1p2mziSR5i0RDtM0ruO+pglv7gsuwEqe"
    "r1zdXVxUpc7kouNPKK6uYyrXYrkvv1wjMx2oFWCfPaFRpjKK4P7eeXpRhJgoxyjF85VEIz"
    "XTYMfpRtHjohEH2/YMthLykbx8GX9xDDtpP8H4dftJAmsXW2r9VAxGbApcQecle7gBzgUh"
    "GNASMJPlAtfc5SsvAr4DMIiQ3jJMwNtIu2gQnp0qPzdePo4Tks2Z8rKzfk4Eathep4y0pF"
    "CkDSZjhPDK0hj5cTW4CqCQQRJ56Am99JqDTomaHZUDWemGwMlpv1Df02t9D2xLlK/JlyvJ"
    "r6rIL+eTJwNcFuFMYoIYd7L1k/ZATI8HQexDDDQjNgXvpuvqCB1bjuYaXj2gi1ITHNUHMi"
    "Vr4oK1ErO0s5T9ocHcsfNIjDCbJmU3A5wrDU67DO7ktegBD4YdcE/AEVp1ZUHw9Hi7lSB7"
    "RUdmfYA5kv0h/GEk8EIhZg+mhqdj3n6T4u3bUgHYv62axW6wf5u+0WwbmcRpr7WjHiM2DM"
    "XQ501GMQlrUlLKKcYm0my+XnJSjE7uiVhXykhok35hP10uLwqwn56zYZu7y9MzMjv9ULRb"
    "eAUsYSr3S4N1lScKockyxMkuhHVLR0pyAC7njFpajYBofLFhiju3A6hnGHIgDTYEFX9e46"
    "xnkNkQFKpYpqb1cVSxDE7ZU666GBrYrZddyJQHZHtZblkeMFozpefCAOQa+mbGSzmI7uxV"
    "5htkbbpMNYAUgj5TCOLjKeqwoTmRCZKh88VCJpFgsRAnEtB7TJDb4ZwNUxHcdngnwkwB3U"
    "5SCMgT/bicSZrczET6JzZ34/22RmGWbKo+U+i+/z8fSO76"
)
