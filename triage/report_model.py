"""The records and small measures of a report: periods, tables, stories, percentiles.

Split from `triage/report.py` (which builds the report) so each module has one job;
`triage.report` re-exports every public name here.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from triage.config import SlaConfig
from triage.model import Event, Mention, Status, TriageState, to_utc
from triage.sla import SlaPolicy

UNTOUCHED = TriageState("")  # the state of a story nobody acted on (status new)
RESPONSE_ACTIONS = frozenset({"reply"})  # a hand-off answers only once DELIVERED (handoff-status)
# the journal's events a report reads (the others change nothing in it, nor do their undos)
REPORT_ACTIONS = RESPONSE_ACTIONS | {"handoff", "handoff-status", "undo"}
OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.WAITING)
PRIORITY_BANDS: tuple[tuple[str, float], ...] = (("high", 40.0), ("normal", 15.0), ("low", 0.0))
TONE_WORDS: dict[str, frozenset[str]] = {
    "negative": frozenset(
        {"negative", "complaint", "anger", "angry", "danger", "safety", "legal", "churn"}
        | {"boycott", "scam", "refund", "critic", "criticism", "outage", "bug", "crisis"}
    ),
    "positive": frozenset({"positive", "praise", "thanks", "love", "happy", "fan"}),
}
_NEGATIVE, _POSITIVE = TONE_WORDS["negative"], TONE_WORDS["positive"]
# thanks and praise, French and English, on the lower-cased text (folding every text cost
# more than the rest of the report at 100k mentions)
_PRAISE = re.compile(
    r"\b(?:merci|bravo|ravie?\b|lov(?:e|ing)|great|excellent|g[ée]niale?|super\b|thank"
    r"|awesome|parfait)"
)
# the words `_praised` looks for one by one (tests/report/test_month_rows.py compares)
_PRAISE_HINT = re.compile(r"merci|bravo|ravi|lov|great|excellent|nial|super|thank|awesome|parfait")


def _praised(text: str) -> bool:
    """Thanks or praise words (a cheap hint first: most texts have none)."""
    low = text.lower()
    return (  # _PRAISE_HINT's words, each a C substring search (the regex tried them all
        "merci" in low  # at every position: a third of a month report's time)
        or "bravo" in low
        or "ravi" in low
        or "lov" in low
        or "great" in low
        or "excellent" in low
        or "nial" in low
        or "super" in low
        or "thank" in low
        or "awesome" in low
        or "parfait" in low
    ) and _PRAISE.search(low) is not None


AGE_BUCKETS: tuple[tuple[str, float], ...] = (
    ("< 1 h", 3600.0),
    ("1-24 h", 86400.0),
    ("1-7 d", 7 * 86400.0),
    ("> 7 d", math.inf),
)


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class Period:
    """[start, end), UTC."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", to_utc(self.start))
        object.__setattr__(self, "end", to_utc(self.end))
        if self.end <= self.start:
            raise ValueError("the period must end after it starts")

    def __contains__(self, when: datetime) -> bool:
        return self.start <= when < self.end

    def days(self) -> list[date]:
        day = self.start.date()
        last = (self.end - timedelta(microseconds=1)).date()
        out = []
        while day <= last:
            out.append(day)
            day += timedelta(days=1)
        return out


@dataclass(slots=True)
class Table:
    """One table of the report. `kinds` says how to format each column:
    text, int, dur (seconds), pct (fraction 0..1), time (datetime), float."""

    name: str  # file stem for CSV, anchor for HTML
    title: str
    columns: tuple[str, ...]
    kinds: tuple[str, ...]
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    chart: tuple[str, str] | None = None  # (label column, value column) drawn as bars
    note: str = ""

    def column(self, name: str) -> list[Any]:
        i = self.columns.index(name)
        return [r[i] for r in self.rows]

    def row(self, key: Any) -> dict[str, Any]:
        """The row whose first cell is `key`, as a dict (KeyError if none)."""
        for r in self.rows:
            if r[0] == key:
                return dict(zip(self.columns, r, strict=True))
        raise KeyError(key)


