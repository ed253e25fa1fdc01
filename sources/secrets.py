"""Tokens and passwords: from an environment variable or a secrets file only the user reads.

The secrets file is TOML (`NAME = "value"`), by default `secrets.toml` in the user's
config folder (overridable by `VEILLE_SECRETS`). A file that group or others can read is
refused, with the `chmod` that fixes it: a token readable by every account on a shared
server is a leaked token. Values are remembered in `known()` so that `redact()` can scrub
them from anything about to be logged or shown.
"""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

from platformdirs import user_config_dir

_known: set[str] = set()


class SecretError(Exception):
    """A secret that cannot be had, in words (never containing the secret itself)."""


def secrets_path() -> Path:
    env = os.environ.get("VEILLE_SECRETS")
    return Path(env).expanduser() if env else Path(user_config_dir("veille")) / "secrets.toml"


def _read_file(path: Path) -> dict[str, str]:
    try:
        info = path.stat()
    except FileNotFoundError:
        return {}
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SecretError(
            f"{path} can be read by other users (mode {stat.filemode(info.st_mode)}); "
            f"refusing to use it. Fix: chmod 600 {path}"
        )
    if info.st_uid != os.getuid():
        raise SecretError(f"{path} belongs to another user; refusing to use it")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        # the parser's message quotes no value, only the position
        raise SecretError(f"{path} is not valid TOML: {exc}") from None
    return {str(k): str(v) for k, v in data.items() if isinstance(v, str | int)}


def get_secret(name: str, *, required: bool = True) -> str:
    """The value of `name`: the environment variable first, then the secrets file."""
    value = os.environ.get(name, "")
    if not value:
        value = _read_file(secrets_path()).get(name, "")
    if not value:
        if required:
            raise SecretError(
                f"secret {name} is not set: export {name}=... or add it to {secrets_path()} "
                "(chmod 600)"
            )
        return ""
    remember(value)
    return value


def remember(value: str) -> None:
    """Scrub this value from whatever `redact` sees from now on (short values are too common)."""
    if value and len(value) >= 6:
        _known.add(value)


def known() -> frozenset[str]:
    return frozenset(_known)


def redact(text: str) -> str:
    """`text` with every secret seen in this process replaced by `***`."""
    for value in sorted(_known, key=len, reverse=True):
        if value in text:
            text = text.replace(value, "***")
    return text
