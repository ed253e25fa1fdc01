"""The sources' health and cursors kept in a PostgreSQL store (issue 15).

Apart from app.shared so that every command, which asks app.shared whether its store
is a database, does not load sources.health (and tempfile, shutil behind it).
"""

from __future__ import annotations

from pathlib import Path

from sources.health import HealthFiles, SourceHealth


class DatabaseHealth(HealthFiles):
    """The sources' health and cursors as files in the database (`node_files`): every
    node resumes from the same cursor and sees when a source is next due."""

    def __init__(self, url: str, folder: Path):
        from store.postgres.shared import Blobs

        super().__init__(folder)
        self.blobs = Blobs(url)

    def _key(self, name: str) -> str:
        return f"sources/{self.path(name).name}"

    def load(self, name: str, kind: str = "") -> SourceHealth:
        return self._record(name, kind, self.blobs.get(self._key(name)))

    def load_many(self, sources: list[tuple[str, str]]) -> list[SourceHealth]:
        """Every (name, kind)'s record in one query (`Poller.health()`, each round of
        `veille watch` and of the source locks' guard: one round trip, not one a source)."""
        keys = [self._key(name) for name, _ in sources]
        bodies = self.blobs.get_many(keys)
        return [
            self._record(name, kind, bodies.get(key))
            for (name, kind), key in zip(sources, keys, strict=True)
        ]

    def _record(self, name: str, kind: str, body: bytes | None) -> SourceHealth:
        import orjson

        if body is None:
            return SourceHealth(name=name, kind=kind)
        try:
            record = SourceHealth.from_json(orjson.loads(body))
        except (orjson.JSONDecodeError, AttributeError, TypeError, ValueError) as exc:
            return SourceHealth(name=name, kind=kind, problem=f"{name}: record unreadable ({exc})")
        record.name = name
        record.kind = kind or record.kind
        return record

    def save(self, record: SourceHealth) -> None:
        import orjson

        self.blobs.put(self._key(record.name), orjson.dumps(record.to_json()))
