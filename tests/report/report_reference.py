"""main's `triage.report.build_report` before issue 16's month report (a0f09cc), kept as
the oracle of tests/report/test_month_rows.py: the new pass must give the same figures.
Its `_Story` and `tone_of` are the old ones too (the new ones changed shape or speed).

(The old module's docstring follows.)
The figures management asks for, computed from the archive and the journal (pure).

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
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from triage.config import BrandConfig, SlaConfig
from triage.model import OUTCOMES, DeliveryStatus, Event, Mention, TriageState, to_utc
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
    author_key,
    live_events,
    median,
    percentile,
    priority_band,
)
from triage.sla import SlaPolicy

_PRAISE = re.compile(
    r"\b(?:merci|bravo|ravie?\b|lov(?:e|ing)|great|excellent|g[ée]niale?|super\b|thank"
    r"|awesome|parfait)"
)
_PRAISE_HINT = re.compile(r"merci|bravo|ravi|lov|great|excellent|nial|super|thank|awesome|parfait")


def _praised(text: str) -> bool:
    low = text.lower()
    return _PRAISE_HINT.search(low) is not None and _PRAISE.search(low) is not None


def tone_of(mention: Mention, tags: Iterable[str] = ()) -> str:
    if not mention.signals and not tags:
        return "positive" if _praised(mention.text) else "neutral"
    words: set[str] = set()
    for w in (*mention.signals, *tags):
        w = w.lower().removeprefix("tone:")
        words.add(w)
        words.add(w.split(":")[0].split(" ")[0])
    if words & TONE_WORDS["negative"]:
        return "negative"
    if words & TONE_WORDS["positive"] or _praised(mention.text):
        return "positive"
    return "neutral"


@dataclass(slots=True)
class _Story:
    group_id: str
    start: datetime
    leader: Mention
    size: int = 0
    priority: float = 0.0
    brands: list[str] = field(default_factory=list)
    platforms: list[str] = field(default_factory=list)
    recent: int = 0
    before: int = 0


def build_report(
    mentions: Iterable[Mention],
    state_of: Callable[[str], TriageState],
    events: Iterable[Event],
    *,
    period: Period,
    now: datetime,
    brands: Sequence[BrandConfig] = (),
    sla: SlaConfig | None = None,
    urgent_threshold: float = URGENT_THRESHOLD,
    brand: str | None = None,
    platform: str | None = None,
    top: int = 10,
) -> Report:
    """All figures for `period` (optionally one brand and/or one platform).

    `mentions` may hold more than the period (only those inside count); `state_of(gid)`
    gives a story's current state; `events` is the journal, oldest first.
    """
    sla = sla or SlaConfig()
    now = to_utc(now)
    brand_key = brand.casefold() if brand else None
    recent_from = period.end - timedelta(days=1)
    before_from = recent_from - timedelta(days=1)

    all_volume: Counter[str] = Counter()  # for share of voice: every brand, platform scope
    by_brand: Counter[str] = Counter()
    by_platform: Counter[str] = Counter()
    by_day: dict[date, Counter[str]] = defaultdict(Counter)
    stories: dict[str, _Story] = {}
    states: dict[str, TriageState] = {}
    band_count: Counter[str] = Counter()
    tone_count: Counter[str] = Counter()
    positive_authors: Counter[str] = Counter()
    negative_authors: Counter[str] = Counter()
    total = 0
    start, end = period.start, period.end
    # one pass, keeping no mention: 100k mentions must not be held twice
    for m in mentions:
        created = m.created_at
        if not start <= created < end or (platform and m.platform != platform):
            continue
        m_brands = m.brands
        for b in m_brands:
            all_volume[b] += 1
        if brand_key and not any(b.casefold() == brand_key for b in m_brands):
            continue
        total += 1
        day = by_day[created.date()]
        by_platform[m.platform] += 1
        day[""] += 1
        for b in m_brands or ("(none)",):
            by_brand[b] += 1
            day[b] += 1
        gid = m.group_id
        story = stories.get(gid)
        if story is None:
            story = stories[gid] = _Story(gid, created, m, 0, m.priority, list(m_brands), [])
            state = state_of(gid)
            if state.rev:  # untouched stories share one default state (memory at 100k)
                states[gid] = state
        else:
            state = states.get(gid, UNTOUCHED)
            if (created, m.id) < (story.start, story.leader.id):
                story.start, story.leader = created, m
            if m.priority > story.priority:
                story.priority = m.priority
            for b in m_brands:
                if b not in story.brands:
                    story.brands.append(b)
        story.size += 1
        if m.platform not in story.platforms:
            story.platforms.append(m.platform)
        if created >= recent_from:
            story.recent += 1
        elif created >= before_from:
            story.before += 1
        band_count[priority_band(m.priority, urgent_threshold)] += 1
        tone = tone_of(m, state.tags)
        tone_count[tone] += 1
        if tone == "positive":
            positive_authors[author_key(m)] += 1
        elif tone == "negative":
            negative_authors[author_key(m)] += 1

    journal = live_events(events)
    first_response: dict[str, _Response] = {}
    handoffs: list[Event] = []
    deliveries: dict[tuple[str, str], str] = {}  # (target, handoff at) -> delivery
    live_handoffs: set[tuple[str, str]] = set()  # (target, handoff at) not undone

    def responded(target: str, at: datetime, who: str, action: str) -> None:
        seen = first_response.get(target)
        if seen is None or at < seen.at:
            first_response[target] = _Response(at, who, action)

    for e in journal:
        if e.target not in stories:
            continue
        if e.action in RESPONSE_ACTIONS:
            responded(e.target, e.at, e.who, e.action)
        if e.action == "handoff" and e.after.get("handoff"):
            handoffs.append(e)
            live_handoffs.add((e.target, e.after["handoff"].get("at") or ""))
        elif e.action == "handoff-status" and e.after.get("handoff"):
            h = e.after["handoff"]
            key = (e.target, h.get("at") or "")
            delivery = h.get("delivery") or "pending"
            deliveries[key] = delivery
            if delivery == DeliveryStatus.DELIVERED.value and key in live_handoffs:
                responded(e.target, e.at, h.get("by") or e.who, "handoff")

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
                (d.isoformat(), by_day[d][""], *(by_day[d][b] for b in brand_names))
                for d in period.days()
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
        return (
            s.group_id,
            s.size,
            ", ".join(s.brands),
            ", ".join(s.platforms),
            s.start,
            s.leader.author.display,
            _snippet(s.leader.title or s.leader.text),
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
    for e in handoffs:
        h = e.after["handoff"]
        outcome = deliveries.get((e.target, h.get("at") or ""), h.get("delivery") or "pending")
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
        dims["platform"][s.leader.platform].append(entry)
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
