"""Answers about prompts: per-prompt analytics, the admin summary, time series, dashboard, reports
with statistics, exports, and the analytics pipeline's health."""
