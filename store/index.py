"""The in-memory read model of one folder store: records, groups, states, rankings.

Mention records stay as parsed JSON until someone looks at them (building 100k
dataclasses at start would cost more than reading the files). Groups are ranked by
priority, then the newest; brand, platform and status keep their own sets so the
common filters are answered without looking at every group.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from store.statecache import thaw
from store.textindex import TextIndex
from triage.errors import NotFound
from triage.filter import Filter, FilterContext, parse_filter
from triage.model import DeliveryStatus, Handoff, Mention, Reply, Status, TriageState, dt_to_json
from triage.text import fold
from triage.views import GroupView

INDEXED = frozenset({"brand", "platform", "status"})


class Index:
    """Everything the inbox reads, kept in memory and updated record by record."""

    def __init__(self) -> None:
        self.raw: dict[str, dict[str, Any]] = {}
        self._mentions: dict[str, Mention] = {}
        self._group_priority: dict[str, float] = {}
        self.group_last: dict[str, str] = {}
        self._ranked: list[str] | None = None
        self._positions: dict[str, int] | None = None
        self._subsets: dict[tuple[str, str], list[str]] = {}
        self._brand_keys: dict[str, str] = {}
        self._by_status: dict[Status, set[str]] = {s: set() for s in Status}
        self._groups: dict[str, list[str]] = {}
        self.states: dict[str, TriageState] = {}
        # closed states not built yet, as lines (store.statecache): a deferred open's
        self.cold_states: dict[str, str] = {}
        self._views: dict[str, GroupView] = {}
        self._by_brand: dict[str, set[str]] = defaultdict(set)
        self._by_platform: dict[str, set[str]] = defaultdict(set)
        self._vocabulary: set[str] | None = None
        self._text: TextIndex | None = None  # built with the vocabulary (store.textindex)
        self._text_dropped = 0  # how many times new copies dropped the two (see vocabulary)
        # called with a state whose group has no copy indexed (store.history: read back)
        self.on_orphan_state: Callable[[TriageState], None] | None = None

    # ------------------------------------------------------------------ updating

    def add_record(self, rec: dict[str, Any], mention: Mention | None = None) -> None:
        mid = rec["id"]
        gid = rec.get("group_id") or mid
        created = rec["created_at"]
        self.raw[mid] = rec
        if mention is not None:
            self._mentions[mid] = mention
        members = self._groups.get(gid)
        if members is None:
            members = self._groups[gid] = []
            self._by_status[self.status_of(gid)].add(gid)
        members.append(mid)
        if len(members) > 1 and self.raw[members[-2]]["created_at"] > created:
            members.sort(key=lambda i: (self.raw[i]["created_at"], i))
        for brand in rec.get("brands") or ():
            key = self._brand_keys.get(brand)
            if key is None:
                key = self._brand_keys[brand] = fold(brand)
            self._by_brand[key].add(gid)
        self._by_platform[rec["platform"]].add(gid)
        priority = float(rec.get("priority") or 0.0)
        if priority > self._group_priority.get(gid, -1.0):
            self._group_priority[gid] = priority
        if created > self.group_last.get(gid, ""):
            self.group_last[gid] = created
        self._views.pop(gid, None)
        self._ranked = None
        self._vocabulary = None
        self._text = None
        self._text_dropped += 1

    def set_state(self, state: TriageState) -> None:
        gid = state.target
        before = self.status_of(gid)
        self.states[gid] = state
        self.cold_states.pop(gid, None)
        if gid in self._groups:
            self._by_status[before].discard(gid)
            self._by_status[state.status].add(gid)
        elif self.on_orphan_state is not None:
            self.on_orphan_state(state)
        self._views.pop(gid, None)

    # ------------------------------------------------------------------ reading

    def mention(self, mention_id: str) -> Mention | None:
        mention = self._mentions.get(mention_id)
        if mention is None:
            rec = self.raw.get(mention_id)
            if rec is None:
                return None
            mention = self._mentions[mention_id] = Mention.from_json(rec)
        return mention

    def __len__(self) -> int:
        return len(self.raw)

    def all_mentions(self) -> Iterator[Mention]:
        for mid in list(self.raw):
            mention = self.mention(mid)
            if mention is not None:
                yield mention

    def group_ids(self) -> list[str]:
        return list(self._groups)

    @property
    def group_priority(self) -> dict[str, float]:
        """Each group's priority (its highest mention's)."""
        return self._group_priority

    def closed_groups(self) -> set[str]:
        return self._by_status[Status.DONE] | self._by_status[Status.IGNORED]

    def group(self, group_id: str) -> list[Mention]:
        found = (self.mention(i) for i in self._groups.get(group_id, ()))
        return [m for m in found if m is not None]

    def resolve(self, target: str) -> str:
        """The group id for a group or mention id; NotFound otherwise."""
        if target in self._groups:
            return target
        rec = self.raw.get(target)
        if rec is not None:
            return str(rec.get("group_id") or target)
        if target in self.states or target in self.cold_states:  # a mention acted on alone
            return target
        raise NotFound(f"no mention or group with id {target!r}")

    def state(self, target: str) -> TriageState:
        return self.states.get(target) or self._thaw(target)

    def _thaw(self, target: str) -> TriageState:
        """A closed state kept as a line, built now and kept built (any thread: a state
        set meanwhile wins; the line stays until a state is set, so a reader on another
        thread, or a `settle` swapping the dicts meanwhile, still finds one or the
        other); the new state otherwise."""
        value = self.cold_states.get(target)
        if value is None:
            return TriageState(target)
        return self.states.setdefault(target, thaw(target, value))

    def thaw_indexed(self) -> int:
        """Build the states kept as lines of every indexed group (any thread: the TUI's
        loader does it behind the first screen, so its next ranking does not); how many."""
        groups, states = self._groups, self.states
        found = [t for t in list(self.cold_states) if t in groups and t not in states]
        for target in found:
            self._thaw(target)
        return len(found)

    def status_of(self, target: str) -> Status:
        """A target's status, without building a state kept as a line."""
        state = self.states.get(target)
        if state is not None:
            return state.status
        value = self.cold_states.get(target)
        if value is None:
            return Status.NEW
        return Status.DONE if value[0] == "d" else Status.IGNORED

    def keep_cold(self, target: str, value: str) -> bool:
        """Keep a state read again (another process rewrote its bucket) as a line, if it
        is not built yet and its group is not indexed; False: build it."""
        if target in self.states or target in self._groups:
            return False
        self.cold_states[target] = value
        return True

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
        """The words for fuzzy search; the folded text index is built in the same pass."""
        vocabulary = self._vocabulary
        if vocabulary is None:
            dropped = self._text_dropped
            views = [self.view(g) for g in list(self._groups)]
            text = TextIndex((v.group_id, v.haystack, v.signals) for v in views)
            vocabulary = text.words  # as triage.filter.vocabulary_of splits them
            # kept only if no copy arrived while it was built (another thread's ingest):
            # else it would stand for the index while lacking the new groups' words
            if self._text_dropped == dropped:
                self._vocabulary, self._text = vocabulary, text
        return vocabulary

    @property
    def text_index(self) -> TextIndex | None:
        """The folded text index (built with the vocabulary), or None before."""
        return self._text

    def narrow(self, flt: Filter, ids: list[str]) -> list[str] | None:
        """The ids (in their order) that may match the filter's free words, from the
        folded text index; None when there is none yet or it cannot narrow."""
        text = self._text
        found = text.candidates(flt) if text is not None else None
        if found is None:
            return None
        ranked = self._ranked
        if ids is ranked and len(found) * 8 < len(ids):
            position = self._rank_position()
            return sorted((g for g in found if g in position), key=position.__getitem__)
        return [g for g in ids if g in found]

    def mentions_between(self, start: datetime, end: datetime) -> Iterator[Mention]:
        """Mentions created in [start, end), built on the fly (constant extra memory)."""
        low, high = dt_to_json(start), dt_to_json(end)
        assert low is not None and high is not None
        cached = self._mentions
        for mid, rec in list(self.raw.items()):
            if low <= rec["created_at"] < high:
                # Not kept: a report or an export reads each record once.
                yield cached.get(mid) or Mention.from_json(rec)

    def pending_outbox(self) -> list[tuple[str, Reply]]:
        return [
            (target, r)
            for target, s in self.states.items()
            for r in s.replies
            if r.status is DeliveryStatus.PENDING
        ]

    def pending_handoffs(self) -> list[tuple[str, Handoff]]:
        return [
            (target, s.handoff)
            for target, s in self.states.items()
            if s.handoff is not None and s.handoff.delivery is DeliveryStatus.PENDING
        ]

    # ------------------------------------------------------------------ ranking

    def ranked_ids(self, filter: Filter | str | None, ctx: FilterContext) -> list[str]:
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
            narrowed = self.narrow(flt, ids)
            ids = ids if narrowed is None else narrowed
        return [g for g in ids if flt.matches(self.view(g), ctx)]

    def _ranking(self) -> list[str]:
        if self._ranked is None:
            ranked = sorted(self._groups, key=self.group_last.__getitem__, reverse=True)
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
