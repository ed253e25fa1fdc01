"""What a report reads of a folder store: the stored records of a period, the journal's
events it counts, and the stories people's merges and splits made (issue 16; a new seam,
owned by the reports).

`Inbox.mentions_between` builds a `Mention` for each record; a month at a million
mentions is ~80,000 of them and the report reads eight fields (`triage.report_rows`
reads them from the record, with the same results). Records are yielded as stored, read
from the day files of the period while the store is not wholly indexed (a deferred open,
or a hot window leaving old groups on disk) and from the index otherwise; none is kept.

A year of triage is a journal of ~500,000 events (~160 MB) and a report counts replies,
hand-offs and undos only: `events_of` finds their lines with one scan of each month's
bytes for their `"action"` and parses those alone (building every Event was ~4 s).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

import orjson

from store.hotwindow import day_records
from triage.clock import dt_to_json
from triage.model import Event
from triage.report_rows import StoryMap

if TYPE_CHECKING:
    from store.inbox import Inbox


def records_between(inbox: Inbox, start: datetime, end: datetime) -> Iterator[dict[str, Any]]:
    """The stored records of mentions created in [start, end), as `mentions_between`
    chooses them (same records, same order), without building Mentions."""
    low, high = dt_to_json(start) or "", dt_to_json(end) or ""
    if not (inbox.loading or inbox.cold is not None):
        for rec in list(inbox.index.raw.values()):
            if low <= rec["created_at"] < high:
                yield rec
        return
    files = inbox.files
    first, last = low[:10], high[:10]
    for path in files.day_paths():
        if not first <= path.stem <= last:
            continue
        try:
            rows = orjson.loads(path.read_bytes()).get("records", {}).values()
        except (OSError, orjson.JSONDecodeError, AttributeError) as exc:
            files.report(f"{path}: could not be read ({exc}); run `veille doctor`")
            continue
        for rec in rows:
            # what store.partitions takes for a mention (the rest is not one)
            if (
                isinstance(rec, dict)
                and isinstance(rec.get("id"), str)
                and isinstance(rec.get("platform"), str)
                and isinstance(created := rec.get("created_at"), str)
                and low <= created < high
            ):
                yield rec


def story_map(inbox: Inbox) -> StoryMap | None:
    """The stories after merges and splits (None when nobody corrected a grouping): the
    indexed records are placed by the index (`GroupedIndex.story_of`: a split copy and
    the copies that follow it); the hot window keeps every group a correction names
    indexed, so a record left on disk is in its own group, merges followed."""
    index = inbox.index
    states = index.states
    merged = {t: s.merged_into for t, s in states.items() if s.merged_into}
    if not merged and not any(s.split_from for s in states.values()):
        return None
    raw = index.raw

    def placed(mention_id: str) -> str | None:
        return index.story_of(mention_id) if mention_id in raw else None

    return StoryMap(merged, placed)


def events_of(
    inbox: Inbox, actions: Collection[str], wanted: Callable[[str], bool] | None = None
) -> Iterator[Event]:
    """The journal's events whose action is one of `actions` (and, but for undos, whose
    target `wanted` accepts), oldest first, as `Inbox.events` reads them (whole lines
    only: a torn tail is left out). The journal writes each event as orjson's compact
    `Event.to_json` (`..."action":"reply","target":"ID",...`): one regex pass over a
    month's bytes finds those (C), and only the lines whose target is wanted are parsed;
    the parsed event is checked again. A month whose first line is not in that form is
    parsed line by line. Damaged lines are skipped: every open says them
    (`Journal.check`)."""
    words = b"|".join(re.escape(a.encode()) for a in sorted(actions, key=len, reverse=True))
    finder = re.compile(rb'"action":"(' + words + rb')"(?:,"target":"([^"\\]*)")?')
    for path in inbox.journal.files():
        data = path.read_bytes()
        whole = data.rfind(b"\n") + 1
        first = data[: data.find(b"\n") + 1]
        if first.strip() and not _COMPACT.match(first):
            lines = [line for line in data[:whole].splitlines() if line]
        else:
            lines = _found(data, whole, finder, wanted)
        for line in lines:
            try:
                event = Event.from_json(orjson.loads(line))
            except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
                continue
            if event.action in actions and (
                wanted is None or event.action == "undo" or wanted(event.target)
            ):
                yield event


# the start of a journal line as orjson writes `Event.to_json` (keys in that order)
_COMPACT = re.compile(rb'\{"id":"[^"\\]*","at":"[^"\\]*","who":"(?:[^"\\]|\\.)*","action":"')


def _found(
    data: bytes, whole: int, finder: re.Pattern[bytes], wanted: Callable[[str], bool] | None
) -> list[bytes]:
    """The lines `finder` finds whose target is wanted (undos all), in file order; a
    target with an escaped character is not matched: its line is parsed."""
    found: list[bytes] = []
    last = -1
    rfind, find = data.rfind, data.find
    for hit in finder.finditer(data, 0, whole):
        target = hit.group(2)
        if (
            wanted is not None
            and target is not None
            and hit.group(1) != b"undo"
            and not wanted(target.decode("utf-8", "replace"))
        ):
            continue
        begin = rfind(b"\n", 0, hit.start()) + 1
        if begin != last:  # a line holds one event
            last = begin
            found.append(data[begin : find(b"\n", hit.end()) + 1])
    return found


def archive_records(inbox: Inbox) -> Iterator[dict[str, Any]]:
    """Every stored record, as `Inbox.archive_mentions` orders them (the indexed ones,
    then the copies a hot window left on disk, a day at a time), without building
    Mentions: a reader that wants a few (one author's posts) builds those."""
    inbox.finish_loading()
    raw = inbox.index.raw
    yield from list(raw.values())
    cold = inbox.cold
    if cold is None:
        return
    files = inbox.files
    for day in sorted(cold.per_day):
        path = files.root / "mentions" / f"{day}.json"
        try:
            for rec in day_records(path):
                if rec["id"] not in raw and "created_at" in rec:
                    yield rec
        except (OSError, ValueError, AttributeError) as exc:
            files.report(f"{path}: could not be read ({exc}); run `veille doctor`")
