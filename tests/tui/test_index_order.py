"""The folded text index gives a filter's groups in the ranking's order, whether few
groups match (sorted) or many (marked by rank), groups the ranking lacks left out, and
the same list again when a longer word selects the same groups."""

from __future__ import annotations

import random

from store.textindex import RankOrder, TextIndex
from triage.filter import parse_filter

WORDS = ["lampe", "lampe", "glow", "remboursement", "retard", "colis", "colis", "colis",
         "colis", "colis"]  # fmt: skip


def build(count: int = 4000) -> tuple[TextIndex, list[str]]:
    """"lampe" in a fifth of the groups (many), the other words in a tenth or fewer."""
    rnd = random.Random(7)
    texts = [(f"g{n}", f"{WORDS[n % 10]} post{n}", ()) for n in range(count)]
    index = TextIndex(texts)
    ranked = [f"g{n}" for n in rnd.sample(range(count), count - 50)]  # 50 not ranked
    return index, ranked


def expected(index: TextIndex, ranked: list[str], word: str) -> list[str]:
    """What a scan finds: the groups whose text holds `word`, in rank order."""
    holders = {f"g{n}" for n in range(len(index.groups)) if word in f"{WORDS[n % 10]} post{n}"}
    return [g for g in ranked if g in holders]


def test_ranked_follows_the_ranking_for_few_and_many_matches():
    index, ranked = build()
    order = RankOrder(index, ranked)
    for word in ("lampe", "lamp", "glow", "retard", "post12", "post3999", "nothing"):
        answer = index.ranked(parse_filter(word), order)
        assert answer is not None, word
        ids, exact = answer
        assert exact
        assert ids == expected(index, ranked, word), word
    many, _ = index.ranked(parse_filter("lamp"), order) or ([], False)
    assert len(many) * 8 >= len(ranked)  # the marked-by-rank path was taken


def test_a_longer_word_with_the_same_groups_gives_the_same_list():
    index, ranked = build()
    order = RankOrder(index, ranked)
    first = index.ranked(parse_filter("rembour"), order)
    again = index.ranked(parse_filter("remboursement"), order)
    assert first is not None and again is not None
    assert again[0] is first[0]  # reused, not rebuilt
    other = index.ranked(parse_filter("retard"), order)
    assert other is not None and other[0] == expected(index, ranked, "retard")
