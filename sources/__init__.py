"""Connectors: fetch mentions and thread context, post replies, deliver hand-offs."""
