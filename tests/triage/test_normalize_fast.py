"""`triage.normalize.words_only` (issue 16: ASCII text by bytes.translate and a split)
gives what the regex gave: the runs of word characters other than "_", one space
between, on every ASCII character and on mixed text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from triage.normalize import _NON_WORD, normalize, words_only

_CHARS = [chr(c) for c in range(128)] + ["é", "ß", "“", "—", "\u00a0", "\u2028", "日", "\u200b"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_CHARS), max_size=30))
def test_words_only_is_the_regex(chars) -> None:
    text = "".join(chars)
    assert words_only(text) == _NON_WORD.sub(" ", text).strip()


def test_every_ascii_character_between_words() -> None:
    for c in range(128):
        text = f" lamp{chr(c)}broke_again "
        assert words_only(text) == _NON_WORD.sub(" ", text).strip(), c
    assert normalize("RT @a: Lumio BRÛLE!! https://t.co/x ... my_lamp") == "lumio brule my lamp"
