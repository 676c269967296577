"""The lossless ingest path: validate and queue usage events in a Redis stream (hot path), drain
them in batches into the database (worker), isolating poison events in the dead-letter stream."""
