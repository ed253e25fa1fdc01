"""People for the faces: the store's people list, a person's record, in plain text.

`veille person` and the inbox's person pane (key `p`) both ask here, so they show the
same thing. The list is a file of the folder store (store.people); a store elsewhere
has no people list (empty, and a write says so).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from triage.model import Author, Mention
from triage.people import People, Person, Record, handle_key, record
from triage.people import wrote as triage_wrote
from triage.protocol import StoreReader
from triage.text import FIELD_LIMIT, clean_field, one_line


def people_of(store: StoreReader) -> People:
    """The store's people list; empty when it has none (or is not a folder store)."""
    from store.errors import StoreError
    from store.people import people_file

    try:
        return people_file(store.location).load()
    except StoreError:
        return People()


def update_people(store: StoreReader, change: Callable[[People], People]) -> People:
    """Change the store's people list durably (StoreError, ValueError in words)."""
    from store.people import people_file

    return people_file(store.location).update(change)


def people_tags(store: StoreReader) -> dict[str, frozenset[str]]:
    """tag -> handles, what a `person:TAG` filter term matches (KnownValues.people)."""
    return people_of(store).tag_index()


def person_record(store: StoreReader, handle: str) -> Record:
    """The record of whoever owns `handle` (a bare record when nobody was linked)."""
    key = handle_key(handle)
    person = people_of(store).find(key) or Person((key,))
    return record(person, authored(store, person), store.state)


def authored(store: StoreReader, person: Person) -> Iterator[Mention]:
    """The mentions `person` wrote, from every stored record (the old ones on disk too):
    only those become Mentions (a million of them took seconds to build for the `p`
    pane); `author_is` reads the author as `Mention.from_json` would."""
    from store.inbox import Inbox

    wrote = author_is(person)
    if isinstance(store, Inbox):
        from store.reportread import archive_records

        return (Mention.from_json(r) for r in archive_records(store) if wrote(r.get("author")))
    if type(store).__module__.startswith("store.postgres."):
        from store.postgres.reader import PgReader
        from store.postgres.reportread import records_by_author

        assert isinstance(store, PgReader)
        return (Mention.from_json(r) for r in records_by_author(store, wrote))
    every = getattr(store, "archive_mentions", store.all_mentions)
    return (m for m in every() if triage_wrote(person, m))


def author_is(person: Person) -> Callable[[Any], bool]:
    """Whether a stored record's `author` is one of `person`'s handles, as
    `triage.people.wrote` judges the Mention built from it (handles folded once each)."""
    keys: dict[str, bool] = {}

    def wrote(author: Any) -> bool:
        if type(author) is not dict:
            author = Author.from_json(author).to_json()
        handle, name, url = (
            author.get("handle") or "",
            author.get("name") or "",
            author.get("url") or "",
        )
        if not (
            type(handle) is str
            and type(name) is str
            and type(url) is str
            and (name + handle + url).isprintable()
            and max(len(name), len(handle), len(url)) <= FIELD_LIMIT
        ):  # what the sanitising boundary changes: as it changes it
            clean = Author.from_json(author)
            handle, name = clean.handle, clean.name
        raw = handle or name
        known = keys.get(raw)
        if known is None:
            try:
                known = keys[raw] = handle_key(raw) in person.handles
            except ValueError:
                known = keys[raw] = False
        return known

    return wrote


def safe(text: object, width: int | None = None) -> str:
    """One line, no escapes or control characters (names, notes and posts are not ours)."""
    return one_line(clean_field(str(text)), width)


def render_record(found: Record, store: StoreReader, limit: int = 20) -> str:
    """The record as plain lines."""
    p = found.person
    lines = [f"{safe(p.name) or safe(p.key)}  ({', '.join(safe(h) for h in p.handles)})"]
    lines.append("tags: " + (" ".join("#" + safe(t) for t in p.tags) or "none"))
    lines.append(f"reach: {found.reach:,}" if found.reach is not None else "reach: unknown")
    if p.notes:
        lines.append("notes:")
        lines += [f"  {n.at:%Y-%m-%d %H:%M} {safe(n.by, 30)}: {safe(n.text, 200)}" for n in p.notes]
    lines.append(f"posts ({len(found.mentions)}):")
    for m in found.mentions[:limit]:
        status = store.state(m.group_id or m.id).status.value
        lines.append(
            f"  {m.created_at:%Y-%m-%d %H:%M}  {m.platform:<10} {status:<8} "
            f"{safe(m.text or m.title, 80)}  [{safe(m.group_id or m.id, 40)}]"
        )
    if len(found.mentions) > limit:
        lines.append(f"  … and {len(found.mentions) - limit} more")
    lines.append(f"our replies ({len(found.replies)}):")
    for at, by, status, text in found.replies[:limit]:
        lines.append(f"  {at:%Y-%m-%d %H:%M} {safe(by, 30)} ({status}): {safe(text, 100)}")
    return "\n".join(lines) + "\n"
