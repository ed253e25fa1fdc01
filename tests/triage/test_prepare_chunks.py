"""What the pipeline reads per white-space chunk (issue 16: preparing a mention reads each
chunk's remembered facts instead of scanning the whole post with each pattern) is what
each pattern finds over the whole text: the normal form grouping compares, the places
where a lexicon stem, a negation, a waiting word or a number starts, capitals to shout
with, an e-mail address, the words of a detailed account, a duration, VADER's tone.
Texts drawn from pieces that sit on every edge: links, handles, truncation marks, tabs,
line and paragraph separators, non-ASCII letters and digits, emoji, capitals."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from triage import chunks, normalize, sentiment
from triage import priority as P
from triage.text import fold

_STEMS = sorted({s.strip() for lex in P.LEXICONS for s in lex})
_PIECES = [
    *_STEMS[::4], "not", "isn't", "won't", "can't", "never", "working", "answer", "received",
    "last", "week", "all", "day", "this", "morning", "3", "45", "٣", "6 hours", "2days",
    "3 weeks of", "1.5 days", "no", "problem", "problems", "any", "solved", "fixed", "sue",
    "a", "x", "é", "É", "_", "0", "👍", "😡", "LUMIO", "ABCD", "AB", "THIS IS", "NOT OK",
    "@lumio", "@a@b.social", "#tag", "#lumiogate", "https://t.co/x", "www.x.fr/y", "a.b/c",
    "jo@ex.com", "__email__", "+33 6 12 34 56 78", "0612345678", "rt", "RT @a:", "via",
    "...", "…", "x...", "y…", "ﬁ", "¨", "Ⅻ", "²",
]  # fmt: skip
_GLUE = ["", " ", " ", "  ", "\n", "\n\n", "\t", "\u2028", "\u00a0", "_", "-", "'", "’",
         ".", ",", "!", "?", "#", "@", "/"]  # fmt: skip
_TEXTS = st.lists(st.tuples(st.sampled_from(_GLUE), st.sampled_from(_PIECES)), max_size=18).map(
    lambda parts: "".join(g + p for g, p in parts)
)


@settings(max_examples=1500, deadline=None)
@given(_TEXTS)
def test_the_normal_form_from_chunks_is_the_whole_texts(text: str) -> None:
    folded = fold(text)
    assert normalize._normalize_chunks(folded.split()) == normalize._normalize_slow(folded)
    assert normalize.normalize_folded(folded) == normalize._normalize_slow(
        normalize._RT.sub("", folded.strip()) if folded.lstrip()[:1] in ("r", "v", "m") else folded
    )


def test_normal_forms_a_user_sees() -> None:
    assert normalize.normalize("RT @a: Lumio BRÛLE! https://t.co/x") == "lumio brule"
    # a cut post loses its cut word, even after a link or a handle at its end
    assert normalize.normalize("the lamp is bro…") == "the lamp is"
    assert normalize.normalize("lamp dead @lumio…") == "lamp dead"
    assert normalize.normalize("lamp dead https://t.co/x …  ") == "lamp dead"
    assert normalize.normalize("lamp\tdead\u2028again…\n") == "lamp dead"


def _padded(text: str) -> str:
    return " " + fold(text).replace("\u2019", "'").replace("\u2018", "'") + " "


@settings(max_examples=1500, deadline=None)
@given(_TEXTS)
def test_places_hold_every_place_each_pattern_matches(text: str) -> None:
    folded = _padded(text)
    groups = P._place_groups(folded)
    places = [at for at, _ in groups]
    assert places == sorted(set(places))
    stems = {m.start() for m in P._ANY_STEM_AT.finditer(folded)}
    negations = {m.start() for m in P._NOT_AT.finditer(folded)}
    waited = {m.start() for m in P._WAITED.finditer(folded)}
    assert stems | negations | waited <= set(places)
    assert P._lexicon_hits(folded, groups=groups) == P._lexicon_hits(folded)
    by_negation = [at for at, may in groups if may & P._NEGATION]
    assert P._negations(folded, by_negation) == P._negations(folded)
    by_waiting = [at for at, may in groups if may & P._WAITING]
    # as main read them: at `_PLACES`'s places (a duration in non-ASCII digits, "٣ weeks",
    # is no waiting word there: kept so, decisions stay the same)
    assert P._waited(folded, by_waiting) == P._waited(
        folded, [m.start() for m in P._PLACES.finditer(folded)]
    )
    numbers = [at for at, may in groups if may & P._NUMBER]
    assert any(P._DURATION.match(folded, at) for at in numbers) == bool(P._DURATION.search(folded))


@settings(max_examples=1500, deadline=None)
@given(_TEXTS)
def test_raw_facts_from_chunks_are_the_whole_texts(text: str) -> None:
    flags = chunks.any_flags(P._RAW_FLAGS, text.split())
    assert bool(flags & P._CAPS) == (P._CAPITALS.search(text) is not None)
    personal = bool(flags & P._EMAIL) or bool(flags & P._DIGITS and P._PHONE.search(text))
    assert personal == P._personal(text)
    assert bool(flags & P._DIGITS) == P._has_digit(text)
    if len(text) <= 2000:  # what is read of a text for a detailed account
        assert chunks.total(P._WORD_COUNT, text.split()) == P._words(text)


@settings(max_examples=600, deadline=None)
@given(_TEXTS)
def test_tone_from_shared_tokens_is_vaders(text: str) -> None:
    if sentiment.has_emoji(text):  # the caller gives no tokens then
        return
    expected = sentiment._analyser().polarity_scores(text)["compound"] if text.strip() else 0.0
    assert sentiment.tone_of(text, "en", text.split()) == expected
    assert sentiment.tone_of(text, "en") == expected


def test_the_chunk_memo_is_bounded_and_forgets_nothing_it_needs(monkeypatch) -> None:
    memo = chunks.ChunkMemo(len)
    long = "x" * (chunks.LONGEST + 1)
    assert memo[long] == chunks.LONGEST + 1 and long not in memo  # worked out, not kept
    monkeypatch.setattr(chunks, "MAX_CHUNKS", 3)
    for word in ("a", "bb", "ccc", "dddd"):
        assert memo[word] == len(word)
    assert len(memo) <= 3 and memo["a"] == 1


def test_the_same_decisions_with_cold_and_warm_memos() -> None:
    """What a worker decides does not depend on what it has seen before."""
    from datetime import UTC, datetime

    from triage.config import BrandConfig
    from triage.model import Author, Mention
    from triage.pipeline import Preparer

    at = datetime(2026, 11, 30, tzinfo=UTC)
    prep = Preparer([BrandConfig(name="Lumio", keywords=("lumio", "lumio glow"))])
    posts = [
        "My Lumio lamp STILL DOESN'T WORK!!! called twice, 3 days ago. jo@ex.com",
        "lumio glow: thank you, love it 😍",
        "@lumio can’t log in since yesterday… is there a fix?",
        "Лампа Lumio сломалась, remboursement demandé depuis 2 semaines",
    ]
    ms = [
        Mention(id=f"t:{i}", platform="rss", source="t", url=f"https://x/{i}",
                author=Author(name="a"), text=t, created_at=at, fetched_at=at)
        for i, t in enumerate(posts)
    ]  # fmt: skip
    warm = [prep.fields(m) for m in ms]
    for memo in (P._PLACE_OFFSETS, P._RAW_FLAGS, P._WORD_COUNT, normalize._CHUNKS):
        memo.clear()
    sentiment._TOKENS.clear()
    cold = [prep.fields(m) for m in reversed(ms)][::-1]
    assert cold == warm


def test_chunks_split_as_patterns_see_white_space() -> None:
    """Every character `str.split` cuts at is one `\\s` matches, and no other: the
    chunk facts rest on it."""
    for code in range(0x3000):
        ch = chr(code)
        assert (len(f"a{ch}b".split()) == 2) == bool(re.fullmatch(r"\s", ch)), hex(code)


@settings(max_examples=60, deadline=None)
@given(st.lists(_TEXTS, min_size=40, max_size=120))
def test_long_texts_scanned_whole_decide_as_by_chunks(parts: list[str]) -> None:
    """Past `triage.chunks.LONG` characters a text is scanned whole (its chunks rarely
    come back): what each pattern finds is what the chunks give."""
    import pytest

    text = " ".join(parts) * (1 + chunks.LONG // max(1, len(" ".join(parts))))
    folded = _padded(text)
    whole = P._place_groups(folded)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(P, "LONG", 10**9)
        by_chunks = P._place_groups(folded)
    assert P._lexicon_hits(folded, groups=whole) == P._lexicon_hits(folded, groups=by_chunks)
    for bit, read in ((P._NEGATION, P._negations), (P._WAITING, P._waited)):
        at_whole = [at for at, may in whole if may & bit]
        at_chunks = [at for at, may in by_chunks if may & bit]
        assert read(folded, at_whole) == read(folded, at_chunks)  # type: ignore[operator]
    numbers = {at for at, may in whole if may & P._NUMBER}
    assert numbers == {at for at, may in by_chunks if may & P._NUMBER}
    assert normalize.normalize_folded(folded) == normalize._normalize_chunks(folded.split()) or (
        folded.lstrip()[:1] in ("r", "v", "m")
    )
    assert fold(text) == " ".join(fold(piece) for piece in text.split(" "))
