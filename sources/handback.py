"""Mentions handed back from a parse worker to the main process, cheaply.

Each feed's mentions cross the process boundary once (pickled by the worker, unpickled
by the main process's executor thread). Pickled one by one, a mention is a call to
`Mention(...)` with an `Author(...)` and a `Prepared` inside: ~20 µs each to load in the
main process (its sanitising checks, `Prepared`'s slot-by-slot state), 0.2 s of the
critical path per 10,000 posts, and ~10 µs each to dump in the worker. Here a batch
crosses as one list of flat rows (strings, numbers, tuples, datetimes: pickle's own fast
paths), and the main process rebuilds the records without running their checks again:
every value came out of a `Mention` built in the worker, which cleaned it (the
sanitising boundary), so the checks would change nothing. Only the poller's hand-back
uses this; a mention pickled anywhere else is rebuilt by its constructor as before.
"""

from __future__ import annotations

from typing import Any

from triage.model import Author, Mention, Prepared

_new = object.__new__


class Handed(list[Mention]):
    """A worker's parsed (and prepared) mentions, pickled as flat rows: unpickled, a
    plain list of equal mentions (`prepared` included)."""

    __slots__ = ()

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        rows = [
            (
                m.id, m.platform, m.source, m.url, m.text, m.created_at, m.fetched_at,
                m.title, m.lang, m.parent_id, m.thread_id, m.brands, m.keywords,
                m.group_id, m.priority, m.signals, m.extra,
                (a := m.author).name, a.handle, a.url, a.reach,
                None if (p := m.prepared) is None
                else (p.fingerprint, p.norm, p.keys, p.counts),
            )
            for m in self
        ]  # fmt: skip
        return (received, (rows,))


def received(rows: list[tuple[Any, ...]]) -> list[Mention]:
    """The mentions of `Handed` rows, rebuilt field by field (no checks: see above)."""
    out: list[Mention] = []
    append = out.append
    for (
        id, platform, source, url, text, created_at, fetched_at, title, lang, parent_id,
        thread_id, brands, keywords, group_id, priority, signals, extra,
        name, handle, address, reach, prepared,
    ) in rows:  # fmt: skip
        author = _new(Author)
        author.name = name
        author.handle = handle
        author.url = address
        author.reach = reach
        m = _new(Mention)
        m.id = id
        m.platform = platform
        m.source = source
        m.url = url
        m.author = author
        m.text = text
        m.created_at = created_at
        m.fetched_at = fetched_at
        m.title = title
        m.lang = lang
        m.parent_id = parent_id
        m.thread_id = thread_id
        m.brands = brands
        m.keywords = keywords
        m.group_id = group_id
        m.priority = priority
        m.signals = signals
        m.extra = extra
        m.prepared = None if prepared is None else Prepared(*prepared)
        append(m)
    return out
