"""The user's veille folders (config, data, cache) without importing platformdirs on Linux,
and the one rule that chooses the store (re-exported by app.runtime).

platformdirs costs ~11 ms to import (tempfile, shutil, random): a tenth of a scripted
`veille tag`. On Linux its answer is the XDG rule: `$XDG_CONFIG_HOME/veille` when that
variable is an absolute path, else `$HOME/.config/veille`. That rule is written here for
the plain case only (an absolute $HOME, no Android markers); any other case, and every
other system, asks platformdirs itself. tests/app/test_dirs.py checks both agree.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from triage.config import Config

APP = "veille"
_XDG = {
    "config": ("XDG_CONFIG_HOME", ".config"),
    "data": ("XDG_DATA_HOME", ".local/share"),
    "cache": ("XDG_CACHE_HOME", ".cache"),
}


def _plain_linux() -> bool:
    return (
        sys.platform == "linux"
        and not hasattr(sys, "getandroidapilevel")
        and "ANDROID_DATA" not in os.environ
        and os.path.isabs(os.environ.get("HOME", ""))
    )


def user_dir(kind: str) -> Path:
    """The user's `kind` folder for veille: "config", "data" or "cache" (not created)."""
    variable, default = _XDG[kind]
    if _plain_linux():
        base = os.environ.get(variable, "")
        if not os.path.isabs(base):
            base = os.path.join(os.path.expanduser("~"), default)
        return Path(os.path.join(base, APP))
    import platformdirs

    return Path(getattr(platformdirs, f"user_{kind}_dir")(APP))


def config_file(given: str | os.PathLike[str] | None = None) -> Path:
    """--config, else $VEILLE_CONFIG, else config.toml in the user's config folder (the
    rule of sources.config_values.config_path, which reads the file)."""
    chosen = given or os.environ.get("VEILLE_CONFIG")
    if chosen:
        return Path(chosen).expanduser()
    return user_dir("config") / "config.toml"


def _chosen(
    given: str | os.PathLike[str] | None, config: Config | None, configured: str
) -> str | os.PathLike[str]:
    """--store, else $VEILLE_STORE, else the config's [store] path (or `configured`)."""
    return (
        given or os.environ.get("VEILLE_STORE") or (config.store.path if config else configured)
    )


def store_folder(
    given: str | os.PathLike[str] | None, config: Config | None = None, *, configured: str = ""
) -> Path:
    """--store, else $VEILLE_STORE, else the config's [store] path, else the data folder.
    `configured`: the [store] path when there is no Config at hand (app.scripting)."""
    chosen = _chosen(given, config, configured)
    if chosen:
        return Path(chosen).expanduser()
    return user_dir("data") / "store"


def store_target(
    given: str | os.PathLike[str] | None, config: Config | None = None, *, configured: str = ""
) -> tuple[Path, str]:
    """(folder, url): the store chosen as `store_folder` chooses it; for a
    `postgresql://` URL, the database's local folder and the URL (its password moved to
    the environment, where libpq reads it)."""
    from app.shared import postgres_target

    found = postgres_target(_chosen(given, config, configured))
    if found is not None:
        return found
    return store_folder(given, config, configured=configured), ""
