"""Feed bodies become plain text; the regex fast path gives html.parser's exact output."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sources.htmltext import _parsed, _plain_tags, html_to_text

PIECES = [
    "<p>",
    "</p>",
    "<P>",
    "</P >",
    "<br>",
    "<br/>",
    "<br />",
    "<BR>",
    "</br>",
    "<p/>",
    '<div class="a>b">',
    "</div>",
    "<a href='x'>",
    "<a href=x>",
    "<a href=/x/>",
    "<a href=http://x/>",
    "<b>",
    "</b>",
    "<li>",
    '<img src="i.png" alt=""/>',
    "<p class=x/>",
    '<span data-x = "1" hidden>',
    "</span>",
    "<ul>\n<li>",
    "<script>",
    "</script>",
    "<style>p{}</style>",
    "<!-- note -->",
    "<!DOCTYPE html>",
    "<?xml?>",
    "< p>",
    "</ p>",
    "</p class=x>",
    "<3",
    "a < b",
    "<",
    ">",
    "&",
    "&amp;",
    "&amp",
    "&am",
    "p;",
    "&lt;b&gt;",
    "&#233;",
    "&eacute;",
    "&nbsp;",
    "\n",
    " ",
    "\t",
    "Lumio",
    "brûle",
    "text",
    "x=1",
    "'",
    '"',
    "/",
    "=",
    "<title>",
    "</title>",
    "<p\nclass='y'>",
    "<h1>",
    "</h1>",
    "<x:y>",
    "<a b c>",
    "<a  b = 'c' >",
    "&notit",
    ";",
    "&#6",
    "5;",
    "&#x",
    "e9;",
    "&amp;amp;",
    "\x00",
    "&\x00amp;",
]


def test_plain_tags_read_a_typical_feed_body():
    body = '<p>Ma lampe <b>Lumio</b> a pris feu&nbsp;!</p><p>Voir <a href="https://x.example/a?b=1&amp;c=2">ici</a><br/>merci</p>'
    assert _plain_tags(body) is not None
    assert html_to_text(body) == "Ma lampe Lumio a pris feu !\n\nVoir ici\nmerci"


def test_fast_path_declines_what_it_does_not_know():
    for fragment in ["<!-- c --><p>x</p>", "<script>alert(1)</script>", "a < b <p>", "</ p>"]:
        assert _plain_tags(fragment) is None
    assert html_to_text("<p>a</p><script>alert('<p>')</script><p>b</p>") == "a\n\nb"


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=14))
def test_fast_path_equals_html_parser(pieces):
    fragment = "".join(pieces)
    fast = _plain_tags(fragment)
    if fast is not None:
        assert fast == _parsed(fragment), fragment


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet="<>/=\"' &;abpr!-\n", max_size=40))
def test_fast_path_equals_html_parser_on_noise(fragment):
    fast = _plain_tags(fragment)
    if fast is not None:
        assert fast == _parsed(fragment), fragment
