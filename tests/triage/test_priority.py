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
    assert score("the charger caught fire")[1][0] == "crisis: fire"
    # ambiguous words count only in the shapes that are not ambiguous
    for calm in [
        "my Fire TV stick",
        "I recall you said so",
        "#blessed",
        "pick your poison",
        "I accidentally bought the PS3 version",
        "I'm burned out on these long flights",
    ]:
        assert not any(s.startswith("crisis") for s in score(calm)[1]), calm


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
    assert any(s.startswith("negative tone") for s in p_signals)


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
    assert "negative tone: decu" in score("Très déçu de ma Lumio")[1]
    assert "negative tone: 😡" in score("Lumio 😡")[1]
    assert not any(s.startswith("negative") for s in score("Lumio 😍")[1])


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


# ---- one scan for all the lexicons finds what each lexicon's own scan finds

_WORDS = [
    *(s.strip() for lex in P.LEXICONS for s in lex),
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


def _by_each_lexicon(folded: str) -> list[list[str]]:
    out = []
    for lex in P.LEXICONS:
        by_stem = {k.strip(): v for k, v in lex.items()}
        rx = P._stem_regex(list(lex))
        out.append(list(dict.fromkeys(by_stem[m.group(1)] for m in rx.finditer(folded))))
    return out


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=12), st.sampled_from(["", " ", "_", "a"]))
def test_one_scan_equals_one_per_lexicon(words, glue):
    folded = " " + glue.join(words) + " "
    assert P._lexicon_hits(folded) == _by_each_lexicon(folded), folded


# ---- issue 12: real language


def test_plain_language_complaints_rank_above_thanks() -> None:
    """The shapes real customers use (issue 12), each well above a thank-you."""
    thanks, thanks_signals = score("Thank you so much, great service!")
    assert thanks <= P.BASE and thanks_signals[0] in ("thanks", "praise")
    for text, signal in [
        ("I've been on hold for an hour. This is ridiculous", "complaint: on hold"),
        ("are you kidding me? I needed help yesterday", "complaint: kidding"),
        ("45 minutes on the phone with no callback", "complaint: no callback"),
        (
            "dropped off my luggage 2 months ago, haven't heard anything",
            "complaint: haven't heard anything",
        ),
        ("Worst airline ever. Never again.", "complaint: never again"),
        ("I want to cancel my account", "complaint: cancel my account"),
        ("They refused my refund twice", "complaint: refund"),
        ("Toujours pas de réponse du SAV, j'attends depuis 3 semaines", "complaint: SAV"),
    ]:
        value, signals = score(text)
        assert signal in signals, (text, signals)
        assert value >= thanks + 25, (text, value)
        assert not is_urgent(value), text  # a complaint alone does not page anyone


def test_sarcastic_thanks_is_not_praise() -> None:
    value, signals = score(
        "Thank you @AppleSupport I updated my phone and now it is even slower and barely works."
        " Thank you for ruining my phone.😤"
    )
    assert value > 30 and any(s.startswith("negative tone") for s in signals)


@pytest.mark.parametrize(
    "text",
    [
        "Class action lawsuit filed over the Lumio Halo after dozens of injuries",
        "My son was injured when the charger exploded",
        "Food poisoning after eating your chicken, we spent the night in the ER",
        "La batterie a pris feu, mon fils est blessé",
        "Product recall: Lumio desk lamps can overheat",
    ],
)
def test_crisis_shapes_are_urgent(text: str) -> None:
    value, signals = score(text)
    assert is_urgent(value) and value >= URGENT_THRESHOLD + 5, (text, value)
    assert signals[0].startswith("crisis: "), signals


def test_a_crisis_gets_the_one_hour_sla_and_alerts_once() -> None:
    from triage.alerts import fresh, urgent_alerts
    from triage.config import SlaConfig
    from triage.model import TriageState
    from triage.sla import SlaPolicy

    value, _ = score("Class action lawsuit over the exploding Lumio: three injuries")
    allowed, _why = SlaPolicy.from_config(SlaConfig(), URGENT_THRESHOLD).target(value, ("rss",))
    assert allowed == timedelta(hours=1)

    class View:  # what alerts read of a group
        def __init__(self, leader, priority):
            self.group_id, self.leader, self.priority = leader.id, leader, priority
            self.state, self.platforms = TriageState(target=leader.id), (leader.platform,)

    leader = make_mention(1, "Class action lawsuit over the exploding Lumio: three injuries")
    now = leader.created_at + timedelta(minutes=5)
    sent: set[str] = set()
    first = fresh(urgent_alerts([View(leader, value)], URGENT_THRESHOLD, now), sent)
    assert len(first) == 1 and first[0].kind == "urgent"
    sent.update(a.key for a in first)
    again = urgent_alerts([View(leader, value)], URGENT_THRESHOLD, now + timedelta(minutes=1))
    assert fresh(again, sent) == []


def test_every_rule_that_counts_is_a_signal() -> None:
    value, signals = score("@lumio HELP ME NOW my order never arrived and no one answers!!! 😡")
    assert {"complaint: never arrived", "complaint: no answer", "asks for help"} <= set(signals)
    assert any(s.startswith("negative tone") for s in signals)
    assert value > 50


