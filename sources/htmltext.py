"""HTML fragments (feed bodies, Mastodon statuses, HN comments) made plain text.

Hand-written on the standard library's html.parser because what we need is small and
exact: keep the words, turn block ends and <br> into line breaks, drop <script> and
<style> wholesale, decode entities, and never leave a tag behind. A sanitising library
(bleach, nh3) keeps *safe HTML*, which is not what a terminal wants.
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


def html_to_text(fragment: str | None) -> str:
    """Plain text of an HTML fragment: tags gone, entities decoded, paragraphs kept."""
    if not fragment:
        return ""
    if "<" not in fragment:
        text = html.unescape(fragment) if "&" in fragment else fragment
    else:
        parser = _Text()
        parser.feed(fragment)
        parser.close()
        text = "".join(parser.parts)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()
