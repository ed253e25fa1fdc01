"""Merge and split on PostgreSQL: grouping fixed by hand, as on the folder store.

A correction is triage state (`TriageState.merged_into`, `.split_from`), written by the
ordinary action path (journaled, undone by `undo`, shared by NOTIFY). The archive's
records stay as the pipeline wrote them; what moves is the `mentions.group_id` column
(the story a copy is in now, by `triage.stories`' rules) and the `groups` rows built
from it (rank, folded text, authors, signals, brands, platforms). So every reader, the
SQL filters and the rank index included, sees stories with no extra join.

`restory` runs in the action's transaction whenever one of its events touches
`merged_into` or `split_from` (an undo too): it places again the copies of the stories
involved and rebuilds their rows. `place` puts a new copy at ingest in the story of the
post it was compared with. Both take one advisory lock so an ingest and a correction on
two nodes never place a copy in a story the other is moving.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import orjson
from psycopg.types.json import set_json_loads

from store.postgres import rows as R
from store.verbs import OWN, StoryVerbs
from triage.errors import NotFound
from triage.model import Event, Mention
from triage.stories import Stories, compared_with

if TYPE_CHECKING:
    import threading

    import psycopg

    from triage.views import GroupView

    Conn = psycopg.Connection[Any]

STORY_LOCK = 0x76656973746F  # advisory lock: placing copies in stories
CORRECTED = ("merged_into", "split_from")
CORRECTIONS = (
    "SELECT target, record->>'merged_into', record->>'split_from' FROM states "
    "WHERE record->>'merged_into' IS NOT NULL OR record->>'split_from' IS NOT NULL"
)


def touched(events: Iterable[Event]) -> set[str]:
    """The ids an event changing a correction involves (its target and the stories it
    named before and after); empty when no event touches one (the usual case)."""
    ids: set[str] = set()
    for e in events:
        if any(k in e.before or k in e.after for k in CORRECTED):
            ids.add(e.target)
            for side in (e.before, e.after):
                ids.update(v for k in CORRECTED if isinstance(v := side.get(k), str) and v)
    return ids


def _corrections(conn: Conn) -> tuple[dict[str, str], set[str]]:
    merged: dict[str, str] = {}
    split: set[str] = set()
    for target, into, frm in conn.execute(CORRECTIONS).fetchall():
        if into:
            merged[target] = into
        if frm:
            split.add(target)
    return merged, split


class _Records:
    """Mention records by id for `Stories`: those at hand, the rest asked one by one."""

    def __init__(self, conn: Conn, known: dict[str, dict[str, Any]]) -> None:
        self.conn = conn
        self.known: dict[str, dict[str, Any] | None] = dict(known)

    def fetch(self, ids: Iterable[str]) -> None:
        missing = [i for i in set(ids) if i not in self.known]
        if missing:
            rows = self.conn.execute(
                "SELECT id, record FROM mentions WHERE id = ANY(%s)", (missing,)
            ).fetchall()
            found = dict(rows)
            for i in missing:
                self.known[i] = found.get(i)

    def fetch_stories(self, ids: set[str]) -> None:
        """Every record of the stories these mentions are in now, in one query (the
        `with` links `Stories` walks mostly stay within a story)."""
        if not ids:
            return
        rows = self.conn.execute(
            "SELECT id, record FROM mentions WHERE group_id IN "
            "(SELECT group_id FROM mentions WHERE id = ANY(%s))",
            (list(ids),),
        ).fetchall()
        for mid, rec in rows:
            self.known.setdefault(mid, rec)
        for i in ids:
            self.known.setdefault(i, None)

    def get(self, mention_id: str) -> dict[str, Any] | None:
        if mention_id not in self.known:
            self.fetch([mention_id])
        return self.known[mention_id]


def place(conn: Conn, fresh: Sequence[Mention]) -> dict[str, str]:
    """The story of each new copy that is not its pipeline group's (none when nobody
    ever corrected a grouping). Call under STORY_LOCK, before the copies are stored."""
    merged, split = _corrections(conn)
    if not merged and not split:
        return {}
    batch = {m.id: m.to_json() for m in fresh}
    records = _Records(conn, batch)
    near = {o for rec in batch.values() if (o := compared_with(rec))}
    near |= {str(rec.get("group_id") or rec["id"]) for rec in batch.values()}
    records.fetch_stories(near - set(batch))
    stories = Stories(records.get, merged, split)
    out: dict[str, str] = {}
    for m in fresh:
        story = stories.story_of(m.id)
        if story != (m.group_id or m.id):
            out[m.id] = story
    return out


def restory(conn: Conn, ids: set[str], gen: int) -> set[str]:
    """Place again the copies of the stories `ids` involve and rebuild their `groups`
    rows, in the caller's transaction; the story ids whose rows changed."""
    merged, split = _corrections(conn)
    named = list(ids)
    current = conn.execute(
        "SELECT DISTINCT group_id FROM mentions WHERE id = ANY(%s)", (named,)
    ).fetchall()
    stories_before = set(ids) | {g for (g,) in current}
    cur = conn.cursor()
    set_json_loads(orjson.loads, cur)  # ~4x faster on thousands of records
    rows = cur.execute(
        "SELECT id, group_id, record FROM mentions WHERE group_id = ANY(%s)",
        (list(stories_before),),
    ).fetchall()
    was = {mid: gid for mid, gid, _ in rows}
    records = _Records(conn, {mid: rec for mid, _, rec in rows})
    stories = Stories(records.get, merged, split)
    moved = {mid: s for mid in was if (s := stories.story_of(mid)) != was[mid]}
    if moved:
        conn.execute(
            "UPDATE mentions m SET group_id = u.story FROM unnest(%s::text[], %s::text[]) "
            "AS u(id, story) WHERE m.id = u.id",
            (list(moved), list(moved.values())),
        )
    affected = stories_before | set(moved.values())
    _rebuild(conn, affected, gen)
    conn.execute("UPDATE veille_meta SET corrections = corrections + 1")
    return affected


