"""Connectors: fetch mentions and thread context, post replies, deliver hand-offs."""

import sys

# httpx imports its command-line client (click, rich, pygments: ~70 ms, a tenth of a
# `veille fetch`'s start) on every import, unless that import fails; veille never runs
# it. A None entry in sys.modules makes it fail at once, and httpx then defines a stub.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
