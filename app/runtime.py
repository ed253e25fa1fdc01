"""The runtime: configuration, user, store and pipeline, resolved once for every face.

`veille`, `veille demo`, `fetch`, `watch`, `list`, `report`... all start here, so the
file is read by one module (sources.config), the store's folder is chosen by one rule
(--store, $VEILLE_STORE, [store] path, the user data folder) and the triage pipeline
is built in one place (`make_pipeline`).

The store is a folder (the default) or a PostgreSQL database named by a `postgresql://`
URL (issue 15, `app.shared`). For a database, `store_path` is this machine's folder for
the store's local files (drafts, locks) and `store_url` names the database.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from app.dirs import config_file, store_folder, store_target

if TYPE_CHECKING:  # the store, rapidfuzz and the grouping load only when used
    from sources.config_lines import ConfigError
    from sources.health import HealthFiles
    from store.inbox import Inbox
    from store.postgres import PgStore
    from triage.config import Config
    from triage.pipeline import Pipeline

__all__ = ["ConfigError", "Runtime", "make_pipeline", "store_folder", "store_target"]


def __getattr__(name: str) -> object:
    """ConfigError, re-exported without importing the schema's helpers (difflib) before
    a file is read."""
    if name == "ConfigError":
        from sources.config_lines import ConfigError

        return ConfigError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def make_pipeline(config: Config) -> Pipeline:
    """The triage pipeline (brands, grouping, priority) for this configuration."""
    from triage.pipeline import Pipeline

    return Pipeline(config.brands, config.sla)


@dataclass
class Runtime:
    """What one run of veille works with."""

    config: Config
    store_path: Path
    config_file: Path
    _pipeline: Pipeline | None = field(default=None, repr=False)
    store_url: str = ""  # a PostgreSQL store (no password): "" for a folder

    @classmethod
    def load(
        cls,
        config: str | os.PathLike[str] | None = None,
        store: str | os.PathLike[str] | None = None,
        *,
        required: bool = True,
    ) -> Runtime:
        """Read the configuration (ConfigError in words if it is wrong). Without a file,
        `required=False` runs on defaults (user = $USER), for scripts and reports."""
        from sources.config_values import user_default
        from triage.config import Config

        file = config_file(config)
        if not required and not file.exists() and not config:
            loaded = Config(user=user_default())
        else:
            from sources.config import load_config

            loaded = load_config(file)
        folder, url = store_target(store, loaded)
        return cls(loaded, folder, file, store_url=url)

    @classmethod
    def of(cls, config: Config, store: str | os.PathLike[str]) -> Runtime:
        """A runtime on a configuration built in code (the demo, tests, benchmarks)."""
        from app.shared import postgres_target

        found = postgres_target(store)
        if found is not None:
            return cls(config, found[0], Path(config.path or "."), store_url=found[1])
        return cls(config, Path(store), Path(config.path or "."))

    @property
    def store_name(self) -> str:
        """The store as messages name it (a database URL never with its password)."""
        if self.store_url:
            from store.postgres.url import describe

            return describe(self.store_url)
        return str(self.store_path)

    @property
    def user(self) -> str:
        return self.config.user

    @property
    def pipeline(self) -> Pipeline:
        if self._pipeline is None:
            self._pipeline = make_pipeline(self.config)
        return self._pipeline

    @property
    def sources_folder(self) -> Path:
        """Cursors and health of the sources (what `veille sources` reads)."""
        return self.store_path / "sources"

    def health_files(self) -> HealthFiles:
        """Where the sources' cursors and health live: `sources_folder`, or the
        database's table for a PostgreSQL store (shared by every node)."""
        from app.shared import health_files

        return health_files(self)

    def open_store(
        self, *, pipeline: bool = True, lock_timeout: float = 10.0, create: bool = True
    ) -> Inbox | PgStore:
        """The store, with the pipeline so that what is ingested is triaged; its folders
        made with the modes [store] mode asks for (store.files.prepare_store)."""
        from store.files import prepare_store
        from store.inbox import Inbox

        if self.store_url:
            from store.postgres import PgStore

            return PgStore.open(
                self.store_url,
                user=self.user,
                pipeline=self.pipeline if pipeline else None,
                lock_timeout=lock_timeout,
                create=create,
            )
        if create or self.store_path.exists():
            store = self.config.store
            prepare_store(self.store_path, store.mode, store.group or None)
        return Inbox.open(
            self.store_path,
            user=self.user,
            pipeline=self.pipeline if pipeline else None,
            lock_timeout=lock_timeout,
            create=create,
        )
