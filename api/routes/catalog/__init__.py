"""REST routes of the catalog domain: Prompts (CRUD, history), workspaces and data sources."""
