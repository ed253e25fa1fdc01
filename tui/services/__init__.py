"""Services: where the store, the sources and the outbound channels meet (no Textual).

The TUI and the headless `veille watch` both call these; they hold no screen code.
"""
