"""The read half of the PostgreSQL store (`triage.protocol.StoreReader`).

The archive stays in the database: ranking and filters are one SQL query each
(store.postgres.sqlfilter) answered from the rank, trigram and GIN indexes; a row's
GroupView is read when it is shown and cached until its group or state changes. What
the client keeps: the triage states (small and hot: one per group someone acted on) and
the views it has shown. `refresh()` re-reads only the rows whose `gen` is newer than
the last seen generation, which LISTEN/NOTIFY announces the moment another node commits.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import psycopg
from psycopg.rows import scalar_row
from psycopg_pool import ConnectionPool

from store.postgres.alerting import PgAlerting
from store.postgres.connect import CHANNEL, in_words
from store.postgres.counts import counts_query, to_counts
from store.postgres.schema import AUTHOR_KEY
from store.postgres.sqlfilter import visibility, where
from triage.errors import NotFound
from triage.filter import Filter, FilterContext, parse_filter
from triage.model import Event, Mention, TriageState, utcnow
from triage.priority import URGENT_THRESHOLD
from triage.query import Counts, SlaLeftClock
from triage.views import GroupView

PAGE = 2000  # rows per round trip when a whole table is streamed
VIEW_CACHE = 20_000  # views kept (a screen shows ~50; the counts walk every group)
READAHEAD = 500  # views read at once when a walk over a listed order misses one
LARGE = 20_000  # groups a filter may list before the inbox scans by itself instead
RANK = "ORDER BY g.priority DESC, g.last_at DESC, g.seq"
AUTHOR_HISTORY = 200  # an author's mentions the thread pane's history is given at most
WINDOW = 2000  # top-ranked groups a page walks before asking the indexes for every match


class PgReader(PgAlerting):
    """Mentions, groups and states of one PostgreSQL database, read on demand."""

    def __init__(self, url: str, pool: ConnectionPool, user: str, location: str):
        self.url = url
        self.pool = pool
        self.user = user
        self.urgent_threshold = URGENT_THRESHOLD
        self.problems: list[str] = []
        self._location = location
        self.mutex = threading.RLock()
        self.states: dict[str, TriageState] = {}
        self._views: dict[str, GroupView] = {}
        self._mentions: dict[str, Mention] = {}
        self._groups_of: dict[str, str] = {}  # resolve's answers
        self.window = WINDOW
        self._vocabulary: set[str] | None = None
        self._seen = 0  # the generation whose rows this client has read
        self._known = 0  # the newest generation heard of (NOTIFY or our own writes)
        self._listener: psycopg.Connection[Any] | None = None
        self._listen_lock = threading.Lock()
        # the last orders handed out (group_ids: the counts; ranked_ids: the list): a
        # view missed while someone walks one reads the next READAHEAD in one query
        self._walks: dict[str, list[str]] = {}
        self._walk_at: dict[str, int] = {}

    # ------------------------------------------------------------------ plumbing
    def _query(self, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
        with in_words(self.url), self.pool.connection() as conn:
            return conn.execute(sql, params).fetchall()

    def _column(self, sql: str, params: Any = None) -> list[str]:
        """One column as a plain list (no tuple per row: a million ids come back fast)."""
        with (
            in_words(self.url),
            self.pool.connection() as conn,
            conn.cursor(row_factory=scalar_row) as cur,
        ):
            return cur.execute(sql, params).fetchall()

    def _load_states(self) -> None:
        with in_words(self.url), self.pool.connection() as conn:
            gen = conn.execute("SELECT generation FROM veille_meta").fetchone()
            rows = conn.execute("SELECT record FROM states WHERE gen > 0").fetchall()
        self.states = {r[0]["target"]: TriageState.from_json(r[0]) for r in rows}
        self._seen = self._known = int(gen[0]) if gen else 0

    def listen(self) -> None:
        """Hear other nodes' commits at once (LISTEN); without it `generation` asks."""
        with in_words(self.url):
            conn = psycopg.connect(self.url, autocommit=True)
            conn.execute(f"LISTEN {CHANNEL}")
        self._listener = conn

    def close(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        self.pool.close()

    # ------------------------------------------------------------------ refresh
    @property
    def location(self) -> str:
        return self._location

    @property
    def generation(self) -> int:
        listener = self._listener
        if listener is None or listener.closed:
            rows = self._query("SELECT generation FROM veille_meta")
            return int(rows[0][0])
        with self._listen_lock, in_words(self.url):
            for note in listener.notifies(timeout=0):
                if note.payload.isdigit():
                    self._known = max(self._known, int(note.payload))
        return self._known

    def _heard(self, gen: int) -> None:
        """Our own write made `gen`: up to date if we were before it."""
        if self._seen == gen - 1:
            self._seen = gen
        self._known = max(self._known, gen)

    def refresh(self) -> bool:
        """Re-read the rows another process changed since we last looked.

        Asks the database (one small query) rather than trusting NOTIFY alone: a
        notification may still be on its way when a caller refreshes right after
        another process committed. `generation` is the cheap hint the inbox polls."""
        with self.mutex:
            seen = self._seen
            with in_words(self.url), self.pool.connection() as conn:
                gen = int(conn.execute("SELECT generation FROM veille_meta").fetchone()[0])  # type: ignore[index]
                if gen == seen:
                    return False
                states = conn.execute(
                    "SELECT record FROM states WHERE gen > %s", (seen,)
                ).fetchall()
                groups = conn.execute(
                    "SELECT group_id FROM groups WHERE gen > %s", (seen,)
                ).fetchall()
            for (record,) in states:
                state = TriageState.from_json(record)
                self.states[state.target] = state
                self._views.pop(state.target, None)
            for (gid,) in groups:
                self._views.pop(gid, None)
            if groups:
                self._vocabulary = None
            self._seen = gen
            self._known = max(self._known, gen)
            return bool(states or groups)

    # ------------------------------------------------------------------ reading
    def __len__(self) -> int:
        return int(self._query("SELECT mentions FROM veille_meta")[0][0])

    def mention(self, mention_id: str) -> Mention | None:
        found = self._mentions.get(mention_id)
        if found is None:
            rows = self._query("SELECT record FROM mentions WHERE id = %s", (mention_id,))
            if not rows:
                return None
            if len(self._mentions) > VIEW_CACHE:
                self._mentions.clear()
            found = self._mentions[mention_id] = Mention.from_json(rows[0][0])
        return found

    def group(self, group_id: str) -> list[Mention]:
        rows = self._query(
            "SELECT record FROM mentions WHERE group_id = %s ORDER BY created_at, id", (group_id,)
        )
        return [Mention.from_json(r[0]) for r in rows]

    def group_ids(self) -> list[str]:
        ids = self._column("SELECT group_id FROM groups ORDER BY seq")
        return self._walked("groups", ids)

    def resolve(self, target: str) -> str:
        """The group of a target: asked once per id (a mention never changes group)."""
        gid = self._groups_of.get(target)
        if gid is not None:
            return gid
        rows = self._query(
            "SELECT group_id FROM groups WHERE group_id = %(t)s "
            "UNION ALL SELECT group_id FROM mentions WHERE id = %(t)s LIMIT 1",
            {"t": target},
        )
        if rows:
            if len(self._groups_of) > VIEW_CACHE:
                self._groups_of.clear()
            gid = self._groups_of[target] = str(rows[0][0])
            return gid
        if target in self.states:  # a mention acted on alone
            return target
        raise NotFound(f"no mention or group with id {target!r}")

    def state(self, target: str) -> TriageState:
        return self.states.get(target) or TriageState(target)

    def view(self, group_id: str) -> GroupView:
        view = self._views.get(group_id)
        if view is None and self._readahead(group_id):
            view = self._views.get(group_id)
        if view is None:
            mentions = self.group(group_id)
            if not mentions:
                raise NotFound(f"no group with id {group_id!r}")
            view = self._make_view(group_id, mentions)
        return view

    def _walked(self, name: str, ids: list[str]) -> list[str]:
        self._walks[name] = ids
        self._walk_at[name] = 0
        return ids

    def _readahead(self, group_id: str) -> bool:
        """Read the views after `group_id` in a walked order, in one query."""
        for name, ids in list(self._walks.items()):
            at = self._walk_at.get(name, 0)
            if at < len(ids) and ids[at] == group_id:
                start = at
            else:
                try:
                    start = ids.index(group_id)  # a jump (the list scrolled): a C scan
                except ValueError:
                    continue
            chunk = ids[start : start + READAHEAD]
            self._walk_at[name] = start + len(chunk)
            self.prefetch(chunk)
            return True
        return False

    def prefetch(self, group_ids: list[str]) -> None:
        """Read the views of many groups in one query (a screenful, or the counts)."""
        missing = [g for g in group_ids if g not in self._views]
        for start in range(0, len(missing), PAGE):
            chunk = missing[start : start + PAGE]
            rows = self._query(
                "SELECT group_id, record FROM mentions WHERE group_id = ANY(%s) "
                "ORDER BY group_id, created_at, id",
                (chunk,),
            )
            members: dict[str, list[Mention]] = {}
            for gid, record in rows:
                members.setdefault(gid, []).append(Mention.from_json(record))
            for gid, mentions in members.items():
                self._make_view(gid, mentions)

    def _make_view(self, group_id: str, mentions: list[Mention]) -> GroupView:
        priority = max(float(m.priority or 0.0) for m in mentions)
        signals = tuple(dict.fromkeys(s for m in mentions for s in m.signals))
        view = GroupView(group_id, mentions, self.state(group_id), priority, signals)
        if len(self._views) > VIEW_CACHE:
            self._views.clear()
        self._views[group_id] = view
        if len(self._groups_of) > VIEW_CACHE:
            self._groups_of.clear()
        for m in mentions:  # what is on screen resolves without asking (an action on it)
            self._groups_of[m.id] = group_id
        return view

    def author_mentions(self, mention: Mention, limit: int = AUTHOR_HISTORY) -> list[Mention]:
        """The newest `limit` mentions by `mention`'s author on its platform (the thread
        pane's history), from the author index: the TUI's `build_author_index` reads the
        whole archive for this, which a database store need not do. The same key as the
        TUI's (platform, handle or else name, case folded): SQL's lower() narrows, Python's
        casefold() decides."""
        who = mention.author.handle or mention.author.name
        rows = self._query(
            f"SELECT record FROM mentions WHERE ({AUTHOR_KEY}) = (%s, lower(%s)) "
            "ORDER BY created_at DESC, id DESC LIMIT %s",
            (mention.platform, who, limit),
        )
        key = who.casefold()
        found = [Mention.from_json(r[0]) for r in rows]
        return [m for m in found if (m.author.handle or m.author.name).casefold() == key]

    def vocabulary(self) -> set[str]:
        if self._vocabulary is None:
            self._vocabulary = set(self._column("SELECT word FROM words"))
        return self._vocabulary

    def context(self, now: datetime | None = None) -> FilterContext:
        return FilterContext(self.user, now or utcnow(), self.urgent_threshold)

    def answers_filter(self, flt: Filter, now: datetime | None = None) -> bool:
        """Whether the inbox should ask `ranked_ids` (one SQL query on the indexes)
        rather than scan views itself. Yes when the answer is a selective one; no when
        a free word is shorter than a trigram (no index finds "r" inside a word) or
        the planner expects more than LARGE groups (sending them all costs seconds):
        the inbox's own scan shows a first screenful at once and the rest moments later.
        """
        if not all(len(t.value) >= 3 for t in flt.terms if t.field == ""):
            return False
        condition, params = where(flt, self.context(now))
        plan = self._query(
            f"EXPLAIN (FORMAT JSON) SELECT 1 FROM groups g WHERE {condition}", params
        )
        return int(plan[0][0][0]["Plan"]["Plan Rows"]) <= LARGE

    def groups(
        self, filter: Filter | str | None = None, now: datetime | None = None
    ) -> list[GroupView]:
        """Views of the groups matching the filter, ranked (as `Inbox.groups`)."""
        ids = self.ranked_ids(filter, now)
        self.prefetch(ids)
        return [self.view(g) for g in ids]

    def _condition(
        self, filter: Filter | str | None, now: datetime | None
    ) -> tuple[str, list[Any]]:
        flt = parse_filter(filter) if isinstance(filter, str) else filter
        if flt is None or flt.is_empty:
            return "true", []
        if any(t.field == "" and not t.negate for t in flt.terms):
            flt = flt.with_vocabulary(self.vocabulary())
        return where(flt, self.context(now))

    def ranked_ids(
        self, filter: Filter | str | None = None, now: datetime | None = None
    ) -> list[str]:
        """The ids of the groups matching the filter, ranked: one SQL query."""
        condition, params = self._condition(filter, now)
        sql = f"SELECT g.group_id FROM groups g WHERE {condition} {RANK}"
        return self._walked("ranked", self._column(sql, params))

    def _visible(
        self, filter: Filter | None, now: datetime, closed: bool, snoozed: bool
    ) -> tuple[str, list[Any]]:
        """The filter and triage.query's visibility rule, as one WHERE clause."""
        condition, params = self._condition(filter, now)
        hide, args = visibility(closed, snoozed, now)
        return f"{condition} AND {hide}", [*params, *args]

    def ranked_page(
        self, filter: Filter | None, now: datetime, limit: int, offset: int = 0,
        closed: bool = False, snoozed: bool = False,
    ) -> list[str]:  # fmt: skip
        """One page of the inbox query (triage.query.page), in at most two queries.

        A filter's matches are either dense near the top of the ranking (then walking the
        rank index finds a page at once) or sparse (then the trigram and GIN indexes find
        them all and the few are sorted). The planner's guess between the two is poor for
        LIKE '%word%', so: first the top WINDOW groups walked, and only when they hold too
        few, every match found by the indexes (a MATERIALIZED set, so no walk) and sorted."""
        condition, params = self._visible(filter, now, closed, snoozed)
        page = [*params, limit, offset]
        with (
            in_words(self.url),
            self.pool.connection() as conn,
            conn.cursor(row_factory=scalar_row) as cur,
        ):
            if condition.startswith("true AND "):  # no filter: the rank index, and done
                sql = f"SELECT g.group_id FROM groups g WHERE {condition} {RANK} LIMIT %s OFFSET %s"
                return cur.execute(sql, page).fetchall()
            top = f"(SELECT * FROM groups g {RANK} LIMIT {int(self.window)})"
            sql = f"SELECT g.group_id FROM {top} g WHERE {condition} {RANK} LIMIT %s OFFSET %s"
            found = cur.execute(sql, page).fetchall()
            if len(found) == limit:
                return found
            sql = (
                "WITH m AS MATERIALIZED (SELECT g.group_id, g.priority, g.last_at, g.seq "
                f"FROM groups g WHERE {condition}) "
                "SELECT group_id FROM m ORDER BY priority DESC, last_at DESC, seq LIMIT %s OFFSET %s"
            )
            return cur.execute(sql, page).fetchall()

    def ranked_count(
        self, filter: Filter | None, now: datetime, closed: bool = False, snoozed: bool = False
    ) -> int:
        """How many groups the inbox query lists (triage.query.total), counted in SQL."""
        condition, params = self._visible(filter, now, closed, snoozed)
        rows = self._query(f"SELECT count(*) FROM groups g WHERE {condition}", params)
        return int(rows[0][0])

    def group_counts(self, now: datetime, sla: SlaLeftClock | None = None) -> Counts:
        """triage.query.count in one SQL query (store.postgres.counts)."""
        sql, params = counts_query(now, self.urgent_threshold, sla, self.user)
        return to_counts(self._query(sql, params))

    # ------------------------------------------------------------------ streaming
    def _pages(self, sql: str, params: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
        """Rows of `sql` (keyset-paged on its first column, `seq`), a page at a time."""
        after = 0
        while True:
            rows = self._query(sql, {**params, "after": after, "n": PAGE})
            yield from rows
            if len(rows) < PAGE:
                return
            after = rows[-1][0]

    def all_mentions(self) -> Iterator[Mention]:
        sql = "SELECT seq, record FROM mentions WHERE seq > %(after)s ORDER BY seq LIMIT %(n)s"
        for _, record in self._pages(sql, {}):
            yield Mention.from_json(record)

    def mentions_between(self, start: datetime, end: datetime) -> Iterator[Mention]:
        sql = (
            "SELECT seq, record FROM mentions WHERE created_at >= %(start)s "
            "AND created_at < %(end)s AND seq > %(after)s ORDER BY seq LIMIT %(n)s"
        )
        for _, record in self._pages(sql, {"start": start, "end": end}):
            yield Mention.from_json(record)

    def events(self, since: datetime | None = None) -> Iterator[Event]:
        sql = (
            "SELECT seq, record FROM events WHERE seq > %(after)s "
            "AND (%(since)s::timestamptz IS NULL OR at >= %(since)s) ORDER BY seq LIMIT %(n)s"
        )
        for _, record in self._pages(sql, {"since": since}):
            yield Event.from_json(record)
