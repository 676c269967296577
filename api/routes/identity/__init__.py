"""REST routes of the identity domain: Sign-in, API keys and users."""
