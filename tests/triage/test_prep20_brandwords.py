"""`triage.brandindex.word_runs` (the words brand matching looks up, by bytes.translate)
gives what `\\w+` finds: on any text (lone surrogates, other scripts and spaces, emoji,
combining marks, "_"), and on the real tweets; and the brands found on the real tweets
with the 76 support accounts are those `BrandMatcher` (every brand tried) finds."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bench.real_eval import brand_configs
from tests.realdata import real_texts
from triage.brandindex import IndexedBrandMatcher, word_runs
from triage.brands import BrandMatcher
from triage.text import fold

_WORD = re.compile(r"\w+")
_PIECES = ["sprint", "care", "_", "@", "#", "é", "e\u0301", "\u00a0", "\u2028", "\u3000",
           "\ud800", "👍🏽", "…", "—", "٣", "²", "日本", "Ｌ", " ", "\n", "'", "-", "\x00", "\x85",
           "a_b_c", "115712"]  # fmt: skip


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=25))
def test_word_runs_are_the_regex_runs(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert word_runs(text) == _WORD.findall(text), repr(text)


@settings(max_examples=1000, deadline=None)
@given(st.text(max_size=60))
def test_any_text(text: str) -> None:
    assert word_runs(text) == _WORD.findall(text), repr(text)


def test_the_real_tweets() -> None:
    texts = real_texts()
    brands = brand_configs()
    indexed, plain = IndexedBrandMatcher(brands), BrandMatcher(brands)
    found = 0
    for text in texts:
        folded = fold(text)
        assert word_runs(folded) == _WORD.findall(folded), text
        got = indexed.match_folded(folded, "en")
        assert got == plain.match_folded(folded, "en"), text
        found += bool(got)
    assert found > len(texts) // 3  # many tweets name one of the support accounts
