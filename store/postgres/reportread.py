"""What a report reads of a PostgreSQL store: the records of a period in their stories
(and what a person's record reads: one author's records, the texts of the others left).

The archive keeps each record as the pipeline wrote it; merges and splits move the
`mentions.group_id` column (`store.postgres.stories`). A report reads that column as the
mention's group, and follows merges for the journal's targets (an event on a story
merged since counts for the story it went into).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from store.postgres.reader import PAGE
from triage.model import Event
from triage.report_rows import StoryMap

if TYPE_CHECKING:
    from store.postgres.reader import PgReader

PERIOD_SQL = (
    "SELECT seq, group_id, record FROM mentions WHERE created_at >= %(start)s "
    "AND created_at < %(end)s AND seq > %(after)s ORDER BY seq LIMIT %(n)s"
)


def records_between(store: PgReader, start: datetime, end: datetime) -> Iterator[dict[str, Any]]:
    """The records of mentions created in [start, end), each with `group_id` its story now."""
    for _, story, record in store._pages(PERIOD_SQL, {"start": start, "end": end}):
        if (record.get("group_id") or record.get("id")) != story:
            record["group_id"] = story  # our own parsed copy
        yield record


EVENTS_SQL = (
    "SELECT seq, record FROM events WHERE seq > %(after)s AND action = ANY(%(actions)s) "
    "ORDER BY seq LIMIT %(n)s"
)


def events_of(store: PgReader, actions: Collection[str]) -> Iterator[Event]:
    """The journal's events whose action is one of `actions`, oldest first (a report
    counts replies, hand-offs and undos: a year of other actions is left in the table)."""
    for _, record in store._pages(EVENTS_SQL, {"actions": sorted(actions)}):
        yield Event.from_json(record)


def story_map(store: PgReader) -> StoryMap | None:
    """Merges for the journal's targets (the mentions are placed by the database)."""
    store.refresh()
    merged = {t: s.merged_into for t, s in store.states.items() if s.merged_into}
    return StoryMap(merged) if merged else None


AUTHORS_SQL = (
    "SELECT seq, record->'author', id FROM mentions WHERE seq > %(after)s ORDER BY seq LIMIT %(n)s"
)


def records_by_author(
    store: PgReader, wrote: Callable[[dict[str, Any] | None], bool]
) -> Iterator[dict[str, Any]]:
    """The records whose author `wrote` accepts, in `all_mentions`' order: the authors
    are read (not the texts), then the records found."""
    found = [(seq, mid) for seq, author, mid in store._pages(AUTHORS_SQL, {}) if wrote(author)]
    for n in range(0, len(found), PAGE):
        ids = [mid for _, mid in found[n : n + PAGE]]
        rows = store._query(
            "SELECT seq, record FROM mentions WHERE id = ANY(%(ids)s) ORDER BY seq", {"ids": ids}
        )
        for _, record in rows:
            yield record
