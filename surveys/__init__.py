"""Recurring pulse surveys: surveys, rounds, invitations, responses (issue 3)."""
