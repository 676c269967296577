"""Alert rules, their evaluation engine, alert lifecycle and events, the monitoring alert views,
and platform alerts mirrored from threshold breaches."""
