"""The figures management asks for, computed from the archive and the journal (pure).

`build_report` reads mentions of a period, the current triage states and the journal's
events, and returns a `Report`: a summary and named tables of raw values (counts, seconds,
fractions). Renderers (`triage/report_render.py`) only format; tests assert the raw values.

Definitions (the report's footnotes say the same in words):
- a *story* is a group; its clock starts at its earliest mention in the period, its
  priority is the highest of those mentions;
- *first response* is the story's earliest reply event, or the delivery (its
  `handoff-status` event with delivery `delivered`) of a hand-off, by whoever handed off:
  a pending or failed hand-off reached nobody and answers nothing; events undone by an
  `undo` event do not count (nor the deliveries of an undone hand-off);
- the SLA target is urgent (priority >= threshold), else microblog (any copy on a
  microblog platform), else normal. A story answered within its target is *on time*;
  answered after it, or still open and unanswered past it, is a *breach*. Ignored
  stories, and stories closed without an answer, are outside the SLA;
- median is the usual median; p90 is the nearest-rank 90th percentile;
- *tone* comes from a mention's signals and its story's tags (`TONE_WORDS`).
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from triage.config import BrandConfig, SlaConfig
from triage.model import OUTCOMES, DeliveryStatus, Event, TriageState, to_utc
from triage.priority import URGENT_THRESHOLD
from triage.report_model import (
    AGE_BUCKETS,
    OPEN_STATUSES,
    PRIORITY_BANDS,
    RESPONSE_ACTIONS,
    TONE_WORDS,
    UNTOUCHED,
    Period,
    Report,
    Table,
    _people,
    _Response,
    _snippet,
    _Story,
    author_key,
    live_events,
    median,
    percentile,
    priority_band,
    sla_seconds,
    tone_of,
)
from triage.report_rows import Item, StoryMap, mention_of
from triage.report_scan import scan
from triage.sla import SlaPolicy


def build_report(
    mentions: Iterable[Item],
    state_of: Callable[[str], TriageState],
    events: Iterable[Event] | Callable[[Callable[[str], bool]], Iterable[Event]],
    *,
    period: Period,
    now: datetime,
    brands: Sequence[BrandConfig] = (),
    sla: SlaConfig | None = None,
    urgent_threshold: float = URGENT_THRESHOLD,
    brand: str | None = None,
    platform: str | None = None,
    top: int = 10,
    stories_map: StoryMap | None = None,
) -> Report:
    """All figures for `period` (optionally one brand and/or one platform).

    `mentions` may hold more than the period (only those inside count): Mentions or the
    records a store wrote (`triage.report_rows`); `state_of(gid)` gives a story's current
    state; `events` is the journal, oldest first, or a function giving it that is told
    which targets the report counts (`wanted(target)`; undo events are needed whatever
    their target: a backend may leave the others out unread). `stories_map` places mentions and
    journal targets in their stories after people's merges and splits (None: nobody
    corrected a grouping, every mention is in its record's group).
    """
    sla = sla or SlaConfig()
    now = to_utc(now)
    brand_key = brand.casefold() if brand else None
    # one pass, keeping no mention: 100k mentions must not be held twice
    found = scan(mentions, state_of, period, urgent_threshold, brand, platform, stories_map)
    total, stories, states = found.total, found.stories, found.states
    all_volume, by_brand, by_platform = found.all_volume, found.by_brand, found.by_platform
    by_day, band_count, tone_count = found.by_day, found.band_count, found.tone_count
    positive_authors, negative_authors = found.positive_authors, found.negative_authors

    alias = stories_map.alias if stories_map is not None else None
    if callable(events):

        def wanted(target: str) -> bool:
            return (alias(target) if alias is not None else target) in stories

        events = events(wanted)
    journal = live_events(events)
    first_response: dict[str, _Response] = {}
    handoffs: list[tuple[str, Event]] = []  # (story, its handoff event)
    deliveries: dict[tuple[str, str], str] = {}  # (target, handoff at) -> delivery
    live_handoffs: set[tuple[str, str]] = set()  # (target, handoff at) not undone

    def responded(target: str, at: datetime, who: str, action: str) -> None:
        seen = first_response.get(target)
        if seen is None or at < seen.at:
            first_response[target] = _Response(at, who, action)

    for e in journal:
        # an event on a story merged since counts for the story it went into
        target = alias(e.target) if alias is not None else e.target
        if target not in stories:
            continue
        if e.action in RESPONSE_ACTIONS:
            responded(target, e.at, e.who, e.action)
        if e.action == "handoff" and e.after.get("handoff"):
            handoffs.append((target, e))
            live_handoffs.add((target, e.after["handoff"].get("at") or ""))
        elif e.action == "handoff-status" and e.after.get("handoff"):
            h = e.after["handoff"]
            key = (target, h.get("at") or "")
            delivery = h.get("delivery") or "pending"
            deliveries[key] = delivery
            if delivery == DeliveryStatus.DELIVERED.value and key in live_handoffs:
                responded(target, e.at, h.get("by") or e.who, "handoff")

    tables: list[Table] = []

    # -- volume
    brand_names = sorted(by_brand, key=lambda b: (-by_brand[b], b))
    tables.append(
        Table(
            "volume_by_brand",
            "Volume per brand",
            ("brand", "mentions", "share"),
            ("text", "int", "pct"),
            [(b, by_brand[b], by_brand[b] / total) for b in brand_names],  # total > 0 here
            chart=("brand", "mentions"),
            note="A mention about two brands counts for each.",
        )
    )
    tables.append(
        Table(
            "volume_by_platform",
            "Volume per platform",
            ("platform", "mentions", "share"),
            ("text", "int", "pct"),
            [
                (p, n, n / total)
                for p, n in sorted(by_platform.items(), key=lambda kv: (-kv[1], kv[0]))
            ],
            chart=("platform", "mentions"),
        )
    )
    tables.append(
        Table(
            "volume_by_day",
            "Volume per day (UTC)",
            ("day", "mentions", *brand_names),
            ("text", "int", *("int" for _ in brand_names)),
            [
                (day, by_day[day][""], *(by_day[day][b] for b in brand_names))
                for day in (d.isoformat() for d in period.days())
            ],
            chart=("day", "mentions"),
        )
    )
    tables.append(_share_of_voice(brands, all_volume, brand_key))

    # -- mix
    bands = ("urgent", *(name for name, _ in PRIORITY_BANDS))
    tables.append(
        Table(
            "priority_mix",
            "Mix by priority",
            ("priority", "mentions", "share"),
            ("text", "int", "pct"),
            [(b, band_count[b], band_count[b] / total if total else 0.0) for b in bands],
            chart=("priority", "mentions"),
            note=f"urgent: priority >= {urgent_threshold:g}; high >= 40; normal >= 15.",
        )
    )
    tables.append(
        Table(
            "tone_mix",
            "Mix by tone",
            ("tone", "mentions", "share"),
            ("text", "int", "pct"),
            [
                (t, tone_count[t], tone_count[t] / total if total else 0.0)
                for t in ("negative", "neutral", "positive")
            ],
            chart=("tone", "mentions"),
        )
    )

    # -- top stories
    story_cols = ("group", "mentions", "brands", "platforms", "first_seen", "author", "text")
    story_kinds = ("text", "int", "text", "text", "time", "text", "text")

    def story_row(s: _Story, *extra: Any) -> tuple[Any, ...]:
        leader = mention_of(s.leader)  # a few stories are shown: built for them only
        return (
            s.group_id,
            s.size,
            ", ".join(s.brands),
            ", ".join(s.platforms),
            s.start,
            leader.author.display,
            _snippet(leader.title or leader.text),
            *extra,
        )

    largest = heapq.nsmallest(top, stories.values(), key=lambda s: (-s.size, s.start, s.group_id))
    tables.append(
        Table(
            "top_stories",
            "Largest stories",
            story_cols,
            story_kinds,
            [story_row(s) for s in largest],
        )
    )
    growing = sorted(
        (s for s in stories.values() if s.recent > s.before),
        key=lambda s: (-(s.recent - s.before), -s.recent, s.group_id),
    )[:top]
    tables.append(
        Table(
            "growing_stories",
            "Fastest-growing stories",
            (*story_cols, "last_24h", "previous_24h"),
            (*story_kinds, "int", "int"),
            [story_row(s, s.recent, s.before) for s in growing],
            note="Mentions in the period's last 24 h against the 24 h before.",
        )
    )

    # -- response times
    resp_tables, resp_summary = _responses(
        stories, states, first_response, sla, urgent_threshold, now
    )
    tables.extend(resp_tables)

    # -- hand-offs
    per_team: dict[str, Counter[str]] = defaultdict(Counter)
    for story_id, e in handoffs:
        h = e.after["handoff"]
        outcome = deliveries.get((story_id, h.get("at") or ""), h.get("delivery") or "pending")
        per_team[h.get("team") or "?"][outcome] += 1
    outcomes = [d.value for d in OUTCOMES]  # approval's statuses are for replies only
    tables.append(
        Table(
            "handoffs",
            "Hand-offs per team and their outcome",
            ("team", "handoffs", *outcomes),
            ("text", "int", *("int" for _ in outcomes)),
            [
                (team, sum(c.values()), *(c[o] for o in outcomes))
                for team, c in sorted(per_team.items())
            ],
        )
    )

    # -- backlog
    backlog_ages: list[float] = []
    backlog_status: Counter[str] = Counter()
    bucket_count: Counter[str] = Counter()
    for gid, s in stories.items():
        st = states.get(gid, UNTOUCHED)
        if st.status not in OPEN_STATUSES:
            continue
        age = max(0.0, (now - s.start).total_seconds())
        backlog_ages.append(age)
        backlog_status[st.status.value] += 1
        bucket_count[next(name for name, limit in AGE_BUCKETS if age < limit)] += 1
    tables.append(
        Table(
            "backlog",
            "Open backlog by age",
            ("age", "stories"),
            ("text", "int"),
            [(name, bucket_count[name]) for name, _ in AGE_BUCKETS],
            chart=("age", "stories"),
            note="Stories still new, open or waiting; age from their first mention.",
        )
    )

    # -- people
    tables.append(_people("contributors", "Top contributors to thank", positive_authors, top))
    tables.append(_people("critics", "Most vocal critics", negative_authors, top))

    summary: list[tuple[str, Any, str]] = [
        ("Mentions", total, "int"),
        ("Stories", len(stories), "int"),
        *resp_summary,
        ("Hand-offs", len(handoffs), "int"),
        ("Open backlog", len(backlog_ages), "int"),
        ("Backlog median age", median(backlog_ages), "dur"),
        ("Oldest open story", max(backlog_ages) if backlog_ages else None, "dur"),
    ]
    return Report(period, now, brand, platform, summary, tables)


def _share_of_voice(
    brands: Sequence[BrandConfig], volume: Counter[str], brand_key: str | None
) -> Table:
    """Each own brand against its competitors: its mentions / (its + theirs)."""
    rows = []
    for b in brands:
        if b.is_competitor or (brand_key and b.name.casefold() != brand_key):
            continue
        field_total = volume[b.name] + sum(volume[c] for c in b.competitors)
        for name, label in ((b.name, b.name), *((c, f"{b.name} vs {c}") for c in b.competitors)):
            share = volume[name] / field_total if field_total else 0.0
            rows.append((label, volume[name], field_total, share))
    return Table(
        "share_of_voice",
        "Share of voice against competitors",
        ("brand", "mentions", "field", "share"),
        ("text", "int", "int", "pct"),
        rows,
        chart=("brand", "share"),
        note="field = the brand's mentions plus its competitors'.",
    )


def _responses(
    stories: dict[str, _Story],
    states: dict[str, TriageState],
    first: dict[str, _Response],
    sla: SlaConfig,
    threshold: float,
    now: datetime,
) -> tuple[list[Table], list[tuple[str, Any, str]]]:
    """Response times and SLA, overall and by brand, platform and person."""
    # per dimension key: lists of (response seconds | None, on_time, breach)
    dims: dict[str, dict[str, list[tuple[float | None, bool, bool]]]] = {
        "brand": defaultdict(list),
        "platform": defaultdict(list),
        "person": defaultdict(list),
    }
    overall: list[tuple[float | None, bool, bool]] = []
    policy = SlaPolicy.from_config(sla, threshold)
    targets: dict[tuple[bool, tuple[str, ...]], float] = {}  # the target depends on these only
    for gid, s in stories.items():
        st = states.get(gid, UNTOUCHED)
        kind = (s.priority >= threshold, tuple(s.platforms))
        target = targets.get(kind)
        if target is None:
            target = targets[kind] = policy.target(s.priority, s.platforms)[0].total_seconds()
        resp = first.get(gid)
        if resp is not None:
            seconds = max(0.0, (resp.at - s.start).total_seconds())
            on_time = seconds <= target
            entry: tuple[float | None, bool, bool] = (seconds, on_time, not on_time)
        elif st.status in OPEN_STATUSES:
            overdue = (now - s.start).total_seconds() > target
            if not overdue:
                continue  # still within its target: neither on time nor late yet
            entry = (None, False, True)
        else:
            continue  # ignored, or closed without an answer: outside the SLA
        overall.append(entry)
        for b in s.brands or ["(none)"]:
            dims["brand"][b].append(entry)
        dims["platform"][s.leader_platform].append(entry)
        if resp is not None:
            dims["person"][resp.who or "?"].append(entry)

    def figures(entries: list[tuple[float | None, bool, bool]]) -> tuple[Any, ...]:
        times = [t for t, _, _ in entries if t is not None]
        on_time = sum(1 for _, ok, _ in entries if ok)
        breaches = sum(1 for _, _, late in entries if late)
        # nothing answered yet: no share to speak of ("—", not 0.0 %)
        share = on_time / len(entries) if times else None
        return (len(times), median(times), percentile(times, 90), on_time, share, breaches)

    cols = ("answered", "median", "p90", "on_time", "within_sla", "breaches")
    kinds = ("int", "dur", "dur", "int", "pct", "int")
    tables = [
        Table(
            f"response_by_{dim}",
            f"Time to first response by {dim}",
            (dim, *cols),
            ("text", *kinds),
            [(k, *figures(v)) for k, v in sorted(groups.items())],
            note=(
                "within_sla = on time / (answered + overdue unanswered)."
                if dim != "person"
                else "Answered stories only, by who answered first."
            ),
        )
        for dim, groups in dims.items()
    ]
    answered, med, p90, on_time, share, breaches = figures(overall)
    summary: list[tuple[str, Any, str]] = [
        ("Answered stories", answered, "int"),
        ("Median time to first response", med, "dur"),
        ("90th percentile time to first response", p90, "dur"),
        ("Answered within SLA", share, "pct"),
        ("SLA breaches", breaches, "int"),
    ]
    return tables, summary


__all__ = [
    "AGE_BUCKETS",
    "OPEN_STATUSES",
    "PRIORITY_BANDS",
    "RESPONSE_ACTIONS",
    "TONE_WORDS",
    "UNTOUCHED",
    "Period",
    "Report",
    "Table",
    "author_key",
    "build_report",
    "live_events",
    "median",
    "percentile",
    "priority_band",
    "sla_seconds",
    "tone_of",
]
