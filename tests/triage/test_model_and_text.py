"""The domain records round-trip through JSON, and hostile text is neutralised."""

import unicodedata
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from triage.model import Author, Event, Mention, Note, Reply, Status, TriageState, mention_id
from triage.text import fold, sanitize

T0 = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def test_mention_round_trips_and_normalises_time_to_utc():
    m = Mention(
        id=mention_id("mastodon", "1109"),
        platform="mastodon",
        source="masto",
        url="https://m.example/@a/1109",
        author=Author("Ana", "@ana@m.example", "https://m.example/@ana", 1200),
        text="Lumio glow a brûlé ma lampe",
        created_at=datetime(2026, 11, 20, 10, 30),  # naive: taken as UTC
        fetched_at=T0,
        brands=("Lumio",),
    )
    assert m.group_id == "mastodon:1109"
    assert m.native_id == "1109"
    assert Mention.from_json(m.to_json()) == m
    assert m.to_json()["created_at"] == "2026-11-20T10:30:00.000000Z"


def test_state_and_event_round_trip():
    s = TriageState(
        "rss:x",
        status=Status.WAITING,
        tags=("bug",),
        notes=(Note("call back", "ana", T0),),
        replies=(Reply("k1", "Merci !", "ana", T0),),
        rev=3,
    )
    assert TriageState.from_json(s.to_json()) == s
    e = Event("e1", T0, "ana", "tag", "rss:x", {"tags": []}, {"tags": ["bug"]}, rev=1)
    assert Event.from_json(e.to_json()) == e


def test_bad_ids_and_statuses_are_refused_with_words():
    with pytest.raises(ValueError, match="native id"):
        mention_id("rss", "")
    with pytest.raises(ValueError, match="expected one of"):
        Status.parse("finished")
    assert Status.parse(" Done ") is Status.DONE


@pytest.mark.parametrize(
    "hostile",
    [
        "\x1b]52;c;ZXZpbA==\x07",  # OSC 52 clipboard write
        "\x1b]0;pwned\x1b\\",  # OSC 0 title
        "\x1b[2J\x1b[31m",  # CSI clear screen, colour
        "\x9b31m",  # 8-bit CSI
        "\u202e",  # right-to-left override
        "\x00\x07\x08",
    ],
)
def test_sanitize_removes_escapes_and_controls(hostile):
    out = sanitize(f"avant{hostile}après")
    assert out == "avantaprès"


def test_sanitize_keeps_text_newlines_and_markup_literally():
    text = "[link=https://evil]x[/link] [@click=app.quit]y[/]\nline 2\t😀"
    assert sanitize(text) == text
    assert fold("Brûlure ÉCLAIR") == "brulure eclair"


def _fold_by_definition(text: str) -> str:
    """fold's definition, one character at a time: casefold, NFKD, no combining marks."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@settings(max_examples=2000, deadline=None)
@given(st.text(max_size=60))
def test_fold_removes_exactly_the_combining_marks(text):
    assert fold(text) == _fold_by_definition(text)


def test_fold_handles_marks_beyond_the_bmp_and_emoji():
    for text in ["Ça brûle 😡", "𝒜𝓁𝑒𝓇𝓉", "\U0001d165\U0001d166x", "𑂫é", "ﬁne Ｌｕｍｉｏ"]:
        assert fold(text) == _fold_by_definition(text)
    assert fold("Ｌｕｍｉｏ ÉCLAIR") == "lumio eclair"


_SANITIZE_PIECES = [
    *"ab é[]/\n\r\t;0m",
    "\x1b",
    "\x9b",
    "\x9d",
    "\x07",
    "\u202e",
    "\x00",
    "\x7f",
    "\x1b[",
    "\x1b]52;c;",
    "\x1b\\",
    "e\u0301",
]


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(_SANITIZE_PIECES), max_size=20).map("".join))
def test_sanitize_skips_no_escape_and_keeps_all_plain_text(text):
    from triage import text as T

    flat = text.replace("\r\n", "\n").replace("\r", "\n")
    expected = unicodedata.normalize("NFC", T._CONTROLS.sub("", T._ESCAPES.sub("", flat)))
    assert sanitize(text) == expected
    assert not T._CONTROLS.search(sanitize(text))
