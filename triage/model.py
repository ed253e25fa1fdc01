"""The domain records: Mention, Group, TriageState, Event.

Dataclasses with slots (100k mentions must fit in memory cheaply), UTC datetimes, and
lossless (de)serialisation to plain JSON types so that the store, the exports and the
tests all speak the same shape. They are triage.records' records, whose __init__ is
written here rather than compiled at import (a scripted `veille tag` imports this
module); the triage state's records live in triage.state and are re-exported here.
"""

from __future__ import annotations

from dataclasses import field, fields
from datetime import datetime
from typing import Any

from triage.clock import dt_from_json as dt_from_json  # re-exported: callers take
from triage.clock import dt_to_json as dt_to_json  # the clock from triage.model
from triage.clock import to_utc as to_utc
from triage.clock import utcnow as utcnow
from triage.records import record
from triage.state import OUTCOMES as OUTCOMES  # re-exported: the state's records
from triage.state import STATE_FIELDS as STATE_FIELDS
from triage.state import DeliveryStatus as DeliveryStatus
from triage.state import Event as Event
from triage.state import Handoff as Handoff
from triage.state import Note as Note
from triage.state import Reply as Reply
from triage.state import Status as Status
from triage.state import TriageState as TriageState
from triage.text import (
    FIELD_LIMIT,
    TEXT_LIMIT,
    TITLE_LIMIT,
    bound,
    clean_field,
    clean_text,
    printable_text,
)

# --------------------------------------------------------------------------- ids


def mention_id(platform: str, native_id: str) -> str:
    """The stable id of a mention: `{platform}:{native id}`, the same on every poll."""
    if not platform or ":" in platform:
        raise ValueError(f"invalid platform name {platform!r}")
    if not native_id:
        raise ValueError("a mention needs a native id")
    return f"{platform}:{native_id}"


# --------------------------------------------------------------------------- mention


@record()
class Author:
    """Who wrote a mention, as the platform names them."""

    name: str = ""
    handle: str = ""
    url: str = ""
    reach: int | None = None  # followers / karma when the platform tells

    def __init__(
        self, name: str = "", handle: str = "", url: str = "", reach: int | None = None
    ) -> None:
        self.name, self.handle, self.url, self.reach = name, handle, url, reach
        # part of the sanitising boundary (see Mention.__init__)
        if not (self.name + self.handle + self.url).isprintable() or (
            max(len(self.name), len(self.handle), len(self.url)) > FIELD_LIMIT
        ):
            self.name = bound(clean_field(self.name), FIELD_LIMIT)
            self.handle = bound(clean_field(self.handle), FIELD_LIMIT)
            self.url = bound(clean_field(self.url), FIELD_LIMIT)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "handle": self.handle, "url": self.url, "reach": self.reach}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Author:
        data = data or {}
        return cls(
            name=data.get("name") or "",
            handle=data.get("handle") or "",
            url=data.get("url") or "",
            reach=data.get("reach"),
        )

    @property
    def display(self) -> str:
        return self.handle or self.name or "?"

    def __reduce__(self) -> tuple[Any, ...]:
        # pickled as constructor arguments: 4x faster to load than slot-by-slot state,
        # and the poller's workers send every parsed mention to the main process
        return (Author, (self.name, self.handle, self.url, self.reach))


@record(frozen=True)
class Prepared:
    """The per-mention half of the triage pipeline, computed where the mention was
    parsed (a worker process of the poller) so the sequential half has less to do.

    Scratch for ingestion only: never stored, never compared. `fingerprint` names the
    brand configuration that decided the mention's brands and priority; a pipeline with
    another configuration decides them again.
    """

    fingerprint: str
    norm: str  # the normal form grouping compares (triage.normalize)
    keys: tuple[str, ...] = ()  # its blocking keys (triage.grouping.blocking_keys)
    counts: tuple[int, int] | None = None  # its (words, informative words): grouping's

    def __init__(
        self,
        fingerprint: str,
        norm: str,
        keys: tuple[str, ...] = (),
        counts: tuple[int, int] | None = None,
    ) -> None:
        object.__setattr__(self, "fingerprint", fingerprint)
        object.__setattr__(self, "norm", norm)
        object.__setattr__(self, "keys", keys)
        object.__setattr__(self, "counts", counts)


