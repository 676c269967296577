"""REST routes of the analytics domain: Per-prompt analytics and the admin analysis routes."""
