"""The open feedback board: concerns, owners, follow-up."""