@dataclass(slots=True)
class Report:
    period: Period
    generated_at: datetime
    brand: str | None
    platform: str | None
    summary: list[tuple[str, Any, str]]  # (label, value, kind)
    tables: list[Table]

    def table(self, name: str) -> Table:
        for t in self.tables:
            if t.name == name:
                return t
        raise KeyError(name)

    def figure(self, label: str) -> Any:
        for name, value, _kind in self.summary:
            if name == label:
                return value
        raise KeyError(label)


_NOT_YET = datetime.min.replace(tzinfo=UTC)


@dataclass(slots=True)
class _Story:
    group_id: str
    first: str  # its earliest mention's time, as the store writes it (dt_to_json)
    leader_id: str  # that mention
    leader_platform: str
    leader: Any  # its Mention or stored record (triage.report_rows.mention_of)
    size: int = 0
    priority: float = 0.0
    brands: list[str] = field(default_factory=list)
    platforms: list[str] = field(default_factory=list)
    recent: int = 0  # mentions in the last 24 h of the period
    before: int = 0  # mentions in the 24 h before that
    start: datetime = _NOT_YET  # `first` as a datetime, once the pass is over


@dataclass(frozen=True, slots=True)
class _Response:
    at: datetime
    who: str
    action: str


# --------------------------------------------------------------------------- helpers


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile of `values` (None when empty)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100.0 * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def sla_seconds(
    priority: float, platforms: Iterable[str], sla: SlaConfig, threshold: float
) -> float:
    """The first-response target of a story, by triage.sla's policy (the shortest of
    urgent, microblog and normal that apply)."""
    target, _why = SlaPolicy.from_config(sla, threshold).target(priority, platforms)
    return target.total_seconds()


def tone_of(mention: Mention, tags: Iterable[str] = ()) -> str:
    """negative, positive or neutral.

    Negative: a signal or tag naming it (the pipeline's "negative tone", "crisis: ...",
    "complaint: ..."; `tone:negative`; a tag such as complaint). Positive: a signal or tag
    naming it (praise, thanks, `tone:positive`), else thanks or praise words in the text
    (the pipeline scores only the negative side).
    """
    return tone_from(mention.signals, mention.text, tuple(tags))


def tone_from(signals: Sequence[str], text: str, tags: Sequence[str] = ()) -> str:
    """`tone_of` from a mention's signals and text (see there)."""
    if not signals and not tags:
        return "positive" if _praised(text) else "neutral"
    words: set[str] = set()
    for w in (*signals, *tags):
        w = w.lower().removeprefix("tone:")
        words.add(w)
        words.add(w.split(":")[0].split(" ")[0])
    if words & _NEGATIVE:
        return "negative"
    if words & _POSITIVE or _praised(text):
        return "positive"
    return "neutral"


def priority_band(priority: float, threshold: float) -> str:
    if priority >= threshold:
        return "urgent"
    for name, low in PRIORITY_BANDS:
        if priority >= low:
            return name
    return "low"


def author_key(m: Mention) -> str:
    who = m.author.handle or m.author.name or "?"
    return f"{who} ({m.platform})"


def live_events(events: Iterable[Event]) -> list[Event]:
    """The journal without undo events and without the events they undid."""
    events = list(events)
    undone = {e.undoes for e in events if e.action == "undo" and e.undoes}
    return [e for e in events if e.action != "undo" and e.id not in undone]


# --------------------------------------------------------------------------- the report


def _people(name: str, title: str, counts: Counter[str], top: int) -> Table:
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    return Table(name, title, ("author", "mentions"), ("text", "int"), rows)


def _snippet(text: str, n: int = 120) -> str:
    one = " ".join(text.split())
    return one if len(one) <= n else one[: n - 1] + "…"
