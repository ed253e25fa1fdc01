"""The labelled evaluation set (bench/data/grouping) as a regression guard: the issue's
targets must hold for a few generation seeds."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from triage.grouping import group_all

_EVAL = Path(__file__).resolve().parents[2] / "bench" / "grouping_eval.py"
_spec = importlib.util.spec_from_file_location("bench_grouping_eval", _EVAL)
assert _spec and _spec.loader
grouping_eval = importlib.util.module_from_spec(_spec)
sys.modules["bench_grouping_eval"] = grouping_eval
_spec.loader.exec_module(grouping_eval)
build_set, load_stories, scores = (
    grouping_eval.build_set,
    grouping_eval.load_stories,
    grouping_eval.scores,
)


def test_the_set_has_stories_copies_and_short_traps() -> None:
    stories = load_stories()
    assert len(stories) >= 50
    assert sum(len(s) > 1 for s in stories) >= 10  # hand-written copies
    assert sum(len(s[0].split()) <= 4 for s in stories) >= 5  # short subset traps


@pytest.mark.parametrize("seed", [1, 7, 11])
def test_precision_and_recall_targets(seed: int) -> None:
    posts = build_set(variants=4, seed=seed)
    matches = group_all((pid, text, at) for pid, text, at, _, _ in posts)
    result = scores(
        {pid: label for pid, _, _, label, _ in posts},
        {pid: m.group_id for pid, m in matches.items()},
    )
    assert result["pairs_precision"] >= 0.99
    assert result["pairs_recall"] >= 0.93
