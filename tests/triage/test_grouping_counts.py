"""Placing a post with the counts its parse worker computed (`Prepared.counts`,
`Grouper.place(counts=...)`, issue 16) decides exactly what the grouper before issue 16
decided (tests/triage/grouping_reference.py), and the screen's pieces made lazily or by
a faster path (a row's words when first screened, the ASCII projection) are the same."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.triage import grouping_reference as reference
from tests.triage.test_grouping_identity import small_vocabulary_posts
from triage import grouping
from triage.grouping import blocking_keys, norm_counts
from triage.grouping_bounds import PROJECTION, Columns, Row, project
from triage.normalize import grouping_norm


def test_placed_with_the_workers_counts_as_the_reference_placed() -> None:
    posts = small_vocabulary_posts(3000, seed=18)
    fast, ref = grouping.Grouper(), reference.Grouper()
    rules = set()
    for pid, text, at, brands in posts:
        norm = grouping_norm("", text)
        m = fast.place(
            pid, "", at, norm=norm, keys=blocking_keys(norm), counts=norm_counts(norm),
            brands=brands,
        )  # fmt: skip
        r = ref.place(pid, text, at, brands=brands)
        assert (m.group_id, m.rule, m.score, m.other_id) == (
            r.group_id, r.rule, r.score, r.other_id,
        ), pid  # fmt: skip
        rules.add(m.rule)
    assert {"exact", "prefix", "ratio", "token_set", "new"} <= rules


def test_counts_are_words_and_informative_words() -> None:
    norm = grouping_norm("", "The Lumio lamp is broken, the lamp is broken again a b")
    assert norm_counts(norm) == (norm.count(" ") + 1, len(grouping.informative_tokens(norm)))
    assert norm_counts("") == (0, 0)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyz éçß日本 "), max_size=80))
def test_projection_is_the_translation(text: str) -> None:
    assert project(text) == text.translate(PROJECTION)


def test_a_row_without_words_is_made_as_one_with_them() -> None:
    norm = grouping_norm("", "lumio lamp broke after the update and the support never answered")
    lazy = Row(norm, None, 11, 8, None).prepare()  # type: ignore[arg-type]
    eager = Row(norm, None, 11, 8, frozenset(norm.split())).prepare()  # type: ignore[arg-type]
    for name in ("counts", "letters", "full", "signature", "unsigned", "proj", "words"):
        assert getattr(lazy, name) == getattr(eager, name), name
    cols = Columns()
    cols.append(Row(norm, None, 11, 8, None))  # type: ignore[arg-type]  # not made: filed empty
    assert cols.projs == [None]
