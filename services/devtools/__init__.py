"""Development tools, not a domain: demo data for ``make run`` and ``api.cli seed-demo``."""
