"""A PostgreSQL store named by a URL: recognise it, say it without its password.

The password never lives in the configuration file (a URL there that carries one is
refused): libpq reads it from PGPASSWORD, ~/.pgpass or the service file, and veille's
secrets mechanism can provide it as `VEILLE_PG_PASSWORD`. Every message that names the
store goes through `redact`.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

SCHEMES = ("postgresql://", "postgres://")
_USERINFO = re.compile(r"(?P<scheme>postgres(?:ql)?://)(?P<user>[^:@/]*):(?P<pw>[^@/]*)@")
_QUERY_PW = re.compile(r"(?i)([?&]password=)[^&]*")


def is_postgres_url(text: object) -> bool:
    return isinstance(text, str) and text.strip().lower().startswith(SCHEMES)


def has_password(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return True  # unreadable: treat as carrying a secret
    return bool(parts.password) or bool(_QUERY_PW.search(url))


def redact(text: str) -> str:
    """`text` with any PostgreSQL URL's password replaced by ***."""
    text = _USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}:***@", text)
    return _QUERY_PW.sub(r"\1***", text)


def describe(url: str) -> str:
    """user@host:port/database, for messages (never the password)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or "localhost"
        port = f":{parts.port}" if parts.port else ""
        user = f"{parts.username}@" if parts.username else ""
        return f"postgresql://{user}{host}{port}{parts.path or '/'}"
    except ValueError:
        return redact(url)


MARKER = "postgresql.url"  # in a PostgreSQL store's local folder: which database it is


def database_of(folder: object, depth: int = 0) -> str:
    """The URL (without password) a local folder stands for, or "" for a folder store.

    `depth` also looks that many parents up (a ledger file inside the store's folder)."""
    from pathlib import Path

    try:
        here = Path(str(folder)).expanduser()
        for candidate in (here, *list(here.parents)[:depth]):
            marker = candidate / MARKER
            if marker.is_file():
                return marker.read_text(encoding="utf-8").strip()
    except (OSError, ValueError):
        return ""
    return ""
