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
import unicodedata
from calendar import timegm
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx

from sources.base import PollResult, Source, SourceError
from sources.bodies import inflate
from sources.fastfeed import RSS_AUTHOR, parse_simple
from sources.feedbody import (
    error_words,
    media_description_apart,
    repaired,
    what_it_is,
    with_known_encodings,
)
from sources.htmltext import html_to_text
from sources.http import MAX_BYTES, fetch
from triage.model import Author, Mention, mention_id, utcnow
from triage.text import sanitize

Offload = Callable[..., Awaitable[Any]]
_GOOGLE = re.compile(r"(^|\.)google\.[a-z]{2,3}(\.[a-z]{2})?$")

_FEEDPARSER: list[Any] = []  # the module, once a feed needed it


def _feedparser() -> Any:
    """feedparser, imported when a feed first needs it (with its Media RSS habit
    corrected): the fast path reads most feeds, and a `veille fetch` whose feeds it reads
    all, or that finds every feed unchanged, never pays the import (~20 ms of its start;
    a parse worker pays it once, at its first such feed)."""
    if not _FEEDPARSER:
        import feedparser

        media_description_apart()
        _FEEDPARSER.append(feedparser)
    return _FEEDPARSER[0]


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


_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S")
MAX_ID = 512  # longer native ids are hashed: an id is a key, not a place for a post


def _when(entry: Any, problems: Counter[str]) -> datetime | None:
    """The entry's date; a date that cannot be read or is out of range is told once."""
    trouble = ""
    for key in ("published", "updated", "created"):
        # dict.get: the stored value, not FeedParserDict's deprecated updated->published
        # fallback (which warns, and will go)
        value = dict.get(entry, f"{key}_parsed")
        if value:
            if isinstance(value, datetime):  # the fast path's: UTC, whole seconds
                when = value
            else:  # feedparser's time tuple
                try:
                    when = datetime.fromtimestamp(timegm(value), UTC)
                except (ValueError, OverflowError, OSError, TypeError):
                    when = None
            if when is not None and when.year >= 1970:  # year 1 read as 100: no web then
                return when
            trouble = "a date out of range ignored"
        elif (dict.get(entry, key) or "").strip():
            trouble = trouble or "a date that could not be read ignored"
    if trouble:
        problems[trouble] += 1
    return None


def _link(entry: Any, url: str, problems: Counter[str]) -> str:
    link = (entry.get("link") or "").strip()
    if not link:
        return ""
    if link.startswith(("https://", "http://")) and "[" not in link and "google." not in link:
        rest = link[link.index("//") + 2 :]
        if rest and rest[0] not in "/?#":  # plain absolute web address: nothing to check
            return link
    try:
        link = unwrap_link(link)
        if "://" not in link:
            link = urljoin(url, link)
        parts = urlsplit(link)
    except ValueError:
        problems["a link that is not a web address dropped"] += 1
        return ""
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""  # an Atom id taken for a link ("tag:…", "urn:…"), a javascript: link
    return link


def _digest(*parts: str) -> str:
    joined = "\x1f".join(parts).encode("utf-8", "surrogatepass")
    return hashlib.sha1(joined).hexdigest()


def native_id(
    entry_id: str,
    link: str,
    source: str,
    platform: str,
    content: Callable[[], tuple[str, ...]],
) -> str:
    """The native id of an entry: the same whichever parser read it.

    A guid or Atom id that is an absolute URI (`https://…`, `tag:…`, `yt:video:…`) names
    the item everywhere and is kept as is, so one post in two feeds is stored once. Any
    other id ("1", "t-42") only means something inside its feed: on the plain `rss`
    platform it is scoped to the source (`forum#1`), so two feeds' item "1" are two
    mentions. An item with neither id nor link is named by a hash over its whole content
    (title, text, author, date), so two posts titled "Post" stay two.
    """
    native = entry_id.strip()
    if native and len(native) > MAX_ID:
        native = "sha1-" + _digest(native)
    if native:
        if platform == "rss" and not _URI.match(native):
            return f"{source}#{native}"
        return native
    if link:
        return link
    return "sha1-" + _digest(*content())


def _body(entry: Any) -> str:
    contents = entry.get("content") or []
    for content in contents:
        value = content.get("value")
        if value and value.strip():
            return value
    for key in ("summary", "description", "media_description"):
        value = entry.get(key)
        if value and value.strip():
            return value
    return ""


def _plain(fragment: str | None) -> str:
    """Plain text of a feed's HTML fragment, in NFC. Controls and escapes are left to the
    one sanitising boundary, Mention itself (cleaning twice costs a scan per field)."""
    text = html_to_text(fragment)
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def _parse_with_feedparser(
    body: bytes, response_headers: dict[str, str], warnings: list[str]
) -> tuple[list[Any], Any]:
    """feedparser for everything the fast path declines; bozo rules applied here."""
    feedparser = _feedparser()
    # complaints that leave the data usable: a warning, never a failure
    soft = (
        feedparser.CharacterEncodingOverride,
        feedparser.NonXMLContentType,
        feedparser.CharacterEncodingUnknown,
    )
    parsed = feedparser.parse(
        io.BytesIO(body),
        response_headers=response_headers,
        sanitize_html=False,  # every tag is stripped below: no need to clean HTML
        resolve_relative_uris=False,
    )
    entries = parsed.entries
    if not entries:
        what = what_it_is(body)
        if what != "not a feed":
            raise SourceError(what)
    if parsed.bozo:
        problem = parsed.get("bozo_exception")
        words = error_words(problem, body)
        if not entries and not isinstance(problem, soft):
            raise SourceError(f"not a valid feed: {words}")
        if entries and not isinstance(problem, feedparser.NonXMLContentType):
            # (a feed sent as text/html or text/plain loses nothing: not worth a warning)
            warnings.append(f"feed is malformed ({words}); kept the {len(entries)} entries read")
    if not entries and not parsed.get("version"):
        raise SourceError("not a feed")
    return entries, parsed.feed


