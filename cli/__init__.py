"""Subcommands of `veille`, one module per group."""
