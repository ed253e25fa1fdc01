"""The domain's records (triage.records) behave as the `@dataclass(slots=True)` classes
they replaced: same constructor, repr, equality, hashing, pickling and dataclasses API.
Each is checked against a real dataclass made from its own declared fields, so a
field added without its __init__ parameter (or in another order) fails here."""

from __future__ import annotations

import dataclasses
import inspect
import pickle
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any

import pytest

from triage.model import (
    Author,
    DeliveryStatus,
    Event,
    Handoff,
    Mention,
    Note,
    Prepared,
    Reply,
    Status,
    TriageState,
)

T = datetime(2026, 11, 20, 8, tzinfo=UTC)
SAMPLES: dict[type, dict[str, Any]] = {
    Author: {"name": "A", "handle": "@a", "url": "https://a.example", "reach": 3},
    Prepared: {"fingerprint": "f", "norm": "lamp", "keys": ("la",), "counts": (1, 1)},
    Mention: {
        "id": "rss:1", "platform": "rss", "source": "s", "url": "https://e.example/1",
        "author": Author("A"), "text": "the lamp", "created_at": T, "fetched_at": T,
        "title": "t", "lang": "en", "parent_id": "rss:0", "thread_id": "rss:0",
        "brands": ("Lumio",), "keywords": ("lamp",), "group_id": "rss:0", "priority": 2.5,
        "signals": ("question",), "extra": {"uri": "x"}, "prepared": Prepared("f", "n"),
    },
    Handoff: {"team": "support", "note": "n", "by": "ana", "at": T,
              "delivery": DeliveryStatus.FAILED, "error": "e", "attempts": 2},
    Note: {"text": "call back", "by": "ana", "at": T},
    Reply: {"key": "k", "text": "hello", "by": "ana", "at": T, "mention_id": "rss:1",
            "status": DeliveryStatus.AWAITING, "posted_url": "u", "error": "e", "attempts": 1,
            "reviewed_by": "bo", "review_note": "shorter"},
    TriageState: {
        "target": "rss:0", "status": Status.OPEN, "tags": ("x",), "assignee": "ana",
        "claimed_by": "bo", "claim_expires": T, "handoff": Handoff("t", "n", "b", T),
        "notes": (Note("n", "b", T),), "snoozed_until": T, "first_response_at": T,
        "replies": (Reply("k", "t", "b", T),), "updated_at": T, "updated_by": "ana", "rev": 4,
        "merged_into": "rss:9", "split_from": "rss:8",
    },
    Event: {"id": "e1", "at": T, "who": "ana", "action": "tag", "target": "rss:0",
            "before": {"tags": []}, "after": {"tags": ["x"]}, "rev": 1, "undoes": "e0",
            "batch": "b"},
}  # fmt: skip


def reference(cls: type) -> type:
    """A real `@dataclass(slots=True)` with `cls`'s declared fields."""
    specs = []
    for f in dataclasses.fields(cls):
        kw: dict[str, Any] = {"compare": f.compare, "repr": f.repr}
        if f.default is not dataclasses.MISSING:
            kw["default"] = f.default
        if f.default_factory is not dataclasses.MISSING:
            kw["default_factory"] = f.default_factory
        specs.append((f.name, f.type, dataclasses.field(**kw)))
    return dataclasses.make_dataclass(cls.__name__, specs, slots=True, frozen=cls is Prepared)


def other(value: Any) -> Any:
    """A different value of the same kind."""
    if isinstance(value, Enum):
        return next(v for v in type(value) if v != value)
    if isinstance(value, str):
        return value + "z"
    if isinstance(value, bool | int | float):
        return value + 1
    if isinstance(value, datetime):
        return value + timedelta(seconds=1)
    if isinstance(value, tuple):
        return (*value, value[0] if value else "z")
    if isinstance(value, dict):
        return {**value, "z": 1}
    if value is None:
        return "z"
    return dataclasses.replace(value, **{dataclasses.fields(value)[0].name: "other"})


@pytest.mark.parametrize("cls", list(SAMPLES), ids=lambda c: c.__name__)
def test_a_record_is_the_dataclass_it_declares(cls: type) -> None:
    ref = reference(cls)
    mine, theirs = inspect.signature(cls), inspect.signature(ref)
    assert list(mine.parameters) == list(theirs.parameters)
    for name, p in theirs.parameters.items():
        if p.default is not inspect.Parameter.empty and not repr(p.default).startswith("<"):
            assert mine.parameters[name].default == p.default, name
        else:  # no default there, or a factory (a dict: None here)
            assert (mine.parameters[name].default is inspect.Parameter.empty) == (
                p.default is inspect.Parameter.empty
            ), name
    kw = SAMPLES[cls]
    a, r = cls(**kw), ref(**kw)
    assert repr(a) == repr(r)
    assert cls(*kw.values()) == a  # positional, in the fields' order
    assert a.__match_args__ == r.__match_args__ and a.__slots__ == r.__slots__
    for f in dataclasses.fields(cls):
        changed = {**kw, f.name: other(kw[f.name])}
        assert (cls(**changed) == a) == (ref(**changed) == r), f.name
    assert (a == object()) is False and a != kw
    if cls is Prepared:
        assert hash(a) == hash(r) == hash(cls(**kw))
        with pytest.raises(dataclasses.FrozenInstanceError):
            a.norm = "x"  # type: ignore[misc]
    else:
        with pytest.raises(TypeError):
            hash(a)
    assert pickle.loads(pickle.dumps(a)) == a
    assert dataclasses.replace(a) == a and dataclasses.asdict(a) == dataclasses.asdict(r)


def test_the_defaults_are_the_dataclass_ones() -> None:
    assert Author() == Author("", "", "", None)
    m = Mention("rss:1", "rss", "s", "u", Author(), "t", T, T)
    assert m.extra == {} and m.extra is not Mention("rss:2", "rss", "s", "u", Author(), "t", T, T).extra
    assert m.group_id == "rss:1" and m.prepared is None
    assert TriageState("g") == TriageState.from_json({"target": "g"})
