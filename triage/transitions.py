"""The triage rules: what each action changes in a group's state, as pure functions.

Each transition takes the current `TriageState`, who acts and when, and returns the
fields to change (a dict of TriageState attributes), or raises `Refused` in words. A
store backend applies the fields, bumps `rev`, journals one `Event` and writes; so
every backend (the folder store today, PostgreSQL later) and every face behaves the
same. Undo is a transition over the journal: `undo_candidate` picks the event,
`undo_fields` checks nobody changed the same fields since.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from triage.errors import Conflict, NotFound
from triage.model import (
    DeliveryStatus,
    Event,
    Handoff,
    Note,
    Reply,
    Status,
    TriageState,
    dt_from_json,
    dt_to_json,
)
from triage.text import clean_field

Fields = dict[str, Any]
CLAIM_MINUTES = 15.0
UNDOABLE = frozenset(
    {"tag", "status", "assign", "claim", "release", "handoff", "note", "snooze", "merge", "split"}
)
CLOSED = (Status.DONE, Status.IGNORED)


def clean_tag(tag: str) -> str:
    """A tag as stored: one word, without a leading #; ValueError otherwise."""
    tag = clean_field(tag).strip().lstrip("#")
    if not tag or any(c.isspace() for c in tag):
        raise ValueError(f"invalid tag {tag!r}: tags are single words")
    return tag


def tag(state: TriageState, add: Sequence[str] = (), remove: Iterable[str] = ()) -> Fields:
    added = [clean_tag(t) for t in add]
    removed = {clean_tag(t) for t in remove}
    tags = [t for t in state.tags if t not in removed]
    tags += [t for t in added if t not in tags]
    return {"tags": tuple(tags)}


def set_status(state: TriageState, status: Status) -> Fields:
    """A closed group (done, ignored) keeps no claim."""
    fields: Fields = {"status": status}
    if status in CLOSED and state.claimed_by:
        fields.update(claimed_by=None, claim_expires=None)
    return fields


def assign(state: TriageState, user: str | None) -> Fields:
    return {"assignee": clean_field(user).strip() or None}


def claim(
    state: TriageState, who: str, now: datetime, minutes: float = CLAIM_MINUTES, force: bool = False
) -> Fields:
    """`who` is answering for `minutes`; Conflict if someone else's claim is live."""
    if state.claim_active(now) and state.claimed_by != who and not force:
        since = state.updated_at.strftime("%H:%M") if state.updated_at else "?"
        raise Conflict(f"{state.claimed_by} is already on it (claimed at {since} UTC)")
    fields: Fields = {"claimed_by": who, "claim_expires": now + timedelta(minutes=minutes)}
    if state.status is Status.NEW:
        fields["status"] = Status.OPEN
    return fields


def hhmm(at: datetime | None) -> str:
    """A time as the warnings say it: "14:02 UTC" (every user of one store agrees)."""
    return f"{at.astimezone(UTC):%H:%M} UTC" if at else "?"


def reply_warnings(state: TriageState, who: str, now: datetime) -> list[str]:
    """Why `who` should think twice before answering: someone else is answering (a live
    claim), has a reply waiting to be sent, or already answered - each with who and when.
    Empty when `who` is alone on it."""
    out: list[str] = []
    if state.claim_active(now) and state.claimed_by != who:
        since = (
            state.claim_expires - timedelta(minutes=CLAIM_MINUTES) if state.claim_expires else None
        )
        out.append(f"{state.claimed_by} is answering this (claimed at {hhmm(since)})")
    for r in state.replies:
        if r.by == who:
            continue
        if r.status is DeliveryStatus.PENDING:
            out.append(f"{r.by} has a reply waiting to be sent (written at {hhmm(r.at)})")
        elif r.status is DeliveryStatus.AWAITING:
            out.append(f"{r.by} has a reply awaiting approval (written at {hhmm(r.at)})")
        elif r.status in (DeliveryStatus.DELIVERED, DeliveryStatus.MANUAL):
            out.append(f"{r.by} already answered (at {hhmm(r.at)})")
    return out


def takeovers(events: Iterable[Event], who: str) -> list[Event]:
    """The claims of `who` that someone else took over while they were live (the journal
    keeps the claim's before/after): what `who`'s inbox tells them."""
    out = []
    for e in events:
        if e.action != "claim" or e.who == who or e.before.get("claimed_by") != who:
            continue
        expires = dt_from_json(e.before.get("claim_expires"))
        if e.after.get("claimed_by") == e.who and (expires is None or expires > e.at):
            out.append(e)
    return out


def takeover_message(event: Event) -> str:
    return f"{event.who} took over your claim on {event.target} at {hhmm(event.at)}"


