"""The Inbox: veille's store on TinyDB, and the triage actions applied to it.

Layout of a store folder (see docs/interfaces.md):

    meta.json                 schema version
    lock                      fcntl.flock, held around every read-modify-write
    generation                a counter bumped by every write (a hint for live refresh)
    mentions/YYYY-MM-DD.json  immutable mention records, one TinyDB file per UTC day
    state/bucket-NN.json      triage state, 64 small TinyDB files by hash of the target
    journal/YYYY-MM.jsonl     append-only events: the audit trail, undo, and the redo log

An action appends its event to the journal (fsync) and then rewrites one small bucket
atomically. A process killed between the two leaves an event newer than its bucket; the
next writer, under the lock, redoes it. So an action acknowledged on screen survives
kill -9 and power loss, and a triage action never rewrites the mention archive.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import orjson
from tinydb.table import Document

from store.errors import Conflict, NotFound, SchemaTooNew, StoreError
from store.files import atomic_write, clean_temp_files, file_signature
from store.gcpause import cyclic_gc_paused
from store.journal import Journal
from store.lock import StoreLock
from store.storage import CorruptFile, open_tinydb, table
from store.views import GroupView
from triage.filter import Filter, FilterContext, parse_filter, vocabulary_of
from triage.model import (
    DeliveryStatus,
    Event,
    Handoff,
    Mention,
    Note,
    Reply,
    Status,
    TriageState,
    dt_from_json,
    dt_to_json,
    utcnow,
)
from triage.priority import URGENT_THRESHOLD
from triage.text import fold

SCHEMA_VERSION = 1
BUCKETS = 64
GROUPING_WINDOW = timedelta(hours=72)
INDEXED = frozenset({"brand", "platform", "status"})

# Migrations: {from_version: function(store_root)} run in order up to SCHEMA_VERSION.
MIGRATIONS: dict[int, Callable[[Path], None]] = {}


class Pipeline(Protocol):
    """triage.pipeline.Pipeline: enriches new mentions (brands, group, priority)."""

    def seed(self, mentions: Iterable[Mention]) -> None: ...
    def process(self, mention: Mention) -> Mention: ...


@dataclass(frozen=True, slots=True)
class Counts:
    open: int  # new, open or waiting, and not snoozed
    urgent: int  # open and ranked urgent
    groups: int
    by_status: dict[str, int]


def doc_id_for(key: str) -> int:
    """A stable TinyDB doc id from a mention id or target: storing twice stores once."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=7).digest(), "big") + 1


def bucket_of(target: str) -> int:
    return hashlib.blake2b(target.encode(), digest_size=2).digest()[0] % BUCKETS


