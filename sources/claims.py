"""Which parse worker prepares a post that several feeds carry: the first to meet it.

Search feeds overlap (one tweet in three feeds of one search site): each parse worker
remembers what it prepared, but two workers each prepared their own copy, ~1.9 times the
work on bench/ingest.py's `tweets` shape. Here the workers share a table in memory (one
byte per slot: the worker that claimed the posts hashed there). A worker prepares the
posts it claims, or claimed before; it hands the others over unprepared, and
`triage.pipeline.share_prepared` gives them the fields of their prepared twin once every
feed has answered. A lost race, a hash collision or a twin that never arrived only costs
speed: a post left unprepared is prepared in the main process, with the same result.
"""

from __future__ import annotations

import multiprocessing
import zlib
from collections.abc import Callable
from typing import Any

from triage.model import Mention
from triage.pipeline import content_key

SLOTS = 1 << 22  # 4 MB shared: ~12 colliding pairs in 10,000 posts (each then prepared twice)

Prepare = Callable[[list[Mention]], list[Mention]]


class Claims:
    """The shared table: made before the workers fork, handed to them at their start."""

    def __init__(self, slots: int = SLOTS) -> None:
        self.table: Any = multiprocessing.RawArray("B", slots)
        self.lock: Any = multiprocessing.Lock()
        self.count: Any = multiprocessing.RawValue("i", 0)  # workers started so far
        self.me = 0  # in a worker: its number (1-255), set by `join`

    def join(self) -> None:
        """In a worker, once: take a number."""
        with self.lock:
            self.count.value += 1
            self.me = (self.count.value - 1) % 255 + 1

    def clear(self) -> None:
        """Forget every claim (a new round: what was prepared last time is stored)."""
        with self.lock:
            self.table[:] = bytes(len(self.table))

    def mine(self, mentions: list[Mention]) -> list[Mention]:
        """The mentions this worker prepares: those nobody had claimed, now its own,
        and those it had claimed itself."""
        slots = [_slot(m, len(self.table)) for m in mentions]
        table, me = self.table, self.me
        kept = []
        with self.lock:
            for mention, slot in zip(mentions, slots, strict=True):
                owner = table[slot]
                if owner == 0:
                    table[slot] = owner = me
                if owner == me:
                    kept.append(mention)
        return kept


def _slot(mention: Mention, slots: int) -> int:
    """Where a post's content is claimed: a hash every process computes alike (str's
    own hash is salted per process where workers are spawned, not forked)."""
    title, text, lang, reach = content_key(mention)
    raw = f"{title}\x00{text}\x00{lang}\x00{reach}".encode("utf-8", "surrogatepass")
    return zlib.crc32(raw) % slots


_CLAIMS: Claims | None = None  # in a worker: the table it was given


def adopt(claims: Claims) -> None:
    """In a worker, at its start: take a number in `claims` and prepare by it."""
    global _CLAIMS
    claims.join()
    _CLAIMS = claims


def prepare_claimed(prepare: Prepare, mentions: list[Mention]) -> list[Mention]:
    """`prepare` on the mentions this worker claims; the others stay as parsed (in a
    process without a table, all are prepared)."""
    if _CLAIMS is None:
        return prepare(mentions)
    prepare(_CLAIMS.mine(mentions))
    return mentions
