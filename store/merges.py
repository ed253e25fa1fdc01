"""Merge and split in the folder store: the index that reads grouping fixed by hand.

The corrections are triage state (`TriageState.merged_into`, `.split_from`), so they
are written like any action: journal first, then the state bucket, under the store
lock, atomically (`store.files`), redone after a crash, re-read by every process on
refresh, undone by `undo`. The mention records stay as the pipeline wrote them (the
archive is immutable and the pipeline is seeded from them, which keeps the grouping
benchmark's figures): `GroupedIndex` places each record in its story
(`triage.stories`) as it indexes it.

A correction changes the index's groups, which the plain `Index` never moves: the
index is rebuilt from its records, off the hot path, the next time someone asks for
the ranking or a group (about 0.3 s for 100k mentions, once per merge or split).
A store nobody corrected takes the plain path everywhere.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from types import MethodType
from typing import TYPE_CHECKING, Any

from store.approvals import ApprovalActions
from store.gcpause import cyclic_gc_paused
from store.index import Index
from store.reads import ReadActions
from store.verbs import OWN, StoryVerbs
from triage.errors import NotFound
from triage.filter import Filter, FilterContext
from triage.model import Mention, TriageState
from triage.stories import Stories, compared_with
from triage.views import GroupView

if TYPE_CHECKING:
    pass





class GroupedIndex(Index):
    """`store.index.Index` with each record placed in its story (see the module)."""

    def __init__(self, unread: Callable[[Any], bool] | None = None) -> None:
        super().__init__()
        self._unread = unread  # the user's read state, for `is:unread` (store.reads)
        self._merged: dict[str, str] = {}
        self._split: set[str] = set()
        self._stories = Stories(self.raw.get, {}, set())
        self._active = False  # any correction at all (else the plain path, no cost)
        self._dirty = False
        self._settling = threading.Lock()
        self._plain_path(True)

    def _plain_path(self, plain: bool) -> None:
        """With no correction, records go straight to `Index.add_record` (no frame)."""
        if plain:
            self.add_record = MethodType(Index.add_record, self)  # type: ignore[method-assign]
        else:
            self.__dict__.pop("add_record", None)

    # ------------------------------------------------------------------ updating
    def add_record(self, rec: dict[str, Any], mention: Mention | None = None) -> None:
        if not self._active:
            super().add_record(rec, mention)
            return
        mid = rec["id"]
        self.raw[mid] = rec  # so the story rules can read it
        story = self._stories.story_of(mid)
        other = compared_with(rec)
        if other is not None and other not in self.raw:
            self._dirty = True  # read before the post it follows: placed again later
        if story == (rec.get("group_id") or mid):
            super().add_record(rec, mention)
        else:
            super().add_record({**rec, "group_id": story}, mention)
            self.raw[mid] = rec  # the record as stored; the story lives in the index

    def set_state(self, state: TriageState) -> None:
        old = self.states.get(state.target)
        before = (old.merged_into, old.split_from) if old else (None, None)
        super().set_state(state)
        if (state.merged_into, state.split_from) != before:
            key = state.target
            if state.merged_into:
                self._merged[key] = state.merged_into
            else:
                self._merged.pop(key, None)
            if state.split_from:
                self._split.add(key)
            else:
                self._split.discard(key)
            self._dirty = True

    def settle(self) -> None:
        """Place every record again under the current corrections (when they changed)."""
        if not self._dirty:
            return
        with self._settling, cyclic_gc_paused():  # many new dicts, none in a cycle
            if not self._dirty:
                return
            self._dirty = False
            stories = Stories(self.raw.get, self._merged, self._split)
            records = dict(self.raw)
            moved, merged, alias = stories.moved(records), self._merged, stories.alias
            fresh = Index()
            fresh.cold_states = self.cold_states  # the closed states not built yet
            add, raw = fresh.add_record, fresh.raw
            for mid, rec in records.items():
                group = rec.get("group_id") or mid
                story = moved.get(mid, group)
                if story in merged:
                    story = alias(story)
                if story == group:
                    add(rec)
                else:
                    add({**rec, "group_id": story})
                    raw[mid] = rec
            for state in list(self.states.values()):
                fresh.set_state(state)
            stories.record = fresh.raw.get
            fresh.on_orphan_state = self.on_orphan_state  # not the fresh one's None
            # one step for readers on other threads: every structure at once
            self.__dict__.update(fresh.__dict__)
            self._stories = stories
            self._active = stories.active
            self._plain_path(not stories.active)

    @property
    def corrected(self) -> bool:
        """Whether any story is fixed by hand (merge, split)."""
        return bool(self._merged or self._split)

    # ------------------------------------------------------------------ reading
    def story_of(self, mention_id: str) -> str:
        """The story a stored mention is in now."""
        self.settle()
        return (
            self._stories.story_of(mention_id)
            if self._stories.active
            else (str(self.raw[mention_id].get("group_id") or mention_id))
        )

    def resolve(self, target: str) -> str:
        if target.startswith(OWN):  # the state of exactly this story or copy
            return target[len(OWN) :]
        self.settle()
        if self._active and target in self.raw:  # a mention (a story's id is one too)
            return self._stories.story_of(target)
        return super().resolve(target)

    def ranked_ids(self, filter: Filter | str | None, ctx: FilterContext) -> list[str]:
        self.settle()
        if ctx.unread is None and self._unread is not None:
            ctx = replace(ctx, unread=self._unread)
        return super().ranked_ids(filter, ctx)

    def group_ids(self) -> list[str]:
        self.settle()
        return super().group_ids()

    def group(self, group_id: str) -> list[Mention]:
        self.settle()
        return super().group(group_id)

    def view(self, group_id: str) -> GroupView:
        try:
            return Index.view(self, group_id)
        except NotFound:  # a story merged (or split back) away meanwhile: where it went
            if group_id not in self.raw:
                raise
            story = self.story_of(group_id)
            if story == group_id:
                raise
            return super().view(story)


class StoryActions(StoryVerbs, ApprovalActions, ReadActions):
    """Mixed into `store.inbox.Inbox`: merge, split (their undo is plain `undo`), and the
    rest of issue 17 (reply approval: store.approvals; unread per person: store.reads)."""

    if TYPE_CHECKING:
        index: GroupedIndex

    def _has_copy(self, mention_id: str) -> bool:
        return mention_id in self.index.raw
