"""What a report reads of each mention: a few fields, from a `Mention` or straight from
the record the store wrote, and the story each mention is in once people merged and split.

A month at a million mentions is ~80,000 records. Building a `Mention` for each (its
sanitising boundary, an `Author`, two datetimes) was half of a month report's time, and
the report reads eight fields. `rows` reads them from a stored record as it is, with the
same values `Mention.from_json` would give: a record the boundary would change (a control
or escape in a field it reads, an over-long text, a date not in the store's own form)
goes through `Mention.from_json` itself. Dates stay text in the store's form
(`dt_to_json`: fixed width, UTC, so text order is time order).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from triage.clock import dt_to_json
from triage.model import Author, Mention
from triage.stories import MAX_CHAIN
from triage.text import TEXT_LIMIT, printable_text

# created (dt_to_json form), id, group, platform, brands, priority, signals, text, source
Row = tuple[str, str, str, str, Sequence[str], float, Sequence[str], str, Any]
Item = Mention | Mapping[str, Any]
_STAMP = len("2026-01-01T00:00:00.000000Z")


def rows(items: Iterable[Item]) -> Iterator[Row]:
    """One row per mention or stored record (a record read as `Mention.from_json` would)."""
    for item in items:
        if type(item) is dict:
            get = item.get
            mid, platform, created = item["id"], item["platform"], item["created_at"]
            gid = get("group_id") or mid
            text = get("text", "")
            if (
                type(created) is str
                and len(created) == _STAMP
                and created[-1] == "Z"
                and created[10] == "T"
                and type(text) is str
                and len(text) <= TEXT_LIMIT
                and type(mid) is str
                and type(platform) is str
                and type(gid) is str
                and (mid + platform + gid).isprintable()
                and printable_text(text)
            ):
                yield (
                    created,
                    mid,
                    gid,
                    platform,
                    get("brands") or (),
                    float(get("priority") or 0.0),
                    get("signals") or (),
                    text,
                    item,
                )
                continue
            item = Mention.from_json(item)  # what the boundary makes of it
        m: Mention = item  # type: ignore[assignment]
        yield (
            dt_to_json(m.created_at) or "",
            m.id,
            m.group_id,
            m.platform,
            m.brands,
            m.priority,
            m.signals,
            m.text,
            m,
        )


def mention_of(source: Any) -> Mention:
    """The Mention a row came from (a story's leader is shown: built for a few only)."""
    return source if isinstance(source, Mention) else Mention.from_json(source)


def author_of(source: Any) -> Author:
    """The row's author, sanitised as `Mention.from_json` does."""
    if isinstance(source, Mention):
        return source.author
    return Author.from_json(source.get("author"))


def author_key_of(source: Any, platform: str) -> str:
    """`triage.report_model.author_key` of the row's mention."""
    author = author_of(source)
    who = author.handle or author.name or "?"
    return f"{who} ({platform})"


class StoryMap:
    """The story of each mention and of each journal target after people's merges and
    splits (`triage.stories`): `placed(mention_id)` answers for the mentions a backend has
    placed itself (None: the record's group), `merged` maps a story to the one it went
    into (chains followed)."""

    def __init__(
        self,
        merged: Mapping[str, str],
        placed: Callable[[str], str | None] | None = None,
    ) -> None:
        self.merged = dict(merged)
        self.placed = placed

    def alias(self, story: str) -> str:
        seen = 0
        merged = self.merged
        while story in merged and seen < MAX_CHAIN:
            story = merged[story]
            seen += 1
        return story

    def of(self, mention_id: str, group_id: str) -> str:
        placed = self.placed(mention_id) if self.placed is not None else None
        return self.alias(placed or group_id)
