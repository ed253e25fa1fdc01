"""People: one author's record across platforms (pure; store.people keeps the file).

A person is a set of handles linked by hand (`veille person link @ana ana.bsky.social`),
with tags (`vip`, `influencer`, `journalist`, `blocked`, any single word), a reach
given by hand or seen on their posts, and private notes. A handle is compared folded
and without its leading `@` (`@Ana` is `ana`); `ana@mastodon.social` and `ana` are two
handles until linked. Their history (posts, our answers) is read from the store, never
copied here.

VIPs are ranked up: a new post by a person tagged `vip` gets `vip_bump` added to its
priority (default 15, at most MAX_VIP_BUMP, the result within 0-100), a signal saying so.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from triage.filter import Filter
from triage.model import Mention, TriageState, dt_from_json, dt_to_json
from triage.text import bound, clean_field, fold
from triage.transitions import clean_tag

VIP_TAG = "vip"
VIP_BUMP = 15.0
MAX_VIP_BUMP = 30.0
SUGGESTED_TAGS = ("vip", "influencer", "journalist", "blocked")
HANDLE_LIMIT = 200
NOTE_LIMIT = 2000
CSV_COLUMNS = ("handles", "name", "tags", "reach", "note")


@dataclass(frozen=True, slots=True)
class PeopleSettings:
    """`[people]`: how far a VIP's new post moves up."""

    vip_bump: float = VIP_BUMP


def handle_key(text: str) -> str:
    """A handle as compared: folded, no leading @; ValueError in words otherwise."""
    raw = clean_field(text).strip()
    key = fold(raw).lstrip("@")
    if not key:
        raise ValueError(f"{raw!r} is not a handle: it is empty")
    if any(c.isspace() for c in key):
        raise ValueError(f"{bound(raw, 60)!r} is not a handle: a handle has no spaces")
    if len(key) > HANDLE_LIMIT:
        raise ValueError(f"a handle of {len(key)} characters is too long (at most {HANDLE_LIMIT})")
    return key


@dataclass(frozen=True, slots=True)
class PersonNote:
    text: str
    by: str
    at: datetime

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "by": self.by, "at": dt_to_json(self.at)}


