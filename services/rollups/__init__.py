"""Hourly and daily rollups with mergeable latency sketches (``sketch``): building them from raw
events (``build``), reading any window from rollups plus raw edges (``query``, ``edge_hours``)."""
