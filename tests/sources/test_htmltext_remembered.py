"""What a tag leaves in the text is remembered by the tag's text (a feed's bodies repeat
a few tags): a remembered answer, a declined one, and a full memory all give
html.parser's exact text."""

from __future__ import annotations

from sources import htmltext
from sources.htmltext import _parsed, _plain_tags, html_to_text


def test_a_tag_met_again_leaves_the_same_text() -> None:
    fragment = "<P>Lumio &amp; <b>Glow</b></P><br/><p/>x<BR>y</br>z"
    first = html_to_text(fragment)
    assert "<P>" in htmltext._MADE and "</br>" in htmltext._MADE
    assert html_to_text(fragment) == first == "Lumio & Glow\n\nx\nyz"
    assert _plain_tags(fragment) == _parsed(fragment)


def test_a_declined_tag_is_declined_again_and_html_parser_reads_it() -> None:
    fragment = "<p>a</p class=x><script>b</script>c"
    assert _plain_tags(fragment) is None
    assert _plain_tags(fragment) is None  # remembered as "decline", not as a text
    assert html_to_text(fragment) == html_to_text(fragment) == _parsed(fragment).strip()


def test_long_tags_are_not_remembered_and_a_full_memory_starts_over() -> None:
    htmltext._MADE.clear()
    link = "<a href='https://example.org/a/long/address'>"
    assert _plain_tags(f"{link}x</a>") == "x"
    assert link not in htmltext._MADE
    for i in range(htmltext._MADE_CAP + 10):  # more distinct short tags than it keeps
        tag = f"<x{i}>"
        assert _plain_tags(f"{tag}{i}<p>") == _parsed(f"{tag}{i}<p>")
    assert len(htmltext._MADE) <= htmltext._MADE_CAP
    assert _plain_tags("<div>a</div><li>b") == _parsed("<div>a</div><li>b")
