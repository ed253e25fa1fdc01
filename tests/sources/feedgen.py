"""Hypothesis strategies for RSS 2.0 and Atom documents built to trip a feed parser.

Each draw is a whole document (bytes) and the HTTP headers it is served with. The pieces
are what real feeds hold and what breaks parsers: inline markup that is not escaped,
escaped HTML, CDATA, XML and HTML entities, character references (some to characters
that cannot exist), smart quotes and other non-ASCII text, namespaced extensions, dates
in every format feeds use (and some out of range), ids and links present or missing,
relative links, and several encodings declared or sent.
"""

from __future__ import annotations

import functools

from hypothesis import strategies as st

WORDS = [
    "Lumio",
    "refund",
    "broken",
    "glow",
    "lamp",
    "café",
    "naïve",
    "l'été",
    "don’t",
    "—",
    "日本",
    "ünïcödé",
    "AT",
    "T",
    "x",
    "42",
]
ENTITIES = [
    "&amp;",
    "&lt;",
    "&gt;",
    "&quot;",
    "&apos;",
    "&#233;",
    "&#x2019;",
    "&#8220;",
    "&#xD800;",
    "&#0;",
    "&#x1F600;",
    "&amp;eacute;",
    "&amp;amp;",
    "&amp;#8217;",
]
ESCAPED_HTML = [
    "&lt;b&gt;bold&lt;/b&gt;",
    "&lt;p&gt;para&lt;/p&gt;",
    "&lt;br/&gt;",
    "&lt;a href=&quot;https://e.example/x&quot;&gt;link&lt;/a&gt;",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "a &lt; b",
    "&lt;img src=x&gt;",
]
INLINE = [
    "<b>{}</b>",
    "<em>{}</em>",
    "<a href='https://e.example/1'>{}</a>",
    "<br/>{}",
    "<p>{}</p>",
    "<span class='x'>{}</span>",
]
CDATA = [
    "<![CDATA[<p>in <b>cdata</b> &amp; more</p>]]>",
    "<![CDATA[plain & simple < 3]]>",
    "<![CDATA[]]>",
    "<![CDATA[&eacute;t&eacute;]]>",
]
SPACES = [" ", "  ", "\n", "\n\n  ", "\t", "\r\n"]
CONTROLS = ["\u202e", "\u00a0", "\u200b", "\x85"]

RFC822 = [
    "Sun, 22 Nov 2026 08:00:00 GMT",
    "Sun, 22 Nov 2026 08:00:00 +0100",
    "22 Nov 2026 08:00:00 -0500",
    "Sun, 22 Nov 2026 08:00:00 EST",
    "Sun, 22 Nov 2026 08:00 GMT",
    "Sun, 22 Nov 26 08:00:00 GMT",
    "Sunday, 22 November 2026 08:00:00 GMT",
    "Sun, 22 Nov 2026 08:00:00",
    "Sun, 22 Nov 2026 08:00:00 Z",
    "Sun, 22 Nov 2026 08:00:00 UT",
    "Mon, 22 Nov 2026 08:00:00 GMT",
    "Sun, 31 Feb 2026 08:00:00 GMT",
    "2026-11-22T08:00:00Z",
    "someday",
    "",
    "Fri, 31 Dec 9999 23:59:59 -0500",
    "Sat, 01 Jan 0001 00:00:00 +0100",
]
ISO = [
    "2026-11-22T08:00:00Z",
    "2026-11-22T08:00:00+01:00",
    "2026-11-22T08:00:00.123456Z",
    "2026-11-22T08:00:00.5-05:30",
    "2026-11-22T08:00:00",
    "2026-11-22",
    "2026-11-22 08:00:00Z",
    "2026-11-22T08:00Z",
    "20261122T080000Z",
    "0001-01-01T00:00:00+01:00",
    "0000-00-00",
    "9999-12-31T23:59:59-05:00",
    "Sun, 22 Nov 2026 08:00:00 GMT",
    "  2026-11-22T08:00:00Z  ",
    "nonsense",
]
IDS = [
    "1",
    "t-42",
    "https://blog.example.org/p/1",
    "http://blog.example.org/?p=7",
    "tag:blog.example.org,2026:post-1",
    "urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427",
    "yt:video:dQw4w9WgXcQ",
    "t3_abc123",
    "  padded  ",
    "",
    "a b",
    "/relative/1",
]
LINKS = [
    "https://blog.example.org/p/1",
    "/relative/2",
    "relative/3",
    "//cdn.example.org/4",
    "https://www.google.com/url?rct=j&amp;sa=t&amp;url=https://news.example.com/a&amp;ct=ga",
    "//[bad/x",
    "javascript:alert(1)",
    "  https://blog.example.org/p/5  ",
    "",
    "https://blog.example.org/p/ü?q=é",
]
AUTHORS = [
    "ana@example.org (Ana Lima)",
    "Ana Lima",
    "ana@example.org",
    "<b>Bold</b> Name",
    "Zoé &amp; co",
    "",
    "  spaced  ",
]