def release(state: TriageState) -> Fields:
    return {"claimed_by": None, "claim_expires": None}


def handoff(state: TriageState, team: str, note: str, who: str, now: datetime) -> Fields:
    """A new group then waits on the team. The hand-off is a first response only once it
    is delivered (`handoff_delivery`): a pending or failed one reached nobody."""
    team, note = clean_field(team).strip(), clean_field(note).strip()
    if not team:
        raise ValueError("a hand-off needs a team")
    fields: Fields = {"handoff": Handoff(team, note, who, now)}
    if state.status is Status.NEW:
        fields["status"] = Status.WAITING
    return fields


def note(state: TriageState, text: str, who: str, now: datetime) -> Fields:
    text = clean_field(text).strip()
    if not text:
        raise ValueError("a note needs some text")
    return {"notes": (*state.notes, Note(text, who, now))}


def snooze(state: TriageState, until: datetime | None) -> Fields:
    return {"snoozed_until": until}


def merge(state: TriageState, into: str) -> Fields:
    """Story `state.target` joins story `into` (both as shown now: see triage.stories)."""
    if not into or into == state.target:
        raise Conflict(f"{state.target} is already that story")
    return {"merged_into": into}


def split(state: TriageState, copy: str, story: str) -> Fields:
    """Copy `copy` (whose own state this is) leaves story `story`: a story merged in
    is merged out again; any other copy heads a story of its own. The story's first
    post cannot leave it (its id is the story's): split the other copies out."""
    if copy == story:
        raise Conflict(f"{copy} is the story itself: split the other copies out of it")
    if state.merged_into:
        return {"merged_into": None}
    return {"split_from": story}


def new_reply(
    text: str, who: str, now: datetime, key: str, mention_id: str, manual: bool,
    awaiting: bool = False,
) -> Reply:  # fmt: skip
    """A reply to queue (PENDING), one made by hand (MANUAL), or one that waits for a
    reviewer (AWAITING: never sent as is, see triage.approval)."""
    if not text.strip():
        raise ValueError("a reply needs some text")
    status = DeliveryStatus.MANUAL if manual else DeliveryStatus.PENDING
    if awaiting:
        status = DeliveryStatus.AWAITING
    return Reply(key=key, text=text, by=who, at=now, mention_id=mention_id, status=status)


def _awaiting(state: TriageState, key: str) -> Reply:
    for r in state.replies:
        if r.key == key:
            if r.status is not DeliveryStatus.AWAITING:
                raise Conflict(f"this reply is not awaiting approval (it is {r.status.value})")
            return r
    raise NotFound(f"no reply {key!r} on {state.target!r}")


def _with_reply(state: TriageState, key: str, **changes: Any) -> Fields:
    replies = tuple(
        Reply.from_json({**r.to_json(), **changes}) if r.key == key else r for r in state.replies
    )
    return {"replies": replies}


def approve(state: TriageState, key: str, who: str, text: str | None = None) -> Fields:
    """A reviewer approves a waiting reply (as written, or as they edited it): it is
    queued for sending. Nobody approves their own reply."""
    r = _awaiting(state, key)
    if r.by == who:
        raise Conflict("you cannot approve your own reply: another reviewer must")
    new_text = r.text if text is None else text
    if not new_text.strip():
        raise ValueError("a reply needs some text")
    return _with_reply(
        state, key, status=DeliveryStatus.PENDING.value, text=new_text, reviewed_by=who,
        review_note="",
    )  # fmt: skip


def send_back(state: TriageState, key: str, who: str, note: str) -> Fields:
    """A reviewer returns a waiting reply to its author with a note (never sent)."""
    _awaiting(state, key)
    note = clean_field(note).strip()
    if not note:
        raise ValueError("say why in a note: the author reads it")
    return _with_reply(
        state, key, status=DeliveryStatus.RETURNED.value, reviewed_by=who, review_note=note
    )


def reply(state: TriageState, new: Reply) -> Fields:
    """A reply made by hand is the first response at once; a queued one when delivered."""
    fields: Fields = {"replies": (*state.replies, new)}
    if new.status is DeliveryStatus.MANUAL and state.first_response_at is None:
        fields["first_response_at"] = new.at
    if state.status is Status.NEW:
        fields["status"] = Status.OPEN
    return fields


