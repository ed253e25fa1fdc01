"""The misspellings a word makes, remembered per word and languages, give exactly
`BrandMatcher`'s fuzzy matches: a word frequent in one post's language and not in
another's, met again and again in either order, and a bounded memory."""

from __future__ import annotations

import pytest

from triage import brandindex
from triage.brandindex import IndexedBrandMatcher
from triage.brands import BrandMatcher
from triage.config import BrandConfig
from triage.text import fold

BRANDS = [
    BrandConfig("Tiendo", keywords=("tiendo",)),
    BrandConfig("Kettlex", keywords=("kettlex",)),
    BrandConfig("Brightly", keywords=("brightly",)),
    BrandConfig("Lumio", keywords=("lumio",)),
    BrandConfig("Maisonneuve", keywords=("maisonneuve",)),
]
TEXTS = ["la tienda cerrada", "my tienda order", "ketlex broke", "kettle boiled",
         "brigthly lamp", "maisoneuve avenue", "lumoi app", "tiendo"]  # fmt: skip


def test_same_fuzzy_matches_in_every_language_and_order() -> None:
    fast, plain = IndexedBrandMatcher(BRANDS), BrandMatcher(BRANDS)
    for langs in ((None, "es", "en", "fr", "de"), ("de", "fr", "en", "es", None)):
        for lang in langs:
            for text in TEXTS:
                folded = fold(text)
                assert fast.match_folded(folded, lang) == plain.match_folded(folded, lang)


def test_a_word_frequent_in_the_posts_language_misspells_nothing() -> None:
    fast = IndexedBrandMatcher(BRANDS)
    assert [m.brand for m in fast.match_folded("my tienda order", "en")] == ["Tiendo"]
    assert fast.match_folded("mi tienda favorita", "es") == []
    assert [m.brand for m in fast.match_folded("my tienda order", "en")] == ["Tiendo"]


def test_what_it_remembers_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(brandindex, "_MAX_WORDS", 20)
    fast, plain = IndexedBrandMatcher(BRANDS), BrandMatcher(BRANDS)
    for n in range(200):
        folded = fold(f"kettl{n} ketlex{n % 3} tiend{n}")
        assert fast.match_folded(folded, "en") == plain.match_folded(folded, "en")
        assert len(fast._typo_index._known) <= 20
