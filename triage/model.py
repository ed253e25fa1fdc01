"""The domain records: Mention, Group, TriageState, Event.

Plain dataclasses with slots (100k mentions must fit in memory cheaply), UTC datetimes,
and lossless (de)serialisation to plain JSON types so that the store, the exports and
the tests all speak the same shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from triage.clock import dt_from_json as dt_from_json  # re-exported: callers take
from triage.clock import dt_to_json as dt_to_json  # the clock from triage.model
from triage.clock import to_utc as to_utc
from triage.clock import utcnow as utcnow
from triage.text import (
    FIELD_LIMIT,
    TEXT_LIMIT,
    TITLE_LIMIT,
    bound,
    clean_field,
    clean_text,
    printable_text,
)

# --------------------------------------------------------------------------- ids


def mention_id(platform: str, native_id: str) -> str:
    """The stable id of a mention: `{platform}:{native id}`, the same on every poll."""
    if not platform or ":" in platform:
        raise ValueError(f"invalid platform name {platform!r}")
    if not native_id:
        raise ValueError("a mention needs a native id")
    return f"{platform}:{native_id}"


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


# --------------------------------------------------------------------------- mention


@dataclass(slots=True)
class Author:
    name: str = ""
    handle: str = ""
    url: str = ""
    reach: int | None = None  # followers / karma when the platform tells

    def __post_init__(self) -> None:
        # part of the sanitising boundary (see Mention.__post_init__)
        if not (self.name + self.handle + self.url).isprintable() or (
            max(len(self.name), len(self.handle), len(self.url)) > FIELD_LIMIT
        ):
            self.name = bound(clean_field(self.name), FIELD_LIMIT)
            self.handle = bound(clean_field(self.handle), FIELD_LIMIT)
            self.url = bound(clean_field(self.url), FIELD_LIMIT)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "handle": self.handle, "url": self.url, "reach": self.reach}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Author:
        data = data or {}
        return cls(
            name=data.get("name") or "",
            handle=data.get("handle") or "",
            url=data.get("url") or "",
            reach=data.get("reach"),
        )

    @property
    def display(self) -> str:
        return self.handle or self.name or "?"

    def __reduce__(self) -> tuple[Any, ...]:
        # pickled as constructor arguments: 4x faster to load than slot-by-slot state,
        # and the poller's workers send every parsed mention to the main process
        return (Author, (self.name, self.handle, self.url, self.reach))


@dataclass(frozen=True, slots=True)
class Prepared:
    """The per-mention half of the triage pipeline, computed where the mention was
    parsed (a worker process of the poller) so the sequential half has less to do.

    Scratch for ingestion only: never stored, never compared. `fingerprint` names the
    brand configuration that decided the mention's brands and priority; a pipeline with
    another configuration decides them again.
    """

    fingerprint: str
    norm: str  # the normal form grouping compares (triage.normalize)
    keys: tuple[str, ...] = ()  # its blocking keys (triage.grouping.blocking_keys)


@dataclass(slots=True)
class Mention:
    """One post, comment or article that talks about a watched brand.

    Immutable once stored (the archive is append-only): the fields filled at ingestion
    (brands, keywords, group_id, priority, signals) are computed before the first write.
    `text` is plain text, already sanitised: never markup. `prepared` is ingestion
    scratch (see `Prepared`), not part of the record.
    """

    id: str
    platform: str
    source: str
    url: str
    author: Author
    text: str
    created_at: datetime
    fetched_at: datetime
    title: str = ""
    lang: str | None = None
    parent_id: str | None = None
    thread_id: str | None = None
    brands: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    group_id: str = ""
    priority: float = 0.0
    signals: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)  # platform bits (uri, cid, ...)
    prepared: Prepared | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        # The one sanitising boundary: every string field of every mention, whatever made
        # it (a source, the store, an import), is cleaned here, once, so nothing downstream
        # has to remember: no escape sequence, control or bidi override, one-line fields
        # on one line, and texts bounded (a marker says where a long one was cut).
        # Most records are clean: one scan of all one-line fields joined, one of the text.
        fields_ok = "".join(
            (
                self.id,
                self.platform,
                self.source,
                self.url,
                self.title,
                self.group_id,
                self.lang or "",
                self.parent_id or "",
                self.thread_id or "",
            )
        ).isprintable()
        too_long = len(self.url) > FIELD_LIMIT or len(self.title) > TITLE_LIMIT
        if not fields_ok or too_long or (self.lang is not None and len(self.lang) > 64):
            self.id = clean_field(self.id)
            self.platform = clean_field(self.platform)
            self.source = clean_field(self.source)
            self.url = bound(clean_field(self.url), FIELD_LIMIT)
            self.title = bound(clean_field(self.title), TITLE_LIMIT)
            self.group_id = clean_field(self.group_id)
            if self.lang is not None:
                self.lang = clean_field(self.lang)[:64] or None
            if self.parent_id is not None:
                self.parent_id = clean_field(self.parent_id)
            if self.thread_id is not None:
                self.thread_id = clean_field(self.thread_id)
        if not printable_text(self.text) or len(self.text) > TEXT_LIMIT:
            self.text = bound(clean_text(self.text))
        for key, value in self.extra.items():  # platform bits shown by `veille show`
            if isinstance(value, str) and not value.isprintable():
                self.extra[key] = clean_field(value)
        self.created_at = to_utc(self.created_at)
        self.fetched_at = to_utc(self.fetched_at)
        if not self.group_id:
            self.group_id = self.id

    @property
    def native_id(self) -> str:
        return self.id.split(":", 1)[1]

    def __reduce__(self) -> tuple[Any, ...]:
        # as constructor arguments (see Author.__reduce__): ~5 µs to load instead of ~18
        return (Mention, tuple([getattr(self, name) for name in _MENTION_FIELDS]))

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "platform": self.platform,
            "source": self.source,
            "url": self.url,
            "author": self.author.to_json(),
            "text": self.text,
            "title": self.title,
            "created_at": dt_to_json(self.created_at),
            "fetched_at": dt_to_json(self.fetched_at),
            "lang": self.lang,
            "parent_id": self.parent_id,
            "thread_id": self.thread_id,
            "brands": list(self.brands),
            "keywords": list(self.keywords),
            "group_id": self.group_id,
            "priority": self.priority,
            "signals": list(self.signals),
            "extra": self.extra,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Mention:
        return cls(
            id=data["id"],
            platform=data["platform"],
            source=data.get("source", ""),
            url=data.get("url", ""),
            author=Author.from_json(data.get("author")),
            text=data.get("text", ""),
            title=data.get("title", ""),
            created_at=dt_from_json(data["created_at"]),  # type: ignore[arg-type]
            fetched_at=dt_from_json(data.get("fetched_at") or data["created_at"]),  # type: ignore[arg-type]
            lang=data.get("lang"),
            parent_id=data.get("parent_id"),
            thread_id=data.get("thread_id"),
            brands=tuple(data.get("brands") or ()),
            keywords=tuple(data.get("keywords") or ()),
            group_id=data.get("group_id") or data["id"],
            priority=float(data.get("priority") or 0.0),
            signals=tuple(data.get("signals") or ()),
            extra=dict(data.get("extra") or {}),
        )


_MENTION_FIELDS = tuple(f.name for f in fields(Mention))


# --------------------------------------------------------------------------- triage state


@dataclass(slots=True)
class Handoff:
    team: str
    note: str
    by: str
    at: datetime
    delivery: DeliveryStatus = DeliveryStatus.PENDING
    error: str = ""
    attempts: int = 0

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


@dataclass(slots=True)
class Note:
    text: str
    by: str
    at: datetime

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "by": self.by, "at": dt_to_json(self.at)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Note:
        return cls(text=data["text"], by=data.get("by", ""), at=dt_from_json(data["at"]))  # type: ignore[arg-type]


@dataclass(slots=True)
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


@dataclass(slots=True)
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


@dataclass(slots=True)
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
