"""Facts about a post read from its white-space separated chunks, remembered per chunk.

A regular expression tried at every place of a 500-character post costs 5-20 us, even
when it finds nothing; splitting the post at white space costs ~2 us and a chunk (a word
with its punctuation, a handle, a link) comes back in post after post. So what a pattern
that never spans white space finds in a post is the union of what it finds in each chunk,
looked up (`ChunkMemo`) instead of searched: whether there are capitals to shout with,
an e-mail address, the words a detailed account counts, the places where a lexicon's
stem may start. Each user says why its pattern cannot span white space; the tests
(tests/triage/test_prepare_chunks.py) compare each with the pattern over the whole text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import reduce
from itertools import accumulate, compress
from operator import or_
from typing import Generic, TypeVar

V = TypeVar("V")
MAX_CHUNKS = 50_000  # chunks remembered per fact (<= ~12 MB), forgotten all at once beyond
LONGEST = 64  # characters of the longest chunk remembered (a longer one is worked out)
# A text longer than this is scanned whole, as before chunks: a long post's chunks come
# back less (a hostile one's hardly at all), and one call per chunk would then cost more
# than the patterns' own scans
LONG = 4_000


class ChunkMemo(dict[str, V], Generic[V]):
    """chunk -> `fact(chunk)`, worked out on first sight."""

    def __init__(self, fact: Callable[[str], V]) -> None:
        super().__init__()
        self.fact = fact

    def __missing__(self, chunk: str) -> V:
        found = self.fact(chunk)
        if len(chunk) <= LONGEST:
            if len(self) >= MAX_CHUNKS:
                self.clear()
            self[chunk] = found
        return found


def any_flags(memo: ChunkMemo[int], chunks: Iterable[str]) -> int:
    """The flags of every chunk, or-ed together (C loops only)."""
    return reduce(or_, map(memo.__getitem__, chunks), 0)


def total(memo: ChunkMemo[int], chunks: Iterable[str]) -> int:
    return sum(map(memo.__getitem__, chunks))


def starts(text: str, offsets: ChunkMemo[tuple[tuple[int, int], ...]]) -> list[tuple[int, int]]:
    """(place, what) for every place of `text` where something may start, in order,
    given `offsets`: per piece of `text.split(" ")`, the (offset, what) pairs worked out
    on the piece alone (a space around it reads as its start or its end). A piece starts
    where the pieces before it and their spaces end."""
    pieces = text.split(" ")
    found = list(map(offsets.__getitem__, pieces))
    if not any(found):
        return []
    at = list(accumulate(map(len, pieces), initial=0))  # at[i] + i: where piece i starts
    return [
        (at[i] + i + o, what) for i in compress(range(len(pieces)), found) for o, what in found[i]
    ]
