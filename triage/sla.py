"""SLA clocks: how long until a story must get its first response (a reply or a hand-off).

The target depends on priority and platform: urgent stories 1 h, microblogs (Mastodon,
Bluesky, X) 2 h - people there expect a fast answer - and everything else 24 h. When
several apply, the shortest wins. The clock starts at the first post of the story (its
leader) and stops at the first response; a story closed (done, ignored) has no clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from triage.config import SlaConfig
from triage.model import DeliveryStatus, Mention, Status, TriageState
from triage.priority import URGENT_THRESHOLD

MICROBLOGS = frozenset({"mastodon", "bluesky", "x", "twitter", "threads"})
CLOSED = frozenset({Status.DONE, Status.IGNORED})


class GroupLike(Protocol):
    """A story as the store shows it (triage.views.GroupView satisfies this)."""

    @property
    def leader(self) -> Mention: ...
    @property
    def priority(self) -> float: ...
    @property
    def platforms(self) -> tuple[str, ...]: ...


@dataclass(frozen=True, slots=True)
class SlaPolicy:
    urgent: timedelta = timedelta(hours=1)
    normal: timedelta = timedelta(hours=24)
    microblog: timedelta = timedelta(hours=2)
    urgent_threshold: float = URGENT_THRESHOLD

    @classmethod
    def from_config(cls, sla: SlaConfig, urgent_threshold: float = URGENT_THRESHOLD) -> SlaPolicy:
        return cls(
            timedelta(seconds=sla.urgent),
            timedelta(seconds=sla.normal),
            timedelta(seconds=sla.microblog),
            urgent_threshold,
        )

    def target(self, priority: float, platforms: Iterable[str]) -> tuple[timedelta, str]:
        """(allowed time, why) for a story of this priority seen on these platforms."""
        options = [(self.normal, "normal")]
        if any(p.lower() in MICROBLOGS for p in platforms):
            options.append((self.microblog, "microblog"))
        if priority >= self.urgent_threshold:
            options.append((self.urgent, "urgent"))
        return min(options, key=lambda o: o[0])


@dataclass(frozen=True, slots=True)
class SlaClock:
    start: datetime
    due: datetime
    kind: str  # urgent | microblog | normal
    responded_at: datetime | None
    left: timedelta  # negative once late; frozen at the response
    breached: bool

    @property
    def running(self) -> bool:
        return self.responded_at is None


def first_response(state: TriageState | None) -> datetime | None:
    """When the story was first answered: a recorded first response, a reply delivered
    (or made by hand), or a hand-off DELIVERED to a team - whichever came first. A pending
    or failed hand-off reached nobody: it does not stop the clock (and a first response
    that older versions recorded at such a hand-off's time is not one)."""
    if state is None:
        return None
    h = state.handoff
    undelivered = h is not None and h.delivery is not DeliveryStatus.DELIVERED
    recorded = state.first_response_at
    if recorded is not None and undelivered and h is not None and recorded == h.at:
        recorded = None
    times = [recorded] if recorded else []
    times += [
        r.at for r in state.replies if r.status in (DeliveryStatus.DELIVERED, DeliveryStatus.MANUAL)
    ]
    if h is not None and h.delivery is DeliveryStatus.DELIVERED:
        times.append(h.at)
    return min(times) if times else None


def _parts(subject: Mention | GroupLike) -> tuple[Mention, float, tuple[str, ...]]:
    if isinstance(subject, Mention):
        return subject, subject.priority, (subject.platform,)
    return subject.leader, subject.priority, tuple(subject.platforms)


def sla_clock(
    subject: Mention | GroupLike,
    state: TriageState | None,
    policy: SlaPolicy,
    now: datetime,
) -> SlaClock | None:
    """The clock of a mention or story; None when it is closed without a response."""
    leader, priority, platforms = _parts(subject)
    responded = first_response(state)
    if responded is None and state is not None and state.status in CLOSED:
        return None
    allowed, kind = policy.target(priority, platforms)
    start = leader.created_at
    due = start + allowed
    end = responded or now
    return SlaClock(start, due, kind, responded, due - end, end > due)


def time_left(
    view: GroupLike,
    sla: SlaConfig,
    now: datetime,
    urgent_threshold: float = URGENT_THRESHOLD,
) -> float | None:
    """Seconds left before the story's SLA breaches (negative when late); None when it
    has been answered or closed, so the screen shows no clock."""
    state = getattr(view, "state", None)
    clock = sla_clock(view, state, SlaPolicy.from_config(sla, urgent_threshold), now)
    if clock is None or not clock.running:
        return None
    return clock.left.total_seconds()


def breaching_within(
    items: Sequence[tuple[Mention | GroupLike, TriageState | None]],
    policy: SlaPolicy,
    now: datetime,
    minutes: float,
) -> list[tuple[Mention | GroupLike, SlaClock]]:
    """Unanswered stories whose clock runs out in the next `minutes` (for on-call),
    soonest first; already-breached ones are included first."""
    horizon = timedelta(minutes=minutes)
    out = []
    for subject, state in items:
        clock = sla_clock(subject, state, policy, now)
        if clock is not None and clock.running and clock.left <= horizon:
            out.append((subject, clock))
    out.sort(key=lambda sc: (sc[1].due, _parts(sc[0])[0].id))
    return out
