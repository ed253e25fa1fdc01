"""Grouping fixed by hand: which story a mention belongs to once people merged and split.

The pipeline's grouping is final for a stored record (`Mention.group_id` and, for a
copy, `extra["grouped"]["with"]`: the post it was compared with). People correct it
with two kinds of state (`TriageState.merged_into`, `TriageState.split_from`), so a
correction is journaled, undone and shared like any action, and the records stay as
the pipeline wrote them. The story of a mention is then:

1. a copy that was split out heads its own story;
2. a copy whose compared post (`with`) moved to another story follows it: a split
   copy's near-duplicates go with it, those that arrive later included;
3. otherwise it is where its group's first post is;

and a story merged into another is read as that one (merges chain). With no
corrections at all every mention is simply in its record's group, so a store nobody
corrected pays nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Record = Mapping[str, Any]
MAX_CHAIN = 10_000  # a damaged store could hold a cycle: stop and say "its own story"


def compared_with(rec: Record) -> str | None:
    """The post a stored copy was compared with when it joined its group (or None)."""
    extra = rec.get("extra")
    grouped = extra.get("grouped") if isinstance(extra, dict) else None
    other = grouped.get("with") if isinstance(grouped, dict) else None
    return other if isinstance(other, str) and other != rec.get("id") else None


class Stories:
    """The story of each mention under the corrections people made (see the module).

    `record(mention_id)` gives a stored record (or None); `merged` maps a story id to
    the story it was merged into, `split` holds the ids of copies split out.
    """

    def __init__(
        self,
        record: Callable[[str], Record | None],
        merged: Mapping[str, str],
        split: frozenset[str] | set[str],
    ) -> None:
        self.record = record
        self.merged = dict(merged)
        self.split = frozenset(split)
        self._base: dict[str, str] = {}
        self.missing: set[str] = set()  # compared posts not (yet) known: ask again later

    @property
    def active(self) -> bool:
        return bool(self.merged or self.split)

    def story_of(self, mention_id: str) -> str:
        """The id of the story `mention_id` is in."""
        return self.alias(self.base(mention_id))

    def alias(self, story: str) -> str:
        """A story id after merges (a merged story reads as the one it went into)."""
        seen = 0
        while story in self.merged and seen < MAX_CHAIN:
            story = self.merged[story]
            seen += 1
        return story

    def base(self, mention_id: str) -> str:
        """The story of a mention before merges (rules 1-3 of the module)."""
        known = self._base.get(mention_id)
        if known is not None:
            return known
        # iterative: chains of copies can be long, recursion would overflow
        stack = [mention_id]
        while stack and len(stack) < MAX_CHAIN:
            mid = stack[-1]
            if mid in self._base:
                stack.pop()
                continue
            step = self._step(mid)
            if step[0] == "done":
                self._base[mid] = step[1]
                stack.pop()
            elif step[1] in self._base:
                self._base[mid] = self._resolve_step(mid, step)
                stack.pop()
            elif step[1] in stack:  # a cycle in damaged data: its own story
                self._base[mid] = mid
                stack.pop()
            else:
                stack.append(step[1])
        return self._base.get(mention_id, mention_id)

    def moved(self, records: Mapping[str, Record]) -> dict[str, str]:
        """Every stored mention not in its record's group before merges, and its story:
        the split copies and, down the `with` links, the copies that follow them. One
        pass over the records (none when nothing was split); the answers are kept."""
        if not self.split:
            return {}
        followers: dict[str, list[str]] = {}
        for mid, rec in records.items():
            other = compared_with(rec)
            if other is not None:
                followers.setdefault(other, []).append(mid)
        moved = {s: s for s in self.split if s in records}
        queue = list(moved)
        while queue:
            x = queue.pop()
            for y in followers.get(x, ()):
                if y not in self.split and y not in moved:
                    moved[y] = moved[x]
                    queue.append(y)
        self._base.update(moved)
        return moved

    def _step(self, mid: str) -> tuple[str, str]:
        """("done", story) or ("need", other id) whose base decides this one."""
        if mid in self.split:
            return ("done", mid)
        rec = self.record(mid)
        if rec is None:
            return ("done", mid)
        other = compared_with(rec)
        if other is not None:
            if self.record(other) is None:
                self.missing.add(other)
            else:
                return ("need", other)
        group = str(rec.get("group_id") or mid)
        if group == mid or self.record(group) is None:
            return ("done", group)
        return ("need", group)

    def _resolve_step(self, mid: str, step: tuple[str, str]) -> str:
        other = step[1]
        rec = self.record(mid) or {}
        group = str(rec.get("group_id") or mid)
        if other != group:  # the compared post: followed only if it moved
            orec = self.record(other) or {}
            moved = self._base[other] != str(orec.get("group_id") or other)
            if moved:
                return self._base[other]
            if group == mid or self.record(group) is None:
                return group
            return self.base(group)
        return self._base[other]


def story_from_states(
    copy: str, group: str, state_of: Callable[[str], Any], max_chain: int = MAX_CHAIN
) -> str:
    """The story of `copy` (in its record's `group`) from triage states alone, for a
    store that reads no mention records (a scripted one-off action): a split copy heads
    its own story, merges are followed. The copies that follow a split copy through
    `with` need the records: `Stories` places those."""
    story = copy if state_of(copy).split_from else group
    for _ in range(max_chain):
        into = state_of(story).merged_into
        if not into or into == story:
            break
        story = into
    return story
