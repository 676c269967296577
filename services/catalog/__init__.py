"""What the organization has: prompts (CRUD, history, tags) and their executions."""
