"""HTML fragments (feed bodies, Mastodon statuses, HN comments) made plain text.

Hand-written on the standard library's html.parser because what we need is small and
exact: keep the words, turn block ends and <br> into line breaks, drop <script> and
<style> wholesale, decode entities, and never leave a tag behind. A sanitising library
(bleach, nh3) keeps *safe HTML*, which is not what a terminal wants.

html.parser costs ~50 µs per feed body (a Python call per tag), the largest part of
parsing a feed. Most bodies are plain tags, text and entities, so a one-regex fast path
reads those, and declines (returns None) at anything else: comments, doctypes, <script>
or <style>, a stray "<", an unusual tag. Declined fragments go to html.parser. The fast
path must give html.parser's exact output: tests/sources/test_htmltext.py checks it.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_BLOCKS = frozenset(
    {
        "p",
        "div",
        "li",
        "ul",
        "ol",
        "blockquote",
        "pre",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "tr",
        "table",
        "section",
        "article",
        "header",
        "footer",
        "dd",
        "dt",
    }
)
_SKIPPED = frozenset({"script", "style", "template", "head", "title", "noscript"})
_SPACES = re.compile(r"[ \t\f\v\u00a0]+")
_BLANKS = re.compile(r"\n\s*\n\s*(\n\s*)+")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag == "br" or tag in _BLOCKS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


# A start or end tag with a plain name and well-formed attributes (quoted values may hold
# ">"); anything else is left in the text, where its "<" makes the fast path decline.
# Groups: "/" of an end tag, the name, the attributes, "/" of a self-closing tag.
_NAME = r"[a-zA-Z][-.a-zA-Z0-9:_]*"
_ATTRS = r"""(?:\s+[^\s"'<>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'<>=`/]+(?=[\s>])))?)*"""
_TAG = re.compile(rf"<(/?)({_NAME})({_ATTRS})\s*(/?)>")
# The same grammar as one group: `split` then gives text, tag, text, tag, ... text.
_TOKEN = re.compile(rf"(</?{_NAME}{_ATTRS}\s*/?>)")
_MADE: dict[str, str] = {}  # a tag -> what it leaves in the text ("" declines)
_MADE_CAP = 4096  # distinct short tags remembered (a feed's tags repeat: <p>, </a>, <b>)
# An opening tag's name as written (its attributes come after white space, "/" or ">")
_OPENING = re.compile(r"<[-.a-zA-Z0-9:_]+")
_SHAPES: dict[str, str] = {}  # "<a" + how it ends ("'>", "/>") -> what such a tag leaves


def _made_of(tag: str) -> str:
    """What one tag leaves in the text: a line break, "\x00" (a run ends), "" to decline.

    A long opening tag (a link, its own address inside) is seldom met twice, but what it
    leaves depends only on its name and on whether it closes itself ("/>" at its end:
    no attribute value `_TOKEN` accepts ends with "/"), so it is remembered by those."""
    if len(tag) > 24 and tag[1] != "/":
        shape = _OPENING.match(tag).group() + tag[-2:]  # type: ignore[union-attr]
        made = _SHAPES.get(shape)
        if made is None:
            made = _SHAPES[shape] = _made_of_tag(tag)
            if len(_SHAPES) > _MADE_CAP:
                _SHAPES.clear()
        return made
    return _made_of_tag(tag)


def _made_of_tag(tag: str) -> str:
    closing, name, attrs, slash = _TAG.fullmatch(tag).groups()  # type: ignore[union-attr]
    name = name.lower()
    if name in _SKIPPED:
        made = ""
    elif closing:
        # "</p class=x>": html.parser's business
        made = "" if attrs or slash else "\n" if name in _BLOCKS else "\x00"
    elif slash:  # "<br/>": html.parser's self-closing tag, a line break only for br
        made = "\n" if name == "br" else "\x00"
    else:
        made = "\n" if name == "br" or name in _BLOCKS else "\x00"
    if len(tag) <= 24:  # plain tags; a link's tag (its own address) is seldom met twice
        if len(_MADE) >= _MADE_CAP:
            _MADE.clear()
        _MADE[tag] = made
    return made


def _plain_tags(fragment: str) -> str | None:
    """The text of a fragment of plain tags, as html.parser gives it; None to decline.

    html.parser decodes entities in each run of text between tags. Here the runs are
    joined first, with "\x00" where a tag ends a run without a line break: no entity
    name holds it, so one `html.unescape` over the whole decodes exactly the same.
    What a tag leaves is remembered by its text: a feed's bodies repeat a few tags.
    """
    if "\x00" in fragment:
        return None
    pieces = _TOKEN.split(fragment)  # text, tag, text, tag, ... text
    if "<" in "".join(pieces[::2]):
        return None
    made = _MADE.get
    left = [made(tag) or _made_of(tag) for tag in pieces[1::2]]
    if "" in left:
        return None
    pieces[1::2] = left
    text = "".join(pieces)
    if "&" in text:
        text = unescape(text)
    return text.replace("\x00", "")


# html.unescape's own pattern (html._charref): a reference, "&" left out
_CHARREF = re.compile(r"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)")
_REFS: dict[str, str] = {}  # a reference (without its "&") -> what it stands for
_REFS_CAP = 4096


def unescape(text: str) -> str:
    """`html.unescape(text)`, exactly, without its Python call per reference (~1 µs
    each; a feed's post holds ~10): the references are found as html.unescape finds
    them, and each is decoded as html.unescape decodes it alone (what a reference
    stands for depends on it only), remembered by its text (&amp; &#8217; &eacute;)."""
    pieces = _CHARREF.split(text)  # text, reference, text, ... text
    if len(pieces) == 1:
        return text
    known = _REFS.get
    pieces[1::2] = [
        made if (made := known(ref)) is not None else _decoded(ref) for ref in pieces[1::2]
    ]
    return "".join(pieces)


def _decoded(ref: str) -> str:
    if len(_REFS) >= _REFS_CAP:
        _REFS.clear()
    made = _REFS[ref] = html.unescape("&" + ref)
    return made


def _parsed(fragment: str) -> str:
    parser = _Text()
    parser.feed(fragment)
    parser.close()
    return "".join(parser.parts)


def html_to_text(fragment: str | None) -> str:
    """Plain text of an HTML fragment: tags gone, entities decoded, paragraphs kept."""
    if not fragment:
        return ""
    if "<" not in fragment:
        text = unescape(fragment) if "&" in fragment else fragment
    else:
        plain = _plain_tags(fragment)
        text = _parsed(fragment) if plain is None else plain
    if "  " not in text and text.isprintable():
        # one line, single spaces (isprintable: no line break, tab or other white space
        # but " "): the tidying below would only strip it. Most titles, names and posts.
        return text.strip()
    return _tidy(text)


def _tidy(text: str) -> str:
    """Runs of spaces made one, lines stripped, at most one blank line in a row."""
    # else the runs are single spaces; what `_SPACES` makes a space, one search each (a
    # frozenset's `isdisjoint(text)` hashed every character: ~10 µs a post)
    if "  " in text or "\t" in text or "\xa0" in text or "\f" in text or "\v" in text:
        text = _SPACES.sub(" ", text)
    joined = "\n".join([line.strip() for line in text.split("\n")])
    # with every line stripped, the only white space next to a line break is another
    # line break: a run `_BLANKS` rewrites is three of them or more
    if "\n\n\n" in joined:
        joined = _BLANKS.sub("\n\n", joined)
    return joined.strip()
