"""The one write path: every change to the catalogue goes through these services."""
