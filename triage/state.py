"""The triage side of the domain records: TriageState (what people decided about a
group), its hand-off, notes and replies, the statuses, and the journal's Event.

Records (triage.records: real dataclasses whose __init__ is written here, not compiled
at import) with UTC datetimes and lossless plain-JSON forms. Re-exported by
triage.model, where callers take them from.
"""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from triage.clock import dt_from_json, dt_to_json
from triage.records import record

# --------------------------------------------------------------------------- enums


class Status(StrEnum):
    NEW = "new"
    OPEN = "open"
    WAITING = "waiting"
    DONE = "done"
    IGNORED = "ignored"

    @classmethod
    def parse(cls, value: str) -> Status:
        try:
            return cls(value.strip().lower())
        except ValueError:
            allowed = ", ".join(s.value for s in cls)
            raise ValueError(f"unknown status {value!r}; expected one of: {allowed}") from None


class DeliveryStatus(StrEnum):
    """Where an outbound thing (reply, hand-off) stands."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
    MANUAL = "manual"  # made by hand (no posting API): recorded once the user confirms
    AWAITING = "awaiting"  # a reply waiting for a reviewer's approval: never sent as is
    RETURNED = "returned"  # a reply a reviewer sent back to its author, with a note


OUTCOMES = tuple(DeliveryStatus)[:4]  # what a hand-off can come to (approval is replies')

# --------------------------------------------------------------------------- triage state


@record()
class Handoff:
    """A hand-off to a team (webhook or e-mail) and where its delivery stands."""

    team: str
    note: str
    by: str
    at: datetime
    delivery: DeliveryStatus = DeliveryStatus.PENDING
    error: str = ""
    attempts: int = 0

    def __init__(
        self, team: str, note: str, by: str, at: datetime,
        delivery: DeliveryStatus = DeliveryStatus.PENDING, error: str = "", attempts: int = 0,
    ) -> None:  # fmt: skip
        self.team, self.note, self.by, self.at = team, note, by, at
        self.delivery, self.error, self.attempts = delivery, error, attempts

    def to_json(self) -> dict[str, Any]:
        return {
            "team": self.team,
            "note": self.note,
            "by": self.by,
            "at": dt_to_json(self.at),
            "delivery": self.delivery.value,
            "error": self.error,
            "attempts": self.attempts,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Handoff:
        return cls(
            team=data["team"],
            note=data.get("note", ""),
            by=data.get("by", ""),
            at=dt_from_json(data["at"]),  # type: ignore[arg-type]
            delivery=DeliveryStatus(data.get("delivery", "pending")),
            error=data.get("error", ""),
            attempts=int(data.get("attempts", 0)),
        )


@record()
class Note:
    """A private note on a group."""

    text: str
    by: str
    at: datetime

    def __init__(self, text: str, by: str, at: datetime) -> None:
        self.text, self.by, self.at = text, by, at

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "by": self.by, "at": dt_to_json(self.at)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Note:
        return cls(text=data["text"], by=data.get("by", ""), at=dt_from_json(data["at"]))  # type: ignore[arg-type]


@record()
class Reply:
    """A reply we made or are making. `key` is the idempotency key, fixed at creation."""

    key: str
    text: str
    by: str
    at: datetime
    mention_id: str = ""  # the mention answered (default: the group's leader)
    status: DeliveryStatus = DeliveryStatus.PENDING
    posted_url: str = ""
    error: str = ""
    attempts: int = 0
    reviewed_by: str = ""  # who approved or sent back a reply that awaited approval
    review_note: str = ""  # the reviewer's note when sent back

    def __init__(
        self, key: str, text: str, by: str, at: datetime, mention_id: str = "",
        status: DeliveryStatus = DeliveryStatus.PENDING, posted_url: str = "", error: str = "",
        attempts: int = 0, reviewed_by: str = "", review_note: str = "",
    ) -> None:  # fmt: skip
        self.key, self.text, self.by, self.at = key, text, by, at
        self.mention_id, self.status, self.posted_url = mention_id, status, posted_url
        self.error, self.attempts = error, attempts
        self.reviewed_by, self.review_note = reviewed_by, review_note

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "text": self.text,
            "by": self.by,
            "at": dt_to_json(self.at),
            "mention_id": self.mention_id,
            "status": self.status.value,
            "posted_url": self.posted_url,
            "error": self.error,
            "attempts": self.attempts,
            **({"reviewed_by": self.reviewed_by} if self.reviewed_by else {}),
            **({"review_note": self.review_note} if self.review_note else {}),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Reply:
        return cls(
            key=data["key"],
            text=data["text"],
            by=data.get("by", ""),
            at=dt_from_json(data["at"]),  # type: ignore[arg-type]
            mention_id=data.get("mention_id", ""),
            status=DeliveryStatus(data.get("status", "pending")),
            posted_url=data.get("posted_url", ""),
            error=data.get("error", ""),
            attempts=int(data.get("attempts", 0)),
            reviewed_by=data.get("reviewed_by", ""),
            review_note=data.get("review_note", ""),
        )


@record()
class TriageState:
    """What people decided about one group (or one mention acted on alone).

    `rev` grows by one with every change: the journal's events name the rev they
    produced, which is how the store redoes an event a crash left half-applied.
    Grouping fixed by hand (`triage.stories`) is state too, journaled and undone like
    any action: `merged_into` (story merged into that one), `split_from` (copy split out).
    """

    target: str  # a group id (default) or a mention id
    status: Status = Status.NEW
    tags: tuple[str, ...] = ()
    assignee: str | None = None
    claimed_by: str | None = None
    claim_expires: datetime | None = None
    handoff: Handoff | None = None
    notes: tuple[Note, ...] = ()
    snoozed_until: datetime | None = None
    first_response_at: datetime | None = None
    replies: tuple[Reply, ...] = ()
    updated_at: datetime | None = None
    updated_by: str | None = None
    rev: int = 0
    merged_into: str | None = None
    split_from: str | None = None

    def __init__(
        self, target: str, status: Status = Status.NEW, tags: tuple[str, ...] = (),
        assignee: str | None = None, claimed_by: str | None = None,
        claim_expires: datetime | None = None, handoff: Handoff | None = None,
        notes: tuple[Note, ...] = (), snoozed_until: datetime | None = None,
        first_response_at: datetime | None = None, replies: tuple[Reply, ...] = (),
        updated_at: datetime | None = None, updated_by: str | None = None, rev: int = 0,
        merged_into: str | None = None, split_from: str | None = None,
    ) -> None:  # fmt: skip
        self.target, self.status, self.tags, self.assignee = target, status, tags, assignee
        self.claimed_by, self.claim_expires, self.handoff = claimed_by, claim_expires, handoff
        self.notes, self.snoozed_until = notes, snoozed_until
        self.first_response_at, self.replies = first_response_at, replies
        self.updated_at, self.updated_by, self.rev = updated_at, updated_by, rev
        self.merged_into, self.split_from = merged_into, split_from

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "status": self.status.value,
            "tags": list(self.tags),
            "assignee": self.assignee,
            "claimed_by": self.claimed_by,
            "claim_expires": dt_to_json(self.claim_expires),
            "handoff": self.handoff.to_json() if self.handoff else None,
            "notes": [n.to_json() for n in self.notes],
            "snoozed_until": dt_to_json(self.snoozed_until),
            "first_response_at": dt_to_json(self.first_response_at),
            "replies": [r.to_json() for r in self.replies],
            "updated_at": dt_to_json(self.updated_at),
            "updated_by": self.updated_by,
            "rev": self.rev,
            "merged_into": self.merged_into,
            "split_from": self.split_from,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TriageState:
        return cls(
            target=data["target"],
            status=Status(data.get("status", "new")),
            tags=tuple(data.get("tags") or ()),
            assignee=data.get("assignee"),
            claimed_by=data.get("claimed_by"),
            claim_expires=dt_from_json(data.get("claim_expires")),
            handoff=Handoff.from_json(data["handoff"]) if data.get("handoff") else None,
            notes=tuple(Note.from_json(n) for n in data.get("notes") or ()),
            snoozed_until=dt_from_json(data.get("snoozed_until")),
            first_response_at=dt_from_json(data.get("first_response_at")),
            replies=tuple(Reply.from_json(r) for r in data.get("replies") or ()),
            updated_at=dt_from_json(data.get("updated_at")),
            updated_by=data.get("updated_by"),
            rev=int(data.get("rev", 0)),
            merged_into=data.get("merged_into"),
            split_from=data.get("split_from"),
        )

    def evolve(self, **changes: Any) -> TriageState:
        """A copy with some fields changed (states are treated as values)."""
        return replace(self, **changes)

    def claim_active(self, now: datetime) -> bool:
        return bool(self.claimed_by and self.claim_expires and self.claim_expires > now)

    def is_snoozed(self, now: datetime) -> bool:
        return bool(self.snoozed_until and self.snoozed_until > now)


STATE_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(TriageState))


# --------------------------------------------------------------------------- event


@record()
class Event:
    """One triage action, as the append-only journal keeps it.

    `before` and `after` hold only the state fields the action changed, in JSON form
    (TriageState.to_json keys); undo applies `before` back. `rev` is the state's rev
    after the action.
    """

    id: str
    at: datetime
    who: str
    action: (
        str  # tag, untag, status, assign, claim, release, handoff, note, snooze, reply, undo, ...
    )
    target: str
    before: dict[str, Any]
    after: dict[str, Any]
    rev: int = 0
    undoes: str | None = None  # for action == "undo": the id of the event undone
    batch: str | None = None  # one user action on several groups: one id, one undo step;
    # AUTO_BATCH marks what the app did by itself (claim on reply, release on send)

    def __init__(
        self, id: str, at: datetime, who: str, action: str, target: str,
        before: dict[str, Any], after: dict[str, Any], rev: int = 0,
        undoes: str | None = None, batch: str | None = None,
    ) -> None:  # fmt: skip
        self.id, self.at, self.who, self.action, self.target = id, at, who, action, target
        self.before, self.after, self.rev = before, after, rev
        self.undoes, self.batch = undoes, batch

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": dt_to_json(self.at),
            "who": self.who,
            "action": self.action,
            "target": self.target,
            "before": self.before,
            "after": self.after,
            "rev": self.rev,
            "undoes": self.undoes,
            **({"batch": self.batch} if self.batch else {}),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Event:
        return cls(
            id=data["id"],
            at=dt_from_json(data["at"]),  # type: ignore[arg-type]
            who=data.get("who", ""),
            action=data["action"],
            target=data["target"],
            before=dict(data.get("before") or {}),
            after=dict(data.get("after") or {}),
            rev=int(data.get("rev", 0)),
            undoes=data.get("undoes"),
            batch=data.get("batch"),
        )