def _rebuild(conn: Conn, story_ids: set[str], gen: int) -> None:
    """The `groups` rows of these stories from their members now (a row whose story
    lost every copy goes); each kept row keeps its place (`seq`) in the ranking ties."""
    wanted = list(story_ids)
    seqs = dict(
        conn.execute(
            "SELECT group_id, seq FROM groups WHERE group_id = ANY(%s)", (wanted,)
        ).fetchall()
    )
    cur = conn.cursor()
    set_json_loads(orjson.loads, cur)
    members = cur.execute(
        "SELECT group_id, record FROM mentions WHERE group_id = ANY(%s) ORDER BY created_at, id",
        (wanted,),
    ).fetchall()
    rows: dict[str, R.GroupRow] = {}
    for gid, rec in members:
        m = Mention.from_json(rec)
        row = rows.get(gid)
        if row is None:
            row = rows[gid] = R.GroupRow(
                gid, float(m.priority or 0.0), m.created_at, m.created_at
            )
        row.add(m)
    conn.execute("DELETE FROM groups WHERE group_id = ANY(%s)", (wanted,))
    if not rows:
        return
    cur.executemany(R.UPSERT_GROUP, [g.params(gen) for g in rows.values()])
    kept = [(seq, gid) for gid, seq in seqs.items()]
    if kept:
        cur.executemany("UPDATE groups SET seq = %s WHERE group_id = %s", kept)


class PgStories(StoryVerbs):
    """Mixed into `PgStore`: `merge`, `split` (their undo is plain `undo`), and the
    reading side of stories (a merged-away story's id finds the story it went into)."""

    if TYPE_CHECKING:
        mutex: threading.RLock
        _groups_of: dict[str, str]
        _views: dict[str, GroupView]
        _walks: dict[str, list[str]]

        def _query(self, sql: str, params: Any = None) -> list[tuple[Any, ...]]: ...
        def mention(self, mention_id: str) -> Mention | None: ...

    _corrections_seen: int | None = None

    # ------------------------------------------------------------------ reading
    def resolve(self, target: str) -> str:
        if target.startswith(OWN):  # the state of exactly this story or copy
            return target[len(OWN) :]
        return super().resolve(target)

    def _story_now(self, target: str) -> str:
        """`resolve` asking the database again (a correction may have moved it)."""
        self._groups_of.pop(target, None)
        return self.resolve(target)

    def view(self, group_id: str) -> GroupView:
        try:
            return super().view(group_id)  # type: ignore[misc]
        except NotFound:  # a story merged (or split back) away meanwhile: where it went
            story = self._story_now(group_id)
            if story == group_id:
                raise
            return super().view(story)  # type: ignore[misc]

    def _load_states(self) -> None:
        super()._load_states()  # type: ignore[misc]
        self._corrections_seen = int(self._query("SELECT corrections FROM veille_meta")[0][0])

    def refresh(self) -> bool:
        """Also forget what was read by story id when someone merged or split since."""
        changed: bool = super().refresh()  # type: ignore[misc]
        if changed:
            seen = int(self._query("SELECT corrections FROM veille_meta")[0][0])
            if seen != self._corrections_seen:
                self._stories_moved()
            self._corrections_seen = seen
        return changed

    def _stories_moved(self) -> None:
        """Copies changed story: what was read by story id is read again."""
        with self.mutex:
            self._groups_of.clear()
            self._views.clear()
            self._walks.clear()

    # ------------------------------------------------------------------ actions
    def _has_copy(self, mention_id: str) -> bool:
        return self.mention(mention_id) is not None
