from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "prompt_rollups_daily" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "organization_id" INT NOT NULL,
    "prompt_id" INT NOT NULL,
    "version_hash" VARCHAR(128) NOT NULL,
    "status" VARCHAR(20) NOT NULL,
    "bucket_start" TIMESTAMPTZ NOT NULL,
    "count" INT NOT NULL,
    "totals" JSONB NOT NULL,
    "data_sources" JSONB NOT NULL,
    "schemas" JSONB NOT NULL,
    "sketches" JSONB NOT NULL,
    "max_occurred_at" TIMESTAMPTZ,
    "updated_at" TIMESTAMPTZ NOT NULL,
    CONSTRAINT "uid_prompt_roll_prompt__8590d8" UNIQUE ("prompt_id", "bucket_start", "version_hash", "status")
);"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "prompt_rollups_daily";"""


MODELS_STATE = (
    "eJztXW1zm7gW/iuMP6UzaSZx4iS7986dcRJ369sk7iTO7s62O1QG2WbMW4VImt3tf1+Jd4"
    "RwwTEYiL60sdAR8JyDznPOEeLvnmGpUHcOhrb2AT73fpb+7pnAgOQP5si+1AO2HbfTBgxm"
    "utcV2Jq8gs9eI5g5GAEFk/Y50B1ImlToKEizsWaZtPfQlIYfxxIRkDRHcrCFoCoBR/ryxU"
    "Zwrn378kXas92Zrin7kmaq8BtU30i27joSkO7fD9/2B6eSNZfwEkpPS0uHdKQDemrVUsi5"
    "NXNR2Vk+m59Nggbpg6BEerydaVhCwFQtQ/JP7exLjkWGmAMHS0vgLOnZoWm5i+V/vMH8s0"
    "s6xA79/dnULWvl2tKSjGSZUELWE2lHVIAM45raVxf6F0j+dTAEKr0sOjI5mwQWgLZK8BGi"
    "5wgIX0rG1gKSUyACx6c/SbN/m074017Jcw3qakrrmkoH8Npl/Gx7bWMTv/M6UoxnsmLprm"
    "HGne1nvLTMqLdmYtq6gCZEAEM6PEYutQPT1fXAZELT8K807hJoIm5Q4Ry4OrUmKu1fQNzW"
    "k+XbyVS+H01luZextFAiYRZBk2KZ1ErJpTre3S/oJbztH52cnZwfn56cky7eZUYtZ9/9U8"
    "fA+IIePLfT3nfvOMDA7+FhHIPq/Z+B9XIJEB/XsD+DLLlkFtkQx3XQhg0xtvGDWQe4Bvgm"
    "69Bc4CX5eXR4uAbKX4d3l++Hd3uk1xt6SovMJP4Ucxsc6vvHKN4xvv4zVQbhWGI7GO/WfN"
    "MInxYB+DQf31MWXjKtyHTCKQNwUqaDZnx6UgDk05NckOmhNMiI+JgyAIf96wO3Z0BjBlGv"
    "FoD7RaaJfv4s0c9MEhQOWdcMDcs2RLKhmS7mIJ7r7HLlf+z/OBoI5ofGWPdWPGAMtoIgvX"
    "cZ4CzCV+QI1gzIhzktyWCrBqIH4R9tnEjIDaoTU38OrGANrtPxzeh+Orz5SE9nOM5X3cNv"
    "OB3RI32v9Zlp3WNn9mgQ6bfx9L1Ef0p/TG5HHryWgxfIO2Pcb/pHj14TcLElm9aTDNSEQw"
    "tbQ9RSWtcJ6ZVdZyO9s7Jb0HzDnrGWKDrEZK2mEXy0VhvpOS0ptNxkLVtoAUztL0AxkEtF"
    "hhzJjdxkgcm7fYFiDDCZ71A5YBMSAlAfUJrLmK+4gXfSDLMgv7MQ1BY0oeNhPSZXBkyFx+"
    "mCXNiEGa5dWH8PbSlsjc+PwFOUC+I9u+QPAgDEfkwyvL8cXo16GUveAsIPwTDdRDbx8PIR"
    "paY8A8rqCSBVTtk0PWL1LaYl6ps9ZPQNtgWYYOFhQ++CXjPPrDkpYNbs8xPBSdMplg3Ox1"
    "gkMUUSsynQMqmJYrmJdcmJTHZCBMz56HcrYM7QlfxJPzaPZIUtbRwXgeS7D3dQj6ZovneN"
    "a3ktM4E8B5uhIC8EaHv0o3nwPFlo5dhAgS/E6LdwnK4C5XlAx3LRi6EiEze49wbqKlY2sg"
    "wbvxCmj94gXYWIXJjiRoT4pSiNwtG6CpdvUfIjmcu3hdmv/lhdQqzKcNBzgpwwMHSO+eFf"
    "5IFF2NeZsA8aQNPLxH2RQOcCv+NCRenjNVXp42xZ2gaOQ6iZWnqFRUZwI7wbVj1hIu3BoE"
    "ikPRjkR9r0mFhoUetCC82RydSvPXJQvrAImMDMmZGTcgzaMyJYFdzhhFJvMfBiMrlOZSku"
    "xlMG44ebi9Hd3pEHPemk+clisdji9eaORHFW1BIbgfXWa4kiCdrGhEzD2ONOwuU4H8qJmV"
    "PJ0vzAOZ2b3W70/Ckzc3nX+KeIql9tMXXXpEyUUwUlfrWUuHXr+tvMiRtBPyolxYLw1U34"
    "ElVdDuNL13zzKR9bZRakT5A+QfpeRPpW5NbK4Bv2rzGzHxKer3o92f1BEZgH+SgPBLMWzF"
    "owa8Gsm8nzKmDWVTLHgGZzWGNMwPMZY4LpV7q+5hMXxiczenfFe1XXX9bmT+dkAK4QsUrs"
    "Oj7rFDSzLprpujxYHx7GVzmvFLpcZGnzAZXaZL7YKcBr0PNX6PiONOkivftMEx3B1qtl6x"
    "h+41DIKWnl4xv2r5GtV8XR1xHD0e/TFCcMMdy7Gf7+JsULrye3v4TdE5hfXk8uGKiDebiE"
    "MccSNcKtIjDH9cRF21/1lHGKGbQL7H/ByIvdEZq8O0JCY5TyGJwH7J1ugZzpjCvNKHxOxT"
    "ul5KvJw8X1SPp4N7oc348nt2mtegc94hitdrsbDa95T1oifUrIJgf6/99Pbtcgz5FnnzZN"
    "wdI/kq45lYWnvf/OXVOh8EozV9OxZjoH9Hz/24HjoXitdzysj2EeKToA63gyUK/8lTdF3V"
    "CefAc4QGZbxIL7Iq7dGFFk60S2joZutrqh1tOSQutN0TqHkGSW/okcbdXbNSWTYEWhTYiI"
    "jSKzkEYrH8vByopVBG3b0oKioLCrggLXpreAc5ndFpplz0UhZh/lFL7kIqTbh+vrXnYe3g"
    "K4Bbf7aNgUXNh2E64nB9QiC8zE/gWlXsAQGxeshar68mpsYbl11pQR/qjgKqcfgIpLr8E5"
    "g6dWUVyEghprqSLqhbZ4LXXUn/r94+Oz/uHx6fng5OxscH4YMafsoXUU6mL8C2VR+8nwrc"
    "D+CI/QxFzyml9xTcqIqitv+iy9GwIr173NEI7650UyhP3z/AQhPdbKyqBCJkXKXsLLaV11"
    "EFsY6LLqIrBJrYgrLWpFBWpFQJPJXGOTcxK/qxmwLPI58gL7AtiTe0TPiRLnJvivGUPooF"
    "CtFENTeS5fnE6KCaQLIK1Y3vdLODzwCiqaAfScMltCjC23+HIHgXy3ECdI3wyv947O98+Z"
    "/W1C/3qScaKOYiFeTi3fjiMJYcIFTPgFayrEcoo6llM4yhIaQKY/S2mHlROq2bpq6v+SS8"
    "Pmpq3XWhO5r6xLXbuIgRHt4CqG9q5ayC5WQVCB2uOG3xJLiXZQ0S1driJeKWzCFJqqJRTE"
    "NiUjUBXrKhq0rsKOXpJ8Icid++AAC2+6iti4N2DvLF137SugeX4tp0ib7LRfoEyLvP6OrE"
    "YSW95RJQXqzFVWEMvE0pBnSGz9Kfnq66Ybrogibl1FXMFFBBdpI6o7rZY3+n2a11ssr21B"
    "wvar5KxTLZMLYGU7mAxoSfBfKOujWK7J0XGuL4j61+cHDlviBLzVIaXqAbFEMyoB9LSdqQ"
    "Ss/3xgoRKaUE2V9bMNSmdCIRUphLhsAnA5jSRkhEq2rhJK8V5Qe+OIi11MmkzExLvi+USt"
    "ncU3jtqjV28Kfni8rhTwe0J3fpwDDnrtl0gCL2MRkQUWWeCeyAI3IlQVWeAqUBVZYJEFFl"
    "lgkQVuOgsVWWCRBX4taRSRBW6sakQWuGkKEVngpqlEZIFfFxETWeB8oiaywJVlgcMNrnIT"
    "wIkdsH6Y+03uvFVN1jeT4hXfU9zlh27al/eqLStTSeZrriEHyw6E5gZ+IiPcQVfRXteQZQ"
    "Te1vsb6pqVFaputKpF3UvUvdqCqngTU7yJ2SZ4G/sm5hAiTVn2OJFXcGR/XcgF4j5V7ocr"
    "4qkdxFMbhFIdjaL6g0GR4vZgkF/dpseYLSnJQ1UC4aB7B9E9KvrJq3VfvMp88MoyMeTVlP"
    "NLCQmR+isJuwlRtlYz2Gk28fu/K6Wqyw=="
)
