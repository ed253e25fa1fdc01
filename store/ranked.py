"""The groups' rank file: `ids/groups.jsonl` compacted and sorted, best first (issue 16).

`ids/groups.jsonl` gets one line per ingested day batch: each group's highest priority,
newest copy and day. Ranking the first screen from it means reading all of it (1.4 s
at a million mentions). `ids/ranked.jsonl` holds the same table merged and sorted by
rank key (priority, newest copy, group id), highest first, one group a line, after a
header naming the groups.jsonl it compacts (inode, bytes); `ids/ranked.keys` the sorted
64-bit hashes of its group ids. The first screen then reads the tail of groups.jsonl
appended since (what ingest added: merged in memory) and the rank file only until it
knows its top rows: a few hundred lines. A tail group that the rank file may hold too
(its hash is in the keys) counts only once its compacted line is reached, so a group
revived by a new copy still opens with all its days. Both are caches without fsync:
any mismatch (a rebuild, a tail grown past an eighth, a damaged line) and the caller
reads groups.jsonl whole, as before, and writes them again.
"""

from __future__ import annotations

import contextlib
import hashlib
import heapq
import os
from array import array
from bisect import bisect_left
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from store.files import replace_hint

RANKED = "ranked.jsonl"
KEYS = "ranked.keys"
TAIL_MIN = 256 << 10  # groups.jsonl past the rank file beyond this and an eighth of what
# it compacts: read it whole and compact again (the tail is parsed at every open)
ENDS = 4096  # bytes at each end of groups.jsonl's compacted part a rank file names
CHECK_EVERY = 256  # rank lines between two checks of whether the top rows are known
Key = tuple[float, str, str]  # priority, newest created_at, group id: higher ranks first


def _hash(gid: str) -> int:
    return int.from_bytes(hashlib.blake2b(gid.encode(), digest_size=8).digest(), "little")


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def ends_digest(data: bytes) -> str:
    """The first and last 4 KB of groups.jsonl's compacted part: a copy of the store
    (new inode, same bytes) is recognised, a rebuilt file is not."""
    return _digest(data[:ENDS] + data[-ENDS:])


def write_ranked(
    folder: Path, table: dict[str, list[Any]], groups: tuple[int, int], ends: str = ""
) -> None:
    """Compact `table` (group -> [priority, newest, days], read from the first
    `groups[1]` bytes of the groups.jsonl whose inode is `groups[0]`, whose
    `ends_digest` is `ends`); best effort."""
    rows = sorted(((k[0], k[1], gid, sorted(k[2])) for gid, k in table.items()), reverse=True)
    keys = array("Q", sorted(_hash(gid) for gid in table)).tobytes()
    head = {"groups": list(groups), "count": len(rows), "keys": _digest(keys), "ends": ends}
    header = orjson.dumps(head)
    body = b"\n".join(orjson.dumps(row) for row in rows)
    with contextlib.suppress(OSError):  # the keys first: a crash between leaves a mismatch
        replace_hint(folder / KEYS, keys)
        replace_hint(folder / RANKED, header + b"\n" + body + b"\n")


def first_days(
    folder: Path, groups_size: int, shown: Callable[[str], bool], rows: int
) -> set[str] | None:
    """The days holding every copy of the `rows` best-ranked groups that `shown` keeps,
    from the rank file and groups.jsonl's tail; None when the rank file does not fit
    groups.jsonl as it is (`groups_size`: its size the id index vouches for)."""
    top = first_groups(folder, groups_size, shown, rows)
    return None if top is None else {day for days in top.values() for day in days}


def first_groups(
    folder: Path, groups_size: int, shown: Callable[[str], bool], rows: int
) -> dict[str, list[str]] | None:
    """`first_days`, by group: the `rows` best-ranked groups `shown` keeps -> the days
    holding their copies."""
    try:
        with open(folder / RANKED, "rb") as ranked:
            header = orjson.loads(ranked.readline())
            inode, covered = header["groups"]
            groups = folder / "groups.jsonl"
            with open(groups, "rb") as f:
                st = os.fstat(f.fileno())
                if covered > st.st_size or st.st_size < groups_size:
                    return None
                if st.st_ino != inode and not _same_bytes(f, covered, header.get("ends")):
                    return None  # rebuilt since (a copy of the store has the same bytes)
                if st.st_size - covered > max(TAIL_MIN, covered // 8):
                    return None
                f.seek(covered)
                tail_data = f.read()
            data = (folder / KEYS).read_bytes()
            if _digest(data) != header["keys"]:  # not this rank file's
                return None
            keys = array("Q")
            keys.frombytes(data)
            tail = _tail(tail_data)
            return _walk(ranked, tail, keys, shown, rows)
    except (OSError, ValueError, TypeError, KeyError, IndexError, orjson.JSONDecodeError):
        return None


def _same_bytes(f: Any, covered: int, ends: object) -> bool:
    if not ends or not isinstance(ends, str):
        return False
    head = f.read(min(ENDS, covered))
    f.seek(max(0, covered - ENDS))
    return ends_digest(head + f.read(covered - max(0, covered - ENDS))) == ends


def _tail(data: bytes) -> dict[str, list[Any]]:
    """groups.jsonl lines merged: group -> [priority, newest, set of days]."""
    table: dict[str, list[Any]] = {}
    for line in data.splitlines():
        if not line.strip():
            continue
        for gid, (priority, created, day) in orjson.loads(line).items():
            key = table.get(gid)
            if key is None:
                table[gid] = [priority, created, {day}]
            else:
                key[0], key[1] = max(key[0], priority), max(key[1], created)
                key[2].add(day)
    return table


def _walk(
    ranked: Any,
    tail: dict[str, list[Any]],
    keys: array[int],
    shown: Callable[[str], bool],
    rows: int,
) -> dict[str, list[str]]:
    def known(h: int) -> bool:
        i = bisect_left(keys, h)
        return i < len(keys) and keys[i] == h

    unresolved = {gid for gid in tail if known(_hash(gid))}  # may have a compacted line too
    tail_shown = [gid for gid in tail if shown(gid)]
    finals: list[tuple[Key, list[str]]] = []  # compacted groups not in the tail, shown
    for n, line in enumerate(ranked, 1):
        priority, created, gid, days = orjson.loads(line)
        position = (priority, created, gid)
        entry = tail.get(gid)
        if entry is not None:  # revived by a newer copy: the best of both, every day
            entry[0], entry[1] = max(entry[0], priority), max(entry[1], created)
            entry[2].update(days)
            unresolved.discard(gid)
        elif shown(gid):
            finals.append((position, days))
        if n % CHECK_EVERY == 0 and len(finals) >= rows:
            top = _top(finals, tail, tail_shown, rows)
            if top[-1][0] > position and not any(gid in unresolved for _, gid, _ in top):
                return {gid: list(days) for _, gid, days in top}
    top = _top(finals, tail, tail_shown, rows)  # the whole file read: the rest are new
    return {gid: list(days) for _, gid, days in top if gid}


def _top(
    finals: list[tuple[Key, list[str]]],
    tail: dict[str, list[Any]],
    tail_shown: list[str],
    rows: int,
) -> list[tuple[Key, str, Any]]:
    candidates: list[tuple[Key, str, Any]] = [(key, key[2], days) for key, days in finals]
    for gid in tail_shown:
        priority, created, days = tail[gid]
        candidates.append(((priority, created, gid), gid, days))
    return heapq.nlargest(rows, candidates, key=lambda c: c[0]) or [((-1.0, "", ""), "", [])]