def _mention(
    entry: Any,
    feed: Any,
    feed_title: str,
    url: str,
    source: str,
    platform: str,
    fetched_at: datetime,
    problems: Counter[str],
) -> Mention:
    title = _plain(entry.get("title", ""))
    link = _link(entry, url, problems)
    when = _when(entry, problems)
    text = _plain(_body(entry)) or title
    detail = entry.get("author_detail") or {}
    name = entry.get("author") or detail.get("name") or ""
    named = RSS_AUTHOR.match(name)  # RSS's "mail@example.org (Name)": the name only
    name = _plain(named.group(2) if named else name)
    if not name and platform == "rss":
        name = feed_title
    author = Author(name=name, handle="", url=detail.get("href") or "")
    native = native_id(
        entry.get("id") or "",
        link,
        source,
        platform,
        lambda: (title, text, author.name, author.url, when.isoformat() if when else ""),
    )
    extra: dict[str, Any] = {"feed": url}
    legacy = (entry.get("id") or "").strip()
    if legacy and legacy != native:
        # the id before ids were scoped to their source: ingestion skips an item already
        # stored under it, so an upgrade does not store a feed's items twice
        extra["previous_id"] = mention_id(platform, legacy)
    return Mention(
        id=mention_id(platform, native),
        platform=platform,
        source=source,
        url=link,
        author=author,
        text=text,
        title=title,
        created_at=when or fetched_at,
        fetched_at=fetched_at,
        lang=(entry.get("language") or feed.get("language") or "").strip() or None,
        extra=extra,
    )


def _problem_words(problems: Counter[str]) -> str:
    return "; ".join(f"{n} x {what}" if n > 1 else what for what, n in problems.items())


def parse_feed(
    body: bytes,
    headers: dict[str, str],
    url: str,
    source: str,
    platform: str,
    fetched_at: datetime | None = None,
) -> tuple[list[Mention], list[str]]:
    """The mentions in a feed body and warnings in words; SourceError if nothing usable.

    One bad value (a date out of range, a link that is no address, a character that
    cannot exist) costs that value, one bad entry that entry: the rest is kept, and the
    losses are told in one warning. A feed fails only when nothing in it can be read.
    """
    fetched_at = fetched_at or utcnow()
    response_headers = {k.lower(): v for k, v in headers.items()}
    # No content-location: feedparser would resolve ids against it too, turning Reddit's
    # "t3_abc" into "<feed url>/t3_abc" (an id that changes with the query). Relative
    # links are resolved below instead, against the address the feed came from.
    response_headers.pop("content-location", None)
    content_type = response_headers.get("content-type", "")
    if content_type.lower().startswith("text/") and "charset" not in content_type.lower():
        # text/xml without a charset: RFC 7303 (not the old us-ascii default of RFC 3023,
        # which feedparser still applies) lets the document's own declaration decide
        response_headers["content-type"] = "application/xml"
    body = repaired(with_known_encodings(body, response_headers))
    warnings: list[str] = []
    simple = parse_simple(body, response_headers)
    if simple is not None and simple[0]:
        entries, feed = simple
    else:
        entries, feed = _parse_with_feedparser(body, response_headers, warnings)
    feed_title = _plain(feed.get("title", ""))
    mentions: list[Mention] = []
    problems: Counter[str] = Counter()
    for entry in entries:
        try:
            mentions.append(
                _mention(entry, feed, feed_title, url, source, platform, fetched_at, problems)
            )
        except Exception as exc:  # one unreadable entry must not cost the others
            problems[f"an entry skipped ({sanitize(str(exc))[:80] or type(exc).__name__})"] += 1
    if entries and not mentions:
        raise SourceError(f"no entry of the feed could be read: {_problem_words(problems)}")
    if problems:
        warnings.append(
            f"kept {len(mentions)} of {len(entries)} entries; {_problem_words(problems)}"
        )
    return mentions, warnings


def parse_fetched(
    body: bytes,
    encoding: str,
    max_bytes: int,
    headers: dict[str, str],
    url: str,
    source: str,
    platform: str,
    fetched_at: datetime | None = None,
) -> tuple[list[Mention], list[str]]:
    """`parse_feed` of a body `fetch(inflate=False)` may have left compressed: inflated
    here, where the parsing runs (a worker process), under the same byte cap and words."""
    return parse_feed(
        inflate(body, encoding, max_bytes), headers, url, source, platform, fetched_at
    )


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
            inflate=False,  # the parse worker inflates it (parse_fetched)
        )
        moved = [f"moved permanently to {result.moved_to}: update the URL"] * bool(result.moved_to)
        if result.not_modified:
            return PollResult(cursor=dict(cursor), unchanged=True, warnings=moved)
        mentions, warnings = await self.offload(
            parse_fetched,
            result.body,
            result.encoding,
            self.max_bytes,
            result.headers,
            result.url,
            self.name,
            self.platform,
            utcnow(),
        )
        new_cursor = {
            k: v for k, v in (("etag", result.etag), ("last_modified", result.last_modified)) if v
        }
        return PollResult(mentions=mentions, cursor=new_cursor, warnings=moved + warnings)