def reply_delivery(
    state: TriageState,
    key: str,
    status: DeliveryStatus,
    now: datetime,
    posted_url: str = "",
    error: str = "",
) -> Fields:
    replies: list[Reply] = []
    found = None
    for r in state.replies:
        if r.key == key:
            found = r = Reply.from_json(
                {
                    **r.to_json(),
                    "status": status.value,
                    "posted_url": posted_url or r.posted_url,
                    "error": error,
                    "attempts": r.attempts + 1,
                }
            )
        replies.append(r)
    if found is None:
        raise NotFound(f"no reply {key!r} on {state.target!r}")
    fields: Fields = {"replies": tuple(replies)}
    if status is DeliveryStatus.DELIVERED and state.first_response_at is None:
        fields["first_response_at"] = now
    return fields


def handoff_delivery(
    state: TriageState, delivery: DeliveryStatus, error: str = "", now: datetime | None = None
) -> Fields:
    """The outbox's outcome for the hand-off. DELIVERED stops the SLA clock (at `now`, the
    delivery, else the hand-off's own time). PENDING on a FAILED one is a person asking
    for a retry: its attempts start again from zero."""
    if state.handoff is None:
        raise NotFound(f"{state.target!r} has no hand-off")
    h = state.handoff
    retry = delivery is DeliveryStatus.PENDING and h.delivery is DeliveryStatus.FAILED
    attempts = 0 if retry else h.attempts + 1
    data = {**h.to_json(), "delivery": delivery.value, "error": error, "attempts": attempts}
    fields: Fields = {"handoff": Handoff.from_json(data)}
    if delivery is DeliveryStatus.DELIVERED and state.first_response_at is None:
        fields["first_response_at"] = now or h.at
    return fields


def retry_handoff(state: TriageState) -> Fields:
    """Send a failed hand-off again (Refused when there is none to retry)."""
    h = state.handoff
    if h is None or h.delivery is not DeliveryStatus.FAILED:
        raise Conflict("no failed hand-off to retry here")
    return handoff_delivery(state, DeliveryStatus.PENDING)


AUTO_BATCH = "auto"  # Event.batch of what the app did by itself: never on the undo stack


def undo_candidate(events: Iterable[Event], who: str) -> Event | None:
    """`who`'s last undoable event not yet undone (events oldest first)."""
    batch = undo_batch(events, who)
    return batch[0] if batch else None


def undo_batch(events: Iterable[Event], who: str) -> list[Event]:
    """`who`'s last user action not yet undone, newest event first: one event, or every
    event of its batch (a bulk "done" on 3 groups is one step). Automatic claims and
    releases (batch AUTO_BATCH) are skipped."""
    return undo_batch_newest_first(reversed(list(events)), who)


def undo_batch_newest_first(newest_first: Iterable[Event], who: str) -> list[Event]:
    """`undo_batch` over the events newest first, read only as far as needed: a store
    reads its journal backwards and stops at the step found (store.journal)."""
    undone: set[str] = set()
    found: list[Event] = []
    for event in newest_first:
        if event.action == "undo" and event.undoes:
            undone.add(event.undoes)
            continue
        if event.who != who or event.action not in UNDOABLE or event.id in undone:
            continue
        if event.batch == AUTO_BATCH:
            continue
        if not found:
            found.append(event)
            if event.batch is None:
                return found
        elif event.batch == found[0].batch:
            found.append(event)
        else:
            break
    return found


def undo_fields(candidate: Event, current: TriageState) -> dict[str, Any]:
    """The JSON fields that put `current` back as it was before `candidate`.

    Conflict when someone changed the same fields since: undo never overwrites another
    person's later decision.
    """
    now_json = current.to_json()
    fields = [k for k in candidate.before if k not in ("updated_at", "updated_by")]
    if any(now_json.get(k) != candidate.after.get(k) for k in fields):
        raise Conflict(
            f"cannot undo {candidate.action} on {candidate.target}: "
            f"{current.updated_by or 'someone'} changed it since"
        )
    return {k: candidate.before[k] for k in fields}


def undo_event(
    candidate: Event, current: TriageState, user: str, now: datetime, event_id: str
) -> tuple[Event, TriageState]:
    """The "undo" event that reverts `candidate` on the current state, and the state it
    makes; Conflict (from `undo_fields`) when someone changed those fields since."""
    restore = undo_fields(candidate, current)
    now_json = current.to_json()
    data = {**now_json, **restore}
    data.update(rev=current.rev + 1, updated_at=dt_to_json(now), updated_by=user)
    new_state = TriageState.from_json(data)
    new_json = new_state.to_json()
    event = Event(
        event_id,
        now,
        user,
        "undo",
        candidate.target,
        {k: now_json[k] for k in restore},
        {k: new_json[k] for k in (*restore, "updated_at", "updated_by")},
        new_state.rev,
        undoes=candidate.id,
    )
    return event, new_state
