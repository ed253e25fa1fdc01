"""What can go wrong in the store, in words a user understands.

NotFound and Conflict are the domain's refusals (triage.errors), re-exported here
because every backend raises them too; catch `triage.errors.Refused` for all refusals
and `StoreError` for what the disk or the lock did.
"""

from __future__ import annotations

from triage.errors import Conflict, NotFound, Refused


class StoreError(Exception):
    """The store could not do what was asked; the previous state is intact."""


class StoreLocked(StoreError):
    """Another veille process held the store's lock for too long."""


class SchemaTooNew(StoreError):
    """The store was written by a newer veille; we refuse to touch it."""


__all__ = ["Conflict", "NotFound", "Refused", "SchemaTooNew", "StoreError", "StoreLocked"]
