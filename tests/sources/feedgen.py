"""Hypothesis strategies for RSS 2.0 and Atom documents built to trip a feed parser.

Each draw is a whole document (bytes) and the HTTP headers it is served with. The pieces
are what real feeds hold and what breaks parsers: inline markup that is not escaped,
escaped HTML, CDATA, XML and HTML entities, character references (some to characters
that cannot exist), smart quotes and other non-ASCII text, namespaced extensions, dates
in every format feeds use (and some out of range), ids and links present or missing,
relative links, and several encodings declared or sent.
"""

from __future__ import annotations

from hypothesis import strategies as st

WORDS = ["Lumio", "refund", "broken", "glow", "lamp", "café", "naïve", "l'été", "don’t", "—",
         "日本", "ünïcödé", "AT", "T", "x", "42"]
ENTITIES = ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#233;", "&#x2019;", "&#8220;",
            "&#xD800;", "&#0;", "&#x1F600;", "&amp;eacute;", "&amp;amp;", "&amp;#8217;"]
ESCAPED_HTML = ["&lt;b&gt;bold&lt;/b&gt;", "&lt;p&gt;para&lt;/p&gt;", "&lt;br/&gt;",
                "&lt;a href=&quot;https://e.example/x&quot;&gt;link&lt;/a&gt;",
                "&lt;script&gt;alert(1)&lt;/script&gt;", "a &lt; b", "&lt;img src=x&gt;"]
INLINE = ["<b>{}</b>", "<em>{}</em>", "<a href='https://e.example/1'>{}</a>", "<br/>{}",
          "<p>{}</p>", "<span class='x'>{}</span>"]
CDATA = ["<![CDATA[<p>in <b>cdata</b> &amp; more</p>]]>", "<![CDATA[plain & simple < 3]]>",
         "<![CDATA[]]>", "<![CDATA[&eacute;t&eacute;]]>"]
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
IDS = ["1", "t-42", "https://blog.example.org/p/1", "http://blog.example.org/?p=7",
       "tag:blog.example.org,2026:post-1", "urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427",
       "yt:video:dQw4w9WgXcQ", "t3_abc123", "  padded  ", "", "a b", "/relative/1"]
LINKS = ["https://blog.example.org/p/1", "/relative/2", "relative/3", "//cdn.example.org/4",
         "https://www.google.com/url?rct=j&amp;sa=t&amp;url=https://news.example.com/a&amp;ct=ga",
         "//[bad/x", "javascript:alert(1)", "  https://blog.example.org/p/5  ", "",
         "https://blog.example.org/p/ü?q=é"]
AUTHORS = ["ana@example.org (Ana Lima)", "Ana Lima", "ana@example.org", "<b>Bold</b> Name",
           "Zoé &amp; co", "", "  spaced  "]


@st.composite
def text_value(draw, allow_inline: bool = True, allow_cdata: bool = True) -> str:
    """Element content: a mix of words, entities, escaped HTML, inline markup, CDATA."""
    parts: list[str] = []
    kinds = ["word", "word", "space", "entity", "escaped"]
    if allow_inline:
        kinds.append("inline")
    if allow_cdata:
        kinds.append("cdata")
    kinds.append("control")
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(kinds))
        if kind == "word":
            parts.append(draw(st.sampled_from(WORDS)))
        elif kind == "space":
            parts.append(draw(st.sampled_from(SPACES)))
        elif kind == "entity":
            parts.append(draw(st.sampled_from(ENTITIES)))
        elif kind == "escaped":
            parts.append(draw(st.sampled_from(ESCAPED_HTML)))
        elif kind == "inline":
            parts.append(draw(st.sampled_from(INLINE)).format(draw(st.sampled_from(WORDS))))
        elif kind == "cdata":
            parts.append(draw(st.sampled_from(CDATA)))
        else:
            parts.append(draw(st.sampled_from(CONTROLS)))
    return "".join(parts)


def _maybe(draw, strategy, p_none: float = 0.3):
    return None if draw(st.floats(0, 1)) < p_none else draw(strategy)


@st.composite
def rss_item(draw) -> str:
    out = ["<item>"]
    title = _maybe(draw, text_value())
    if title is not None:
        out.append(f"<title>{title}</title>")
    link = _maybe(draw, st.sampled_from(LINKS))
    if link is not None:
        out.append(f"<link>{link}</link>")
    guid = _maybe(draw, st.sampled_from(IDS))
    if guid is not None:
        perma = draw(st.sampled_from(["", " isPermaLink='false'", " isPermaLink='true'"]))
        out.append(f"<guid{perma}>{guid}</guid>")
    desc = _maybe(draw, text_value())
    if desc is not None:
        out.append(f"<description>{desc}</description>")
    encoded = _maybe(draw, text_value(), 0.6)
    if encoded is not None:
        out.append(f"<content:encoded>{encoded}</content:encoded>")
    author = _maybe(draw, st.sampled_from(AUTHORS), 0.5)
    if author is not None:
        tag = draw(st.sampled_from(["author", "dc:creator"]))
        out.append(f"<{tag}>{author}</{tag}>")
    date = _maybe(draw, st.sampled_from(RFC822))
    if date is not None:
        out.append(f"<pubDate>{date}</pubDate>")
    dcdate = _maybe(draw, st.sampled_from(ISO), 0.8)
    if dcdate is not None:
        out.append(f"<dc:date>{dcdate}</dc:date>")
    if draw(st.booleans()):
        out.append("<category>Lamps</category><media:thumbnail url='https://i.example/1.jpg'/>")
    out.append("</item>")
    order = out[1:-1]
    order = draw(st.permutations(order))
    return "<item>" + "".join(order) + "</item>"