class Inbox:
    """Mentions, groups and triage state of one store folder, shared by processes."""

    def __init__(self, root: Path, user: str, pipeline: Pipeline | None, lock_timeout: float):
        self.root = root
        self.user = user
        self.pipeline = pipeline
        self.lock = StoreLock(root / "lock", timeout=lock_timeout)
        self.problems: list[str] = []  # files that could not be read, in words
        self.urgent_threshold = URGENT_THRESHOLD
        # Mention records stay as parsed JSON until someone looks at them: building
        # 100k dataclasses at start would cost more than reading the files.
        self._raw: dict[str, dict[str, Any]] = {}
        self._mentions: dict[str, Mention] = {}
        self._group_priority: dict[str, float] = {}
        self._group_last: dict[str, str] = {}
        self._ranked: list[str] | None = None
        self._positions: dict[str, int] | None = None
        self._subsets: dict[tuple[str, str], list[str]] = {}
        self._brand_keys: dict[str, str] = {}
        self._by_status: dict[Status, set[str]] = {s: set() for s in Status}
        self._groups: dict[str, list[str]] = {}
        self._states: dict[str, TriageState] = {}
        self._day_dbs: dict[Path, Any] = {}
        self._bucket_dbs: dict[int, Any] = {}
        self._signatures: dict[Path, tuple[int, int, int] | None] = {}
        self._views: dict[str, GroupView] = {}
        self._by_brand: dict[str, set[str]] = defaultdict(set)
        self._by_platform: dict[str, set[str]] = defaultdict(set)
        self._vocabulary: set[str] | None = None
        self._pipeline_seeded = False
        self.journal = Journal(root / "journal")
        self._generation_path = root / "generation"
        self._seen_generation = -1

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        user: str,
        pipeline: Pipeline | None = None,
        lock_timeout: float = 10.0,
        create: bool = True,
    ) -> Inbox:
        root = Path(path).expanduser()
        if not root.exists():
            if not create:
                raise StoreError(f"no store at {root}")
            root.mkdir(parents=True, mode=0o700)
        for sub in ("mentions", "state", "journal"):
            (root / sub).mkdir(exist_ok=True)
        inbox = cls(root, user, pipeline, lock_timeout)
        with inbox.lock:
            inbox._check_schema()
            clean_temp_files(root)
            inbox._redo_tail()
        inbox._load_all()
        return inbox

    def close(self) -> None:
        for db in (*self._day_dbs.values(), *self._bucket_dbs.values()):
            db.close()
        self._day_dbs.clear()
        self._bucket_dbs.clear()

    def __enter__(self) -> Inbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check_schema(self) -> None:
        meta_path = self.root / "meta.json"
        if not meta_path.exists():
            atomic_write(
                meta_path,
                orjson.dumps({"schema": SCHEMA_VERSION, "created_at": dt_to_json(utcnow())}),
            )
            return
        try:
            meta = orjson.loads(meta_path.read_bytes())
            version = int(meta["schema"])
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise StoreError(
                f"{meta_path} is damaged ({exc}); it says which schema the store uses"
            ) from exc
        if version > SCHEMA_VERSION:
            raise SchemaTooNew(
                f"the store at {self.root} was written by a newer veille (schema {version}, "
                f"this one knows up to {SCHEMA_VERSION}); upgrade veille. Nothing was changed."
            )
        while version < SCHEMA_VERSION:
            MIGRATIONS[version](self.root)
            version += 1
            meta["schema"] = version
            atomic_write(meta_path, orjson.dumps(meta))

    # ------------------------------------------------------------------ loading

    def _day_path(self, when: date) -> Path:
        return self.root / "mentions" / f"{when:%Y-%m-%d}.json"

    def _bucket_path(self, n: int) -> Path:
        return self.root / "state" / f"bucket-{n:02d}.json"

    def _load_all(self) -> None:
        # Parsing makes ~1M small objects and none of them cycles (see store.gcpause).
        with cyclic_gc_paused():
            for path in sorted((self.root / "mentions").glob("*.json")):
                self._load_day(path)
            for n in range(BUCKETS):
                self._load_bucket(n)
        self._seen_generation = self.generation

    def _load_day(self, path: Path) -> list[str]:
        """Read a day partition; only records not yet known are indexed (they never change)."""
        db = self._day_dbs.get(path)
        if db is None:
            db = self._day_dbs[path] = open_tinydb(path)
        self._signatures[path] = file_signature(path)
        try:
            raw = table(db)._read_table()
        except CorruptFile as exc:
            self._report(str(exc))
            return []
        added = []
        for record in raw.values():
            mid = record.get("id") if isinstance(record, dict) else None
            if mid is not None and mid in self._raw:
                continue
            if not _looks_like_mention(record):
                self._report(f"{path}: a mention record is damaged ({str(record)[:80]}); skipped")
                continue
            self._index_record(record)
            added.append(mid)
        return added

    def _load_bucket(self, n: int) -> None:
        path = self._bucket_path(n)
        db = self._bucket_dbs.get(n)
        if db is None:
            db = self._bucket_dbs[n] = open_tinydb(path)
        self._signatures[path] = file_signature(path)
        try:
            raw = table(db)._read_table()
        except CorruptFile as exc:
            self._report(str(exc))
            return
        for record in raw.values():
            try:
                state = TriageState.from_json(record)
            except (KeyError, TypeError, ValueError) as exc:
                self._report(f"{path}: a triage record is damaged ({exc!r}); skipped")
                continue
            old = self._states.get(state.target)
            if old is None or old != state:
                self._set_state(state)

    def _report(self, problem: str) -> None:
        if problem not in self.problems:
            self.problems.append(problem)

    def _index_record(self, rec: dict[str, Any]) -> None:
        mid = rec["id"]
        gid = rec.get("group_id") or mid
        created = rec["created_at"]
        self._raw[mid] = rec
        members = self._groups.get(gid)
        if members is None:
            members = self._groups[gid] = []
            state = self._states.get(gid)
            self._by_status[state.status if state else Status.NEW].add(gid)
        members.append(mid)
        if len(members) > 1 and self._raw[members[-2]]["created_at"] > created:
            members.sort(key=lambda i: (self._raw[i]["created_at"], i))
        for brand in rec.get("brands") or ():
            key = self._brand_keys.get(brand)
            if key is None:
                key = self._brand_keys[brand] = fold(brand)
            self._by_brand[key].add(gid)
        self._by_platform[rec["platform"]].add(gid)
        priority = float(rec.get("priority") or 0.0)
        if priority > self._group_priority.get(gid, -1.0):
            self._group_priority[gid] = priority
        if created > self._group_last.get(gid, ""):
            self._group_last[gid] = created
        self._views.pop(gid, None)
        self._ranked = None
        self._vocabulary = None

    def _set_state(self, state: TriageState) -> None:
        gid = state.target
        old = self._states.get(gid)
        self._states[gid] = state
        if gid in self._groups:
            self._by_status[old.status if old else Status.NEW].discard(gid)
            self._by_status[state.status].add(gid)
        self._views.pop(gid, None)

    # ------------------------------------------------------------------ refresh

    @property
    def generation(self) -> int:
        """A counter every writer bumps: compare it to know whether to refresh()."""
        try:
            return int(self._generation_path.read_bytes() or 0)
        except (FileNotFoundError, ValueError):
            return 0

    def _bump_generation(self) -> None:
        # A hint only (the data files carry the truth): replaced atomically, not fsynced.
        value = self.generation + 1
        tmp = self._generation_path.with_name(f".generation.{os.getpid()}.tmp-veille")
        try:
            tmp.write_bytes(str(value).encode())
            os.replace(tmp, self._generation_path)
        except OSError:
            tmp.unlink(missing_ok=True)
        self._seen_generation = value

    def refresh(self) -> bool:
        """Re-read only the files another process changed; True if anything did."""
        if self.generation == self._seen_generation:
            return False
        changed = False
        for path in sorted((self.root / "mentions").glob("*.json")):
            if file_signature(path) != self._signatures.get(path):
                new = self._load_day(path)
                if new and self.pipeline is not None and self._pipeline_seeded:
                    self.pipeline.seed([self.mention(i) for i in new])  # type: ignore[misc]
                changed = True
        for n in range(BUCKETS):
            path = self._bucket_path(n)
            if file_signature(path) != self._signatures.get(path):
                self._load_bucket(n)
                changed = True
        self._seen_generation = self.generation
        return changed

    # ------------------------------------------------------------------ reading

    def mention(self, mention_id: str) -> Mention | None:
        mention = self._mentions.get(mention_id)
        if mention is None:
            rec = self._raw.get(mention_id)
            if rec is None:
                return None
            mention = self._mentions[mention_id] = Mention.from_json(rec)
        return mention

    def __len__(self) -> int:
        return len(self._raw)

    def all_mentions(self) -> Iterator[Mention]:
        for mid in list(self._raw):
            yield self.mention(mid)  # type: ignore[misc]

    def group_ids(self) -> list[str]:
        return list(self._groups)

    def group(self, group_id: str) -> list[Mention]:
        return [self.mention(i) for i in self._groups.get(group_id, ())]  # type: ignore[misc]

    def resolve(self, target: str) -> str:
        """The group id for a group or mention id; NotFound otherwise."""
        if target in self._groups:
            return target
        rec = self._raw.get(target)
        if rec is not None:
            return rec.get("group_id") or target
        if target in self._states:  # a mention acted on alone
            return target
        raise NotFound(f"no mention or group with id {target!r}")

    def state(self, target: str) -> TriageState:
        return self._states.get(target) or TriageState(target)

    def view(self, group_id: str) -> GroupView:
        view = self._views.get(group_id)
        if view is None:
            mentions = self.group(group_id)
            if not mentions:
                raise NotFound(f"no group with id {group_id!r}")
            priority = self._group_priority.get(group_id, 0.0)
            signals = tuple(dict.fromkeys(s for m in mentions for s in m.signals))
            view = GroupView(group_id, mentions, self.state(group_id), priority, signals)
            self._views[group_id] = view
        return view

    def vocabulary(self) -> set[str]:
        if self._vocabulary is None:
            self._vocabulary = vocabulary_of(self.view(g).haystack for g in self._groups)
        return self._vocabulary

    def context(self, now: datetime | None = None) -> FilterContext:
        return FilterContext(self.user, now or utcnow(), self.urgent_threshold)

    def groups(
        self, filter: Filter | str | None = None, now: datetime | None = None
    ) -> list[GroupView]:
        """Groups matching the filter, ranked: priority first, then the newest."""
        return [self.view(g) for g in self.ranked_ids(filter, now)]

    def ranked_ids(
        self, filter: Filter | str | None = None, now: datetime | None = None
    ) -> list[str]:
        """The ids of the groups matching the filter, ranked (views are built on demand)."""
        flt = parse_filter(filter) if isinstance(filter, str) else filter
        ranked = self._ranking()
        if flt is None or flt.is_empty:
            return list(ranked)
        ids = self._indexed(flt, ranked)
        if all(t.field in INDEXED and not t.negate for t in flt.terms):
            return list(ids)  # the indexes answered the whole filter
        if any(t.field == "" and not t.negate for t in flt.terms):
            flt = flt.with_vocabulary(self.vocabulary())
        ctx = self.context(now)
        return [g for g in ids if flt.matches(self.view(g), ctx)]

    def _ranking(self) -> list[str]:
        if self._ranked is None:
            ranked = sorted(self._groups, key=self._group_last.__getitem__, reverse=True)
            ranked.sort(key=self._group_priority.__getitem__, reverse=True)  # stable
            self._ranked = ranked
            self._positions = None
            self._subsets = {}
        return self._ranked

    def _rank_position(self) -> dict[str, int]:
        ranked = self._ranking()
        if self._positions is None or len(self._positions) != len(ranked):
            self._positions = {g: i for i, g in enumerate(ranked)}
        return self._positions

    def _indexed(self, flt: Filter, ranked: list[str]) -> list[str]:
        """The ranked ids that pass the filter's indexed terms (brand, platform, status).

        Brand and platform change only on ingestion, so each keeps its own ranked list;
        the smallest applicable list is walked once, checking the other sets.
        """
        walks: list[tuple[list[str], set[str]]] = []
        for field, index in (("brand", self._by_brand), ("platform", self._by_platform)):
            for value in flt.positive(field):
                members = index.get(value, set())
                walks.append((self._ranked_subset(field, value, members), members))
        status_sets = [self._by_status[Status(v)] for v in flt.positive("status")]
        if not walks and not status_sets:
            return ranked
        if walks:
            walk, walk_set = min(walks, key=lambda w: len(w[0]))
        else:
            walk_set = min(status_sets, key=len)
            few = len(walk_set) * 8 < len(ranked)
            walk = sorted(walk_set, key=self._rank_position().__getitem__) if few else ranked
        others = [m for _, m in walks] + status_sets
        checks = [m.__contains__ for m in others if m is not walk_set]
        if walk is ranked:
            checks.append(walk_set.__contains__)
        if not checks:
            return walk
        if len(checks) == 1:
            check = checks[0]
            return [g for g in walk if check(g)]
        return [g for g in walk if all(c(g) for c in checks)]

    def _ranked_subset(self, field: str, value: str, members: set[str]) -> list[str]:
        key = (field, value)
        cached = self._subsets.get(key)
        if cached is None or len(cached) != len(members):
            cached = sorted(members, key=self._rank_position().__getitem__)
            self._subsets[key] = cached
        return cached

    def counts(self, now: datetime | None = None) -> Counts:
        """Open (new, open, waiting; not snoozed), urgent open, and groups per status."""
        now = now or utcnow()
        per_status: dict[str, int] = dict.fromkeys((s.value for s in Status), 0)
        open_count = urgent = 0
        for gid in self._groups:
            state = self._states.get(gid)
            status = state.status if state else Status.NEW
            per_status[status.value] += 1
            if status in (Status.DONE, Status.IGNORED) or (state and state.is_snoozed(now)):
                continue
            open_count += 1
            if self._group_priority[gid] >= self.urgent_threshold:
                urgent += 1
        return Counts(open_count, urgent, len(self._groups), per_status)

    def events(self, since: datetime | None = None) -> Iterator[Event]:
        for event in self.journal.read_all(self._report):
            if since is None or event.at >= since:
                yield event

    def mentions_between(self, start: datetime, end: datetime) -> Iterator[Mention]:
        """Mentions created in [start, end), built on the fly (constant extra memory)."""
        low, high = dt_to_json(start), dt_to_json(end)
        cached = self._mentions
        for mid, rec in list(self._raw.items()):
            if low <= rec["created_at"] < high:  # type: ignore[operator]
                # Not kept: a report or an export reads each record once.
                yield cached.get(mid) or Mention.from_json(rec)

    # ------------------------------------------------------------------ ingestion

    def ingest(self, mentions: Iterable[Mention]) -> list[Mention]:
        """Store what is new (one durable write per touched day); return it, enriched."""
        with self.lock, cyclic_gc_paused():
            self.refresh()
            batch: dict[str, Mention] = {}
            for m in mentions:
                if m.id not in self._raw and m.id not in batch:
                    batch[m.id] = m
            if not batch:
                return []
            fresh = sorted(batch.values(), key=lambda m: (m.created_at, m.id))
            if self.pipeline is not None:
                self._seed_pipeline()
                fresh = [self.pipeline.process(m) for m in fresh]
            by_date: dict[date, list[Mention]] = defaultdict(list)
            for m in fresh:
                by_date[m.created_at.date()].append(m)  # created_at is UTC
            for when, day in by_date.items():
                path = self._day_path(when)
                db = self._day_dbs.get(path)
                if db is None:
                    db = self._day_dbs[path] = open_tinydb(path)
                records = [m.to_json() for m in day]
                docs = [Document(r, doc_id=doc_id_for(r["id"])) for r in records]
                try:
                    table(db).insert_multiple(docs)
                except ValueError:  # a doc id already there: keep the first copy
                    tbl = table(db)
                    tbl.insert_multiple([d for d in docs if not tbl.contains(doc_id=d.doc_id)])
                self._signatures[path] = file_signature(path)
                for m, rec in zip(day, records, strict=True):
                    self._index_record(rec)
                    self._mentions[m.id] = m
            self._bump_generation()
        return fresh

    def _seed_pipeline(self) -> None:
        if self._pipeline_seeded or self.pipeline is None:
            return
        if self._raw:
            latest = max(self._group_last.values())
            cutoff = dt_to_json(dt_from_json(latest) - GROUPING_WINDOW)  # type: ignore[operator]
            ids = [mid for mid, rec in self._raw.items() if rec["created_at"] >= cutoff]
            recent = sorted(map(self.mention, ids), key=lambda m: (m.created_at, m.id))  # type: ignore[arg-type]
            self.pipeline.seed(recent)
        self._pipeline_seeded = True

    # ------------------------------------------------------------------ actions

    def _act(
        self,
        target: str,
        action: str,
        change: Callable[[TriageState], dict[str, Any]],
        *,
        resolve: bool = True,
    ) -> TriageState:
        """Apply one action durably: journal first (the redo log), then its bucket."""
        with self.lock:
            self._redo_tail()
            self.refresh()
            gid = self.resolve(target) if resolve else target
            current = self.state(gid)
            fields = change(current)
            now = utcnow()
            before = {k: v for k, v in current.to_json().items() if k in fields}
            after_state = self._apply(current, fields, current.rev + 1, now, self.user)
            after_json = after_state.to_json()
            after = {k: after_json[k] for k in (*fields, "updated_at", "updated_by")}
            event = Event(
                uuid.uuid4().hex, now, self.user, action, gid, before, after, after_state.rev
            )
            self._commit(event, after_state)
            return after_state

    @staticmethod
    def _apply(
        current: TriageState, fields: dict[str, Any], rev: int, now: datetime, who: str
    ) -> TriageState:
        data = current.to_json()
        data.update(_json_fields(fields))
        data.update(rev=rev, updated_at=dt_to_json(now), updated_by=who)
        return TriageState.from_json(data)

    def _commit(self, event: Event, new_state: TriageState) -> None:
        journal_path, size_before = self.journal.append(event)
        try:
            self._write_state(new_state)
        except StoreError:
            self.journal.truncate(journal_path, size_before)  # not acknowledged: no redo
            raise
        self._bump_generation()

    def _write_state(self, state: TriageState) -> None:
        n = bucket_of(state.target)
        db = self._bucket_dbs.get(n)
        if db is None:
            db = self._bucket_dbs[n] = open_tinydb(self._bucket_path(n))
        table(db).upsert(Document(state.to_json(), doc_id=doc_id_for(state.target)))
        self._signatures[self._bucket_path(n)] = file_signature(self._bucket_path(n))
        self._set_state(state)

    def _redo_tail(self) -> None:
        """Redo the journal's last event if a killed writer never wrote its bucket."""
        event = self.journal.last_event()
        if event is None:
            return
        n = bucket_of(event.target)
        path = self._bucket_path(n)
        if file_signature(path) != self._signatures.get(path):
            self._load_bucket(n)
        current = self.state(event.target)
        if event.rev > current.rev:
            data = current.to_json()
            data.update(event.after)
            data["rev"] = event.rev
            self._write_state(TriageState.from_json(data))
            self._bump_generation()

    # -- the actions themselves

    def tag(self, target: str, add: Sequence[str] = (), remove: Sequence[str] = ()) -> TriageState:
        add = [_clean_tag(t) for t in add]
        remove = {_clean_tag(t) for t in remove}

        def change(s: TriageState) -> dict[str, Any]:
            tags = [t for t in s.tags if t not in remove]
            tags += [t for t in add if t not in tags]
            return {"tags": tuple(tags)}

        return self._act(target, "tag", change)

    def set_status(self, target: str, status: Status | str) -> TriageState:
        status = Status.parse(status) if isinstance(status, str) else status

        def change(s: TriageState) -> dict[str, Any]:
            fields: dict[str, Any] = {"status": status}
            if status in (Status.DONE, Status.IGNORED) and s.claimed_by:
                fields.update(claimed_by=None, claim_expires=None)
            return fields

        return self._act(target, "status", change)

    def assign(self, target: str, user: str | None) -> TriageState:
        return self._act(target, "assign", lambda s: {"assignee": user or None})

    def claim(self, target: str, minutes: float = 15, force: bool = False) -> TriageState:
        def change(s: TriageState) -> dict[str, Any]:
            now = utcnow()
            if s.claim_active(now) and s.claimed_by != self.user and not force:
                since = s.updated_at.strftime("%H:%M") if s.updated_at else "?"
                raise Conflict(f"{s.claimed_by} is already on it (claimed at {since} UTC)")
            fields: dict[str, Any] = {
                "claimed_by": self.user,
                "claim_expires": now + timedelta(minutes=minutes),
            }
            if s.status is Status.NEW:
                fields["status"] = Status.OPEN
            return fields

        return self._act(target, "claim", change)

    def release(self, target: str) -> TriageState:
        return self._act(target, "release", lambda s: {"claimed_by": None, "claim_expires": None})

    def handoff(self, target: str, team: str, note: str = "") -> TriageState:
        if not team.strip():
            raise ValueError("a hand-off needs a team")

        def change(s: TriageState) -> dict[str, Any]:
            now = utcnow()
            fields: dict[str, Any] = {"handoff": Handoff(team.strip(), note, self.user, now)}
            if s.first_response_at is None:
                fields["first_response_at"] = now
            if s.status is Status.NEW:
                fields["status"] = Status.WAITING
            return fields

        return self._act(target, "handoff", change)

    def note(self, target: str, text: str) -> TriageState:
        if not text.strip():
            raise ValueError("a note needs some text")
        return self._act(
            target, "note", lambda s: {"notes": (*s.notes, Note(text, self.user, utcnow()))}
        )

    def snooze(self, target: str, until: datetime | None) -> TriageState:
        return self._act(target, "snooze", lambda s: {"snoozed_until": until})

    def add_reply(
        self, target: str, text: str, mention_id: str | None = None, manual: bool = False
    ) -> Reply:
        if not text.strip():
            raise ValueError("a reply needs some text")
        gid = self.resolve(target)
        reply = Reply(
            key=uuid.uuid4().hex,
            text=text,
            by=self.user,
            at=utcnow(),
            mention_id=mention_id or gid,
            status=DeliveryStatus.MANUAL if manual else DeliveryStatus.PENDING,
        )

        def change(s: TriageState) -> dict[str, Any]:
            fields: dict[str, Any] = {"replies": (*s.replies, reply)}
            if manual and s.first_response_at is None:
                fields["first_response_at"] = reply.at
            if s.status is Status.NEW:
                fields["status"] = Status.OPEN
            return fields

        self._act(gid, "reply", change)
        return reply

    def update_reply(
        self, target: str, key: str, status: DeliveryStatus, posted_url: str = "", error: str = ""
    ) -> TriageState:
        def change(s: TriageState) -> dict[str, Any]:
            replies = []
            found = None
            for r in s.replies:
                if r.key == key:
                    found = r.__class__.from_json(
                        {
                            **r.to_json(),
                            "status": status.value,
                            "posted_url": posted_url or r.posted_url,
                            "error": error,
                            "attempts": r.attempts + 1,
                        }
                    )
                    r = found
                replies.append(r)
            if found is None:
                raise NotFound(f"no reply {key!r} on {target!r}")
            fields: dict[str, Any] = {"replies": tuple(replies)}
            if status is DeliveryStatus.DELIVERED and s.first_response_at is None:
                fields["first_response_at"] = utcnow()
            return fields

        return self._act(target, "reply-status", change)

    def update_handoff(self, target: str, delivery: DeliveryStatus, error: str = "") -> TriageState:
        def change(s: TriageState) -> dict[str, Any]:
            if s.handoff is None:
                raise NotFound(f"{target!r} has no hand-off")
            h = Handoff.from_json(
                {
                    **s.handoff.to_json(),
                    "delivery": delivery.value,
                    "error": error,
                    "attempts": s.handoff.attempts + 1,
                }
            )
            return {"handoff": h}

        return self._act(target, "handoff-status", change)

    def pending_outbox(self) -> list[tuple[str, Reply]]:
        self.refresh()
        return [
            (target, r)
            for target, s in self._states.items()
            for r in s.replies
            if r.status is DeliveryStatus.PENDING
        ]

    def pending_handoffs(self) -> list[tuple[str, Handoff]]:
        self.refresh()
        return [
            (target, s.handoff)
            for target, s in self._states.items()
            if s.handoff is not None and s.handoff.delivery is DeliveryStatus.PENDING
        ]

    UNDOABLE = frozenset(
        {"tag", "status", "assign", "claim", "release", "handoff", "note", "snooze"}
    )

    def undo(self, user: str | None = None) -> Event | None:
        """Revert `user`'s last action not yet undone; None when there is nothing to undo.

        Refused (Conflict) when someone changed the same fields since: undo never
        overwrites another person's later decision.
        """
        who = user or self.user
        with self.lock:
            self._redo_tail()
            self.refresh()
            undone: set[str] = set()
            candidate: Event | None = None
            for event in reversed(list(self.events())):
                if event.action == "undo" and event.undoes:
                    undone.add(event.undoes)
                    continue
                if event.who == who and event.action in self.UNDOABLE and event.id not in undone:
                    candidate = event
                    break
            if candidate is None:
                return None
            current = self.state(candidate.target)
            now_json = current.to_json()
            fields = [k for k in candidate.before if k not in ("updated_at", "updated_by")]
            if any(now_json.get(k) != candidate.after.get(k) for k in fields):
                raise Conflict(
                    f"cannot undo {candidate.action} on {candidate.target}: "
                    f"{current.updated_by or 'someone'} changed it since"
                )
            now = utcnow()
            data = {**now_json, **{k: candidate.before[k] for k in fields}}
            data.update(rev=current.rev + 1, updated_at=dt_to_json(now), updated_by=self.user)
            new_state = TriageState.from_json(data)
            new_json = new_state.to_json()
            event = Event(
                uuid.uuid4().hex,
                now,
                self.user,
                "undo",
                candidate.target,
                {k: now_json[k] for k in fields},
                {k: new_json[k] for k in (*fields, "updated_at", "updated_by")},
                new_state.rev,
                undoes=candidate.id,
            )
            self._commit(event, new_state)
            return candidate


def _looks_like_mention(rec: object) -> bool:
    return (
        isinstance(rec, dict)
        and isinstance(rec.get("id"), str)
        and isinstance(rec.get("platform"), str)
        and isinstance(rec.get("created_at"), str)
    )


def _clean_tag(tag: str) -> str:
    tag = tag.strip().lstrip("#")
    if not tag or any(c.isspace() for c in tag):
        raise ValueError(f"invalid tag {tag!r}: tags are single words")
    return tag


def _json_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """State fields as TriageState.to_json would write them."""
    probe = TriageState("x")
    for key, value in fields.items():
        setattr(probe, key, value)
    full = probe.to_json()
    return {k: full[k] for k in fields}


__all__ = ["Conflict", "Inbox", "NotFound", "StoreError"]
