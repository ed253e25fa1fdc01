"""What a scripted action (`veille tag|status|assign|note|done|snooze|undo`) needs of the
runtime: who acts and which store, nothing else, and fast.

Reading the configuration (tomllib, the msgspec schema, the domain's config classes)
costs 25-40 ms, a third of a `veille tag`, for four values: the user and [store] path,
mode and group. So the first read of a file keeps those values in the user's cache
folder (`scripted-config.json`), under a key that changes whenever the answer could:
a hash of the file's bytes, $USER/$LOGNAME (the user when the file names none), the
Python version, and the size and mtime of every module that read it (an upgraded
veille reads the file again). Only a file that read without error is kept, so a
command refuses a wrong file exactly as `Runtime.load` does, with the same words. Lost
or unreadable, the cache costs one full read. It holds no secret: no token is a
[store] or user value.

A PostgreSQL store takes the full runtime (its backend needs the configuration).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from app.dirs import config_file, store_target, user_dir

if TYPE_CHECKING:
    from app.runtime import Runtime

CACHE = "scripted-config.json"
FORMAT = 1
KEEP = 16  # config files remembered (one per --config a user's scripts name)
# triage.config.StoreConfig's defaults (path, mode, group): tests/app/test_scripting.py
# checks they are still the same
STORE_DEFAULTS = ("", "private", "")
# the modules whose code decides what a file means (their signatures key the cache)
_READERS = ("sources", "triage", "app", "msgspec")


def user_default() -> str:
    """sources.config_values.user_default, without importing the schema's helpers."""
    return os.environ.get("USER") or os.environ.get("LOGNAME") or "unknown"


class ScriptedRuntime:
    """Who acts and where: a folder store (`store_url` empty) with its [store] mode and
    group, or `runtime`, the full Runtime, when the store is a database."""

    __slots__ = ("group", "mode", "runtime", "store_path", "store_url", "user")

    def __init__(
        self,
        user: str,
        store_path: Path,
        mode: str = "private",
        group: str = "",
        runtime: Runtime | None = None,
    ) -> None:
        self.user = user
        self.store_path = store_path
        self.mode = mode
        self.group = group
        self.runtime = runtime
        self.store_url = runtime.store_url if runtime is not None else ""


def scripted_runtime(
    config: str | os.PathLike[str] | None, store: str | os.PathLike[str] | None
) -> ScriptedRuntime:
    """The user and store as `Runtime.load(config, store, required=False)` finds them;
    ConfigError (sources.config_lines) in its words if the file is wrong."""
    file = config_file(config)
    try:
        raw: bytes | None = file.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        raw = None
    except OSError:  # unreadable: the full read says so in its words
        return _full(config, store, None, file)
    if raw is None:
        if config:  # named but missing: the full read refuses it
            return _full(config, store, None, file)
        user, path, mode, group = (user_default(), *STORE_DEFAULTS)
    else:
        values = _cached(file, _key(raw))
        if values is None:
            return _full(config, store, raw, file)
        user, path, mode, group = values
    folder, url = store_target(store, configured=path)
    if url:
        return _full(config, store, None, file)
    return ScriptedRuntime(user, folder, mode, group)


def _full(
    config: str | os.PathLike[str] | None,
    store: str | os.PathLike[str] | None,
    raw: bytes | None,
    file: Path,
) -> ScriptedRuntime:
    """The runtime read in full; its values kept for next time when `raw` is still
    what the file holds (a file changed meanwhile is read again next time)."""
    from app.runtime import Runtime

    rt = Runtime.load(config, store, required=False)
    if raw is not None:
        with contextlib.suppress(OSError):
            if file.read_bytes() == raw:
                s = rt.config.store
                _remember(file, _key(raw), (rt.user, s.path, s.mode, s.group))
    if rt.store_url:
        return ScriptedRuntime(rt.user, rt.store_path, runtime=rt)
    s = rt.config.store
    return ScriptedRuntime(rt.user, rt.store_path, s.mode, s.group)


# ---------------------------------------------------------------------- the cache


def _cache_path() -> Path:
    return user_dir("cache") / CACHE


def _key(raw: bytes) -> list[str]:
    return [hashlib.blake2b(raw, digest_size=20).hexdigest(), user_default(), sys.version]


def _code() -> list[list[Any]]:
    """[file, size, mtime_ns] of every loaded module of `_READERS`."""
    out = []
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if file and name.split(".", 1)[0] in _READERS:
            with contextlib.suppress(OSError):
                st = os.stat(file)
                out.append([file, st.st_size, st.st_mtime_ns])
    return sorted(out)


def _load() -> dict[str, Any]:
    try:
        data = orjson.loads(_cache_path().read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return {}
    entries = data.get("entries")
    return entries if isinstance(entries, dict) else {}


def _cached(file: Path, key: list[str]) -> tuple[str, str, str, str] | None:
    entry: Any = _load().get(str(file))
    try:
        if entry["key"] != key:
            return None
        for name, size, mtime in entry["code"]:
            st = os.stat(name)
            if st.st_size != size or st.st_mtime_ns != mtime:
                return None
        user, path, mode, group = entry["values"]
    except (OSError, KeyError, TypeError, ValueError):
        return None
    if not all(isinstance(v, str) for v in (user, path, mode, group)):
        return None
    return user, path, mode, group


def _remember(file: Path, key: list[str], values: tuple[str, str, str, str]) -> None:
    """Keep `values` for `file` (atomically, mode 0600); failing here fails nothing."""
    entries = _load()
    entries.pop(str(file), None)
    entries[str(file)] = {"key": key, "code": _code(), "values": list(values)}
    while len(entries) > KEEP:
        entries.pop(next(iter(entries)))
    path = _cache_path()
    tmp = path.with_name(f".{CACHE}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, orjson.dumps({"format": FORMAT, "entries": entries}))
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