def test_a_one_megabyte_post_is_scored_on_its_beginning() -> None:
    """Priority reads a bounded part of a post: a 1 MB text is scored (quickly) from its
    first pages; words far beyond them do not count."""
    filler = "lorem ipsum dolor sit amet " * 40_000  # ~1.1 MB
    head, head_signals = score("My order never arrived. " + filler)
    assert "complaint: never arrived" in head_signals
    tail, tail_signals = score(filler + " lawsuit")
    assert not any(s.startswith("crisis") for s in tail_signals) and tail < head


# ---- issue 12 (follow-up): general shapes measured on the real labels


def test_anger_that_the_tone_confirms_ranks_like_a_complaint() -> None:
    """A negative word that VADER's tone confirms ("worst", "pissed") is a complaint in
    all but name: it ranks with the plain complaints, well above a neutral remark."""
    angry, signals = score("Way to drop the ball on customer service, so pissed right now!")
    plain, plain_signals = score("My internet is slow")
    assert plain_signals == ("complaint: slow",)
    neutral, _ = score("Which gate does the Lisbon flight leave from")
    assert any(s.startswith("negative tone: pissed, tone -") for s in signals), signals
    assert angry >= plain > neutral + 15


def test_a_customer_already_waiting_ranks_above_a_first_report() -> None:
    first, _ = score("My package is missing")
    chased, signals = score("My package is missing, I called twice and emailed 3 days ago")
    assert "customer waiting: called, twice, emailed" in signals
    assert chased > first
    # time words beside nothing wrong are no signal
    assert score("I called my mum yesterday, she says hi")[1] == ()


def test_a_problem_told_at_length_ranks_above_the_same_in_three_words() -> None:
    short, _ = score("Wifi not working")
    told, signals = score(
        "Wifi not working since this morning: the router shows a red light, I restarted it"
        " twice, checked every cable and the laptop and the phone both say no network at all"
    )
    assert "detailed account" in signals and told > short
    long_thanks, thanks_signals = score(
        "Thank you so much for the lovely flight to Lisbon yesterday, the crew were kind and"
        " the food was great and the seats were comfortable and we landed early too"
    )
    assert "detailed account" not in thanks_signals and long_thanks <= P.BASE


def test_a_question_is_shown_but_adds_nothing_to_a_complaint() -> None:
    stated, _ = score("The app is not working")
    asked, signals = score("The app is not working?")
    assert "question" in signals and asked == stated
    question, _ = score("Do you ship to Canada?")
    nothing, _ = score("Shipping to Canada")
    assert question > nothing  # a plain question can wait, but before no action


def test_helpful_is_praise_not_a_request_for_help() -> None:
    _, signals = score("Thank you for being so helpful and responsive today")
    assert "asks for help" not in signals
    assert "asks for help" in score("please help, my card was declined")[1]


def test_a_problem_said_to_be_solved_ranks_low_but_one_still_open_does_not() -> None:
    solved, signals = score("The outage issue is solved now, the wifi works again")
    assert "but: solved" in signals and solved <= P.BASE + P.SOLVED
    for text in [
        "I've called three times and they still haven't resolved my issue",
        "When is the outage expected to be resolved?",
        "Nothing worked, the app is still broken",
    ]:
        value, signals = score(text)
        assert not any("solved" in s for s in signals), (text, signals)
        assert value >= 30, (text, value)


def test_capitals_are_anger_but_shouted_thanks_is_thanks() -> None:
    shouted, signals = score("@lumio HELLO HELP ME REPLY TO MY DM")
    calm, _ = score("@lumio hello help me reply to my dm")
    assert "negative tone: shouting" in signals and shouted >= calm + P.TONE_SURE
    thanks, thanks_signals = score("THANK YOU!!! @LUMIO YOU ARE A REAL MVP!!!")
    assert thanks <= P.BASE and thanks_signals == ("thanks",)


@pytest.mark.parametrize(
    "text",
    [
        "I still haven't received my parcel",
        "I wasn't told I needed a visa",
        "They did not give me the sauces I paid for",
        "Your driver never picked me up",
    ],
)
def test_a_service_not_given_is_a_complaint(text: str) -> None:
    assert "complaint: not done" in score(text)[1], text


def test_a_generic_shape_alone_ranks_below_a_named_problem() -> None:
    how_to, signals = score("I can't find the option to rename a file")
    named, _ = score("My card was charged twice for one order")
    assert signals == ("complaint: not working",) and P.BASE < how_to < named
    both, _ = score("The app won't open and I was charged twice")
    assert both > named


def test_accidents_and_burns_are_still_crises() -> None:
    for text in ["I got into a car accident in your taxi", "The charger burned my hand"]:
        assert is_urgent(score(text)[0]), text


def test_french_waiting_and_broken_shapes() -> None:
    first, _ = score("Ma lampe ne marche plus")
    chased, signals = score(
        "Ma lampe ne marche plus, j'ai déjà appelé le SAV deux fois depuis 3 jours"
    )
    assert "complaint: ne marche pas" in signals and chased > first
    assert any(s.startswith("customer waiting: ") and "deja" in s for s in signals), signals
    assert "complaint: pas reçu" in score("Je n'ai rien reçu, commande payée")[1]
