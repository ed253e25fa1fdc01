"""The PostgreSQL backend of the `Store` protocol (issue 15): `PgStore.open(url, ...)`.

Pick it by naming a `postgresql://` URL as the store (`--store`, `$VEILLE_STORE`,
`[store] path`); the folder store stays the default.
"""

from store.postgres.store import PgStore
from store.postgres.url import describe, has_password, is_postgres_url, redact

__all__ = ["PgStore", "describe", "has_password", "is_postgres_url", "redact"]
