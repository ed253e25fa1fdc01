"""Reports and exports from a store: the library half of `veille report` and `export`.

Used by the command line and by bench/report.py (a benchmark imports no CLI module).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import IO, Any

import orjson

from triage import query
from triage.config import Config
from triage.model import Event, Mention, dt_to_json
from triage.protocol import StoreReader
from triage.query import InboxQuery
from triage.report import Period, Report, build_report
from triage.report_model import REPORT_ACTIONS
from triage.report_render import csv_cell
from triage.report_rows import StoryMap
from triage.views import GroupView


def make_report(
    inbox: StoreReader, config: Config, period: Period, now: datetime, **scope: Any
) -> Report:
    """The report for `period` from an open store (`veille report`, the benchmark): its
    stored records read as they are (`report_source`), in their stories after merges and
    splits; the cyclic collector paused (store.gcpause): a month at a million mentions
    streams ~80,000 acyclic records, and its passes over them were a quarter of the time."""
    from store.gcpause import cyclic_gc_paused

    with cyclic_gc_paused():
        mentions, events, stories = report_source(inbox, period)
        return build_report(
            mentions,
            inbox.state,
            events,
            period=period,
            now=now,
            brands=config.brands,
            sla=config.sla,
            urgent_threshold=inbox.urgent_threshold,
            stories_map=stories,
            **scope,
        )


EventSource = Iterable[Event] | Callable[[Callable[[str], bool]], Iterable[Event]]


def report_source(
    inbox: StoreReader, period: Period
) -> tuple[Iterable[Mention | dict[str, Any]], EventSource, StoryMap | None]:
    """The period's mentions and the journal's events a report counts, as each backend
    reads them fastest, and the stories after merges and splits: the folder store's
    records (store.reportread), PostgreSQL's records with their story column
    (store.postgres.reportread); any other reader's Mentions and whole journal."""
    from store.inbox import Inbox

    start, end = period.start, period.end
    if isinstance(inbox, Inbox):
        from store import reportread

        stories = reportread.story_map(inbox)

        def events(wanted: Callable[[str], bool]) -> Iterator[Event]:
            return reportread.events_of(inbox, REPORT_ACTIONS, wanted)

        return reportread.records_between(inbox, start, end), events, stories
    if type(inbox).__module__.startswith("store.postgres."):
        from store.postgres import reportread as pg
        from store.postgres.reader import PgReader

        assert isinstance(inbox, PgReader)
        stories = pg.story_map(inbox)
        return pg.records_between(inbox, start, end), pg.events_of(inbox, REPORT_ACTIONS), stories
    return inbox.mentions_between(start, end), inbox.events(), None


EXPORT_COLUMNS = (
    "id",
    "group_id",
    "platform",
    "source",
    "created_at",
    "author_name",
    "author_handle",
    "url",
    "brands",
    "priority",
    "title",
    "text",
    "status",
    "tags",
    "assignee",
    "first_response_at",
    "handoff_team",
    "handoff_delivery",
    "replies",
)


def export_rows(
    inbox: StoreReader, wanted: InboxQuery | None, now: datetime
) -> Iterator[dict[str, Any]]:
    """Mentions with their state, one at a time, day partition after day partition: those
    the inbox query keeps (its filter, and done or snoozed groups only when it says so)."""
    flt = wanted.filter if wanted is not None else None
    if flt is not None and flt.is_empty:
        flt = None
    if flt is not None:
        flt = flt.with_vocabulary(inbox.vocabulary())
    ctx = query.context(inbox, now)
    earliest = datetime(1970, 1, 1, tzinfo=UTC)
    latest = datetime(9999, 1, 1, tzinfo=UTC)
    for m in inbox.mentions_between(earliest, latest):
        own = inbox.state(m.id)
        state = own if own.rev else inbox.state(m.group_id)
        if wanted is not None and wanted.hides(state, now):
            continue
        if flt is not None:
            subject = GroupView(m.group_id, [m], state, m.priority, m.signals)
            if not flt.matches(subject, ctx):
                continue
        h = state.handoff
        yield {
            "id": m.id,
            "group_id": m.group_id,
            "platform": m.platform,
            "source": m.source,
            "created_at": dt_to_json(m.created_at),
            "author_name": m.author.name,
            "author_handle": m.author.handle,
            "url": m.url,
            "brands": list(m.brands),
            "priority": m.priority,
            "title": m.title,
            "text": m.text,
            "status": state.status.value,
            "tags": list(state.tags),
            "assignee": state.assignee,
            "first_response_at": dt_to_json(state.first_response_at),
            "handoff_team": h.team if h else None,
            "handoff_delivery": h.delivery.value if h else None,
            "replies": len(state.replies),
        }


def write_jsonl(rows: Iterator[dict[str, Any]], out: IO[bytes]) -> int:
    n = 0
    for row in rows:
        out.write(orjson.dumps(row) + b"\n")
        n += 1
    return n


def write_csv(rows: Iterator[dict[str, Any]], out: IO[str]) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    n = 0
    for row in rows:
        cells = []
        for key in EXPORT_COLUMNS:
            value = row[key]
            if isinstance(value, list):
                value = ";".join(value)
            cells.append("" if value is None else csv_cell(value))
        writer.writerow(cells)
        n += 1
    return n


def spike_mentions(inbox: StoreReader, now: datetime) -> Iterable[Any]:
    """What `triage.spikes.detect_spikes` reads at `now` (from `lookback(now)`): a folder
    store's stored records as they are (8 days at a million mentions were ~22,000
    Mentions built each `veille watch` tick), any other store's Mentions."""
    from store.inbox import Inbox
    from triage.spikes import lookback

    if isinstance(inbox, Inbox):
        from store.reportread import records_between

        return records_between(inbox, lookback(now), now)
    return inbox.mentions_between(lookback(now), now)
