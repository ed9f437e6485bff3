"""Talking to a Heat: connections, remote validation (and later diff and deploy)."""
