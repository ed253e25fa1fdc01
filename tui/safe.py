"""Untrusted text on the screen: plain strings in, Content out, never markup.

Every mention, author name, note and error is hostile until proven otherwise. Text is
sanitised again here (defence in depth: the store may hold records older than today's
sanitiser) and only ever wrapped in Content objects, whose text is never parsed for
markup. Links are built by us from URLs checked to be plain http(s).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from textual.content import Content
from textual.style import Style

from triage.text import one_line, sanitize


def clean(text: str | None) -> str:
    """Printable text: no escapes, controls or bidi overrides (see triage.text.sanitize)."""
    return sanitize(text)


def flat(text: str | None, width: int | None = None) -> str:
    """Clean, on one line, optionally cut to `width` with an ellipsis."""
    return one_line(sanitize(text), width)


def plain(text: str | None, style: str = "") -> Content:
    """A Content holding `text` literally (Content never parses markup)."""
    content = Content(sanitize(text))
    return content.stylize(style) if style and content else content


def checked_url(url: str | None) -> str | None:
    """`url` if it is an absolute http(s) URL without spaces or controls, else None."""
    if not url:
        return None
    url = url.strip()
    if url != sanitize(url) or any(c.isspace() for c in url) or len(url) > 2000:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return url


def link(url: str | None, label: str | None = None) -> Content:
    """A clickable link built by us (the URL is checked), or the label alone if unsafe."""
    safe = checked_url(url)
    text = sanitize(label if label is not None else (safe or ""))
    if safe is None:
        return Content(text)
    return Content(text).stylize(Style(underline=True, link=safe))
