"""Outbound delivery: replies to platforms, hand-offs and alerts to teams.

No store imports: the outbox worker (tui/services/outbox.py) reads the store and calls
these with plain values. Every failure is a `DeliveryError` in words with `retryable`.
"""

from sources.outbound.errors import DeliveryError

__all__ = ["DeliveryError"]
