"""RSS/Atom feeds (Google Alerts, blogs, forums, YouTube, Reddit search, Mastodon tags).

httpx fetches the bytes (conditional GET, byte cap); feedparser parses them, always from
a BytesIO: given raw bytes or a string, feedparser takes a body such as `/etc/passwd`
for a path or URL and reads it, so a feed server could make us show local files.
`parse_feed` is a plain function of bytes so the poller can run it in another process.
"""

from __future__ import annotations

import hashlib
import io
import re
from calendar import timegm
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import feedparser
import httpx

from sources.base import PollResult, Source, SourceError
from sources.fastfeed import RSS_AUTHOR, parse_simple
from sources.htmltext import html_to_text
from sources.http import MAX_BYTES, fetch
from triage.model import Author, Mention, mention_id, utcnow
from triage.text import sanitize

Offload = Callable[..., Awaitable[Any]]
_GOOGLE = re.compile(r"(^|\.)google\.[a-z]{2,3}(\.[a-z]{2})?$")

# Complaints that leave the data usable: a warning, never a failure.
_SOFT = (
    feedparser.CharacterEncodingOverride,
    feedparser.NonXMLContentType,
    feedparser.CharacterEncodingUnknown,
)


def unwrap_link(link: str) -> str:
    """Google Alerts (and Google redirects in general) wrap links: return the real one."""
    if "google." not in link or "/url" not in link:
        return link
    parts = urlsplit(link)
    host = (parts.hostname or "").lower()
    if parts.path != "/url" or not _GOOGLE.search(host):
        return link
    query = parse_qs(parts.query)
    for key in ("url", "q"):
        if query.get(key) and query[key][0].startswith(("http://", "https://")):
            return query[key][0]
    return link


def _when(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            return datetime.fromtimestamp(timegm(value), UTC)
    return None


def _native_id(entry: Any, link: str, title: str, when: datetime | None) -> str:
    native = (entry.get("id") or "").strip()
    if native:
        return native
    if link:
        return link
    seed = f"{title}\n{when.isoformat() if when else ''}\n{entry.get('summary', '')}"
    return "sha1-" + hashlib.sha1(seed.encode("utf-8")).hexdigest()


def _body(entry: Any) -> str:
    contents = entry.get("content") or []
    for content in contents:
        value = content.get("value")
        if value:
            return value
    return entry.get("summary") or entry.get("description") or ""


def _parse_with_feedparser(
    body: bytes, response_headers: dict[str, str], warnings: list[str]
) -> tuple[list[Any], Any]:
    """feedparser for everything the fast path declines; bozo rules applied here."""
    parsed = feedparser.parse(
        io.BytesIO(body),
        response_headers=response_headers,
        sanitize_html=False,  # every tag is stripped below: no need to clean HTML
        resolve_relative_uris=False,
    )
    entries = parsed.entries
    looks_html = body.lstrip()[:200].lower().startswith((b"<!doctype html", b"<html"))
    if not entries and looks_html:
        raise SourceError("not a feed: the address returned a web page (check the URL)")
    if parsed.bozo:
        problem = parsed.get("bozo_exception")
        words = sanitize(str(problem))[:200] if problem else "malformed"
        words = re.sub(r"^<unknown>:(\d+):(\d+): ", r"line \1, column \2: ", words)
        if not entries and not isinstance(problem, _SOFT):
            raise SourceError(f"not a valid feed: {words}")
        if entries:
            warnings.append(f"feed is malformed ({words}); kept the {len(entries)} entries read")
    if not entries and not parsed.get("version"):
        raise SourceError("not a feed")
    return entries, parsed.feed


def parse_feed(
    body: bytes,
    headers: dict[str, str],
    url: str,
    source: str,
    platform: str,
    fetched_at: datetime | None = None,
) -> tuple[list[Mention], list[str]]:
    """The mentions in a feed body and warnings in words; SourceError if nothing usable."""
    fetched_at = fetched_at or utcnow()
    response_headers = {k.lower(): v for k, v in headers.items()}
    # No content-location: feedparser would resolve ids against it too, turning Reddit's
    # "t3_abc" into "<feed url>/t3_abc" (an id that changes with the query). Relative
    # links are resolved below instead, against the address the feed came from.
    response_headers.pop("content-location", None)
    warnings: list[str] = []
    simple = parse_simple(body, response_headers)
    if simple is not None and simple[0]:
        entries, feed = simple
    else:
        entries, feed = _parse_with_feedparser(body, response_headers, warnings)
    mentions: list[Mention] = []
    feed_title = sanitize(html_to_text(feed.get("title", "")))
    for entry in entries:
        title = sanitize(html_to_text(entry.get("title", "")))
        link = unwrap_link((entry.get("link") or "").strip())
        if link and "://" not in link:
            link = urljoin(url, link)
        when = _when(entry)
        text = sanitize(html_to_text(_body(entry))) or title
        detail = entry.get("author_detail") or {}
        name = entry.get("author") or detail.get("name") or ""
        named = RSS_AUTHOR.match(name)  # RSS's "mail@example.org (Name)": the name only
        author = Author(
            name=sanitize(html_to_text(named.group(2) if named else name)),
            handle="",
            url=detail.get("href") or "",
        )
        if not author.name and platform == "rss":
            author.name = feed_title
        native = _native_id(entry, link, title, when)
        mentions.append(
            Mention(
                id=mention_id(platform, native),
                platform=platform,
                source=source,
                url=link,
                author=author,
                text=text,
                title=title,
                created_at=when or fetched_at,
                fetched_at=fetched_at,
                lang=(entry.get("language") or feed.get("language") or None),
                extra={"feed": url},
            )
        )
    return mentions, warnings


async def _inline(func: Callable[..., Any], *args: Any) -> Any:
    return func(*args)


class RssSource(Source):
    """Any RSS or Atom feed; `platform` names where it comes from (rss, reddit, ...)."""

    kind = "rss"

    def __init__(
        self,
        name: str,
        url: str,
        platform: str = "rss",
        max_bytes: int = MAX_BYTES,
        offload: Offload | None = None,
    ) -> None:
        super().__init__(name)
        self.url = url
        self.platform = platform
        self.max_bytes = max_bytes
        self.offload: Offload = offload or _inline

    @property
    def hosts(self) -> tuple[str, ...]:
        return (httpx.URL(self.url).host,)

    async def poll(self, client: httpx.AsyncClient, cursor: dict[str, Any]) -> PollResult:
        result = await fetch(
            client,
            self.url,
            etag=cursor.get("etag"),
            last_modified=cursor.get("last_modified"),
            max_bytes=self.max_bytes,
        )
        if result.not_modified:
            return PollResult(cursor=dict(cursor), unchanged=True)
        mentions, warnings = await self.offload(
            parse_feed, result.body, result.headers, result.url, self.name, self.platform, utcnow()
        )
        new_cursor = {
            k: v for k, v in (("etag", result.etag), ("last_modified", result.last_modified)) if v
        }
        return PollResult(mentions=mentions, cursor=new_cursor, warnings=warnings)
