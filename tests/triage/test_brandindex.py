"""IndexedBrandMatcher gives exactly BrandMatcher's matches (brands, keywords, order):
on texts drawn from brand words, handles, tags, misspellings, exclusions and joiners,
and on the real tweets sample with its 76 support accounts as brands."""

from __future__ import annotations

import csv

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.realdata import twcs_sample
from triage.brandindex import IndexedBrandMatcher
from triage.brands import BrandMatcher
from triage.config import BrandConfig
from triage.text import fold

BRANDS = [
    BrandConfig(
        "Lumio",
        keywords=("lumio", "lumio glow", "glow_lamp"),
        handles=("@lumio", "@lumio_fr", "@lumio.support"),
        hashtags=("#lumio",),
        exclude=("lumio street", "glow worm"),
        competitors=("Brightly", "Philips"),
    ),
    BrandConfig("Brightly", keywords=("brightly",), is_competitor=True),
    BrandConfig("Kettlex", keywords=("kettlex",), exact_keywords=("kettlex pro",)),
    BrandConfig("Odd", keywords=("!!!", "_x_"), handles=("@.",)),
]
WORDS = [
    "lumio", "LUMIO", "Lumio", "lumios", "lumio_fr", "lumio_fr_x", "glow", "glow_lamp",
    "street", "worm", "brightly", "brigthly", "philips", "phillips", "philip", "kettlex",
    "ketlex", "kettle", "pro", "support", "x", "_x_", "!!!", "a", "the", "illumionist",
    "lümio", "lumiö", "é", "_", "lumio.support", "lumio-glow",
]  # fmt: skip
# five matchers (Philips is added as a competitor): the index; two brands: each tried
PAIRS = [(IndexedBrandMatcher(b), BrandMatcher(b)) for b in (BRANDS, BRANDS[:2])]
JOINERS = [" ", "", "_", "@", "#", ".", "-", "!", " @", " #", "\n"]


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(JOINERS), st.sampled_from(WORDS)), max_size=10))
def test_same_matches_as_brand_matcher_on_drawn_texts(parts: list[tuple[str, str]]) -> None:
    text = "".join(j + w for j, w in parts)
    folded = fold(text)
    for fast, plain in PAIRS:
        for lang in (None, "en", "fr"):
            assert fast.match_folded(folded, lang) == plain.match_folded(folded, lang)


def test_both_ways_are_exercised() -> None:
    from triage.brandindex import FEW

    assert len(PAIRS[0][0]._matchers) > FEW >= len(PAIRS[1][0]._matchers)


def test_same_matches_as_brand_matcher_on_the_real_tweets() -> None:
    sample = twcs_sample()
    if sample is None:
        pytest.skip("../shared/data/twcs-sample.csv is absent")
    with sample.open(newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r.get("text")]
    handles = sorted({r["author_id"] for r in rows if not r["author_id"].isdigit()})
    brands = [
        BrandConfig(h, keywords=(h.removesuffix("help").removesuffix("cares"),), handles=(f"@{h}",))
        for h in handles
    ] + BRANDS
    fast, plain = IndexedBrandMatcher(brands), BrandMatcher(brands)
    found = 0
    for r in rows:
        folded = fold(r["text"])
        got = fast.match_folded(folded, "en")
        assert got == plain.match_folded(folded, "en"), r["text"]
        found += bool(got)
    assert found > 1000  # the comparison saw many matches, not only empty lists
