"""Feed bodies made readable before parsing, and what went wrong told in words.

Repairs that cost a feed nothing and that both parsers (the fast path and feedparser)
must see alike, so they happen once, on the bytes: encoding names Python does not know
replaced by the codec they mean, character references to no character replaced by
U+FFFD, and one feedparser habit corrected (a Media RSS description taking the place of
the post's text). Then the words for a body that is no feed, and for a parse error.
"""

from __future__ import annotations

import codecs
import re
from typing import Any

from triage.text import sanitize

_BOM = b"\xef\xbb\xbf"
# Character references to no character: zero, a surrogate, beyond U+10FFFF (feedparser
# raises on a lone surrogate, losing the feed). Matched exactly, so the many ordinary
# references (&#x27; in every escaped attribute) cost one C scan, no Python call.
_BAD_CHARREF = re.compile(
    rb"&#(?:[xX]0*(?:[dD][89a-fA-F][0-9a-fA-F]{2}|1[1-9a-fA-F][0-9a-fA-F]{4}"
    rb"|[2-9a-fA-F][0-9a-fA-F]{5}|[1-9a-fA-F][0-9a-fA-F]{6,})|[xX]0+|0+"
    rb"|0*(?:5529[6-9]|55[3-9]\d\d|56\d{3}|57[0-2]\d\d|573[0-3]\d|5734[0-3])"
    rb"|0*(?:111411[2-9]|11141[2-9]\d|1114[2-9]\d\d|111[5-9]\d{3}|11[2-9]\d{4}"
    rb"|1[2-9]\d{5}|[2-9]\d{6}|[1-9]\d{7,}))(?=;)"
)
_LINE = re.compile(r"^<unknown>:(\d+):(\d+): ")


# Encoding names real feeds declare that Python does not know, and the codec meant.
_ENCODING_ALIASES = {
    "windows-874": "cp874",
    "x-mac-roman": "mac-roman",
    "macintosh": "mac-roman",
    "x-mac-cyrillic": "mac-cyrillic",
    "iso-8859-8-i": "iso-8859-8",
    "iso-8859-6-i": "iso-8859-6",
    "iso-8859-6-e": "iso-8859-6",
    "iso-8859-8-e": "iso-8859-8",
    "utf8mb4": "utf-8",
    "utf8mb3": "utf-8",
    "x-sjis": "shift_jis",
    "x-euc-jp": "euc-jp",
    "unicode-1-1-utf-8": "utf-8",
}
_DECLARED = re.compile(
    rb"""^(\xef\xbb\xbf)?(\s*<\?xml[^>]*?encoding=["'])([A-Za-z0-9._:-]+)(["'])"""
)
_CHARSET = re.compile(r"charset=[\"']?([A-Za-z0-9._:-]+)[\"']?", re.IGNORECASE)


def _known(name: str) -> str | None:
    """The codec Python knows for an encoding name a feed gave, None when it knows none."""
    try:
        codecs.lookup(name)
        return name
    except LookupError:
        return _ENCODING_ALIASES.get(name.lower())


def with_known_encodings(body: bytes, headers: dict[str, str]) -> bytes:
    """Encoding names Python does not know (windows-874, x-mac-roman, ISO-8859-8-I,
    utf8mb4) replaced by the codec they mean, in the XML declaration and the header, so
    the text is read right instead of guessed at."""
    found = _DECLARED.match(body[:300])
    if found:
        name = found.group(3).decode("ascii")
        known = _known(name)
        if known and known != name:
            body = body[: found.start(3)] + known.encode("ascii") + body[found.end(3) :]
    content_type = headers.get("content-type", "")
    sent = _CHARSET.search(content_type)
    if sent:
        known = _known(sent.group(1))
        if known and known != sent.group(1):
            headers["content-type"] = content_type.replace(sent.group(1), known)
    return body


def repaired(body: bytes) -> bytes:
    """The body with character references that name no character replaced by U+FFFD."""
    return _BAD_CHARREF.sub(b"&#xFFFD", body) if b"&#" in body else body


def _without_bom(body: bytes) -> bytes:
    return body[3:] if body.startswith(_BOM) else body


def what_it_is(body: bytes) -> str:
    """Why a body that gave no entry is not a feed, in words."""
    head = _without_bom(body)[:1024].lstrip().lower()
    if not head:
        return "not a feed: the answer was empty"
    if head.startswith((b"<!doctype html", b"<html")) or (
        b"<html" in head and b"<rss" not in head and b"<feed" not in head
    ):
        return "not a feed: the address returned a web page (check the URL)"
    if head.startswith((b"{", b"[")):
        return "not a feed: the address returned JSON, not RSS or Atom (check the URL)"
    return "not a feed"


def error_words(problem: Exception | None, body: bytes) -> str:
    if problem is None:
        return "malformed"
    words = sanitize(str(problem))[:200]
    found = _LINE.match(words)
    if found:
        line = int(found.group(1))
        # feedparser puts an XML declaration in front of a document that has none,
        # which moves every line number one down
        if not _without_bom(body).startswith(b"<?xml"):
            line = max(1, line - 1)
        words = f"line {line}, column {found.group(2)}: " + words[found.end() :]
    return words


def media_description_apart() -> None:
    """Make feedparser keep Media RSS descriptions apart from the entry's own text.

    feedparser reads <media:description> as a second <description>: after the item's own
    one it becomes the entry's *content* (which wins), so a Mastodon post with an image
    was stored as the image's alt text and the post itself was lost. Kept under its own
    key instead, it is the text only when the entry has no other (YouTube's videos).
    """
    from feedparser.namespaces import mediarss

    def start(self: Any, attrs_d: dict[str, str]) -> None:
        self.push("media_description", 1)

    def end(self: Any) -> None:
        self.pop("media_description")

    mediarss.Namespace._start_media_description = start
    mediarss.Namespace._end_media_description = end
