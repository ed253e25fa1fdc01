"""The priority's negated-verb shapes ("won't even open", "haven't received") are found
by trying `_BROKEN` and `_NOT_DONE` only where a negation starts: exactly what a search
of the whole text finds, on texts drawn to put negations, verbs and fillers anywhere."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from triage.model import Author, Mention, utcnow
from triage.priority import _BROKEN, _NOT_DONE, _denies, _negations, score_mention

NEGATIONS = ["not", "isn't", "isnt", "won't", "wont", "cannot", "can't", "never", "haven't",
             "weren't", "dont", "don'", "n't", "nt", "knot", "note", "cant", "notwork"]  # fmt: skip
VERBS = ["work", "working", "open", "received", "receiv", "deliver", "get through", "get",
         "log in", "respond", "told", "fix", "replied", "checked", "let"]  # fmt: skip
FILLERS = ["even", "the", "lamp", "it", "me", "a", "lumio", "still", "so", "x_y", "3", "é"]
GAPS = [" ", "  ", "\n", "\t", "", ", ", ". ", "'", "-", "_"]
PIECE = st.tuples(st.sampled_from(NEGATIONS + VERBS + FILLERS), st.sampled_from(GAPS))


@settings(max_examples=3000, deadline=None)
@given(st.lists(PIECE, max_size=12))
def test_negated_shapes_are_found_as_a_whole_search_finds_them(pieces):
    text = " " + "".join(w + g for w, g in pieces) + " "
    negations = _negations(text)
    for shape in (_BROKEN, _NOT_DONE):
        assert _denies(shape, text, negations) == (shape.search(text) is not None), text


def _post(text: str) -> Mention:
    now = utcnow()
    return Mention("rss:1", "rss", "s", "", Author("a"), text, now, now)


def test_a_broken_thing_and_a_service_not_done_are_complaints():
    _, signals = score_mention(_post("my lamp won't even open and they haven't replied"))
    assert "complaint: not working" in signals and "complaint: not done" in signals
    _, calm = score_mention(_post("nothing here is not nice, i cannot stop smiling"))
    assert not any(s.startswith("complaint: not") for s in calm)
