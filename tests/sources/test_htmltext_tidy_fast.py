"""`_tidy` skips the passes that would change nothing and gives the same text as the
three-pass tidying it replaced (kept here as the oracle), whatever the white space."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from sources.htmltext import _tidy

_SPACES = re.compile(r"[ \t\f\v\u00a0]+")
_BLANKS = re.compile(r"\n\s*\n\s*(\n\s*)+")


def _reference(text: str) -> str:
    lines = [line.strip() for line in _SPACES.sub(" ", text).split("\n")]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


WHITE = [" ", "  ", "\t", "\f", "\v", "\u00a0", "\r", "\n", "\n\n", "\n \n", "\n\n\n", "\x1c",
         "\x1f", "\x85", "\u2028", "\u2029", "\u3000", "\u200b", "\ufeff"]  # fmt: skip


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(WHITE), st.sampled_from(["a", "é", "—", "😡"]),
                          st.text(max_size=3)), max_size=40).map("".join))  # fmt: skip
def test_same_text_as_the_three_passes(text: str) -> None:
    assert _tidy(text) == _reference(text)
