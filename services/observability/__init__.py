"""The service watching itself: request and system metrics, thresholds and performance views,
Prometheus exposition, health checks, worker heartbeats and read-only pipeline probes."""
