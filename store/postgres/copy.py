"""Copy a whole store between backends (`veille store copy FROM TO`).

Mentions go through the destination's `ingest` (no pipeline: groups and priorities are
kept as recorded); triage states and the journal are written as they are, events in
their order, so undo and reports continue on the copy (merges and splits included: the
destination places the copies in their stories again). The people list and every
user's read marks follow (store.postgres.copyteam). The destination must be empty; the
source is only read. At the end the two are counted and compared, state by state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from store.errors import StoreError
from store.inbox import Inbox
from store.postgres import copyteam as team
from store.postgres.store import PgStore
from triage.model import Event, Mention, TriageState

CHUNK = 5000


@dataclass(frozen=True)
class Counts:
    mentions: int
    groups: int
    states: int
    events: int
    people: int = 0
    read_marks: int = 0

    def line(self) -> str:
        return (
            f"{self.mentions} mentions, {self.groups} groups, {self.states} triage states, "
            f"{self.events} journal events, {self.people} people, {self.read_marks} read marks"
        )


AnyStore = Inbox | PgStore


def _chunks(mentions: Iterator[Mention]) -> Iterator[list[Mention]]:
    chunk: list[Mention] = []
    for m in mentions:
        chunk.append(m)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def states_of(store: AnyStore) -> dict[str, TriageState]:
    """Every stored triage state (a target ever acted on), keyed by target."""
    targets = {e.target for e in store.events()}
    if isinstance(store, PgStore):
        targets |= set(store.states)
    else:
        targets |= set(store.index.states)
    found = {t: store.state(t) for t in targets}
    return {t: s for t, s in found.items() if s.rev > 0}


def counts(store: AnyStore, say: Callable[[str], None] = print) -> Counts:
    return Counts(
        len(store), len(store.group_ids()), len(states_of(store)), sum(1 for _ in store.events()),
        len(team.people_of(store).persons), team.count_marks(team.read_marks(store, say)),
    )  # fmt: skip


def _write_records(dst: AnyStore, states: list[TriageState], events: list[Event]) -> None:
    if isinstance(dst, PgStore):
        dst.import_records(states, events)
        return
    with dst.mutex, dst.lock:
        for event in events:
            dst.journal.append(event)
        for state in states:
            dst.files.write_state(state)


def copy_store(src: AnyStore, dst: AnyStore, say: Callable[[str], None] = print) -> Counts:
    """Copy everything of `src` into the empty `dst`; StoreError if the counts differ."""
    if len(dst) or any(True for _ in dst.events()) or team.people_of(dst).persons:
        raise StoreError("the destination store is not empty: copy into a new one")
    before = counts(src, say)
    say(f"copying {before.line()}")
    for chunk in _chunks(src.all_mentions()):
        dst.ingest(chunk)
    states = states_of(src)
    _write_records(dst, list(states.values()), list(src.events()))
    team.put_people(dst, team.people_of(src))
    team.put_read_marks(dst, team.read_marks(src, lambda _: None))
    dst.refresh()
    after = counts(dst, lambda _: None)
    if after != before:
        raise StoreError(f"the copy differs: source {before.line()}; copy {after.line()}")
    copied = states_of(dst)
    wrong = [t for t, s in states.items() if copied.get(t, TriageState(t)).to_json() != s.to_json()]
    if wrong:
        raise StoreError(f"{len(wrong)} triage states differ after the copy (first: {wrong[0]})")
    return after
