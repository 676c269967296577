"""Infrastructure every domain stands on: settings, database and Redis connections, the job queue,
domain errors and input validation, dates, rate limits, the outbound address policy.
Lowest layer: it imports no other package of ``services``."""
