"""The domain of veille: pure Python, no I/O, imports nothing else of ours."""
