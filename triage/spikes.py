"""Volume spikes per brand, against the brand's own recent baseline.

A brand's volume follows the clock: quiet nights, busy mornings. Comparing the last hour
with the previous hours would cry wolf every morning, so the baseline is the *same hour
of day* on each of the previous days, summarised by its median and MAD (robust to one
odd day). A spike needs both a minimum count (a few posts are never a spike) and to stand
well above the baseline's spread, and a store holding at least `HISTORY_DAYS` of history:
a new store has no "usual" yet (all its past windows are zero), so it never cries spike.
The banner, the dashboard and `veille watch` all read spikes from here, so they agree.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from triage.clock import dt_to_json
from triage.model import Mention
from triage.report_rows import mention_of, rows

WINDOW = timedelta(hours=1)
HISTORY_DAYS = 7
MIN_COUNT = 5
SIGMAS = 4.0


@dataclass(frozen=True, slots=True)
class Spike:
    brand: str
    start: datetime
    end: datetime
    count: int
    baseline: float  # the median count of the same window on previous days
    threshold: float
    top_groups: tuple[tuple[str, int], ...]  # (group id, mentions in the window)
    top_titles: tuple[str, ...] = ()  # a snippet of each top group, in the same order

    def describe(self) -> str:
        names = self.top_titles or tuple(gid for gid, _ in self.top_groups)
        groups = ", ".join(
            f"“{name}” ({n})" for name, (_, n) in zip(names[:3], self.top_groups, strict=False)
        )
        return (
            f"spike: {self.brand} {self.count} mentions {self.start:%H:%M}-{self.end:%H:%M}"
            f" UTC (usually ~{self.baseline:g}); top stories: {groups}"
        )


def _snippet(m: Mention, n: int = 40) -> str:
    one = " ".join((m.title or m.text).split())
    return one if len(one) <= n else one[: n - 1] + "…"


def lookback(now: datetime) -> datetime:
    """Where the mentions `detect_spikes` needs start (a day more than the baseline, so
    that whether the store has a week of history can be told)."""
    return now - WINDOW - timedelta(days=HISTORY_DAYS + 1)


def detect_spikes(
    mentions: Iterable[Mention | Mapping[str, Any]],
    now: datetime,
    window: timedelta = WINDOW,
    history_days: int = HISTORY_DAYS,
    min_count: int = MIN_COUNT,
    need_history: bool = True,
) -> list[Spike]:
    """Brands whose volume in [now - window, now) is a spike, biggest ratio first; none
    unless the mentions go back `history_days` (give them from `lookback(now)`).
    `mentions` may be Mentions or stored records (`triage.report_rows`: read as
    `Mention.from_json` would, a Mention built only for a top story's snippet); times
    are compared as the store writes them (fixed-width UTC text)."""
    start = now - window
    low, high = dt_to_json(start) or "", dt_to_json(now) or ""
    # the same window on each previous day, nearest first (a mention counts once)
    days = [
        (
            day,
            dt_to_json(start - timedelta(days=day)) or "",
            dt_to_json(now - timedelta(days=day)) or "",
        )
        for day in range(1, history_days + 1)
    ]
    current: dict[str, Counter[str]] = {}
    past: dict[str, Counter[int]] = {}  # brand -> days ago -> count in the same window
    titles: dict[str, Any] = {}  # group -> the source of its first mention in the window
    oldest = high
    for created, _mid, gid, _platform, brands, _p, _s, _text, src in rows(mentions):
        if created < oldest:
            oldest = created
        if not brands:
            continue
        if low <= created < high:
            titles.setdefault(gid, src)
            for b in brands:
                current.setdefault(b, Counter())[gid] += 1
            continue
        for day, day_low, day_high in days:
            if day_low <= created < day_high:
                for b in brands:
                    past.setdefault(b, Counter())[day] += 1
                break
    if need_history and oldest > (dt_to_json(now - timedelta(days=history_days)) or ""):
        return []  # no week of history yet: no baseline to stand above
    spikes = []
    for brand, groups in current.items():
        count = sum(groups.values())
        history = [past.get(brand, Counter())[d] for d in range(1, history_days + 1)]
        median = statistics.median(history)
        mad = statistics.median(abs(h - median) for h in history)
        spread = max(1.4826 * mad, math.sqrt(median), 1.0)
        threshold = max(float(min_count), median + SIGMAS * spread)
        if count >= threshold:
            top = tuple(sorted(groups.items(), key=lambda g: (-g[1], g[0]))[:5])
            names = tuple(_snippet(mention_of(titles[gid])) for gid, _ in top)
            spikes.append(Spike(brand, start, now, count, median, threshold, top, names))
    spikes.sort(key=lambda s: (-(s.count / max(s.baseline, 1.0)), s.brand))
    return spikes


def describe_spike(inbox: Any, now: datetime) -> str | None:
    """The biggest spike going on, in words, from any object with
    `mentions_between(start, end)` (the store's Inbox); None when all is calm."""
    spikes = detect_spikes(inbox.mentions_between(lookback(now), now), now)
    return spikes[0].describe() if spikes else None
