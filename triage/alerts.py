"""What deserves waking someone up, and how not to say it twice (pure).

`veille watch` asks these functions what to alert about; it keeps a durable ledger of
the `Alert.key`s it sent. A key names the thing, not the moment: one alert per urgent
group, one per SLA about to breach, one per brand spike per hour. Quiet hours turn
alerts into one digest sent when they end.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Protocol

from triage.config import SlaConfig
from triage.model import Mention, Status, TriageState
from triage.sla import SlaPolicy
from triage.spikes import detect_spikes

OPEN = (Status.NEW, Status.OPEN, Status.WAITING)
STALE = timedelta(hours=24)  # older news is the inbox's business, not a reason to wake anyone


class GroupLike(Protocol):
    """What alerts read of a group (triage.views.GroupView satisfies it)."""

    group_id: str
    state: TriageState
    priority: float

    @property
    def leader(self) -> Mention: ...

    @property
    def platforms(self) -> tuple[str, ...]: ...


@dataclass(frozen=True, slots=True)
class Alert:
    kind: str  # urgent | sla | spike
    key: str  # stable name of the thing alerted about (the dedupe key)
    title: str  # one line, no secrets, plain text
    url: str = ""
    detail: str = ""

    def line(self) -> str:
        return f"[{self.kind}] {self.title}" + (f" {self.url}" if self.url else "")


def _needs_answer(g: GroupLike, now: datetime) -> bool:
    return may_page(g.state, now)


def may_page(s: TriageState, now: datetime) -> bool:
    """Whether a group in this state can raise an urgent or SLA alert: open, unanswered
    and not snoozed (a store asks it before it reads the group's view)."""
    return s.status in OPEN and s.first_response_at is None and not s.is_snoozed(now)


@dataclass(frozen=True, slots=True)
class AlertWindow:
    """Which groups `urgent_alerts` and `sla_alerts` can name at `now`, from what a
    group's row holds (the leader's time, the rank, the platforms), so a store narrows a
    million groups to these, then asks `may_page` and the two functions themselves: the
    alerts stay exactly theirs. A group can alert when its leader is after `urgent_since`
    and it ranks `urgent` or more, or when its SLA clock (leader time + the shortest
    target that applies) leaves between -stale and +warning seconds; a second wider each
    way, for it chooses what is read, not what is sent."""

    now: datetime
    urgent: float  # the threshold of urgent alerts and of the SLA's urgent target
    warning: float  # seconds: an SLA alert once less than this is left
    stale: float  # seconds: nothing about a leader (urgent) or a breach older than this
    normal: float  # the SLA targets, seconds (triage.sla: the shortest that applies)
    microblog: float
    urgent_target: float

    @property
    def since(self) -> datetime:
        """No alert names a group whose leader is this old or older."""
        return self.now - timedelta(seconds=self.stale + max(self.normal, 0.0) + 1.0)

    @property
    def urgent_since(self) -> datetime:
        """An urgent alert names a leader after this."""
        return self.now - timedelta(seconds=self.stale + 1.0)


def alert_window(
    sla: SlaConfig, threshold: float, now: datetime, warning: float, stale: timedelta = STALE
) -> AlertWindow:
    """The AlertWindow of `urgent_alerts(threshold, now, stale)` and `sla_alerts(sla,
    threshold, now, warning, stale)`."""
    return AlertWindow(
        now, threshold, warning, stale.total_seconds(), sla.normal, sla.microblog, sla.urgent
    )


def rule_candidates(
    states: Iterable[TriageState], now: datetime, stale: timedelta = STALE
) -> list[str]:
    """The targets whose state holds a rule's note from the last `stale` (what
    triage.rules.rule_alerts reads), so a store need not read every group for them."""
    return [
        s.target
        for s in states
        if any(n.text.startswith("rule ") and now - n.at <= stale for n in s.notes)
    ]


def _snippet(text: str, n: int = 90) -> str:
    one = " ".join(text.split())
    return one if len(one) <= n else one[: n - 1] + "…"


def urgent_alerts(
    groups: Iterable[GroupLike], threshold: float, now: datetime, stale: timedelta = STALE
) -> list[Alert]:
    """Open, unanswered groups ranked urgent and started less than `stale` ago: one alert
    per group, ever (a first start on an old store does not page about last month)."""
    out = []
    for g in groups:
        if g.priority >= threshold and _needs_answer(g, now) and now - g.leader.created_at < stale:
            m = g.leader
            out.append(
                Alert(
                    "urgent",
                    f"urgent:{g.group_id}",
                    f"urgent: {m.author.display} on {m.platform}: {_snippet(m.text)}",
                    m.url,
                    f"priority {g.priority:.0f}",
                )
            )
    return out


def sla_target(g: GroupLike, sla: SlaConfig | SlaPolicy, threshold: float) -> float:
    """Seconds allowed for the first response (triage.sla holds the one policy; give
    the policy itself when asking for many groups: building it is most of the cost)."""
    policy = sla if isinstance(sla, SlaPolicy) else SlaPolicy.from_config(sla, threshold)
    allowed, _why = policy.target(g.priority, g.platforms)
    return allowed.total_seconds()


def sla_alerts(
    groups: Iterable[GroupLike],
    sla: SlaConfig,
    threshold: float,
    now: datetime,
    warning: float,
    stale: timedelta = STALE,
) -> list[Alert]:
    """Unanswered groups whose first-response deadline is less than `warning` seconds away
    or passed less than `stale` ago: one alert per group."""
    out = []
    policy = SlaPolicy.from_config(sla, threshold)
    for g in groups:
        if not _needs_answer(g, now):
            continue
        due = g.leader.created_at + timedelta(seconds=sla_target(g, policy, threshold))
        left = (due - now).total_seconds()
        if -stale.total_seconds() < left <= warning:
            m = g.leader
            when = "breached" if left <= 0 else f"due in {int(left // 60)} min"
            out.append(
                Alert(
                    "sla",
                    f"sla:{g.group_id}",
                    f"SLA {when}: {m.author.display} on {m.platform}: {_snippet(m.text)}",
                    m.url,
                )
            )
    return out


def spike_alerts(
    mentions: Iterable[Mention],
    now: datetime,
    factor: float = 3.0,
    min_count: int = 5,
) -> list[Alert]:
    """Brands whose last hour is a spike (triage.spikes: against the same hour on each of
    the previous 7 days, and only once the store holds a week of history) and at least
    `factor` times their usual volume: one alert per brand per hour. Give the mentions
    from `triage.spikes.lookback(now)`."""
    out = []
    for spike in detect_spikes(mentions, now, min_count=min_count):
        if spike.count >= factor * max(spike.baseline, 1.0):
            out.append(Alert("spike", f"spike:{spike.brand}:{now:%Y-%m-%dT%H}", spike.describe()))
    out.sort(key=lambda a: a.key)
    return out


def fresh(alerts: Iterable[Alert], already_sent: object) -> list[Alert]:
    """The alerts whose key is not in `already_sent` (anything supporting `in`), deduplicated."""
    seen: set[str] = set()
    out = []
    for a in alerts:
        if a.key in seen or a.key in already_sent:  # type: ignore[operator]
            continue
        seen.add(a.key)
        out.append(a)
    return out


def in_quiet_hours(local: time, quiet: tuple[time, time] | None) -> bool:
    """Whether a local time of day falls in quiet hours (which may span midnight)."""
    if quiet is None:
        return False
    start, end = quiet
    if start <= end:
        return start <= local < end
    return local >= start or local < end


def digest(alerts: Sequence[Alert], why: str = "during quiet hours") -> str:
    """One message for many alerts (held during quiet hours, or a burst), grouped by kind."""
    by_kind: dict[str, list[Alert]] = defaultdict(list)
    for a in alerts:
        by_kind[a.kind].append(a)
    lines = [f"veille digest: {len(alerts)} alert(s) {why}"]
    for kind in ("urgent", "sla", "spike"):
        items = by_kind.pop(kind, [])
        if items:
            lines.append(f"{kind} ({len(items)}):")
            lines.extend(f"  - {a.title}" + (f" {a.url}" if a.url else "") for a in items)
    for kind, items in by_kind.items():
        lines.append(f"{kind} ({len(items)}):")
        lines.extend(f"  - {a.title}" for a in items)
    return "\n".join(lines)
