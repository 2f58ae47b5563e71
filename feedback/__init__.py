"""The open feedback board: concerns, owners, follow-up (issue 4)."""