PLAIN_PIECES = WORDS * 3 + SPACES + ENTITIES + ESCAPED_HTML + CDATA + CONTROLS
INLINE_PIECES = [markup.format(word) for markup in INLINE for word in ("Lumio", "refund")]


@functools.cache
def text_value(allow_inline: bool = True, allow_cdata: bool = True) -> st.SearchStrategy[str]:
    """Element content: a mix of words, entities, escaped HTML, inline markup, CDATA."""
    pieces = [p for p in PLAIN_PIECES if allow_cdata or not p.startswith("<![CDATA[")]
    if allow_inline:
        pieces += INLINE_PIECES
    return st.lists(st.sampled_from(pieces), max_size=6).map("".join)


PLAIN_RFC822 = RFC822[:3]
PLAIN_ISO = ISO[:4]
PLAIN_IDS = [i for i in IDS if i.strip()]
PLAIN_LINKS = [link for link in LINKS if link.strip()]


_PERCENT = st.integers(0, 99)


@functools.cache
def _index(size: int) -> st.SearchStrategy[int]:
    return st.integers(0, size - 1)


def pick(draw, choices):
    """One of `choices` (strategies are built once: building one per draw is slow)."""
    return choices[draw(_index(len(choices)))]


def _chance(draw, percent: int) -> bool:
    return draw(_PERCENT) < percent


def _shuffled(draw, parts: list[str]) -> str:
    draw(_RANDOMS).shuffle(parts)
    return "".join(parts)


_RANDOMS = st.randoms(use_true_random=False)


@st.composite
def rss_item(draw, plain: bool) -> str:
    out = []
    texts = text_value(allow_inline=not plain)
    if _chance(draw, 80):
        out.append(f"<title>{draw(texts)}</title>")
    if _chance(draw, 70):
        out.append(f"<link>{pick(draw, PLAIN_LINKS if plain else LINKS)}</link>")
    if _chance(draw, 70):
        perma = pick(draw, ["", " isPermaLink='false'", " isPermaLink='true'"])
        guid = pick(draw, PLAIN_IDS if plain else IDS)
        out.append(f"<guid{perma}>{guid}</guid>")
    if _chance(draw, 70):
        out.append(f"<description>{draw(texts)}</description>")
    if _chance(draw, 40):
        out.append(f"<content:encoded>{draw(texts)}</content:encoded>")
    if _chance(draw, 50):
        tag = pick(draw, ["author", "dc:creator"])
        out.append(f"<{tag}>{pick(draw, AUTHORS)}</{tag}>")
    if _chance(draw, 70):
        out.append(f"<pubDate>{pick(draw, PLAIN_RFC822 if plain else RFC822)}</pubDate>")
    elif _chance(draw, 30):
        out.append(f"<dc:date>{pick(draw, PLAIN_ISO if plain else ISO)}</dc:date>")
    if _chance(draw, 30):
        out.append("<category>Lamps</category><media:thumbnail url='https://i.example/1.jpg'/>")
    if _chance(draw, 10):
        out.append(
            pick(
                draw,
                [
                    "<dc:title>DC title</dc:title>",
                    "<source url='https://s.example/'>Elsewhere</source>",
                    "<media:description>MD</media:description>",
                    "<dc:description>DC words</dc:description>",
                ],
            )
        )
    return "<item>" + _shuffled(draw, out) + "</item>"


@st.composite
def atom_text_element(draw, tag: str, plain: bool) -> str:
    kinds = ["", " type='text'", " type='html'"] + ([] if plain else [" type='xhtml'"])
    kind = pick(draw, kinds)
    if kind == " type='xhtml'":
        inner = draw(text_value(allow_cdata=False))
        return f"<{tag}{kind}><div xmlns='http://www.w3.org/1999/xhtml'>{inner}</div></{tag}>"
    return f"<{tag}{kind}>{draw(text_value(allow_inline=not plain))}</{tag}>"


@st.composite
def atom_entry(draw, plain: bool) -> str:
    out: list[str] = []
    if _chance(draw, 80):
        out.append(draw(_text_element("title", plain)))
    if _chance(draw, 80):
        out.append(f"<id>{pick(draw, PLAIN_IDS if plain else IDS)}</id>")
    for _ in range(draw(_index(2 if plain else 3))):
        rel = pick(draw, ["", " rel='alternate'", " rel='self'", " rel='enclosure'"])
        href = pick(draw, PLAIN_LINKS if plain else LINKS)
        kind = "" if plain else pick(draw, ["", "", " type='text/html'"])
        out.append(f"<link{rel}{kind} href='{href}'/>")
    if _chance(draw, 60):
        out.append(draw(_text_element("content", plain)))
    if _chance(draw, 50):
        out.append(draw(_text_element("summary", plain)))
    if _chance(draw, 60):
        name = pick(draw, AUTHORS)
        uri = pick(draw, ["", "<uri>https://people.example/ana</uri>", "<uri> </uri>"])
        email = pick(draw, ["", "<email>ana@example.org</email>"])
        out.append(f"<author><name>{name}</name>{uri}{email}</author>")
    for key in ("published", "updated"):
        if _chance(draw, 60):
            when = pick(draw, PLAIN_ISO if plain else ISO)
            out.append(f"<{key}>{when}</{key}>")
    if _chance(draw, 10):
        out.append(
            "<media:group><media:title>Media title</media:title>"
            "<media:description>Media words</media:description></media:group>"
        )
    lang = pick(draw, ["", " xml:lang='fr'", " xml:lang='en-GB'"])
    if not plain and _chance(draw, 10):
        lang += " xml:base='https://base.example/dir/'"
    return f"<entry{lang}>" + _shuffled(draw, out) + "</entry>"


