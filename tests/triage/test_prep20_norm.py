"""The faster forms in grouping's normal form and priority's word count remove what the
plain patterns remove: a handle found from its "@" as `_HANDLE`, the cut last word by
`str.rsplit` as `_TRUNCATED`, handles and links begun by their first character as
`_HANDLE_OR_LINK`; and `normalize_folded` equals the plain sequence of substitutions.
Drawn texts around each pattern's edges, any text, and the real tweets (their titles are
the text's first 60 characters cut with "…", as in the tweets farm)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.realdata import real_texts
from triage import normalize as N
from triage import priority as P
from triage.text import fold

_PIECES = ["@a", "@115712", "x@y", "@x@m.social", "@", "a@b.c", "@_", "@é", "#sav", "#",
           "http", "https://t.co/x", "http://a.b/@c/d", "#http://x", "@userhttp://x",
           "hhttps://x", "www.x.fr/a", "a.b/c", "lamp", "RT", "rt @a:", "via", "...", "…",
           "wo…", "cut...", ".", "-", "é", "😡", "\u00a0", "\u2028", "_"]  # fmt: skip
_GLUE = ["", " ", "  ", "\n", "\t", ":", ",", "/", "\u3000"]


def _plain_norm(folded: str) -> str:
    text = N._RT.sub("", folded.strip()) if folded.lstrip()[:1] in ("r", "v", "m") else folded
    text = N._URL.sub(" ", text)
    text = N._HANDLE.sub(" ", text)
    text = N._TRUNCATED.sub("", text)
    return N._NON_WORD.sub(" ", text).strip()


def _check(text: str) -> None:
    assert N._HANDLE_FROM_AT.sub(" ", text) == N._HANDLE.sub(" ", text), text
    assert P._HANDLE_OR_LINK_FAST.sub(" ", text) == P._HANDLE_OR_LINK.sub(" ", text), text
    if text.rstrip().endswith(("...", "…")):
        assert N._without_cut_word(text) == N._TRUNCATED.sub("", text), text
    assert N.normalize_folded(text) == _plain_norm(text), text


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_GLUE), st.sampled_from(_PIECES)), max_size=14))
def test_drawn_texts(parts) -> None:
    _check("".join(g + p for g, p in parts))


@settings(max_examples=1000, deadline=None)
@given(st.text(max_size=60), st.sampled_from(["", "...", "…", "… ", "x…\n"]))
def test_any_text(text: str, end: str) -> None:
    _check(text + end)


def test_the_real_tweets() -> None:
    texts = real_texts()
    for text in texts:
        _check(text)
        _check(fold(text))
        _check(fold(text[:60]) + "…")  # a microblog title
    assert N.normalize("RT @a: @b@m.social Lumio BRÛLE… http://x.co/@c/d la lam…") == (
        "lumio brule la"
    )
