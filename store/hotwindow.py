"""The hot window of a folder store opened for the inbox (issue 16).

A year of a busy brand is a million mentions: several GB as parsed records. What the
inbox works on is far smaller: the last `hot_days` days of the archive (the grouper's
72 h window and the recent history are always in it) and every group not closed (new,
open, waiting, snoozed, with a reply or hand-off still on its way, corrected by hand),
whatever its age. Only those records are indexed; the copies of old closed groups are
left in their day files and remembered compactly (group id -> its days, copies per
day), so `len()` stays the archive's and such a group is read back on demand: its id
asked for (`veille show`, an undo, a tag), a history search (`recall_matching`), or
a state that opens it again. Reports and exports stream the day files they cover.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Protocol

import orjson

from triage.model import DeliveryStatus, Status, TriageState

DEFAULT_HOT_DAYS = 30
# Below this many bytes of day files (~14,000 real tweets, ~70 MB once indexed) the
# whole archive is indexed: little to gain from leaving groups on disk, and a small
# store behaves exactly as before.
HOT_MIN_BYTES = 8 << 20
CLOSED = (Status.DONE, Status.IGNORED)
UNDELIVERED = (DeliveryStatus.PENDING, DeliveryStatus.AWAITING, DeliveryStatus.RETURNED)


class Indexed(Protocol):
    """What the window reads of the index (store.index.Index)."""

    states: dict[str, TriageState]
    cold_states: dict[str, str]  # closed states kept as lines (store.statecache)
    group_last: dict[str, str]


class Cold:
    """The copies left on disk: group -> the day files holding them (the day names are
    shared strings: one per day, not one per group), and copies per day."""

    def __init__(self) -> None:
        self.groups: dict[str, str | tuple[str, ...]] = {}
        self.per_day: dict[str, int] = {}
        self._names: dict[str, str] = {}

    def __len__(self) -> int:
        return sum(self.per_day.values())

    def __contains__(self, gid: object) -> bool:
        return gid in self.groups

    def count(self, day: str, copies: int) -> None:
        """`copies` more copies of `day` left on disk."""
        if copies:
            day = self._names.setdefault(day, day)
            self.per_day[day] = self.per_day.get(day, 0) + copies

    def place(self, gid: str, day: str) -> None:
        """`gid` has copies in `day` (counted by `count`)."""
        day = self._names.setdefault(day, day)
        held = self.groups.get(gid)
        if held is None:
            self.groups[gid] = day
        elif isinstance(held, str):
            if held != day:
                self.groups[gid] = (held, day)
        elif day not in held:
            self.groups[gid] = (*held, day)

    def days_of(self, gid: str) -> tuple[str, ...]:
        held = self.groups.get(gid)
        if held is None:
            return ()
        return (held,) if isinstance(held, str) else held

    def reset_day(self, day: str) -> None:
        """A day file is read again whole: its copies are counted again."""
        self.per_day.pop(day, None)

    def taken(self, gid: str, day: str) -> None:
        """One copy of `gid` in `day` is now indexed."""
        left = self.per_day.get(day, 0) - 1
        if left > 0:
            self.per_day[day] = left
        else:
            self.per_day.pop(day, None)


def pinned_ids(states: dict[str, TriageState]) -> set[str]:
    """Ids a hand correction (merge, split) ties together: kept hot, placed as before."""
    pinned: set[str] = set()
    for target, state in states.items():
        if state.merged_into or state.split_from:
            pinned.add(target)
            if state.merged_into:
                pinned.add(state.merged_into)
            if state.split_from:
                pinned.add(state.split_from)
    return pinned


def is_closed(state: TriageState | None) -> bool:
    """Closed and nothing left on its way: the group may stay on disk."""
    if state is None or state.status not in CLOSED:
        return False
    if any(r.status in UNDELIVERED for r in state.replies):
        return False
    return not (state.handoff is not None and state.handoff.delivery is DeliveryStatus.PENDING)


class HotWindow:
    """Which records of a store are indexed: see the module."""

    def __init__(self, newest: date, days: int, index: Indexed) -> None:
        self.days = days
        self.cutoff = f"{newest - timedelta(days=max(days, 1) - 1):%Y-%m-%d}"
        self.index = index  # read at each call: a state written later counts
        self.pinned = pinned_ids(index.states)
        self.cold = Cold()

    def is_old(self, path: Path) -> bool:
        return path.stem < self.cutoff

    def keeps_group(self, gid: str) -> bool:
        """Whether an old day's copies of `gid` are indexed: a group not closed, one
        indexed already (a group is never cut in two), one a correction names."""
        if gid in self.pinned or gid in self.index.group_last:
            return True
        if gid in self.index.cold_states:
            return False  # closed, nothing on its way (store.statecache)
        return not is_closed(self.index.states.get(gid))

    def leave_group(self, gid: str, day: str) -> None:
        state = self.index.states.get(gid)
        self.cold.place(state.target if state is not None else gid, day)  # one string


SHARED = ("platform", "source", "lang")  # few distinct values: one string each


def compact(rec: dict[str, Any]) -> dict[str, Any]:
    """The record as the inbox keeps it: empty fields left out (`Mention.from_json` and
    every reader default them), `fetched_at` when it is `created_at`, and the few
    repeated values shared: about a quarter less memory a mention."""
    out = {k: v for k, v in rec.items() if v or not (v is None or v == "" or v == [] or v == {})}
    for key in SHARED:
        value = out.get(key)
        if isinstance(value, str):
            out[key] = sys.intern(value)
    brands = out.get("brands")
    if isinstance(brands, list):
        out["brands"] = [sys.intern(b) if isinstance(b, str) else b for b in brands]
    author = out.get("author")
    if isinstance(author, dict):
        out["author"] = {k: v for k, v in author.items() if v or not (v is None or v == "")}
    if out.get("fetched_at") == out["created_at"]:
        del out["fetched_at"]
    return out


def day_records(path: Path) -> Iterator[dict[str, Any]]:
    """The records of one day file, parsed and not kept (OSError/ValueError if damaged)."""
    data = orjson.loads(path.read_bytes())
    for rec in data.get("records", {}).values():
        if isinstance(rec, dict) and isinstance(rec.get("id"), str):
            yield rec