@functools.cache
def _text_element(tag: str, plain: bool) -> st.SearchStrategy[str]:
    return atom_text_element(tag, plain)


@functools.cache
def _list_of(kind: str, plain: bool) -> st.SearchStrategy[list[str]]:
    return st.lists((rss_item if kind == "rss" else atom_entry)(plain), max_size=4)


DECLARATIONS = [
    ("<?xml version='1.0' encoding='UTF-8'?>\n", "utf-8"),
    ('<?xml version="1.0" encoding="utf-8"?>', "utf-8"),
    ("<?xml version='1.0'?>\n", "utf-8"),
    ("", "utf-8"),
    ("<?xml version='1.0' encoding='ISO-8859-1'?>", "latin-1"),
    ("<?xml version='1.0' encoding='windows-1252'?>", "cp1252"),
    ("<?xml version='1.0' encoding='windows-874'?>", "cp874"),
    ("<?xml version='1.0' encoding='utf8mb4'?>", "utf-8"),
    ("<?xml version='1.0' encoding='x-mac-roman'?>", "mac-roman"),
    ("\ufeff<?xml version='1.0' encoding='utf-8'?>", "utf-8"),
]
CONTENT_TYPES = [
    "application/rss+xml; charset=utf-8",
    "application/atom+xml",
    "application/xml",
    "",
    "text/xml",
    "text/xml; charset=utf-8",
    "text/html; charset=utf-8",
    "application/rss+xml; charset=iso-8859-1",
]


def _encode(text: str, codec: str) -> bytes:
    return text.encode(codec, "xmlcharrefreplace")


@st.composite
def feed_document(draw) -> tuple[bytes, dict[str, str]]:
    """(body, headers) for an RSS 2.0 or Atom document: half of them plain (what the
    fast path should take), half anything (what it must decline or get right)."""
    plain = draw(st.booleans())
    declaration, codec = pick(draw, DECLARATIONS[:4] if plain else DECLARATIONS)
    content_type = pick(draw, CONTENT_TYPES[:4] if plain else CONTENT_TYPES)
    if draw(st.booleans()):
        lang = pick(draw, ["", "<language>fr</language>", "<language> en-us </language>"])
        items = "".join(draw(_list_of("rss", plain)))
        extra_ns = pick(draw, ["", " xmlns:atom='http://www.w3.org/2005/Atom'"])
        version = pick(draw, ["2.0", "0.92", "2.0.1"])
        doc = (
            f"{declaration}<rss version='{version}' "
            "xmlns:content='http://purl.org/rss/1.0/modules/content/' "
            "xmlns:dc='http://purl.org/dc/elements/1.1/' "
            f"xmlns:media='http://search.yahoo.com/mrss/'{extra_ns}><channel>"
            f"<title>{draw(text_value(allow_inline=not plain))}</title>"
            f"<link>https://blog.example.org/</link>{lang}{items}</channel>"
            + pick(draw, ["", "", "<item><title>Outside</title><guid>o-1</guid></item>"])
            + "</rss>"
        )
    else:
        prefix = pick(draw, ["", "a:"])
        entries = "".join(draw(_list_of("atom", plain)))
        if prefix:
            entries = _prefixed(entries)
        ns = "xmlns:a" if prefix else "xmlns"
        lang = pick(draw, ["", " xml:lang='de'"])
        doc = (
            f"{declaration}<{prefix}feed {ns}='http://www.w3.org/2005/Atom'{lang} "
            "xmlns:media='http://search.yahoo.com/mrss/'>"
            f"<{prefix}title>{draw(text_value(allow_inline=False))}</{prefix}title>"
            + pick(
                draw,
                ["", f"<{prefix}author><{prefix}name>Feed Author</{prefix}name></{prefix}author>"],
            )
            + f"<{prefix}id>urn:feed</{prefix}id>{entries}</{prefix}feed>"
        )
    headers = {"content-type": content_type} if content_type else {}
    return _encode(doc, codec), headers


def _prefixed(entries: str) -> str:
    import re

    # every Atom tag gets the "a:" prefix; the XHTML div keeps its own namespace
    return re.sub(
        r"<(/?)(entry|title|id|link|content|summary|author|name|uri|email|published|updated)\b",
        r"<\1a:\2",
        entries,
    )
