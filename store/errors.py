"""What can go wrong in the store, in words a user understands."""

from __future__ import annotations


class StoreError(Exception):
    """The store could not do what was asked; the previous state is intact."""


class StoreLocked(StoreError):
    """Another veille process held the store's lock for too long."""


class NotFound(StoreError, KeyError):
    """No mention or group with that id."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else "not found"


class Conflict(StoreError):
    """Someone else holds the claim on this group."""


class SchemaTooNew(StoreError):
    """The store was written by a newer veille; we refuse to touch it."""
