"""REST routes of the observability domain: Health probes, Prometheus/JSON metrics, performance monitoring."""
