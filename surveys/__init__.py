"""Recurring pulse surveys: surveys, rounds, invitations, responses."""
