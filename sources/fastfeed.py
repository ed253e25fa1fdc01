"""A fast path for plain, well-formed RSS 2.0 and Atom feeds; feedparser does the rest.

feedparser is thorough but slow (~2,800 entries/s on one core here: a Python callback
per piece of character data); most feeds are ordinary RSS 2.0 or Atom, which the C
expat tree builder reads ~40x faster. This module reads only those, and returns None
(= "let feedparser do it") at the first thing it cannot prove feedparser reads the same
way: a DOCTYPE or entity declaration, malformed XML, another format, anything but UTF-8
sent as XML, a C1 control, markup inside a text element (`<b>` in a description: ET
would give only the text before it), XHTML or out-of-line content, an element outside a
short list of known ones, a value given twice, an empty link, guid or id, several
alternate links, a date in any but the two plain forms. It yields feedparser-shaped
entries (title, link, id, content/summary, author, *_parsed dates: UTC datetimes here,
not time tuples) so `parse_feed` treats both the same. tests/sources/test_fastfeed_differential.py draws thousands of
documents per run and checks both paths give the same mentions, field by field.
"""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from calendar import timegm
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
DC = "{http://purl.org/dc/elements/1.1/}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
_DECLARATIONS = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
# C1 controls in UTF-8: feedparser reads them as the windows-1252 characters they were
# probably meant to be (U+0085 becomes "…"); the fast path leaves that to it
_C1 = re.compile(rb"\xc2[\x80-\x9f]")
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding=["']([A-Za-z0-9._-]+)["']""")
RSS_AUTHOR = re.compile(r"^\s*(\S+@\S+)\s*\((.+)\)\s*$")  # "mail@x (Name)"
MEDIA = "{http://search.yahoo.com/mrss/}"
YT = "{http://www.youtube.com/xml/schemas/2015}"
# The elements the fast path knows feedparser maps to no field it reads, or reads the
# same way. Any other element (media:group, whose media:description feedparser makes the
# summary; dc:title; itunes:summary; source; xhtml:body ...) makes it decline.
_RSS_CHANNEL = frozenset(
    {"title", "link", "description", "language", "lastBuildDate", "pubDate", "generator",
     "image", "ttl", "category", "copyright", "managingEditor", "webMaster", "docs", "item",
     "cloud", "skipHours", "skipDays", ATOM + "link",
     "{http://purl.org/rss/1.0/modules/syndication/}updatePeriod",
     "{http://purl.org/rss/1.0/modules/syndication/}updateFrequency"}
)  # fmt: skip
_RSS_ITEM = frozenset(
    {"title", "link", "guid", "description", "author", "pubDate", "category", "comments",
     "enclosure", CONTENT, DC + "creator", DC + "date", MEDIA + "thumbnail",
     MEDIA + "content", "{http://wellformedweb.org/CommentAPI/}commentRss",
     "{http://purl.org/rss/1.0/modules/slash/}comments"}
)  # fmt: skip
_ATOM_FEED = frozenset(
    {ATOM + name for name in ("title", "id", "link", "updated", "author", "subtitle", "icon",
                              "logo", "generator", "rights", "category", "entry")}
    | {YT + "channelId"}
)  # fmt: skip
_ATOM_ENTRY = frozenset(
    {ATOM + name for name in ("title", "id", "link", "content", "summary", "author",
                              "published", "updated", "category")}
    | {YT + "videoId", YT + "channelId"}
)  # fmt: skip
_ATOM_AUTHOR = frozenset({ATOM + "name", ATOM + "uri"})


_REPEATABLE = frozenset(
    {"item", "category", "enclosure", ATOM + "entry", ATOM + "link", ATOM + "category",
     MEDIA + "content", MEDIA + "thumbnail"}
)  # fmt: skip


def _only(node: ET.Element, known: frozenset[str]) -> dict[str, ET.Element]:
    """Every child of `node` is known, and those read as one value come once (of two,
    which one feedparser keeps is its business); no xml:base, against which feedparser
    resolves links (one on a content element only moves the links inside it: harmless).
    The children by tag (the first of a repeatable one), read with `_one`."""
    if XML_BASE in node.attrib:
        raise _Unsure("xml:base")
    children: dict[str, ET.Element] = {}
    for child in node:
        tag = child.tag
        if XML_BASE in child.attrib and tag not in (ATOM + "content", ATOM + "summary"):
            raise _Unsure("xml:base")
        if tag not in known:
            raise _Unsure(f"an element feedparser may read: {tag}")
        if tag in children:
            if tag not in _REPEATABLE:
                raise _Unsure(f"two {tag} elements")
        else:
            children[tag] = child
    return children


class _Unsure(Exception):
    """Something this fast path does not handle exactly like feedparser."""


_UTF8 = frozenset({"utf-8", "utf8"})
_XML_TYPES = frozenset({"", "application/rss+xml", "application/atom+xml", "application/xml"})


def _plain_utf8(body: bytes, headers: dict[str, str]) -> bool:
    """True for a UTF-8 document sent as XML: the one case whose decoding is not in doubt.

    Every other encoding goes to feedparser, whose rules (ISO-8859-1 read as
    windows-1252, text/* defaults, unknown names, a BOM against the declaration) the fast
    path does not copy.
    """
    if body[:3] == b"\xef\xbb\xbf" or body[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return False
    found = _XML_ENCODING.match(body[:200])
    if found and found.group(1).decode("ascii").lower() not in _UTF8:
        return False
    content_type = headers.get("content-type", "").lower()
    media = content_type.split(";")[0].strip()
    if media not in _XML_TYPES:
        return False
    match = re.search(r"charset=([\w.-]+)", content_type)
    return not match or match.group(1) in _UTF8


# The date forms read here are the common, unambiguous ones, in years feedparser and
# `datetime` agree on; anything else (named zones, two-digit years, no zone, basic ISO
# forms) is feedparser's.
_RFC822 = re.compile(
    r"^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?(\d{1,2}) "
    r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ((?:19|20)\d\d) "
    r"(\d\d):(\d\d):(\d\d) (GMT|[+-]\d{4})$"
)
_RFC3339 = re.compile(r"^(?:19|20)\d\d-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?(?:Z|[+-]\d\d:\d\d)$")
_MONTHS = {"Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "May": 5, "Jun": 6, "Jul": 7, "Aug": 8,
           "Sep": 9, "Oct": 10, "Nov": 11, "Dec": 12}  # fmt: skip
_ZONES: dict[str, timezone] = {"GMT": UTC}  # an RFC 822 zone -> its offset


def _zone(zone: str) -> timezone:
    """An RFC 822 zone ("+0530") as email.utils reads it: hours and minutes as written."""
    found = _ZONES.get(zone)
    if found is None:
        sign = -1 if zone[0] == "-" else 1
        seconds = sign * (int(zone[1:3]) * 3600 + int(zone[3:5]) * 60)
        found = timezone(timedelta(seconds=seconds))  # a day or more: ValueError, as there
        if len(_ZONES) < 4096:
            _ZONES[zone] = found
    return found


def _date(value: str | None, rfc822: bool) -> datetime:
    """The instant, in UTC and whole seconds: what `parse_feed` makes of feedparser's time
    tuple (`time.gmtime` of the instant), read here without the tuple's round trip.
    An impossible date (31 Feb, 24:00:00) raises ValueError, as `datetime` does there."""
    if not value or not value.strip():
        raise _Unsure("an empty date")
    value = value.strip()
    if rfc822:
        found = _RFC822.match(value)
        if not found:
            raise _Unsure(f"date {value!r}")
        day, month, year, hour, minute, second, zone = found.groups()
        if zone == "-0000":  # email.utils: "no zone said", a local time: read as there
            return datetime.fromtimestamp(
                timegm(time.gmtime(parsedate_to_datetime(value).timestamp())), UTC
            )
        when = datetime(
            int(year), _MONTHS[month], int(day), int(hour), int(minute), int(second),
            tzinfo=_zone(zone),
        )  # fmt: skip
    else:
        if not _RFC3339.match(value):
            raise _Unsure(f"date {value!r}")
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return when.astimezone(UTC).replace(microsecond=0)  # gmtime floors a fraction


def _text(node: ET.Element | None) -> str:
    """The text of an element that must hold only text (inline markup: unsure)."""
    if node is None:
        return ""
    if len(node):
        raise _Unsure("markup inside a text element")
    return node.text or ""


def _one(children: dict[str, ET.Element], tag: str) -> ET.Element | None:
    """The `tag` child among `_only`'s `children` (it made sure there is at most one)."""
    return children.get(tag)


def _rss(root: ET.Element) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    _only(root, frozenset({"channel"}))  # items outside the channel: feedparser reads them
    channel = root.find("channel")
    if channel is None:
        raise _Unsure("rss without a channel")
    known = _only(channel, _RSS_CHANNEL)
    feed = {"title": _text(_one(known, "title")), "language": _text(_one(known, "language"))}
    entries = []
    for node in channel.findall("item"):
        item = _only(node, _RSS_ITEM)
        entry: dict[str, Any] = {"title": _text(_one(item, "title"))}
        link_node = _one(item, "link")
        link = _text(link_node).strip()
        if link_node is not None and not link:
            raise _Unsure("an empty link")  # feedparser's answer depends on the order
        guid = _one(item, "guid")
        if guid is not None:
            entry["id"] = _text(guid).strip()
            if not entry["id"]:
                raise _Unsure("an empty guid")
            permalink = guid.get("isPermaLink", "true") == "true"
            if link_node is None and permalink:
                link = entry["id"]
        entry["link"] = link
        encoded = _one(item, CONTENT)
        encoded_text = _text(encoded)
        if encoded_text:
            entry["content"] = [{"value": encoded_text}]
        entry["summary"] = _text(_one(item, "description"))
        author = _text(_one(item, "author")) or _text(_one(item, DC + "creator"))
        entry["author"] = author.strip()
        date = _one(item, "pubDate")
        if date is not None:
            entry["published_parsed"] = _date(date.text, rfc822=True)
        elif _one(item, DC + "date") is not None:
            entry["published_parsed"] = _date(_text(_one(item, DC + "date")), rfc822=False)
        entries.append(entry)
    return entries, feed


def _atom_text(node: ET.Element | None) -> str:
    if node is None:
        return ""
    if node.get("type", "text") not in ("text", "html"):
        raise _Unsure("xhtml or other typed content")
    return _text(node)


def _atom(root: ET.Element) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    known = _only(root, _ATOM_FEED)
    feed = {"title": _atom_text(_one(known, ATOM + "title")), "language": root.get(XML_LANG, "")}
    entries = []
    for node in root.findall(ATOM + "entry"):
        item = _only(node, _ATOM_ENTRY)
        entry: dict[str, Any] = {"title": _atom_text(_one(item, ATOM + "title"))}
        id_node = _one(item, ATOM + "id")
        ident = _text(id_node).strip()
        if id_node is not None and not ident:
            raise _Unsure("an empty id")
        if ident:
            entry["id"] = ident
        alternates = [
            link
            for link in node.findall(ATOM + "link")
            if link.get("rel", "alternate") == "alternate"
        ]
        if len(alternates) > 1 or any(
            link.get("type") or not (link.get("href") or "").strip() for link in alternates
        ):
            raise _Unsure("links feedparser chooses among")
        # feedparser takes the id for the link when the entry has no alternate link
        entry["link"] = alternates[0].get("href", "").strip() if alternates else ident
        content = _one(item, ATOM + "content")
        if content is not None and content.get("src"):
            raise _Unsure("out-of-line content")
        content_text = _atom_text(content)
        if content_text:
            entry["content"] = [{"value": content_text}]
        entry["summary"] = _atom_text(_one(item, ATOM + "summary"))
        author = _one(item, ATOM + "author")
        if author is not None:
            by = _only(author, _ATOM_AUTHOR)  # an e-mail: feedparser writes it into the name
            entry["author"] = _text(_one(by, ATOM + "name")).strip()
            href = _text(_one(by, ATOM + "uri")).strip()
            if href:
                entry["author_detail"] = {"name": entry["author"], "href": href}
        for key in ("published", "updated"):
            stamp = _one(item, ATOM + key)
            if stamp is not None:
                entry[f"{key}_parsed"] = _date(stamp.text, rfc822=False)
        entries.append(entry)
    return entries, feed


def parse_simple(
    body: bytes, headers: dict[str, str]
) -> tuple[list[dict[str, Any]], dict[str, Any]] | None:
    """(entries, feed) for a plain RSS 2.0 or Atom document, or None for feedparser."""
    if _DECLARATIONS.search(body) or _C1.search(body) or not _plain_utf8(body, headers):
        return None
    try:
        root = ET.fromstring(body)
        if root.tag == "rss" and root.get("version", "").startswith(("2.", "0.9")):
            return _rss(root)
        if root.tag == ATOM + "feed":
            return _atom(root)
    except Exception:  # whatever it is, feedparser decides
        return None
    return None