@st.composite
def atom_text_element(draw, tag: str) -> str:
    kind = draw(st.sampled_from(["", " type='text'", " type='html'", " type='xhtml'"]))
    if kind == " type='xhtml'":
        inner = draw(text_value(allow_cdata=False))
        return (
            f"<{tag}{kind}><div xmlns='http://www.w3.org/1999/xhtml'>{inner}</div></{tag}>"
        )
    return f"<{tag}{kind}>{draw(text_value())}</{tag}>"


@st.composite
def atom_entry(draw) -> str:
    out: list[str] = []
    if draw(st.floats(0, 1)) > 0.2:
        out.append(draw(atom_text_element("title")))
    ident = _maybe(draw, st.sampled_from(IDS), 0.2)
    if ident is not None:
        out.append(f"<id>{ident}</id>")
    for _ in range(draw(st.integers(0, 2))):
        rel = draw(st.sampled_from(["", " rel='alternate'", " rel='self'", " rel='enclosure'"]))
        href = draw(st.sampled_from(LINKS))
        out.append(f"<link{rel} href='{href}'/>")
    if draw(st.floats(0, 1)) > 0.4:
        out.append(draw(atom_text_element("content")))
    if draw(st.floats(0, 1)) > 0.5:
        out.append(draw(atom_text_element("summary")))
    if draw(st.floats(0, 1)) > 0.4:
        name = draw(st.sampled_from(AUTHORS))
        uri = draw(st.sampled_from(["", "<uri>https://people.example/ana</uri>", "<uri> </uri>"]))
        email = draw(st.sampled_from(["", "<email>ana@example.org</email>"]))
        out.append(f"<author><name>{name}</name>{uri}{email}</author>")
    for key in ("published", "updated"):
        when = _maybe(draw, st.sampled_from(ISO), 0.4)
        if when is not None:
            out.append(f"<{key}>{when}</{key}>")
    lang = draw(st.sampled_from(["", " xml:lang='fr'", " xml:lang='en-GB'"]))
    return f"<entry{lang}>" + "".join(draw(st.permutations(out))) + "</entry>"


DECLARATIONS = [
    ("<?xml version='1.0' encoding='UTF-8'?>\n", "utf-8"),
    ("<?xml version=\"1.0\" encoding=\"utf-8\"?>", "utf-8"),
    ("<?xml version='1.0'?>\n", "utf-8"),
    ("", "utf-8"),
    ("<?xml version='1.0' encoding='ISO-8859-1'?>", "latin-1"),
    ("<?xml version='1.0' encoding='windows-1252'?>", "cp1252"),
    ("<?xml version='1.0' encoding='windows-874'?>", "cp874"),
    ("<?xml version='1.0' encoding='utf8mb4'?>", "utf-8"),
]
CONTENT_TYPES = [
    "application/rss+xml; charset=utf-8",
    "application/atom+xml",
    "application/xml",
    "text/xml",
    "text/xml; charset=utf-8",
    "text/html; charset=utf-8",
    "application/rss+xml; charset=iso-8859-1",
    "",
]


def _encode(text: str, codec: str) -> bytes:
    return text.encode(codec, "xmlcharrefreplace")


@st.composite
def feed_document(draw) -> tuple[bytes, dict[str, str]]:
    """(body, headers) for an RSS 2.0 or Atom document."""
    declaration, codec = draw(st.sampled_from(DECLARATIONS))
    content_type = draw(st.sampled_from(CONTENT_TYPES))
    if draw(st.booleans()):
        lang = draw(st.sampled_from(["", "<language>fr</language>", "<language> en-us </language>"]))
        items = "".join(draw(st.lists(rss_item(), min_size=0, max_size=4)))
        extra_ns = draw(st.sampled_from(["", " xmlns:atom='http://www.w3.org/2005/Atom'"]))
        doc = (
            f"{declaration}<rss version='{draw(st.sampled_from(['2.0', '0.92', '2.0.1']))}' "
            "xmlns:content='http://purl.org/rss/1.0/modules/content/' "
            "xmlns:dc='http://purl.org/dc/elements/1.1/' "
            f"xmlns:media='http://search.yahoo.com/mrss/'{extra_ns}><channel>"
            f"<title>{draw(text_value())}</title><link>https://blog.example.org/</link>{lang}"
            f"{items}</channel></rss>"
        )
    else:
        prefix = draw(st.sampled_from(["", "a:"]))
        entries = "".join(draw(st.lists(atom_entry(), min_size=0, max_size=4)))
        if prefix:
            entries = _prefixed(entries)
        ns = "xmlns:a" if prefix else "xmlns"
        lang = draw(st.sampled_from(["", " xml:lang='de'"]))
        doc = (
            f"{declaration}<{prefix}feed {ns}='http://www.w3.org/2005/Atom'{lang}>"
            f"<{prefix}title>{draw(text_value(allow_inline=False))}</{prefix}title>"
            f"<{prefix}id>urn:feed</{prefix}id>{entries}</{prefix}feed>"
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
