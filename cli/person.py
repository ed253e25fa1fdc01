"""`veille person`: people across platforms, from the shell.

    veille person HANDLE                      the record: handles, tags, reach, notes,
                                              their posts and our replies
    veille person link HANDLE HANDLE… [--name N]   one person owning these handles
    veille person tag HANDLE TAG… -TAG…       tags (vip, influencer, journalist, blocked…)
    veille person note HANDLE TEXT…           a private note on the person
    veille person import FILE.csv             a people list (columns: handles, name,
                                              tags, reach, note); bad rows are reported
                                              by line, the others imported
    veille person list [TAG]                  everyone (or everyone so tagged)

Everything printed from a person or a post goes through `clean_field`: a name, a note
or a post cannot move the cursor or colour the terminal.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from cli.common import EXIT_REFUSED, EXIT_USAGE, json_line, say

if TYPE_CHECKING:
    from app.runtime import Runtime
    from triage.people import People, Person, Record
    from triage.protocol import Store

VERBS = ("show", "link", "tag", "note", "import", "list")


def _safe(text: object, width: int | None = None) -> str:
    from triage.text import clean_field, one_line

    return one_line(clean_field(str(text)), width)


def _people_file(store: Store) -> Any:
    from store.people import people_file

    return people_file(store.location)


def _run(args: argparse.Namespace, action: Any) -> int:
    from cli.triage import _run as run_on_store

    return run_on_store(args, action)


def cmd_person(args: argparse.Namespace) -> int:
    words: list[str] = list(args.words)
    if not words:
        say("veille", "give a handle, or one of: " + ", ".join(VERBS))
        return EXIT_USAGE
    verb = words[0] if words[0] in VERBS else "show"
    rest = words[1:] if words[0] in VERBS else words
    handler = {"show": _show, "link": _link, "tag": _tag, "note": _note,
               "import": _import, "list": _list}[verb]  # fmt: skip
    return handler(args, rest)


def _show(args: argparse.Namespace, rest: list[str]) -> int:
    if "--json" in rest:
        args.json, rest = True, [w for w in rest if w != "--json"]
    if len(rest) != 1:
        say("veille", "usage: veille person HANDLE")
        return EXIT_USAGE

    def action(store: Store, rt: Runtime) -> int:
        from app.people import render_record
        from triage.people import Person, handle_key, record

        key = handle_key(rest[0])
        person = _people_file(store).load().find(key) or Person((key,))
        found = record(person, store.all_mentions(), store.state)
        if not found.mentions and person.handles == (key,) and not (person.tags or person.notes):
            say("veille", f"nobody known as {_safe(rest[0], 60)!r}: no post, no record")
            return EXIT_REFUSED
        if args.json:
            sys.stdout.write(json_line(_record_json(found, store), indent=True) + "\n")
        else:
            sys.stdout.write(render_record(found, store))
        return 0

    return _run(args, action)


def _record_json(found: Record, store: Store) -> dict[str, Any]:
    return {
        **found.person.to_json(),
        "reach": found.reach,
        "mentions": [
            {
                "id": m.id,
                "group": m.group_id or m.id,
                "platform": m.platform,
                "at": m.created_at.isoformat(),
                "text": m.text or m.title,
            }
            for m in found.mentions
        ],
        "replies": [
            {"at": at.isoformat(), "by": by, "status": status, "text": text}
            for at, by, status, text in found.replies
        ],
    }


def _update(args: argparse.Namespace, change: Any, done: str) -> int:
    def action(store: Store, rt: Runtime) -> int:
        _people_file(store).update(change)
        print(done)
        return 0

    return _run(args, action)


def _link(args: argparse.Namespace, rest: list[str]) -> int:
    from triage.people import link

    name = args.name or ""
    if "--name" in rest[:-1]:  # after the handles: argparse left it among them
        at = rest.index("--name")
        name, rest = rest[at + 1], rest[:at] + rest[at + 2 :]
    if not rest:
        say("veille", "usage: veille person link HANDLE HANDLE… [--name NAME]")
        return EXIT_USAGE
    return _update(args, lambda p: link(p, rest, name),
                   "linked: " + " ".join(_safe(h, 60) for h in rest))  # fmt: skip


def _tag(args: argparse.Namespace, rest: list[str]) -> int:
    from triage.people import set_tags

    if len(rest) < 2:
        say("veille", "usage: veille person tag HANDLE TAG… -TAG…")
        return EXIT_USAGE
    add = [t for t in rest[1:] if not t.startswith("-")]
    remove = [t[1:] for t in rest[1:] if t.startswith("-")]
    return _update(
        args, lambda p: set_tags(p, rest[0], add, remove), f"tagged: {_safe(rest[0], 60)}"
    )


def _note(args: argparse.Namespace, rest: list[str]) -> int:
    from triage.model import utcnow
    from triage.people import add_note

    if len(rest) < 2:
        say("veille", "usage: veille person note HANDLE TEXT…")
        return EXIT_USAGE
    user = _user(args)
    return _update(args, lambda p: add_note(p, rest[0], " ".join(rest[1:]), user, utcnow()),
                   f"noted: {_safe(rest[0], 60)}")  # fmt: skip


def _user(args: argparse.Namespace) -> str:
    from cli.common import runtime

    try:
        return runtime(args, required=False).user
    except Exception:
        return "unknown"


def _import(args: argparse.Namespace, rest: list[str]) -> int:
    from pathlib import Path

    from triage.model import utcnow
    from triage.people import import_rows, parse_csv

    if len(rest) != 1:
        say("veille", "usage: veille person import FILE.csv")
        return EXIT_USAGE
    path = Path(rest[0])
    try:
        raw = path.read_bytes()
    except OSError as exc:
        say("veille", f"{_safe(path, 200)}: cannot be read ({exc.strerror})")
        return EXIT_REFUSED
    text = raw.decode("utf-8-sig", errors="replace")
    rows, errors = parse_csv(text)
    for line, why in errors:
        say("veille", f"{_safe(path.name, 100)}, line {line}: {_safe(why, 200)} (row skipped)")
    user = _user(args)
    if not rows:
        say("veille", "nothing imported")
        return EXIT_REFUSED

    def action(store: Store, rt: Runtime) -> int:
        _people_file(store).update(lambda p: import_rows(p, rows, user, utcnow()))
        print(f"imported {len(rows)} row(s)" + (f", {len(errors)} skipped" if errors else ""))
        return 0 if not errors else EXIT_REFUSED

    return _run(args, action)


def _list(args: argparse.Namespace, rest: list[str]) -> int:
    def action(store: Store, rt: Runtime) -> int:
        people: People = _people_file(store).load()
        wanted = rest[0].lstrip("#").casefold() if rest else None
        for person in sorted(people.persons, key=lambda p: p.key):
            if wanted is None or wanted in (t.casefold() for t in person.tags):
                print(_line(person))
        return 0

    return _run(args, action)


def _line(person: Person) -> str:
    tags = " ".join("#" + _safe(t) for t in person.tags)
    return f"{_safe(person.key, 60)}\t{_safe(person.name, 40)}\t{tags}\t" + " ".join(
        _safe(h, 60) for h in person.handles[1:]
    )


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "person",
        help="a person across platforms: HANDLE, link, tag, note, import, list",
        description=__doc__.split("\n\n")[1] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        add_help=False,
    )
    p.add_argument("--help", action="help", help="show this help and exit")
    p.add_argument("--name", help="with link: the person's name")
    p.add_argument("--json", action="store_true", help="with HANDLE: the record as JSON")
    p.add_argument("--wait", type=float, default=10.0, metavar="S", help="store lock wait")
    p.add_argument("words", nargs=argparse.REMAINDER, metavar="HANDLE | ACTION ...")
    p.set_defaults(func=cmd_person)
