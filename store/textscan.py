"""Free words tested over a ranking's columns of folded text, at C speed.

`Filter.matches` costs ~4 µs a group in Python: 0.4 s for a word the text index cannot
judge (one or two letters, punctuation, a negated word) over 100,000 groups, beside the
UI on every keystroke. A free word's test is `word in haystack or word in signals`
(with its expansions): here it runs as `map(operator.contains, texts, repeat(word))`
over a chunk of the ranking's texts (`RankOrder.columns`, the views' own strings), one
byte per group, and the terms are combined as integers. The signals are tested once
per distinct folded text (groups share a handful), and a word absent from a block of
64 joined texts skips them all at once (a rare word: one C search per block). The same
answer as `Filter.matches` for those terms (tests/tui/test_filter_columns.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat
from operator import contains

from store.textindex import BLOCK, MIN_WORD, WORD, RankOrder
from triage.filter import Term


def judges(term: Term) -> bool:
    """A free word whose expansions (if any) the text index names exactly."""
    return term.field == "" and all(
        len(w) >= MIN_WORD and WORD.fullmatch(w) for w in term.alternatives
    )


class FreeWords:
    """The free-word terms of a filter over one ranking's columns (`judges` them)."""

    def __init__(self, terms: Sequence[Term], order: RankOrder) -> None:
        columns = order.columns()
        assert columns is not None, "a ranking with groups outside the index"
        self.numbers, self.texts, self.signals, self.blocks = columns
        index = order.index
        self.tests: list[tuple[str, bool, bytes | None, set[int] | None]] = []
        for term in terms:
            hits = bytes(term.value in t for t in index.signal_texts)
            alternatives = None
            if term.alternatives:  # exact: every expansion is a word the index judges
                alternatives = index.holding(term.alternatives)
            self.tests.append((term.value, term.negate, hits if any(hits) else None,
                               alternatives))  # fmt: skip

    def mask(self, rows: Sequence[int]) -> bytes:
        """One byte per row (rank positions): 1 where the group passes every term."""
        if isinstance(rows, range) and rows.step == 1:
            texts = self.texts[rows.start : rows.stop]
        else:
            texts = list(map(self.texts.__getitem__, rows))
        size = len(texts)
        ones = int.from_bytes(b"\x01" * size, "little")
        keep = ones
        for value, negate, hits, alternatives in self.tests:
            if isinstance(rows, range) and rows.step == 1 and "\0" not in value:
                held = int.from_bytes(self._blockwise(value, rows), "little")
            else:
                held = int.from_bytes(bytes(map(contains, texts, repeat(value))), "little")
            if hits is not None:
                signals = map(self.signals.__getitem__, rows)
                held |= int.from_bytes(bytes(map(hits.__getitem__, signals)), "little")
            if alternatives:
                numbers = map(self.numbers.__getitem__, rows)
                held |= int.from_bytes(bytes(map(alternatives.__contains__, numbers)), "little")
            keep &= (held ^ ones) if negate else held
            if not keep:
                break
        return keep.to_bytes(size, "little")

    def _blockwise(self, value: str, rows: range) -> bytes:
        """`value in text` for each row, testing only the blocks that hold `value`."""
        start, stop, texts, blocks = rows.start, rows.stop, self.texts, self.blocks
        held = bytearray(stop - start)
        needle = value.encode("utf-8", "surrogatepass")
        for k in range(start // BLOCK, (stop - 1) // BLOCK + 1):
            if needle in blocks[k]:
                low, high = max(start, k * BLOCK), min(stop, (k + 1) * BLOCK)
                held[low - start : high - start] = bytes(
                    map(contains, texts[low:high], repeat(value))
                )
        return bytes(held)
