"""The PostgreSQL backend of the `Store` protocol (issue 15): `PgStore.open(url, ...)`.

Pick it by naming a `postgresql://` URL as the store (`--store`, `$VEILLE_STORE`,
`[store] path`); the folder store stays the default. `PgStore` (and psycopg behind it,
~0.2 s) loads on first use: every command asks `store.postgres.url` whether its store
is a database, and a folder store's scripted `veille tag` must not pay for psycopg.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from store.postgres.url import describe, has_password, is_postgres_url, redact

if TYPE_CHECKING:
    from store.postgres.store import PgStore

__all__ = ["PgStore", "describe", "has_password", "is_postgres_url", "redact"]


def __getattr__(name: str) -> Any:
    if name == "PgStore":
        from store.postgres.store import PgStore

        return PgStore
    raise AttributeError(f"module 'store.postgres' has no attribute {name!r}")
