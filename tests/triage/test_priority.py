"""Priority: the reasons are shown, crisis beats a question, FR and EN lexicons, reach,
comparison, and a snowballing group ranks higher."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.triage.conftest import T0, make_mention
from triage import priority as P
from triage.priority import URGENT_THRESHOLD, group_priority, is_urgent, score_mention


def score(text: str, **kw) -> tuple[float, tuple[str, ...]]:
    return score_mention(make_mention(1, text, **kw))


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("Je veux être remboursé, c'est une honte", "complaint: remboursement"),
        ("Lumio c'est une ARNAQUE", "complaint: arnaque"),
        ("Ce chargeur est dangereux", "crisis: dangereux"),
        ("Brûlure au deuxième degré avec la lampe", "crisis: brûlure"),
        ("Je porte plainte demain", "crisis: plainte"),
        ("Boycott Lumio!", "crisis: boycott"),
        ("This is a scam", "complaint: scam"),
        ("Still waiting for my refund", "complaint: refund"),
        ("We are filing a lawsuit", "crisis: lawsuit"),
        ("My son got an injury from it", "crisis: injury"),
        ("La lampe a pris feu", "crisis: feu"),
    ],
)
def test_lexicon_words_give_named_signals(text: str, signal: str) -> None:
    assert signal in score(text)[1]


def test_words_match_at_word_start_only() -> None:
    assert score("Firefox is my browser, the sued leather is nice")[1] == ()
    assert score("the fire alarm went off")[1] == ("crisis: fire",)


def test_forum_question_ranks_below_a_polemic() -> None:
    question, q_signals = score("Comment régler la minuterie de la Lumio ?", platform="reddit")
    polemic, p_signals = score(
        "Scandale : la Lumio a brûlé ma table, c'est dangereux et le SAV refuse le remboursement"
        " !!! Boycott"
    )
    assert q_signals == ("question",)
    assert question < polemic
    assert not is_urgent(question)
    assert is_urgent(polemic) and polemic >= URGENT_THRESHOLD
    assert "negative tone" in p_signals


def test_reach_is_shown_in_thousands() -> None:
    low, _ = score("nice lamp")
    high, signals = score("nice lamp", reach=120_000)
    assert "reach: 120k" in signals and high > low
    assert score("nice lamp", reach=150)[1] == ()


def test_competitor_comparison_adds_a_signal() -> None:
    plain, _ = score_mention(make_mention(1, "Lumio or Philips?"))
    compared, signals = score_mention(make_mention(1, "Lumio or Philips?"), comparison=True)
    assert compared > plain and "competitor comparison" in signals


def test_negative_tone_from_words_or_emoji() -> None:
    assert "negative tone" in score("Très déçu de ma Lumio")[1]
    assert "negative tone" in score("Lumio 😡")[1]
    assert "negative tone" not in score("Lumio 😍")[1]


def test_score_is_capped() -> None:
    text = "arnaque remboursement dangereux brûlure plainte boycott scam refund lawsuit injury !!!"
    assert score(text, reach=10_000_000)[0] == 100.0


def test_group_growth_raises_priority_and_says_so() -> None:
    base = make_mention(0, "Ma lampe Lumio a un souci")
    base = replace(base, priority=30.0, signals=("question",))
    copies = [
        replace(base, id=f"mastodon:c{i}", created_at=T0 + timedelta(minutes=5 * i))
        for i in range(12)
    ]
    now = T0 + timedelta(minutes=60)
    grown, signals = group_priority(copies, now)
    assert grown > 30.0 and signals[0] == "growing: +12 in 1 h"
    calm, calm_signals = group_priority(copies[:2], now)
    assert calm == 30.0 and calm_signals == ("question",)
    later, _ = group_priority(copies, now + timedelta(hours=5))
    assert later < grown
    assert group_priority([], now) == (0.0, ())


def test_scandal_hashtag_and_battery_words() -> None:
    _, signals = score("Batterie gonflée sur ma Lumio Glow, le boîtier a éclaté ! #LumioGate")
    assert "crisis: #lumiogate" in signals and "crisis: batterie gonflée" in signals
    assert "crisis: swollen" in score("Third report of swollen Lumio batteries")[1]
    assert score("the gate was open #gatekeeper")[1] == ()


# ---- one scan for the three lexicons finds what each lexicon's own scan finds

_WORDS = [
    *(s.strip() for s in P.CRISIS),
    *(s.strip() for s in P.COMPLAINT),
    *(s.strip() for s in P.NEGATIVE),
    "toujours pas livre",
    "plus jamais recu",
    "x",
    "lumio",
    "de",
    "pas",
    "en",
    "sues",
    "fired",
    "nulle",
    "😡😡",
    "-",
    "!",
    "_",
    "é",
]


def _by_each_lexicon(folded: str) -> tuple[list[str], list[str], bool]:
    def labels(rx, table):
        by_stem = {k.strip(): v for k, v in table.items()}
        return list(dict.fromkeys(by_stem[m.group(1)] for m in rx.finditer(folded)))

    return (
        labels(P._CRISIS, P.CRISIS),
        labels(P._COMPLAINT, P.COMPLAINT),
        P._NEGATIVE.search(folded) is not None,
    )


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=12), st.sampled_from(["", " ", "_", "a"]))
def test_one_scan_equals_three(words, glue):
    folded = " " + glue.join(words) + " "
    assert P._lexicon_hits(folded) == _by_each_lexicon(folded), folded
