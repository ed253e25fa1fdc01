"""The store folder's schema version (meta.json) and its migrations."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import orjson

from store.errors import SchemaTooNew, StoreError
from store.files import atomic_write
from triage.model import dt_to_json, utcnow

SCHEMA_VERSION = 1

# Migrations: {from_version: function(store_root)} run in order up to SCHEMA_VERSION.
MIGRATIONS: dict[int, Callable[[Path], None]] = {}


def check_schema(root: Path) -> None:
    """Write meta.json for a new store; migrate an older one; refuse a newer one."""
    meta_path = root / "meta.json"
    if not meta_path.exists():
        atomic_write(
            meta_path, orjson.dumps({"schema": SCHEMA_VERSION, "created_at": dt_to_json(utcnow())})
        )
        return
    try:
        meta = orjson.loads(meta_path.read_bytes())
        version = int(meta["schema"])
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise StoreError(
            f"{meta_path} is damaged ({exc}); it says which schema the store uses"
        ) from exc
    if version > SCHEMA_VERSION:
        raise SchemaTooNew(
            f"the store at {root} was written by a newer veille (schema {version}, "
            f"this one knows up to {SCHEMA_VERSION}); upgrade veille. Nothing was changed."
        )
    while version < SCHEMA_VERSION:
        MIGRATIONS[version](root)
        version += 1
        meta["schema"] = version
        atomic_write(meta_path, orjson.dumps(meta))
