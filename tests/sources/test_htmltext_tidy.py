"""The one-line shortcut of `html_to_text` gives exactly what the full tidying gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sources.htmltext import _tidy, html_to_text

# every kind of white space the tidying treats (or must leave alone), letters, accents
ALPHABET = " \t\n\r\f\v\u00a0\u2003\u3000\u200b\u2028\x1c\x85ab é<>&;p/"


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=30))
def test_one_line_shortcut_equals_the_full_tidying(text):
    if "<" not in text and "&" not in text:
        assert html_to_text(text) == _tidy(text), repr(text)


def test_shortcut_keeps_single_spaces_and_strips_the_ends():
    assert html_to_text("  Lumio glow  ") == "Lumio glow"  # two spaces: the full path
    assert html_to_text(" Lumio glow ") == "Lumio glow"
    assert html_to_text("Lumio\u00a0glow") == "Lumio glow"  # no-break space: made a space
    assert html_to_text("a\u2003 b") == "a\u2003 b".strip()
