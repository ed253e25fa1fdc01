"""The parse workers' faster HTML decoding must give exactly what the standard library
gives: `htmltext.unescape` against `html.unescape` on entity soups built to break it, and
long tags (links) remembered by their name and ending against html.parser."""

from __future__ import annotations

import html

from hypothesis import given, settings
from hypothesis import strategies as st

from sources import htmltext
from sources.htmltext import _parsed, _plain_tags, html_to_text, unescape

# pieces of references, whole and broken: names with and without ";", prefixes of longer
# names, numbers out of range, surrogates, C1 controls, zero, "&" runs, NUL (the fast path
# joins runs with it), white space that ends a name, astral characters
PIECES = [
    "&", ";", "#", "x", "X", "amp", "amp;", "ampx", "lt", "gt;", "quot", "eacute", "eacute;",
    "notin;", "notit;", "not", "mdash;", "#8220;", "#x27;", "#39", "#0;", "#x0;", "#55296;",
    "#xD800;", "#x110000;", "#1114112", "#128;", "#x9F;", "#65534;", "#99999999999999;",
    "#x1F600;", "\x00", " ", "\t", "\n", "\f", "<", "a", "é", "\U0001f600", "0", "9", "f",
    "AElig", "AMP", "thinsp;", "lang;", "rang;", "b" * 40,
]  # fmt: skip


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30))
def test_unescape_is_html_unescape(parts: list[str]) -> None:
    text = "".join(parts)
    assert unescape(text) == html.unescape(text)
    assert unescape(text) == html.unescape(text)  # and once remembered


def test_a_full_memory_of_references_starts_over_and_stays_exact() -> None:
    htmltext._REFS.clear()
    for i in range(htmltext._REFS_CAP + 50):
        text = f"&#{i};&amp;x&#x{i:x}"
        assert unescape(text) == html.unescape(text)
    assert len(htmltext._REFS) <= htmltext._REFS_CAP


LINKS = [
    "<a href='https://example.org/{i}'>",
    '<A HREF="https://example.org/{i}" title="a>b">',
    "<img src='https://example.org/{i}.png' alt=x/>",
    "<img src='https://example.org/{i}.png' />",
    "<br class='https://example.org/{i}'/>",
    "<p class='https://example.org/{i}'>",
    "<script src='https://example.org/{i}.js'>",
    "<Div  data-x='https://example.org/{i}' >",
    "<a href=https://example.org/{i} >",
]


def test_long_tags_leave_what_html_parser_leaves_however_often_met() -> None:
    for i in range(3):
        for link in LINKS:
            fragment = f"x {link.format(i=i)}y &amp; z</a> w"
            assert (_plain_tags(fragment) or _parsed(fragment)) == _parsed(fragment), fragment
            assert html_to_text(fragment) == html_to_text(fragment)


def test_real_looking_posts_read_as_before() -> None:
    post = (
        "<p>Again &amp; <b>Brightly</b> &mdash; <a href='https://example.org/76089'>link</a>"
        "</p><ul><li>caf&eacute; &#8220;quoted&#8221; &notit; &amp</li></ul>"
    )
    assert _plain_tags(post) == _parsed(post)
    assert html_to_text(post) == "Again & Brightly — link\n\ncafé “quoted” ¬it; &"
