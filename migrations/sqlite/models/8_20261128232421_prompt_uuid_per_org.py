from tortoise import BaseDBAsyncClient

# SQLite cannot drop a column's inline UNIQUE constraint: the table is rebuilt (copy, drop, rename)
# with foreign keys off, which SQLite only allows outside a transaction; the script opens its own.
RUN_IN_TRANSACTION = False


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
PRAGMA foreign_keys=OFF;
BEGIN;
CREATE TABLE "prompts__rebuild" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "uuid" CHAR(36) NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "text" TEXT NOT NULL,
    "status" VARCHAR(20) NOT NULL,
    "last_executed_at" TIMESTAMP,
    "last_execution_ms" REAL,
    "last_data_source_ids" JSON NOT NULL,
    "last_data_source_key" VARCHAR(1000) NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "organization_id" INT NOT NULL REFERENCES "organizations" ("id") ON DELETE CASCADE,
    "owner_id" INT REFERENCES "users" ("id") ON DELETE SET NULL,
    "workspace_id" INT REFERENCES "workspaces" ("id") ON DELETE SET NULL,
    "tags" JSON NOT NULL DEFAULT '{}'
);
INSERT INTO "prompts__rebuild" ("id", "uuid", "name", "text", "status", "last_executed_at", "last_execution_ms", "last_data_source_ids", "last_data_source_key", "created_at", "updated_at", "organization_id", "owner_id", "workspace_id", "tags") SELECT "id", "uuid", "name", "text", "status", "last_executed_at", "last_execution_ms", "last_data_source_ids", "last_data_source_key", "created_at", "updated_at", "organization_id", "owner_id", "workspace_id", "tags" FROM "prompts";
DROP TABLE "prompts";
ALTER TABLE "prompts__rebuild" RENAME TO "prompts";
CREATE INDEX IF NOT EXISTS "idx_prompts_workspa_7d3394" ON "prompts" ("workspace_id");
CREATE INDEX IF NOT EXISTS "idx_prompts_organiz_86e61d" ON "prompts" ("organization_id", "owner_id", "last_executed_at");
CREATE INDEX IF NOT EXISTS "idx_prompts_organiz_2f1ca5" ON "prompts" ("organization_id", "status");
CREATE UNIQUE INDEX "uid_prompts_organiz_099d5a" ON "prompts" ("organization_id", "uuid");
COMMIT;
PRAGMA foreign_keys=ON;"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
PRAGMA foreign_keys=OFF;
BEGIN;
CREATE TABLE "prompts__rebuild" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "uuid" CHAR(36) NOT NULL UNIQUE,
    "name" VARCHAR(200) NOT NULL,
    "text" TEXT NOT NULL,
    "status" VARCHAR(20) NOT NULL,
    "last_executed_at" TIMESTAMP,
    "last_execution_ms" REAL,
    "last_data_source_ids" JSON NOT NULL,
    "last_data_source_key" VARCHAR(1000) NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "organization_id" INT NOT NULL REFERENCES "organizations" ("id") ON DELETE CASCADE,
    "owner_id" INT REFERENCES "users" ("id") ON DELETE SET NULL,
    "workspace_id" INT REFERENCES "workspaces" ("id") ON DELETE SET NULL,
    "tags" JSON NOT NULL DEFAULT '{}'
);
INSERT INTO "prompts__rebuild" ("id", "uuid", "name", "text", "status", "last_executed_at", "last_execution_ms", "last_data_source_ids", "last_data_source_key", "created_at", "updated_at", "organization_id", "owner_id", "workspace_id", "tags") SELECT "id", "uuid", "name", "text", "status", "last_executed_at", "last_execution_ms", "last_data_source_ids", "last_data_source_key", "created_at", "updated_at", "organization_id", "owner_id", "workspace_id", "tags" FROM "prompts";
DROP TABLE "prompts";
ALTER TABLE "prompts__rebuild" RENAME TO "prompts";
CREATE INDEX IF NOT EXISTS "idx_prompts_workspa_7d3394" ON "prompts" ("workspace_id");
CREATE INDEX IF NOT EXISTS "idx_prompts_organiz_86e61d" ON "prompts" ("organization_id", "owner_id", "last_executed_at");
CREATE INDEX IF NOT EXISTS "idx_prompts_organiz_2f1ca5" ON "prompts" ("organization_id", "status");
COMMIT;
PRAGMA foreign_keys=ON;"""


MODELS_STATE = (
    "eJztXWlz3DYS/Sus+eRUKS5rpJG1R22VZMuJNpLGpWOTipNiIA5mhisOwfCQrN31f1+A9w"
    "FQIIfkkFR/2KxFosnhaxzdr7uB/042ZIEN5+2Jpf+Enyd/Vf47MdEG03/k7uwpE2RZyXV2"
    "wUX3ht8UWbr6gJ/9i+jecW2kufT6EhkOppcW2NFs3XJ1YrLWJ6Zy8vlcoQKK7iiOS2y8UJ"
    "Cj/PGHZeOl/vWPP5Q3lndv6NqeopsL/BUvvlMsw3MUpNz8ePL9dHakkKXirrHytCYGZk96"
    "y169IBp9t26uWnvLb+ZvJkWDtrGxQlt8f6+7io3MBdkowaudPcUh9BFL5LjKGjlr9nZsEm"
    "+1/pv/sODtioFdh/39m2kQ8uBZypo+iZhYsckTvW4zAfoYz9T/9HDwA+l/HRejBftZ7Mn0"
    "bQpaIXZVwY/Yfo6BCKRUl6wwfYVN4fjyO70cfKYT/Wk9qEsdG4uM1vUFe4B/XXWfLf/aue"
    "l+8hsyjO9VjRjexkwaW8/umphxa9102dUVNrGNXMwe79oe6wemZxhhl4m6RvBLkyahJpIL"
    "C7xEnsF6E5MOfkBybaKqV/Nb9ebsVlUnhZ4WSaS6RXhJIybrpfSnOv7Xr9hP+H66f/j+8P"
    "jg6PCYNvF/Znzl/bfg1QkwgaAPz9Xt5Jt/H7koaOFjnIDq/38B1g9rZPNxjdrnkKU/OY9s"
    "hGMZtNGFBNtkYHYB7gZ9VQ1srtw1/XP/3bsSKP91cv3hx5PrN7TVd+yVhM4kwRRzFd6aBv"
    "cY3gm+wZiqgnAi0QzGu+2+WYSPZAA+EuN7lIeXTisqm3CqAJyWGWE3PjqUAPnoUAgyu5UF"
    "2aZrTBWAo/bdgTvZ4M09tiedADyVmSam4lliWpgkGByqoW90V7WwrW5003M5iAsXO6H8y+"
    "sfRwPh/NCb3t3ICpiArdmYfbuK3CLCH+kdV99gPsxZyRy2i1D0bfSPIU4k9AMXc9N4DntB"
    "Ca6355dnN7cnl5/Z6zaO86fh43dye8buTP2rz7mrb/Ize/wQ5efz2x8V9qfy6/zqzIeXOO"
    "7K9t+YtLv9dcJ+E/JcoprkSUWL1IIWXY1Qy2jdoEav6jm19J6XbUDzPRtjA1F0hEmppm38"
    "SB5q6TkrCVrus5aJvUKm/h/EMFAreYYcyVrLpMTkPTxHMQGYznd2NWBTEgBoACjjMpYPXM"
    "c73Q2LIH8iNtZXjNDxsT6nvwyZGs+mC7mwee5xw8L6W9SXoqvJ+230FHNBvLFL/0EBwG7g"
    "k5zcfDj5eDYp9OQGEL4LHzNOZFODl48o68r3SHt4QvZCzfRpdodMSe5K3LZ4azPd5K8gE6"
    "18bNhXsN/M69YcCjjf7cVEcLrryLHBYoyBxAQSsy/Q5qgJOW6ijJwosBPgMIvRH5fDXDBX"
    "xJN+0j3SEbZs5zgNJT/9dI2NeIrmr65JLG9gXUC0wBZMkC0Bas786B88T8R+cCyk4S0x+j"
    "l6zliB8ldAh3j21lDRiRvd+A8aK1aWTTaWuyVMn/2HjBUi+sM0LzaIt0XpLHraWOEKepT6"
    "SOfypjD7V/CssSJmEldf6lrgr2trZJqhW1Yft6vUIz8ET3wV6NGP12nP07ed+NP4fQyeOV"
    "qzC9GPctUNpo/StrVP2aMu/SeNFa0lxgtm7DcD2KfwaePGjFmuS4M6Vo1g9nP4tHFjFkCl"
    "WsSX2gqwAKjPpLEAQ//QQga2t4XphD1jsPFKCXxU2zO2XRh9kK49Y1QOUZvcvM9IcDj5iK"
    "kQc/ExHQIc/Gg4eLxBulGFhI8FRsfCH0hlCB6UpAgeFHMELeQ41NpYVE53LQjWwrtnS0Mu"
    "7DGbyYQ9ZjNx2IPdg6zXTrNedUelUz91QDnrNqFgIlMwI6flcmjfU8G24I4mlG4zs07n84"
    "tMyOj0/DaH8d3l6dn1m30fetpIDyL3kPn6egN5kCkHiV29wLrxxC6ISA8xOtYz63En7nIS"
    "nOb4zJnItdhxzgbKm/WevxRmLv83/g5e9avNbNu1UQa5bWASv1qTuFtlv3KbuBfmR6tGMR"
    "h8XRt8qRQ7jsWXTcATm3z5lD8w+sDoA6NvK6PvgX5aFXyj9h0y+5HB86fRDbs/k4F5JkZ5"
    "BpY1WNZgWYNl3U87rwXLuk3LMTSzOVZjYoCLLcaUpd+2seh5FLy8sfiFC++TGRcY+/upBL"
    "UHwTRPH8AVor3V9ZzgBWB+dmV++kotwHp3d/6Rj2vUPocsu/yWSQ13HuHhF+TuBEtsevH0"
    "vzRrAoEd364d7+KvHOPyll7l4xu179COb8t6LzMZz365zViLEYZvLk9++S5jMV7Mr36Imq"
    "cw/3AxP81BHc7EFTpzItEh3AsbLd1uPKbm86EKy2IBbYltynLysIlVnzexSmmMGT0bzgD7"
    "ZBAkmM640jmFL5n4qJT8cX53enGmfL4++3B+cz6/ymrVv+mbjnEe3PXZyQVvpKWIVWpucq"
    "D/5838qgR5jnx+tOmaq/xPMXSnNcd18velZ2oMXuXe0w1XN5237H3/2MHCw/AqX3jya0xu"
    "SLEH5BeeAtQPQU6O7DIkkh+BDVDYvVpy++rS/auLRhZaVRobUft+jAX22tGMBaBUxWNhvJ"
    "SqZy1qaj0rCVrvi9Y5tmEhPxOI9LY3OE0zkrLQpkRga/UipHF6ajVY82ItQTs0jhaiPruK"
    "+nD7dAM4V9mfrF/9WRbi/FDO4Et/hHJ1d3ExKc7DDYAruUFez6Zg6b6bWnoEoMpkAcKOX5"
    "WqZGCrL2modrary0AGdKuppvnhKMwcyIzYl1II1Oxs0epmHV+id4ZTnKZ5th1mB1QK/5/q"
    "q9eSAfCX6fTg4P303cHR8ezw/fvZ8bvYzCzeKrM3T89/YCbnXtrXldjx45HtrlYtVyAt02"
    "S+wE7V0Uy2QLjWVN7fIy83vu099qfHMsz29FhMbLN7g4xoa3RSZKZe9HMGF9V2iYsMdeHZ"
    "qE6MkysNMU6JGCfSVTrXWPSddN3VN7gq8gJ5wF4Ce/qN9nMqNF8H/5JngA6kYvwuNrXn6k"
    "kVaTFAWgJpjfjHI3LswI9Y0zfIEMQkU2L52FQg9zaUHxfiFOnLk4s3+8d7x7kdm6L19bCw"
    "iDoasXkEpLgfxxLQhSW68Ba5QJAG1EXqg6Ot8Qap7M9K2snLgWoaV033B0X2bG5qPDCd4r"
    "6KS2ppxkdOdIQpH8NN8Shm9thYw/pjzaOKM6IjVPRAc3ugSLYPU2gmliCJbUYGUIUklB4l"
    "oVhx2e+WII/uPLM8vNkoYu9quq+JYXjWR6T765ogSJtutCcRprX99o66iCUaLvvOgHrvaQ"
    "/YVWlPC84Uycef0kXbdbcQgiBuV0FcsEXAFhkiqjuNlve6Duz1Bss7S0hoPkqeX1SrcAF5"
    "2RGSAQNx/qVYH414JkfHwrUgbt/dOvBuIIuAnx1SrTo1luhHJGBU9anlp5NLhdBANW3Gz2"
    "qEzkAhLSmELtkU4GoaScmAShpXCTPxtoi9ccRh950+G2JQWC821IYZfOOoPS69KRC9u6WA"
    "f6TmzssccNhqrwIJvE5EgAUGFngCLHAvXFVggdtAFVhgYIGBBQYWuO9WKLDAwAK/FhoFWO"
    "DeqgZY4L4pBFjgvqkEWODXZYgBCyw21IAFbo0FjnYDExLAqe3CXuR+09uUtcP6FiheOCF0"
    "l0c0DY/36oyVaYX5Wuq246oOxmaNdaIgPMKlYrhLQ9Ei8I+MqKnrvCyouteqhrgXxL2Ggi"
    "pUYkIl5pDg7W0l5hVx9aWu+XqnprJpYmPCccN4zfbKnDEzJaBqgUQnp/D6Pxwcsl06ZHDU"
    "a7tHvT7QT6uCb9R+lPg2nXZAX7fUV1ViEIkERCCaDwphzcYcE6MkzSaWGN/mzzOp6WRWMp"
    "3MitMJNtmn81JOCTEwMvkwp6RyON9Tsbb6e7RMdtuzT+fzi0zPPj3PHxN9d3l6dv1mP7eJ"
    "ZdEFhGMLxV19mBEWOLbwNWpdFFcDQg2on56A3Tj1I2YoUglv2NAfsa3z0niqHHuUJhw+Bs"
    "98HpEOWj0AiYvdC6ROGmNJVier6qZ5HS1hmRZ44VnBYeV5YucLr/eGouFf9L9UiNsQGdj2"
    "STlRA3YLqrR6WaUFJEiLJIiFng2COPiKWZCUCNAgzdMgg6g2Yue0eHiwpzMh18Ubi3dgo3"
    "BOT4tAMUqe7Fi7rqWKuq4Q05wU7IpfBNbZUIhsbAW17dJTQkYK2FEpdhSOTurq3Bls24Rz"
    "9vUt/irAOBYYQ1cu473OfrkttyhiqC/mVz9EzfNmRhbtf5N7Liclnj4SiTHg3UGcNnYvK9"
    "gTKRFY+IoLX4oKqNBzs1LQe6V6L0SqxOgPM2YBkarXqHWZSJVJbSw19GVrqJ4jDnWe/VF3"
    "cZSH1H2tcZ6XBU33WdPZWIikFZoVgsgz71xCiO1DbH/nU1Q7ZR2p0OuWKAvKBkYKdnba7F"
    "OVxwlF3L3E9DO1CScRIH17ryz+j1hDdeO3bCHqLxPct7FG7EVgfUBsvp+xeTgFuWFrIxh3"
    "NjEq1dVkpUaY+LAvxXvtl/Be+xzW1kfNh6ky1pHU+CjGVqAeRlZDhxhLQVyCcB7ghWcHa6"
    "dDV01zUS2EyROuGcjsG+4tRzLTNkoB8RfPMk+LAo3aF7YFzjIHUqDnYHeY8N+ms/oJ4wV7"
    "kthfzbXYK3NZl2Fb8FrBawWvtVOvNR56VZ2pguAojf0WHCpmsJuczQvEUCcSo8S4aYcKiJ"
    "gOOzN2LPpSuthSR6eWByt8AuTjghcLXix4seDF9g/skXixl8TUXWLfPOmutp5wnNhsg70y"
    "H3YTNFUdv20b9dY5H1booe52a7fdOqkZi+foUMLgOToU2jvsVrk7OqRtmeIrg92Xib4N24"
    "/IENuZYhaGI9rdsncwlGJQlh1DZ0r1nlO6UZqJmAgBySKGtUaZRkYSbPS+2OiihP2CBbkb"
    "w+bm2XHxJqDeb9DG8r+9YN1wWpWaOI7fPiTpVceX6IKrD94U8PJsE5g1CXapSF8Hvr6XfH"
    "2kKllbNGo/Qv5tOpvJFADOZuICQHYvl52TDIGKK0tWcoQry3BXEk6FiOWpFrY1zDuCt4Rc"
    "zclBZpAMp7rBG2I/18K7KAqQV4Dcc3w3wuVuTFiyZnPFx8RqdrKKp1ISdeehVv/PC0Lvl+"
    "n9Pmp1+z5HGHp+7Z5vYjfAUXW4fb9ME0VZUEQDirCx9lhXEZEsKKK2ItiGkep+pVUgEYEY"
    "vsT078M1q47wDBCugvB+DYj3AWNZjC2baNihUy79Xw0zhisO03btaTvC010zgr1KqIwjOS"
    "Y9NHlQqI8TsbBJRQxej38R5Kww4CxKxNlNGOVnYj/Q2f5JXOWQa7FXFj55CttClQNETaDK"
    "odO5Oh56VascCoIjDExB2fgQqxygbHwnbo7jYstR6YdpnstL/BPO0EVBmKiLEzXUM4wvVw"
    "rqGXrjRkE9w7jrGXzH8jMJPqBYzZC6vVdayxBk+FnEx2dvF25qVJTApmra+TYWOKs9dVZ3"
    "W26y61m6fU/qERkeB+AS6z6WAJNexqSvygmMmApo/ry2ZP6uaM5nBEdozA/EeJdKT33Ets"
    "OW7jVy1lVGUl5uhFsyTo9lVoTpsXhFYPdyYwqtOHSP+NjPqD2c+ZkZUE2c+cmgrXrSUVqm"
    "w3M/24K8cMyR5DlHpQcdwUlHQAsBLdRNFgM7EKgSthkZYLGBa+vPsRhB12wA5M/xg4bVlW"
    "XRzYzhPnGYJ+x0zQmHvQxu7JUefcGa7IiwpB3KdlNFyvwmLMLt37Y9A+cuV+I3Xwu5ueVC"
    "J6YtHeLZWiXeJ5Ho0Gpn/aQby30mdzB3ybnceZsdm67uVnKNEonROUYHUn7RQYlbdFD0iv"
    "z00YruZ1qmEcKlRzs+HUqBfFgC8iGkMnXOETv4EdsVZ4q0zAhBbj5fbIMdh1pcRYxv8Vdh"
    "WXUsMoLpuIwWOfvltpwajFmRi/nVD1HzPF+467hdP12R1sJ2axs7a2JwjOMSjDNSgLNUxm"
    "Ps2BSAfmGLmYzkCJnXgTCtUjG8pc4+tYaWM4Jw0HSfdYy0B3rLwIt6mxFyxEHfg9H3/XM1"
    "lp8vDHQ/L2ndIcZjzaT1jCgMpz4Pp1hZVYdSURCGEWfLF+JWck+j9mPIGuraOTWQ49J+zk"
    "5+rzVv8eRh8urz5OVZi5oJNFnJEbpxA02g4ag9/PV9SqDp2ZBu3PZL4riyxkAiAYD2PHem"
    "Z1i3mjoTRZq3RNhP07gOnzVOeFMjOAMrfb9ydXdxUZY6k4qOP+Kwui5XuRbKffrpGhtxRy"
    "0B++wRDzKVUQT3t9bTiwLERDlGMZ4vJBqpiQZbTjcKXhf0ONi2p7eVkA/044v4i2PYUfsR"
    "xq+bTxJY2mSjVk/FyImNgStovWSP1MA5IwQdWgJmulyQirt8pUXAdwAGEdJb+gl4E2kXNc"
    "KzY+XnhsvHcUKyKVNedtZPiUAN28uUEYoKRZpgMgYIryyNke5XvasA8hkkkYce0UsvOeiM"
    "qNlROdAm3hA4Ou0X6ns6re+BbYnSNflyJfllFfnFfPKog8sinEiMEONWtn5CK2p6rASxDz"
    "HQObExeDdtV0doZGMhW3eqAZ2VGmGvPpApWRMXrBWYpZ2l7PcN5padR2qEmSwpux7gXGlw"
    "2mVwp5/FDnjQTY97Ao7QqisKgqfH260EmwvWM6sDzJHsDuF3A4EXCjE7MDUcjfD2mxRv3x"
    "YLwP5t5Sx2jf3btDUyTWxQp73Sjno5sX4ohr1vNIqJWJOCUk4JMTAy+XpJSeV0ck/F2lJG"
    "RJt0C/vpfH6Rgf30PB+2ubs8PaOz03dZu4VXwOKncj/XWFd5ohCaLEIc7UJYtXSkIAfgcs"
    "6oZdUImMUXa6a4cx8A9Qx9DqTBhqDi4TXMegaZDUGhimVsWh9GFUvvlD3mqou+gd142YVM"
    "eUCyl+WW5QGDNVM6LgzAtq6tJ7yUg+DOXmm+QdKmzVQDSCHoMoUgPJ6iChuaEhkhGTqdzW"
    "QSCWYzcSIBu5cLclucs2FKgtsW70SYMaDbSgoBfaMbljNJk5uJSPfE5m6838YozIJN1WUK"
    "3bf/A/DQdTE="
)
