"""The headless services: watch, outbox, alerts ledger, settings (no Textual)."""
