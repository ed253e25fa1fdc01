"""A store named by a `postgresql://` URL: its local folder, its password, and the
sources' records in the database (the backend-neutral seams of issue 15).

The URL's password (from `--store` or $VEILLE_STORE; the configuration file refuses
one) moves to PGPASSWORD, where libpq reads it, and into `sources.secrets.redact`'s
list; the URL kept and shown has none. Without one, `VEILLE_PG_PASSWORD` from the
environment or the secrets file is used, else libpq's own ways (~/.pgpass, service).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

if TYPE_CHECKING:
    from app.runtime import Runtime
    from sources.health import HealthFiles


def without_password(url: str) -> str:
    """The URL with its password (user info or ?password=) moved to PGPASSWORD."""
    from sources.secrets import remember

    parts = urlsplit(url)
    password = unquote(parts.password or "")
    query = parse_qsl(parts.query, keep_blank_values=True)
    password = password or next((v for k, v in query if k.lower() == "password"), "")
    query = [(k, v) for k, v in query if k.lower() != "password"]
    netloc = parts.netloc.rsplit("@", 1)[-1]
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    if password:
        os.environ["PGPASSWORD"] = password
        remember(password)
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(query), parts.fragment))


def _password_from_secrets() -> None:
    if "PGPASSWORD" in os.environ:
        return
    from sources.secrets import SecretError, get_secret

    try:
        secret = get_secret("VEILLE_PG_PASSWORD", required=False)
    except SecretError:
        return
    if secret:
        os.environ["PGPASSWORD"] = secret


def postgres_target(chosen: object) -> tuple[Path, str] | None:
    """(local folder, url) when `chosen` names a PostgreSQL store - a URL, or a local
    folder that stands for one - else None (a folder store)."""
    from store.postgres.url import MARKER, database_of, has_password, is_postgres_url

    if not chosen:
        return None
    text = os.fspath(chosen) if isinstance(chosen, os.PathLike) else str(chosen)
    if not is_postgres_url(text):
        url = database_of(text)
        if not url:
            return None
        _password_from_secrets()
        return Path(text).expanduser(), url
    url = text.strip()
    if has_password(url):
        url = without_password(url)
    else:
        _password_from_secrets()
    from store.postgres.connect import local_folder

    folder = local_folder(url)
    marker = folder / MARKER
    if not marker.is_file() or marker.read_text(encoding="utf-8").strip() != url:
        marker.write_text(url + "\n", encoding="utf-8")
    return folder, url


def health_files(runtime: Runtime) -> HealthFiles:
    """Where the sources' cursors and health live: files, or the database's rows."""
    from sources.health import HealthFiles

    if runtime.store_url:
        from app.dbhealth import DatabaseHealth

        return DatabaseHealth(runtime.store_url, runtime.sources_folder)
    return HealthFiles(runtime.sources_folder)
