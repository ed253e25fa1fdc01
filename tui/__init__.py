"""The Textual app and the `veille` command line."""
