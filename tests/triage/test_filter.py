"""Search as a community manager types it: stems (EN/FR), prefixes, the words a post was
ranked for, and a clear refusal of brands, platforms and statuses that do not exist.

Searches run through a real store (Inbox.groups builds the vocabulary the expansions
come from) with mentions ranked by the real pipeline.
"""

from __future__ import annotations

import pytest

from store.inbox import Inbox
from triage.config import BrandConfig
from triage.filter import FilterError, KnownValues, parse_filter
from triage.pipeline import Pipeline

from .conftest import make_mention

BRANDS = [
    BrandConfig("Lumio", keywords=("lumio",)),
    BrandConfig("Brightly", keywords=("brightly",), is_competitor=True),
]

POSTS = {
    "batteries": "My Lumio lamp eats batteries in two days",
    "battery": "Lumio battery life is great honestly",
    "batter": "Pancake batter recipe, nothing to do with lamps (lumio)",
    "rembourser": "Lumio refuse de me rembourser la lampe",
    "rembourse": "Enfin remboursé par Lumio, merci au SAV",
    "livraison": "Livraisons Lumio toujours en retard",
    "injured": "My son got injured by a Lumio lamp that exploded",
    "plain": "Lumio lamp arrived today",
}


@pytest.fixture
def inbox(tmp_path):
    box = Inbox.open(tmp_path / "store", user="ana", pipeline=Pipeline(BRANDS))
    box.ingest([make_mention(key, text, minutes=n) for n, (key, text) in enumerate(POSTS.items())])
    yield box
    box.close()


def found(inbox: Inbox, query: str) -> set[str]:
    return {view.leader.id.split(":", 1)[1] for view in inbox.groups(query)}


def test_a_word_finds_its_other_forms_in_english(inbox):
    assert found(inbox, "battery") == {"batteries", "battery"}
    assert found(inbox, "batteries") == {"batteries", "battery"}  # not the pancake batter


def test_a_word_finds_its_other_forms_in_french(inbox):
    assert found(inbox, "remboursement") == {"rembourser", "rembourse"}
    assert found(inbox, "remboursé") == {"rembourser", "rembourse"}  # accents ignored
    assert found(inbox, "livraison") == {"livraison"}  # "Livraisons"


def test_a_prefix_finds_the_longer_words(inbox):
    assert found(inbox, "batt") == {"batteries", "battery", "batter"}
    assert found(inbox, "rembours") == {"rembourser", "rembourse"}


def test_quotes_match_exactly_and_minus_excludes_every_form(inbox):
    assert found(inbox, '"battery"') == {"battery"}
    assert "batteries" not in found(inbox, "lumio -battery")
    assert "battery" not in found(inbox, "lumio -battery")


def test_the_words_a_post_was_ranked_for_are_searchable(inbox):
    injured = inbox.mention("mastodon:injured")
    assert any("injury" in s for s in injured.signals)  # the ranker saw an injury
    assert "injury" not in injured.text
    assert found(inbox, "injury") == {"injured"}
    assert "injured" in found(inbox, "crisis")


def test_expansions_come_from_the_vocabulary_behind_one_cheap_test():
    vocabulary = {"connected", "connecting", "connection", "connections", "connects", "cone"}
    (term,) = parse_filter("connections").with_vocabulary(vocabulary).terms
    # "connections" itself is found as a substring; the other forms are alternatives
    assert term.alternatives == ("connected", "connecting", "connection", "connects")
    assert term.gate == "connect"  # tested once before the alternatives
    (short,) = parse_filter("con").with_vocabulary(vocabulary).terms
    assert short.alternatives == ()  # no stem for three letters: a prefix search only


@pytest.mark.parametrize(
    ("query", "message", "column"),
    [
        ("brand:Lumo", "unknown brand 'Lumo' (did you mean Lumio?); known brands: Brightly, Lumio", 7),
        ("lamp platform:mastadon", "did you mean mastodon?); known platforms: bluesky, hackernews, mastodon, reddit, rss", 15),
        ("status:opne", "unknown status 'opne'; expected one of: new, open, waiting, done, ignored", 1),
    ],
)  # fmt: skip
def test_unknown_values_are_refused_with_the_valid_ones(query, message, column):
    with pytest.raises(FilterError) as caught:
        parse_filter(query, KnownValues(brands=("Lumio", "Brightly")))
    assert message in caught.value.message
    assert caught.value.position + 1 == column


def test_known_values_accept_any_case_and_accents_and_old_callers_still_work():
    known = KnownValues(brands=("Lumio", "Café Noir"), platforms=("rss", "forum"))
    flt = parse_filter('brand:LUMIO brand:"cafe noir"', known)
    assert flt.positive("brand") == ["lumio", "cafe noir"]
    assert parse_filter("platform:forum", known).positive("platform") == ["forum"]
    assert parse_filter("brand:Anything").positive("brand") == ["anything"]  # unchecked
    with pytest.raises(FilterError, match="known platforms: bluesky"):
        parse_filter("platform:forum")  # without context: the connectors' platforms
