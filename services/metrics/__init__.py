"""Metric definitions and values: the built-in metrics derived from executions (``builtin``),
custom metrics organizations record (``recorded``) and SQL aggregation over them (``query``)."""