@record()
class Mention:
    """One post, comment or article that talks about a watched brand.

    Immutable once stored (the archive is append-only): the fields filled at ingestion
    (brands, keywords, group_id, priority, signals) are computed before the first write.
    `text` is plain text, already sanitised: never markup. `prepared` is ingestion
    scratch (see `Prepared`), not part of the record.
    """

    id: str
    platform: str
    source: str
    url: str
    author: Author
    text: str
    created_at: datetime
    fetched_at: datetime
    title: str = ""
    lang: str | None = None
    parent_id: str | None = None
    thread_id: str | None = None
    brands: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    group_id: str = ""
    priority: float = 0.0
    signals: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)  # platform bits (uri, cid, ...)
    prepared: Prepared | None = field(default=None, compare=False, repr=False)

    def __init__(
        self, id: str, platform: str, source: str, url: str, author: Author, text: str,
        created_at: datetime, fetched_at: datetime, title: str = "", lang: str | None = None,
        parent_id: str | None = None, thread_id: str | None = None,
        brands: tuple[str, ...] = (), keywords: tuple[str, ...] = (), group_id: str = "",
        priority: float = 0.0, signals: tuple[str, ...] = (),
        extra: dict[str, Any] | None = None, prepared: Prepared | None = None,
    ) -> None:  # fmt: skip
        self.id = id
        self.platform = platform
        self.source = source
        self.url = url
        self.author = author
        self.text = text
        self.created_at = created_at
        self.fetched_at = fetched_at
        self.title = title
        self.lang = lang
        self.parent_id = parent_id
        self.thread_id = thread_id
        self.brands = brands
        self.keywords = keywords
        self.group_id = group_id
        self.priority = priority
        self.signals = signals
        self.extra = {} if extra is None else extra
        self.prepared = prepared
        # The one sanitising boundary: every string field of every mention, whatever made
        # it (a source, the store, an import), is cleaned here, once, so nothing downstream
        # has to remember: no escape sequence, control or bidi override, one-line fields
        # on one line, and texts bounded (a marker says where a long one was cut).
        # Most records are clean: one scan of all one-line fields joined, one of the text.
        fields_ok = "".join(
            (
                self.id,
                self.platform,
                self.source,
                self.url,
                self.title,
                self.group_id,
                self.lang or "",
                self.parent_id or "",
                self.thread_id or "",
            )
        ).isprintable()
        too_long = len(self.url) > FIELD_LIMIT or len(self.title) > TITLE_LIMIT
        if not fields_ok or too_long or (self.lang is not None and len(self.lang) > 64):
            self.id = clean_field(self.id)
            self.platform = clean_field(self.platform)
            self.source = clean_field(self.source)
            self.url = bound(clean_field(self.url), FIELD_LIMIT)
            self.title = bound(clean_field(self.title), TITLE_LIMIT)
            self.group_id = clean_field(self.group_id)
            if self.lang is not None:
                self.lang = clean_field(self.lang)[:64] or None
            if self.parent_id is not None:
                self.parent_id = clean_field(self.parent_id)
            if self.thread_id is not None:
                self.thread_id = clean_field(self.thread_id)
        if not printable_text(self.text) or len(self.text) > TEXT_LIMIT:
            self.text = bound(clean_text(self.text))
        for key, value in self.extra.items():  # platform bits shown by `veille show`
            if isinstance(value, str) and not value.isprintable():
                self.extra[key] = clean_field(value)
        self.created_at = to_utc(self.created_at)
        self.fetched_at = to_utc(self.fetched_at)
        if not self.group_id:
            self.group_id = self.id

    @property
    def native_id(self) -> str:
        return self.id.split(":", 1)[1]

    def __reduce__(self) -> tuple[Any, ...]:
        # as constructor arguments (see Author.__reduce__): ~5 µs to load instead of ~18
        return (Mention, tuple([getattr(self, name) for name in _MENTION_FIELDS]))

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "platform": self.platform,
            "source": self.source,
            "url": self.url,
            "author": self.author.to_json(),
            "text": self.text,
            "title": self.title,
            "created_at": dt_to_json(self.created_at),
            "fetched_at": dt_to_json(self.fetched_at),
            "lang": self.lang,
            "parent_id": self.parent_id,
            "thread_id": self.thread_id,
            "brands": list(self.brands),
            "keywords": list(self.keywords),
            "group_id": self.group_id,
            "priority": self.priority,
            "signals": list(self.signals),
            "extra": self.extra,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Mention:
        return cls(
            id=data["id"],
            platform=data["platform"],
            source=data.get("source", ""),
            url=data.get("url", ""),
            author=Author.from_json(data.get("author")),
            text=data.get("text", ""),
            title=data.get("title", ""),
            created_at=dt_from_json(data["created_at"]),  # type: ignore[arg-type]
            fetched_at=dt_from_json(data.get("fetched_at") or data["created_at"]),  # type: ignore[arg-type]
            lang=data.get("lang"),
            parent_id=data.get("parent_id"),
            thread_id=data.get("thread_id"),
            brands=tuple(data.get("brands") or ()),
            keywords=tuple(data.get("keywords") or ()),
            group_id=data.get("group_id") or data["id"],
            priority=float(data.get("priority") or 0.0),
            signals=tuple(data.get("signals") or ()),
            extra=dict(data.get("extra") or {}),
        )


_MENTION_FIELDS = tuple(f.name for f in fields(Mention))

