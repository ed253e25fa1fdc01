"""Records to rows: what the PostgreSQL tables hold besides the JSON record itself.

The filterable columns are folded by `triage.text.fold`, the same rule the folder store
and `triage.filter` use, so a filter answered in SQL agrees with one answered in memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from triage.filter import vocabulary_of
from triage.model import DeliveryStatus, Mention, TriageState
from triage.sla import first_response
from triage.text import fold


@dataclass
class GroupRow:
    """The new members' share of one group's row (merged into the stored row by SQL)."""

    group_id: str
    priority: float
    last_at: datetime
    first_at: datetime  # the leader's time (the oldest member), what the SLA clock reads
    size: int = 0
    brands: dict[str, None] = field(default_factory=dict)
    platforms: dict[str, None] = field(default_factory=dict)
    texts: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    signals: dict[str, None] = field(default_factory=dict)

    def add(self, m: Mention) -> None:
        self.size += 1
        self.priority = max(self.priority, float(m.priority or 0.0))
        self.last_at = max(self.last_at, m.created_at)
        self.first_at = min(self.first_at, m.created_at)
        self.brands.update(dict.fromkeys(fold(b) for b in m.brands))
        self.platforms[m.platform] = None
        self.texts.append(f"{m.title} {m.text}")
        self.authors.append(fold(f"{m.author.name} {m.author.handle.lstrip('@')}"))
        self.signals.update(dict.fromkeys(m.signals))

    def params(self, gen: int) -> dict[str, Any]:
        authors = " ".join(self.authors)
        return {
            "group_id": self.group_id,
            "priority": self.priority,
            "last_at": self.last_at,
            "first_at": self.first_at,
            "size": self.size,
            "brands": list(self.brands),
            "platforms": list(self.platforms),
            "haystack": fold(" ".join(" ".join(self.texts).split())) + " " + authors,
            "authors": authors,
            "signals": fold(" ".join(self.signals)),
            "gen": gen,
        }


def group_rows(mentions: list[Mention]) -> list[GroupRow]:
    rows: dict[str, GroupRow] = {}
    for m in mentions:
        gid = m.group_id or m.id
        row = rows.get(gid)
        if row is None:
            row = rows[gid] = GroupRow(gid, float(m.priority or 0.0), m.created_at, m.created_at)
        row.add(m)
    return list(rows.values())


def words_of(rows: list[GroupRow], gen: int) -> list[str]:
    return sorted(vocabulary_of(r.params(gen)["haystack"] for r in rows))


UPSERT_GROUP = """
INSERT INTO groups (group_id, priority, last_at, first_at, size, brands, platforms,
                    haystack, authors, signals, gen)
VALUES (%(group_id)s, %(priority)s, %(last_at)s, %(first_at)s, %(size)s, %(brands)s,
        %(platforms)s, %(haystack)s, %(authors)s, %(signals)s, %(gen)s)
ON CONFLICT (group_id) DO UPDATE SET
    priority = greatest(groups.priority, EXCLUDED.priority),
    last_at = greatest(groups.last_at, EXCLUDED.last_at),
    first_at = least(groups.first_at, EXCLUDED.first_at),
    size = groups.size + EXCLUDED.size,
    brands = ARRAY(SELECT DISTINCT unnest(groups.brands || EXCLUDED.brands)),
    platforms = ARRAY(SELECT DISTINCT unnest(groups.platforms || EXCLUDED.platforms)),
    haystack = groups.haystack || ' ' || EXCLUDED.haystack,
    authors = groups.authors || ' ' || EXCLUDED.authors,
    signals = groups.signals || ' ' || EXCLUDED.signals,
    gen = EXCLUDED.gen
"""

BUMP = """
WITH g AS (UPDATE veille_meta SET generation = generation + 1 RETURNING generation)
SELECT generation, pg_notify(%s, generation::text) FROM g
"""

UPSERT_STATE = """
INSERT INTO states (target, record, status, tags, assignee, claimed_by, claim_expires,
                    snoozed_until, first_response, handed_off, rev, gen)
VALUES (%(target)s, %(record)s, %(status)s, %(tags)s, %(assignee)s, %(claimed_by)s,
        %(claim_expires)s, %(snoozed_until)s, %(first_response)s, %(handed_off)s,
        %(rev)s, %(gen)s)
ON CONFLICT (target) DO UPDATE SET
    record = EXCLUDED.record, status = EXCLUDED.status, tags = EXCLUDED.tags,
    assignee = EXCLUDED.assignee, claimed_by = EXCLUDED.claimed_by,
    claim_expires = EXCLUDED.claim_expires, snoozed_until = EXCLUDED.snoozed_until,
    first_response = EXCLUDED.first_response, handed_off = EXCLUDED.handed_off,
    rev = EXCLUDED.rev, gen = EXCLUDED.gen
"""


def state_params(state: TriageState, gen: int) -> dict[str, Any]:
    from psycopg.types.json import Jsonb

    return {
        "target": state.target,
        "record": Jsonb(state.to_json()),
        "status": state.status.value,
        "tags": [fold(t) for t in state.tags],
        "assignee": state.assignee,
        "claimed_by": state.claimed_by,
        "claim_expires": state.claim_expires,
        "snoozed_until": state.snoozed_until,
        "first_response": first_response(state),
        "handed_off": state.handoff is not None,
        "rev": state.rev,
        "gen": gen,
    }


UPSERT_OUTBOX = """
INSERT INTO outbox (key, target, status) VALUES (%s, %s, %s)
ON CONFLICT (key) DO UPDATE SET status = EXCLUDED.status,
    taken_by = CASE WHEN EXCLUDED.status = 'pending' THEN outbox.taken_by END,
    taken_until = CASE WHEN EXCLUDED.status = 'pending' THEN outbox.taken_until END
"""

UPSERT_HANDOFF = """
INSERT INTO handoffs (target, delivery) VALUES (%s, %s)
ON CONFLICT (target) DO UPDATE SET delivery = EXCLUDED.delivery,
    taken_by = CASE WHEN EXCLUDED.delivery = 'pending' THEN handoffs.taken_by END,
    taken_until = CASE WHEN EXCLUDED.delivery = 'pending' THEN handoffs.taken_until END
"""


def outbox_params(state: TriageState) -> list[tuple[str, str, str]]:
    return [(r.key, state.target, r.status.value) for r in state.replies]


def handoff_delivery(state: TriageState) -> str | None:
    h = state.handoff
    return None if h is None else h.delivery.value


PENDING = DeliveryStatus.PENDING.value
