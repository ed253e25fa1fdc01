"""The one pass of a report over the period's mentions (split from `triage.report`).

It keeps no mention: a story keeps its leader's row source, and the per-mention counts
go to one counter keyed by (day, platform, brands, priority band, tone), spread into the
report's tables once at the end (a month at a million mentions is ~80,000 mentions and a
few thousand keys: one count a mention instead of eight).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from triage.clock import dt_from_json, dt_to_json
from triage.model import TriageState
from triage.report_model import PRIORITY_BANDS, UNTOUCHED, Period, _Story, tone_from
from triage.report_rows import Item, StoryMap, author_key_of, rows


@dataclass(slots=True)
class Scan:
    """What the pass found (see `triage.report.build_report`)."""

    total: int = 0
    all_volume: Counter[str] = field(default_factory=Counter)  # every brand, platform scope
    by_brand: Counter[str] = field(default_factory=Counter)
    by_platform: Counter[str] = field(default_factory=Counter)
    by_day: defaultdict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    band_count: Counter[str] = field(default_factory=Counter)
    tone_count: Counter[str] = field(default_factory=Counter)
    positive_authors: Counter[str] = field(default_factory=Counter)
    negative_authors: Counter[str] = field(default_factory=Counter)
    stories: dict[str, _Story] = field(default_factory=dict)
    states: dict[str, TriageState] = field(default_factory=dict)  # touched stories only


def scan(
    mentions: Iterable[Item],
    state_of: Callable[[str], TriageState],
    period: Period,
    urgent_threshold: float,
    brand: str | None,
    platform: str | None,
    stories_map: StoryMap | None,
) -> Scan:
    out = Scan()
    stories, states = out.stories, out.states
    brand_key = brand.casefold() if brand else None
    brand_ok: dict[tuple[str, ...], bool] = {}
    left_out: Counter[tuple[str, ...]] = Counter()  # brands of mentions --brand leaves out
    combos: Counter[tuple[str, str, tuple[str, ...], str, str]] = Counter()
    positive, negative = out.positive_authors, out.negative_authors
    # dates as the store writes them (fixed-width UTC text: text order is time order)
    start, end = dt_to_json(period.start) or "", dt_to_json(period.end) or ""
    recent_from = dt_to_json(period.end - timedelta(days=1)) or ""
    before_from = dt_to_json(period.end - timedelta(days=2)) or ""
    story_of = stories_map.of if stories_map is not None else None
    high, normal = PRIORITY_BANDS[0][1], PRIORITY_BANDS[1][1]
    for created, mid, gid, m_platform, m_brands, priority, signals, text, src in rows(mentions):
        if not start <= created < end or (platform and m_platform != platform):
            continue
        bkey = tuple(m_brands)
        if brand_key:
            ok = brand_ok.get(bkey)
            if ok is None:
                ok = brand_ok[bkey] = any(b.casefold() == brand_key for b in bkey)
            if not ok:
                left_out[bkey] += 1
                continue
        if story_of is not None:
            gid = story_of(mid, gid)
        story = stories.get(gid)
        if story is None:
            story = stories[gid] = _Story(
                gid, created, mid, m_platform, src, priority=priority, brands=list(bkey)
            )
            state = state_of(gid)
            if state.rev:  # untouched stories share one default state (memory at 100k)
                states[gid] = state
        else:
            state = states.get(gid, UNTOUCHED)
            if (created, mid) < (story.first, story.leader_id):
                story.first, story.leader_id = created, mid
                story.leader_platform, story.leader = m_platform, src
            if priority > story.priority:
                story.priority = priority
            for b in bkey:
                if b not in story.brands:
                    story.brands.append(b)
        story.size += 1
        if m_platform not in story.platforms:
            story.platforms.append(m_platform)
        if created >= recent_from:
            story.recent += 1
        elif created >= before_from:
            story.before += 1
        if priority >= urgent_threshold:
            band = "urgent"
        elif priority >= high:
            band = "high"
        elif priority >= normal:
            band = "normal"
        else:
            band = "low"
        tone = tone_from(signals, text, state.tags)
        if tone == "positive":
            positive[author_key_of(src, m_platform)] += 1
        elif tone == "negative":
            negative[author_key_of(src, m_platform)] += 1
        combos[(created[:10], m_platform, bkey, band, tone)] += 1
    for story in stories.values():
        story.start = dt_from_json(story.first)  # type: ignore[assignment]  # never None
    for bkey, n in left_out.items():
        for b in bkey:
            out.all_volume[b] += n
    for (day_key, m_platform, bkey, band, tone), n in combos.items():
        out.total += n
        day = out.by_day[day_key]
        out.by_platform[m_platform] += n
        day[""] += n
        for b in bkey:
            out.all_volume[b] += n
        for b in bkey or ("(none)",):
            out.by_brand[b] += n
            day[b] += n
        out.band_count[band] += n
        out.tone_count[tone] += n
    return out
