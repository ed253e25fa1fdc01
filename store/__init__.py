"""Persistence on TinyDB: durable, shared, partitioned; the Inbox service."""
