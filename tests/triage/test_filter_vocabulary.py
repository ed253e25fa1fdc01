"""A word is found inside the vocabulary's words exactly as a loop over them finds it."""

from __future__ import annotations

import pytest

from triage.filter import in_some_word, parse_filter

WORDS = {"batteries", "remboursement", "écran", "lumio", "x\ny", "délai"}


@pytest.mark.parametrize("value", ["batt", "rembours", "cran", "lumiox", "x\ny", "\n", "o", ""])
def test_in_some_word_is_the_loop(value: str) -> None:
    assert in_some_word(value, WORDS) == any(value in w for w in WORDS)


def test_a_new_vocabulary_is_not_answered_from_the_old_one() -> None:
    assert in_some_word("batt", WORDS)
    assert not in_some_word("batt", {"remboursement"})
    grown = set(WORDS)
    assert not in_some_word("zzz", grown)
    grown.add("zzzz")  # same object, grown: joined again
    assert in_some_word("zzz", grown)


def test_a_typo_still_finds_close_spellings() -> None:
    flt = parse_filter("remboursment").with_vocabulary(WORDS)
    assert "remboursement" in flt.terms[0].alternatives
