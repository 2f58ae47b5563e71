"""Writes for the org app: people, roles, AI tools, CSV import."""
