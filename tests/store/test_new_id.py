"""Event, reply and batch ids are uuid4 hex strings (made without importing uuid)."""

from __future__ import annotations

import uuid

from store.acting import new_id


def test_new_ids_are_distinct_uuid4_hex() -> None:
    ids = [new_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    for text in ids:
        parsed = uuid.UUID(text)
        assert parsed.hex == text and parsed.version == 4 and parsed.variant == uuid.RFC_4122
