"""The HTTP surface: Starlette app, REST routes, authentication and the operator CLI."""
