"""Who is calling: roles and the policy (``policy``), credentials (passwords, JWTs, API keys),
authentication of a bearer token to a ``Principal``, organizations and users (``tenancy``)."""
