"""What a community manager sees of a prepared mention, on the edges the faster reading
(issue 16: chunks, shared tokens, places per lexicon) had to keep: negations, idioms,
emphasis, punctuation glued to words, line breaks, typographic apostrophes, accents and
other scripts. Each assertion is a ranking or a signal a person relies on."""

from __future__ import annotations

from datetime import UTC, datetime

from triage.config import BrandConfig
from triage.model import Author, Mention
from triage.pipeline import Preparer

AT = datetime(2026, 11, 30, tzinfo=UTC)
PREP = Preparer([BrandConfig(name="Lumio", keywords=("lumio", "lumio glow"), handles=("@lumio",))])


def _fields(text: str, title: str = "", lang: str | None = None) -> dict[str, object]:
    m = Mention(id="t:1", platform="rss", source="t", url="https://x/1", author=Author(name="a"),
                text=text, title=title, lang=lang, created_at=AT, fetched_at=AT)  # fmt: skip
    return PREP.fields(m)


def _rank(text: str, **kw: object) -> float:
    return float(_fields(text, **kw)["priority"])  # type: ignore[arg-type]


def _signals(text: str, **kw: object) -> tuple[str, ...]:
    return _fields(text, **kw)["signals"]  # type: ignore[return-value]


def test_a_complaint_ranks_above_a_question_above_praise() -> None:
    complaint = _rank("My Lumio lamp stopped working after the update, still no refund")
    question = _rank("How do I set the Lumio timer?")
    praise = _rank("Love my Lumio glow, thank you!")
    assert complaint > question > praise


def test_negations_glued_to_punctuation_and_line_breaks_still_deny() -> None:
    for text in (
        "lumio app won't open",
        "lumio app won’t open",  # typographic apostrophe
        "lumio app\nwon't\topen",
        "(lumio) app won't open...",
    ):
        assert "complaint: not working" in _signals(text), text
    assert "complaint: not working" not in _signals("lumio app opens fine, won't complain")


def test_no_problem_is_no_complaint_but_a_problem_is() -> None:
    assert not any(s.startswith("complaint") for s in _signals("No problem, lumio!"))
    assert "complaint: problem" in _signals("lumio: problem with my order")


def test_emphasis_shouting_is_anger_but_joyful_capitals_are_not() -> None:
    angry = _signals("LUMIO LAMP IS BROKEN AGAIN")
    assert any("shouting" in s for s in angry)
    joyful = _signals("THANK YOU LUMIO YOU ARE THE BEST")
    assert not any("shouting" in s for s in joyful)


def test_vaders_negation_and_idioms_keep_their_tone() -> None:
    # "not good" reads negative, "the bomb" (an idiom) positive: tone only shows when negative
    assert _rank("lumio glow is not good at all, horrible, awful") > _rank(
        "lumio glow is the bomb, good"
    )


def test_accents_and_other_scripts_are_read_folded() -> None:
    assert "complaint: remboursement" in _signals(
        "Lumio: toujours pas de REMBOURSEMENT après 3 semaines"
    )
    assert _fields("Лампа Lumio сломалась")["brands"] == ("Lumio",)
    assert _fields("Lümïö glow")["brands"] == ("Lumio",)


def test_a_duration_and_waiting_words_say_the_customer_waits() -> None:
    signals = _signals("lumio lamp broken, called twice, 3 days ago")
    assert "complaint: waiting time" in signals
    assert any(s.startswith("customer waiting: called, twice") for s in signals)


def test_personal_data_in_public_is_flagged() -> None:
    assert "personal data in public" in _signals("lumio refund to jo@ex.com please")
    assert "personal data in public" in _signals("lumio call me +33 6 12 34 56 78")
    assert "personal data in public" not in _signals("lumio order 12345")


def test_the_normal_form_drops_links_handles_and_a_cut_word() -> None:
    prepared = _fields("RT @a: Lumio BRÛLE! https://t.co/x #fail", title="")["prepared"]
    assert prepared.norm == "lumio brule"  # type: ignore[attr-defined]
    cut = _fields("the lumio lamp is bro…")["prepared"]
    assert cut.norm == "the lumio lamp is"  # type: ignore[attr-defined]
