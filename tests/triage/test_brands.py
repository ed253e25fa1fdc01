"""Brand matching: accents and case, handles and hashtags, word boundaries, misspellings,
exclusions, competitors, and the keyword recorded for the TUI."""

from __future__ import annotations

import pytest

from triage.brands import BrandMatcher
from triage.config import BrandConfig


def found(matcher: BrandMatcher, text: str) -> dict[str, tuple[str, ...]]:
    return {m.brand: m.keywords for m in matcher.match(text)}


def test_case_and_accents_are_ignored() -> None:
    matcher = BrandMatcher([BrandConfig("Éclair", keywords=("Éclair",))])
    assert found(matcher, "mon ECLAIR est cassé") == {"Éclair": ("eclair",)}
    assert found(matcher, "l'éclair!") == {"Éclair": ("eclair",)}


def test_handle_and_hashtag_are_recorded_as_such(brands) -> None:
    matcher = BrandMatcher(brands)
    assert found(matcher, "merci @Lumio pour le SAV")["Lumio"][0] == "@lumio"
    assert "#lumio" in found(matcher, "trop bien #Lumio")["Lumio"]


def test_brand_inside_another_word_is_not_a_match(brands) -> None:
    matcher = BrandMatcher(brands)
    assert found(matcher, "The illumionist show was great") == {}
    assert found(matcher, "my old Lumia phone") == {}  # five letters: too short for fuzzy
    assert found(matcher, "Philipsburg is a town") == {}


def test_fuzzy_misspelling_is_caught_and_marked(brands) -> None:
    matcher = BrandMatcher(brands)
    assert found(matcher, "my Phillips lamp died") == {"Philips": ("~philips",)}
    assert found(matcher, "Philps support is slow") == {"Philips": ("~philips",)}


def test_fuzzy_needs_same_first_letter_and_a_long_enough_name() -> None:
    matcher = BrandMatcher([BrandConfig("Ikea", keywords=("ikea",))])
    assert found(matcher, "I like idea of it") == {}  # 4 letters: no fuzzy at all
    matcher = BrandMatcher([BrandConfig("Philips", keywords=("philips",))])
    assert found(matcher, "khilips") == {}


def test_exclusion_wins(brands) -> None:
    matcher = BrandMatcher(brands)
    assert found(matcher, "I need a Philips screwdriver") == {}
    assert found(matcher, "a PHILIPS-HEAD bit") == {}
    assert found(matcher, "sunset at Lumio Beach, Corsica") == {}
    assert "Philips" in found(matcher, "Philips lamp vs screwdriver")


def test_multi_word_alias_across_punctuation(brands) -> None:
    matcher = BrandMatcher(brands)
    assert "lumio halo" in found(matcher, "The Lumio-Halo is bright")["Lumio"]


def test_competitors_are_attributed_and_comparison_detected(brands) -> None:
    matcher = BrandMatcher(brands)
    matches = matcher.match("Lumio vs Philips vs IKEA: which lamp?")
    assert {m.brand for m in matches} == {"Lumio", "Philips", "Ikea"}
    assert {m.brand for m in matches if m.is_competitor} == {"Philips", "Ikea"}
    assert matcher.is_comparison(matches)
    assert not matcher.is_comparison(matcher.match("Philips vs Ikea"))


@pytest.mark.parametrize("text", ["🔥Lumio🔥", "Lumio😡", "«Lumio»", "(lumio)", "lumio's lamp"])
def test_emoji_and_punctuation_around_the_name(brands, text: str) -> None:
    assert "Lumio" in found(BrandMatcher(brands), text)


def test_brand_name_is_the_keyword_when_none_configured() -> None:
    assert found(BrandMatcher([BrandConfig("Glowa")]), "glowa!") == {"Glowa": ("glowa",)}
