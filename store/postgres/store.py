"""PgStore: the PostgreSQL backend of `triage.protocol.Store`.

Each action is one transaction: the target's state row is locked (SELECT ... FOR
UPDATE, so two people claiming one story are serialised and the second gets the same
Conflict the folder store gives), the transition of `triage.transitions` decides, the
new state and its event are written, the store's generation is bumped and announced
(NOTIFY) - all committed together or not at all, so an action acknowledged on screen
survives kill -9 of any node. Replies and hand-offs waiting to be sent are handed out
with SELECT ... FOR UPDATE SKIP LOCKED: several `veille watch` nodes share the outbox
and none is given a row another node holds.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, Protocol

import psycopg
from psycopg import pq
from psycopg.types.json import Jsonb

from store.actor import ActingUser, acting_as
from store.errors import StoreError
from store.people import register_database
from store.postgres import rows as R
from store.postgres.approvals import PgApprovals
from store.postgres.connect import CHANNEL, in_words, local_folder, node_id, open_pool
from store.postgres.owed import OWE, PgOwed, owe_params
from store.postgres.people import PgPeople
from store.postgres.reader import PgReader
from store.postgres.reads import PgReads
from store.postgres.schema import migrate, schema_version
from store.postgres.stories import STORY_LOCK, PgStories, place, restory, touched
from store.postgres.url import describe
from store.verbs import ActionVerbs
from triage import transitions as rules
from triage.model import (
    DeliveryStatus,
    Event,
    Handoff,
    Mention,
    Reply,
    TriageState,
    utcnow,
)

GROUPING_WINDOW = timedelta(hours=72)
HOLD_SECONDS = 300  # how long a node keeps an outbox row it took (then another may)
TAKE = 16  # outbox rows a node takes at once (the rest stay for the other nodes)
UNDO_LOOKBACK = 5000  # events read to find the last undoable action of a user
STORY_ACTIONS = frozenset({"merge", "split"})  # the actions that may move copies (restory)

Conn = psycopg.Connection[Any]


class Pipeline(Protocol):
    def seed(self, mentions: Iterable[Mention]) -> None: ...
    def process(self, mention: Mention) -> Mention: ...


class PgStore(PgApprovals, PgReads, PgStories, PgReader, ActionVerbs, PgOwed):
    """The store in a PostgreSQL database, shared by every node that names its URL."""

    user, acting_as = ActingUser(), acting_as  # store.actor: a rule acts as `rule:NAME`

    def __init__(self, url: str, pool: Any, user: str, pipeline: Pipeline | None):
        super().__init__(url, pool, user, str(local_folder(url)))
        self.pipeline = pipeline
        self.node = node_id()
        self._ingesting = threading.Lock()
        self._batches = threading.local()
        self._restoried = threading.local()  # this thread's last write moved copies
        self._seeded_seq: int | None = None
        self._own: set[str] = set()
        self.hold_seconds = HOLD_SECONDS

    @classmethod
    def open(
        cls,
        url: str,
        *,
        user: str,
        pipeline: Pipeline | None = None,
        lock_timeout: float = 10.0,
        listen: bool = True,
        create: bool = True,
    ) -> PgStore:
        """Connect, migrate (or refuse a newer schema), load the triage states.
        `create=False` refuses a database that holds no veille store yet."""
        with in_words(url):
            with psycopg.connect(url, connect_timeout=max(2, int(lock_timeout))) as conn:
                if not create and schema_version(conn) == 0:
                    raise StoreError(f"no veille store in {describe(url)} yet")
                migrate(conn, describe(url))
            pool = open_pool(url, lock_timeout)
        store = cls(url, pool, user, pipeline)
        try:
            store._load_states()
            if listen:
                store.listen()
        except BaseException:
            store.close()
            raise
        register_database(store.location, store)
        return store

    @property
    def closed(self) -> bool:
        return bool(self.pool.closed)

    @property
    def people_list(self) -> PgPeople:
        """The people of this store (store.people's interface, in the `people` table)."""
        return PgPeople(self.url, self.pool)

    def __enter__(self) -> PgStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._close_owner_lock()  # its rows (if any are left) are now another node's to run
        super().close()

    # ------------------------------------------------------------------ transactions
    @contextmanager
    def _tx(self) -> Iterator[Conn]:
        with in_words(self.url), self.pool.connection() as conn, conn.transaction():
            yield conn

    @contextmanager
    def _piped(self) -> Iterator[Conn]:
        """One transaction in a pipeline, BEGIN and COMMIT as statements: what is
        executed is queued, sent when a result is read (BEGIN with the lock) or at the
        end (the writes with COMMIT): an action is two round trips, psycopg's own
        Transaction syncs BEGIN and the writes apart (four, each a wait on a busy host)."""
        with in_words(self.url), self.pool.connection() as conn:
            conn.autocommit = True
            try:
                with conn.pipeline():
                    conn.execute("BEGIN")
                    yield conn
                    conn.execute("COMMIT")
            finally:
                if conn.info.transaction_status != pq.TransactionStatus.IDLE:
                    conn.execute("ROLLBACK")  # an error or a refusal: nothing is kept
                conn.autocommit = False

    def _bump(self, conn: Conn) -> int:
        """The next generation, announced (NOTIFY, sent at commit) in the same round trip.
        Its row lock orders the commits: take it after the target's row lock."""
        row = conn.execute(R.BUMP, (CHANNEL,)).fetchone()
        return int(row[0])  # type: ignore[index]

    def _locked_state(self, conn: Conn, target: str) -> TriageState:
        """The target's state as committed, its row locked until the transaction ends."""
        return TriageState.from_json(self._lock(conn, target).fetchone()[0])  # type: ignore[index]

    def _lock(self, conn: Conn, target: str) -> psycopg.Cursor[Any]:
        """Lock the target's state row, made first if nobody acted on it yet; the cursor
        whose row is the state. Two statements, one round trip in a pipeline: the
        second (its own snapshot) sees our insert, or the row another node committed."""
        conn.execute(
            "INSERT INTO states (target, record, status, tags, handed_off, rev, gen) "
            "VALUES (%s, %s, 'new', '{}', false, 0, 0) ON CONFLICT DO NOTHING",
            (target, Jsonb(TriageState(target).to_json())),
        )
        return conn.execute("SELECT record FROM states WHERE target = %s FOR UPDATE", (target,))

    def _write(
        self, conn: Conn, states: list[TriageState], events: list[Event], gen: int | None = None
    ) -> int:
        """The new states and their events, sent in one pipeline (one round trip; with
        COMMIT when the transaction is pipelined). `gen`: already bumped (by `_act`, which
        took the story lock first for a merge or split). An event changing a merge or a
        split places the stories' copies again (restory)."""
        involved = touched(events)
        if gen is None:
            if involved:  # before the generation's row lock, as ingest takes them
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (STORY_LOCK,))
            gen = self._bump(conn)
        piped = conn.pgconn.pipeline_status != pq.PipelineStatus.OFF
        with nullcontext() if piped else conn.pipeline():
            cur = conn.cursor()
            for state in states:
                cur.execute(R.UPSERT_STATE, R.state_params(state, gen))
                for params in R.outbox_params(state):
                    cur.execute(R.UPSERT_OUTBOX, params)
                delivery = R.handoff_delivery(state)
                if delivery is None:
                    cur.execute("DELETE FROM handoffs WHERE target = %s", (state.target,))
                else:
                    cur.execute(R.UPSERT_HANDOFF, (state.target, delivery))
            for e in events:
                cur.execute(
                    "INSERT INTO events (id, at, who, action, target, record) "
                    "VALUES (%s,%s,%s,%s,%s,%s)",
                    (e.id, e.at, e.who, e.action, e.target, Jsonb(e.to_json())),
                )
        if involved:
            restory(conn, involved, gen)
            self._restoried.moved = True
        return gen

    def _after_commit(self, states: list[TriageState], gen: int) -> None:
        if getattr(self._restoried, "moved", False):
            self._restoried.moved = False
            self._stories_moved()
        with self.mutex:
            for state in states:
                self.states[state.target] = state
                self._views.pop(state.target, None)
            self._heard(gen)

    # ------------------------------------------------------------------ actions
    def _act(
        self, target: str, action: str, change: Callable[[TriageState, datetime], dict[str, Any]]
    ) -> TriageState:
        gid = self.resolve(target)
        with self._piped() as conn:
            locked = self._lock(conn, gid)
            if action in STORY_ACTIONS:  # before the generation's row lock, as ingest
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (STORY_LOCK,))
            bump = conn.execute(R.BUMP, (CHANNEL,))  # after the state's lock (see _bump)
            current = TriageState.from_json(locked.fetchone()[0])  # type: ignore[index]
            gen = int(bump.fetchone()[0])  # type: ignore[index]
            now = utcnow()
            fields = change(current, now)
            before = {k: v for k, v in current.to_json().items() if k in fields}
            after_state = current.evolve(
                **fields, rev=current.rev + 1, updated_at=now, updated_by=self.user
            )
            after_json = after_state.to_json()
            after = {k: after_json[k] for k in (*fields, "updated_at", "updated_by")}
            event = Event(
                uuid.uuid4().hex, now, self.user, action, gid, before, after, after_state.rev,
                batch=getattr(self._batches, "id", None),
            )  # fmt: skip
            self._write(conn, [after_state], [event], gen)
        self._after_commit([after_state], gen)
        return after_state

    def undo(self, user: str | None = None) -> Event | None:
        """Revert `user`'s last action (one batch), all or nothing, in one transaction."""
        who = user or self.user
        with self._piped() as conn:
            rows = conn.execute(
                "SELECT record FROM (SELECT seq, record FROM events WHERE who = %s "
                "OR action = 'undo' ORDER BY seq DESC LIMIT %s) t ORDER BY seq",
                (who, UNDO_LOOKBACK),
            ).fetchall()
            batch = rules.undo_batch((Event.from_json(r[0]) for r in rows), who)
            if not batch:
                return None
            current = {t: self._locked_state(conn, t) for t in sorted({e.target for e in batch})}
            for e in batch:  # any conflict refuses the whole step
                rules.undo_fields(e, current[e.target])
            events = []
            for candidate in batch:  # newest first
                event, current[candidate.target] = rules.undo_event(
                    candidate, current[candidate.target], self.user, utcnow(), uuid.uuid4().hex
                )
                events.append(event)
            states = list(current.values())
            gen = self._write(conn, states, events)
        self._after_commit(states, gen)
        return batch[0]

    def import_records(self, states: list[TriageState], events: list[Event]) -> None:
        """Write states and journal events as they are, in one transaction (store copy)."""
        with self._tx() as conn:
            gen = self._write(conn, states, events)
        self._after_commit(states, gen)

    # ------------------------------------------------------------------ outbox
    def pending_outbox(self) -> list[tuple[str, Reply]]:
        """Replies waiting to be posted that no other node holds; this node takes them
        for HOLD_SECONDS (SKIP LOCKED: two nodes never get one reply)."""
        with self._tx() as conn:
            taken = conn.execute(
                "WITH picked AS (SELECT key FROM outbox WHERE status = 'pending' AND "
                "(taken_until IS NULL OR taken_until < now() OR taken_by = %(me)s) "
                "ORDER BY key LIMIT %(take)s FOR UPDATE SKIP LOCKED) "
                "UPDATE outbox o SET taken_by = %(me)s, "
                "taken_until = now() + %(hold)s * interval '1 second' "
                "FROM picked WHERE o.key = picked.key RETURNING o.target, o.key",
                {"me": self.node, "hold": self.hold_seconds, "take": TAKE},
            ).fetchall()
            keys = {k for _, k in taken}
            states = self._states_of(conn, sorted({t for t, _ in taken}))
        return [
            (s.target, r)
            for s in states
            for r in s.replies
            if r.key in keys and r.status is DeliveryStatus.PENDING
        ]

    def pending_handoffs(self) -> list[tuple[str, Handoff]]:
        with self._tx() as conn:
            taken = conn.execute(
                "WITH picked AS (SELECT target FROM handoffs WHERE delivery = 'pending' AND "
                "(taken_until IS NULL OR taken_until < now() OR taken_by = %(me)s) "
                "ORDER BY target LIMIT %(take)s FOR UPDATE SKIP LOCKED) "
                "UPDATE handoffs h SET taken_by = %(me)s, "
                "taken_until = now() + %(hold)s * interval '1 second' "
                "FROM picked WHERE h.target = picked.target RETURNING h.target",
                {"me": self.node, "hold": self.hold_seconds, "take": TAKE},
            ).fetchall()
            states = self._states_of(conn, sorted(t for (t,) in taken))
        return [
            (s.target, s.handoff)
            for s in states
            if s.handoff is not None and s.handoff.delivery is DeliveryStatus.PENDING
        ]

    def _states_of(self, conn: Conn, targets: list[str]) -> list[TriageState]:
        if not targets:
            return []
        rows = conn.execute(
            "SELECT record FROM states WHERE target = ANY(%s) ORDER BY target", (targets,)
        ).fetchall()
        return [TriageState.from_json(r[0]) for r in rows]

    # ------------------------------------------------------------------ ingestion
    def ingest(self, mentions: Iterable[Mention], owe_rules: bool = False) -> list[Mention]:
        """Store what is new in one transaction; return it, enriched by the pipeline
        (`owe_rules`: with the rows saying their rules are owed, store.postgres.owed)."""
        with self._ingesting:
            batch: dict[str, Mention] = {}
            old: dict[str, str] = {}
            for m in mentions:
                if m.id not in batch:
                    batch[m.id] = m
                    previous = m.extra.get("previous_id") if m.extra else None
                    if isinstance(previous, str):
                        old[m.id] = previous
            if not batch:
                return []
            ids = [*batch, *old.values()]
            known = {
                r[0] for r in self._query("SELECT id FROM mentions WHERE id = ANY(%s)", (ids,))
            }
            fresh = [m for m in batch.values() if m.id not in known and old.get(m.id) not in known]
            if not fresh:
                return []
            fresh.sort(key=lambda m: (m.created_at, m.id))
            if self.pipeline is not None:
                self._seed(self.pipeline)
                fresh = [self.pipeline.process(m) for m in fresh]
            key = self._owner_key() if owe_rules else None  # before the transaction
            stored = self._insert(fresh, owe_rules, key)
            self._own.update(m.id for m in stored)
        return stored

    def _insert(
        self, fresh: list[Mention], owe_rules: bool = False, lock_key: str | None = None
    ) -> list[Mention]:
        with self._tx() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (STORY_LOCK,))
            stories = place(conn, fresh)  # {} unless someone merged or split
            cur = conn.cursor()
            cur.executemany(
                "INSERT INTO mentions (id, group_id, created_at, record) VALUES (%s, %s, %s, %s) "
                "ON CONFLICT (id) DO NOTHING RETURNING id",
                [
                    (m.id, stories.get(m.id, m.group_id or m.id), m.created_at, Jsonb(m.to_json()))
                    for m in fresh
                ],
                returning=True,
            )
            inserted: set[str] = set()
            while True:
                row = cur.fetchone()
                if row is not None:
                    inserted.add(row[0])
                if not cur.nextset():
                    break
            stored = [m for m in fresh if m.id in inserted]  # another node stored the rest
            if not stored:
                return []
            gen = self._bump(conn)
            groups = R.group_rows(
                [replace(m, group_id=stories[m.id]) if m.id in stories else m for m in stored]
            )
            cur.executemany(R.UPSERT_GROUP, [g.params(gen) for g in groups])
            words = R.words_of(groups, gen)
            if words:
                cur.executemany(
                    "INSERT INTO words (word) VALUES (%s) ON CONFLICT DO NOTHING",
                    [(w,) for w in words],
                )
            conn.execute("UPDATE veille_meta SET mentions = mentions + %s", (len(stored),))
            if owe_rules:
                conn.execute(OWE, owe_params([m.id for m in stored], lock_key))
        with self.mutex:
            for g in groups:
                self._views.pop(g.group_id, None)
            self._vocabulary = None
            self._heard(gen)
        return stored

    def _seed(self, pipeline: Pipeline) -> None:
        """Show the pipeline the recent archive once, then what other nodes stored."""
        if self._seeded_seq is None:
            top = self._query("SELECT coalesce(max(seq), 0) FROM mentions")
            rows = self._query(
                "SELECT seq, record FROM mentions WHERE created_at >= "
                "(SELECT max(created_at) FROM mentions) - %s ORDER BY created_at, id",
                (GROUPING_WINDOW,),
            )
            pipeline.seed([Mention.from_json(r[1]) for r in rows])
            self._seeded_seq = int(top[0][0])
            return
        rows = self._query(
            "SELECT seq, record FROM mentions WHERE seq > %s ORDER BY seq", (self._seeded_seq,)
        )
        if rows:
            self._seeded_seq = int(rows[-1][0])
            others = [Mention.from_json(r[1]) for r in rows if r[1]["id"] not in self._own]
            others.sort(key=lambda m: (m.created_at, m.id))
            if others:
                pipeline.seed(others)
        self._own.clear()


__all__ = ["PgStore", "StoreError"]
