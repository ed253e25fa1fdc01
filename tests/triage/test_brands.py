"""Brand matching: accents and case, handles and hashtags, word boundaries, misspellings,
exclusions, competitors, and the keyword recorded for the TUI."""

from __future__ import annotations

import pytest

from triage.brands import BrandMatcher, keyword_warnings
from triage.common_words import common_words
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
    assert found(matcher, "my Phlips lamp died") == {"Philips": ("~philips",)}
    assert found(matcher, "Philps support is slow") == {"Philips": ("~philips",)}
    # "Phillips" is a frequent English word (a surname, a screwdriver): not a misspelling
    assert found(matcher, "my Phillips lamp died") == {}


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


# ---- issue 12: fuzzy matching never takes a common word for a brand

SEVERAL = [
    BrandConfig("Kettlex", keywords=("kettlex",)),
    BrandConfig("Philips", keywords=("philips",)),
    BrandConfig("Chipotle", keywords=("chipotle",)),
    BrandConfig("Spotify", keywords=("spotify",)),
    BrandConfig("Verizon", keywords=("verizon",)),
    BrandConfig("Orangina", keywords=("orangina",)),
    BrandConfig("Maisonneuve", keywords=("maisonneuve",)),
    BrandConfig("Target", keywords=("target",)),
    BrandConfig("Lumio", keywords=("lumio",)),
]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_no_frequent_word_is_taken_for_a_brand_by_misspelling(lang: str) -> None:
    """Every frequent word of the language, in one post: no brand is found by fuzzy
    matching (the brands' own names may be there, matched as written)."""
    matcher = BrandMatcher(SEVERAL)
    names = {"kettlex", "philips", "chipotle", "spotify", "verizon", "orangina", "target"}
    words = sorted(common_words(lang) - names - {"maisonneuve", "lumio"})
    assert len(words) > 25_000
    for start in range(0, len(words), 2000):  # in posts of 2,000 words
        post = " ".join(words[start : start + 2000])
        fuzzy = [(m.brand, k) for m in matcher.match(post, lang) for k in m.keywords if "~" in k]
        assert fuzzy == [], fuzzy


def test_kettle_is_not_kettlex_but_ketlex_is() -> None:
    matcher = BrandMatcher(SEVERAL)
    for post in ["My kettle broke again", "Two kettles for 20€", "la bouilloire, le kettle"]:
        assert found(matcher, post) == {}, post
    assert found(matcher, "Ketlex support never answers") == {"Kettlex": ("~kettlex",)}
    assert found(matcher, "KETTLEXX is down") == {"Kettlex": ("~kettlex",)}
    assert found(matcher, "I love Chipotel") == {"Chipotle": ("~chipotle",)}
    assert found(matcher, "spotfy keeps crashing") == {"Spotify": ("~spotify",)}
    assert found(matcher, "verison outage again") == {"Verizon": ("~verizon",)}
    assert found(matcher, "je vis à Maisoneuve") == {"Maisonneuve": ("~maisonneuve",)}
    assert found(matcher, "je vis dans une maison neuve") == {}


def test_the_posts_language_counts_too() -> None:
    matcher = BrandMatcher([BrandConfig("Hundex", keywords=("hundex",))])
    assert found(matcher, "mein Hunde ist krank") != {}  # German: unknown to en/fr lists
    assert matcher.match("mein Hunde ist krank", lang="de") == []


def test_exact_keywords_are_never_matched_by_misspelling() -> None:
    matcher = BrandMatcher([BrandConfig("Ketlon", exact_keywords=("ketlonix",))])
    assert found(matcher, "Ketlonix rocks") == {"Ketlon": ("ketlonix",)}
    assert found(matcher, "Ketlonyx rocks") == {}
    assert found(matcher, "Ketlon rocks") == {}  # the name is not a keyword when exact ones are
    both = BrandMatcher([BrandConfig("Ketlon", keywords=("ketlon",), exact_keywords=("ktl",))])
    assert found(both, "Kettlon and KTL") == {"Ketlon": ("ktl",)}
    assert found(both, "Kettlon rocks") == {"Ketlon": ("~ketlon",)}


def test_keyword_warnings_name_the_common_neighbours() -> None:
    warnings = keyword_warnings([*SEVERAL, BrandConfig("Quiet", exact_keywords=("kettlex",))])
    assert len(warnings) == 3, warnings
    kettlex, philips, target = warnings
    assert kettlex.startswith('brand Kettlex: keyword "kettlex" is one edit from')
    assert '"kettle"' in kettlex and '{ phrase = "kettlex", fuzzy = false }' in kettlex
    assert '"phillips"' in philips and '"targets"' in target
    assert keyword_warnings([BrandConfig("Lumio")]) == []
