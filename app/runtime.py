"""The runtime: configuration, user, store and pipeline, resolved once for every face.

`veille`, `veille demo`, `fetch`, `watch`, `list`, `report`... all start here, so the
file is read by one module (sources.config), the store's folder is chosen by one rule
(--store, $VEILLE_STORE, [store] path, the user data folder) and the triage pipeline
is built in one place (`make_pipeline`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sources.config_lines import ConfigError  # light: the schema (msgspec) loads with a file
from sources.config_values import config_path, user_default
from triage.config import Config

if TYPE_CHECKING:  # the store, rapidfuzz and the grouping load only when used
    from store.inbox import Inbox
    from triage.pipeline import Pipeline

__all__ = ["ConfigError", "Runtime", "make_pipeline", "store_folder"]


def make_pipeline(config: Config) -> Pipeline:
    """The triage pipeline (brands, grouping, priority) for this configuration."""
    from triage.pipeline import Pipeline

    return Pipeline(config.brands, config.sla)


def store_folder(given: str | os.PathLike[str] | None, config: Config | None = None) -> Path:
    """--store, else $VEILLE_STORE, else the config's [store] path, else the data folder."""
    chosen = given or os.environ.get("VEILLE_STORE") or (config.store.path if config else "")
    if chosen:
        return Path(chosen).expanduser()
    from platformdirs import user_data_path

    return user_data_path("veille") / "store"


@dataclass
class Runtime:
    """What one run of veille works with."""

    config: Config
    store_path: Path
    config_file: Path
    _pipeline: Pipeline | None = field(default=None, repr=False)

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
        file = config_path(config)
        if not required and not file.exists() and not config:
            loaded = Config(user=user_default())
        else:
            from sources.config import load_config

            loaded = load_config(file)
        return cls(loaded, store_folder(store, loaded), file)

    @classmethod
    def of(cls, config: Config, store: str | os.PathLike[str]) -> Runtime:
        """A runtime on a configuration built in code (the demo, tests, benchmarks)."""
        return cls(config, Path(store), Path(config.path or "."))

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

    def open_store(
        self, *, pipeline: bool = True, lock_timeout: float = 10.0, create: bool = True
    ) -> Inbox:
        """The store, with the pipeline so that what is ingested is triaged; its folders
        made with the modes [store] mode asks for (store.files.prepare_store)."""
        from store.files import prepare_store
        from store.inbox import Inbox

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