@dataclass(frozen=True, slots=True)
class Person:
    handles: tuple[str, ...]  # keys (handle_key), the first names the person
    name: str = ""
    tags: tuple[str, ...] = ()
    reach: int | None = None  # given by hand or imported
    notes: tuple[PersonNote, ...] = ()

    @property
    def key(self) -> str:
        return self.handles[0]

    def to_json(self) -> dict[str, Any]:
        return {
            "handles": list(self.handles),
            "name": self.name,
            "tags": list(self.tags),
            "reach": self.reach,
            "notes": [n.to_json() for n in self.notes],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Person:
        return cls(
            handles=tuple(str(h) for h in data["handles"]),
            name=str(data.get("name") or ""),
            tags=tuple(str(t) for t in data.get("tags") or ()),
            reach=data.get("reach"),
            notes=tuple(
                PersonNote(str(n["text"]), str(n.get("by") or ""), dt_from_json(n["at"]))  # type: ignore[arg-type]
                for n in data.get("notes") or ()
            ),
        )


@dataclass(frozen=True, slots=True)
class People:
    """Every person of a store, looked up by any of their handles."""

    persons: tuple[Person, ...] = ()
    _by_handle: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for i, p in enumerate(self.persons):
            for h in p.handles:
                self._by_handle[h] = i

    def find(self, handle: str) -> Person | None:
        try:
            i = self._by_handle.get(handle_key(handle))
        except ValueError:
            return None
        return None if i is None else self.persons[i]

    def tagged(self, tag: str) -> frozenset[str]:
        """The handles of everyone tagged `tag` (what `person:TAG` matches)."""
        want = fold(tag).lstrip("#")
        return frozenset(h for p in self.persons if want in map(fold, p.tags) for h in p.handles)

    def tag_index(self) -> dict[str, frozenset[str]]:
        tags = {fold(t) for p in self.persons for t in p.tags}
        return {t: self.tagged(t) for t in tags}

    def to_json(self) -> dict[str, Any]:
        return {"version": 1, "people": [p.to_json() for p in self.persons]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> People:
        return cls(tuple(Person.from_json(p) for p in data.get("people") or ()))


def _put(people: People, person: Person, replacing: Iterable[Person] = ()) -> People:
    gone = {id(p) for p in replacing}
    kept = [p for p in people.persons if id(p) not in gone]
    return People((*kept, person))


def _person(people: People, handle: str) -> tuple[Person, list[Person]]:
    key = handle_key(handle)
    found = people.find(key)
    return (found, [found]) if found else (Person((key,)), [])


def link(people: People, handles: Sequence[str], name: str = "") -> People:
    """One person owning every handle given: the persons they belonged to are merged
    (handles, tags, notes; the largest reach; the first name)."""
    keys = list(dict.fromkeys(handle_key(h) for h in handles))
    if not keys:
        raise ValueError("give at least one handle")
    owners = list({id(p): p for k in keys if (p := people.find(k)) is not None}.values())
    merged_handles = list(dict.fromkeys([h for p in owners for h in p.handles] + keys))
    reaches = [p.reach for p in owners if p.reach is not None]
    person = Person(
        handles=tuple(merged_handles),
        name=clean_field(name).strip() or next((p.name for p in owners if p.name), ""),
        tags=tuple(dict.fromkeys(t for p in owners for t in p.tags)),
        reach=max(reaches) if reaches else None,
        notes=tuple(sorted((n for p in owners for n in p.notes), key=lambda n: n.at)),
    )
    return _put(people, person, owners)


def set_tags(
    people: People, handle: str, add: Sequence[str] = (), remove: Sequence[str] = ()
) -> People:
    person, old = _person(people, handle)
    added = [clean_tag(t) for t in add]
    removed = {clean_tag(t) for t in remove}
    tags = [t for t in person.tags if t not in removed]
    tags += [t for t in added if t not in tags]
    return _put(people, replace(person, tags=tuple(tags)), old)


def add_note(people: People, handle: str, text: str, by: str, at: datetime) -> People:
    body = clean_field(text).strip()
    if not body:
        raise ValueError("a note needs some text")
    person, old = _person(people, handle)
    note = PersonNote(bound(body, NOTE_LIMIT), by, at)
    return _put(people, replace(person, notes=(*person.notes, note)), old)


def set_reach(people: People, handle: str, reach: int | None) -> People:
    if reach is not None and reach < 0:
        raise ValueError("reach is a number of followers, 0 or more")
    person, old = _person(people, handle)
    return _put(people, replace(person, reach=reach), old)


# -- CSV lists


@dataclass(frozen=True, slots=True)
class Row:
    line: int
    handles: tuple[str, ...]
    name: str = ""
    tags: tuple[str, ...] = ()
    reach: int | None = None
    note: str = ""


def parse_csv(text: str) -> tuple[list[Row], list[tuple[int, str]]]:
    """The rows of a people list and, for each row refused, (its line, why in words).

    Columns (a header line names them, any order, only `handles` required): `handles`
    (one or more, separated by spaces), `name`, `tags` (separated by spaces, commas or
    `;`), `reach` (a whole number), `note`."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        return [], [(1, "the file is empty; the first line names the columns")]
    except csv.Error as exc:
        return [], [(1, f"not CSV: {exc}")]
    names = [fold(clean_field(h)).strip() for h in header]
    unknown = [h for h in names if h and h not in CSV_COLUMNS]
    if "handles" not in names and "handle" in names:
        names[names.index("handle")] = "handles"
    if "handles" not in names or unknown:
        why = f"unknown column {unknown[0]!r}; " if unknown else "no 'handles' column; "
        return [], [(1, why + "the columns are " + ", ".join(CSV_COLUMNS))]
    rows: list[Row] = []
    errors: list[tuple[int, str]] = []
    line = reader.line_num
    while True:
        start = line + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append((start, f"not CSV: {exc}"))
            break
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        try:
            rows.append(_row(start, dict(zip(names, cells, strict=False)), len(cells), len(names)))
        except ValueError as exc:
            errors.append((start, str(exc)))
    return rows, errors


def _row(line: int, cells: dict[str, str], width: int, expected: int) -> Row:
    if width > expected:
        raise ValueError(f"{width} cells where the header names {expected}")
    handles = tuple(handle_key(h) for h in cells.get("handles", "").split())
    if not handles:
        raise ValueError("no handle")
    tags = tuple(
        clean_tag(t) for t in cells.get("tags", "").replace(";", " ").replace(",", " ").split()
    )
    reach_text = cells.get("reach", "").strip().replace("_", "")
    reach = None
    if reach_text:
        if not reach_text.isdigit():
            raise ValueError(f"reach {bound(clean_field(reach_text), 30)!r} is not a whole number")
        reach = int(reach_text)
    name = bound(clean_field(cells.get("name", "")).strip(), 200)
    return Row(line, handles, name, tags, reach, clean_field(cells.get("note", "")).strip())


def import_rows(people: People, rows: Iterable[Row], by: str, at: datetime) -> People:
    """Each row linked, tagged, its reach and note added (an existing person keeps
    what they had)."""
    for row in rows:
        people = link(people, row.handles, row.name)
        if row.tags:
            people = set_tags(people, row.handles[0], row.tags)
        if row.reach is not None:
            people = set_reach(people, row.handles[0], row.reach)
        if row.note:
            person = people.find(row.handles[0])
            if person is None or all(n.text != row.note for n in person.notes):
                people = add_note(people, row.handles[0], row.note, by, at)
    return people


# -- a person's record and ranking


@dataclass(frozen=True, slots=True)
class Record:
    """What `veille person` and the person pane show."""

    person: Person
    mentions: tuple[Mention, ...]  # newest first
    replies: tuple[tuple[datetime, str, str, str], ...]  # (at, by, status, text), newest first
    reach: int | None


def wrote(person: Person, mention: Mention) -> bool:
    try:
        return handle_key(mention.author.handle or mention.author.name) in person.handles
    except ValueError:
        return False


def record(
    person: Person, mentions: Iterable[Mention], state_of: Callable[[str], TriageState]
) -> Record:
    """The person's posts (any linked handle) and our replies to their groups."""
    theirs = sorted((m for m in mentions if wrote(person, m)), key=lambda m: m.created_at,
                    reverse=True)  # fmt: skip
    replies = []
    for gid in dict.fromkeys(m.group_id or m.id for m in theirs):
        for r in state_of(gid).replies:
            replies.append((r.at, r.by, r.status.value, r.text))
    replies.sort(reverse=True)
    seen = [m.author.reach for m in theirs if m.author.reach is not None]
    reaches = [*seen, *([person.reach] if person.reach is not None else [])]
    return Record(person, tuple(theirs), tuple(replies), max(reaches) if reaches else None)


def vip_bump(mention: Mention, people: People, settings: PeopleSettings | None) -> Mention:
    """A VIP's post moved up by `vip_bump` (within 0-100), a signal saying who."""
    amount = (settings or PeopleSettings()).vip_bump
    if not amount or not people.persons:
        return mention
    person = people.find(mention.author.handle) if mention.author.handle else None
    if person is None or VIP_TAG not in person.tags:
        return mention
    return replace(
        mention,
        priority=min(100.0, max(0.0, mention.priority + amount)),
        signals=(*mention.signals, f"vip: {person.name or person.key} {amount:+g}"),
    )


def with_people(flt: Filter, people: People) -> Filter:
    """The filter with its `person:TAG` terms matching today's people list (a rule's
    filter is parsed when the configuration is read, the list changes later)."""
    if not any(t.field == "person" for t in flt.terms):
        return flt
    index = people.tag_index()
    terms = tuple(
        replace(t, alternatives=tuple(sorted(index.get(t.value, ())))) if t.field == "person" else t
        for t in flt.terms
    )
    return replace(flt, terms=terms)
