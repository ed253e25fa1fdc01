"""Scriptable triage: `veille list|show|tag|status|done|snooze|assign|note|undo`.

For cron jobs and shell loops, as `notmuch tag` and `task` users do. Each command exits 0
only once its action is durable, and otherwise prints one clear line on stderr and
exits non-zero (1: the action was refused; 2: bad usage; 3: the store was busy).
Only the store and the domain are imported: no Textual, no httpx, so it starts fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from contextlib import AbstractContextManager
    from datetime import datetime

    from app.runtime import Runtime
    from app.scripting import ScriptedRuntime
    from triage.model import Event, Status, TriageState
    from triage.protocol import Store
    from triage.views import GroupView

from cli.common import (
    EXIT_BUSY,
    EXIT_REFUSED,
    EXIT_USAGE,
    inbox_query,
    json_line,
    runtime,
    say,
)

Change = Callable[["TriageState", "datetime"], dict[str, Any]]


class Actions(Protocol):
    """What the scripted actions ask of a store: the folder store opened lean
    (store.scripted.ScriptedStore) or any Store."""

    user: str
    problems: list[str]

    def tag(
        self, target: str, add: Sequence[str] = (), remove: Sequence[str] = ()
    ) -> TriageState: ...
    def set_status(self, target: str, status: Status | str) -> TriageState: ...
    def assign(self, target: str, user: str | None) -> TriageState: ...
    def note(self, target: str, text: str) -> TriageState: ...
    def snooze(self, target: str, until: datetime | None) -> TriageState: ...
    def undo(self, user: str | None = None) -> Event | None: ...
    def batch(self, batch_id: str | None = None) -> AbstractContextManager[str]: ...
    def __enter__(self) -> Any: ...
    def __exit__(self, *exc: object) -> None: ...


def _run(
    args: argparse.Namespace, action: Callable[[Any, Any], int], *, lean: bool = False
) -> int:
    """Open the store (no pipeline: nothing is ingested here) and run `action(store, rt)`.

    `lean`: the action needs no mention, only ids and states (tag, status, undo...): the
    configuration is read through app.scripting's cache, and a folder store opens
    without its archive (store.scripted); `rt` is then an app.scripting.ScriptedRuntime."""
    from store.errors import StoreError, StoreLocked
    from triage.errors import Refused

    try:
        rt: Any = _lean_runtime(args) if lean else runtime(args, required=False)
    except ValueError as exc:
        from sources.config_lines import ConfigError  # loaded: a file was read

        if not isinstance(exc, ConfigError):
            raise
        say("veille", exc)
        return EXIT_USAGE
    try:
        inbox = (
            _open_lean(rt, args.wait)
            if lean
            else rt.open_store(pipeline=False, lock_timeout=args.wait)
        )
        with inbox:
            for problem in inbox.problems:
                say("veille", f"warning: {problem}")
            return action(inbox, rt)
    except StoreLocked as exc:
        say("veille", exc)
        return EXIT_BUSY
    except (StoreError, Refused, ValueError) as exc:
        say("veille", exc)
        return EXIT_REFUSED


def _lean_runtime(args: argparse.Namespace) -> ScriptedRuntime:
    from app.scripting import scripted_runtime

    return scripted_runtime(getattr(args, "config", None), getattr(args, "store", None))


def _open_lean(rt: ScriptedRuntime, wait: float) -> Actions:
    """A folder store opened for actions only (the lock, the journal, the buckets they
    touch); a database as the full runtime opens it."""
    if rt.runtime is not None:  # a database (issue 15): the runtime's backend
        return rt.runtime.open_store(pipeline=False, lock_timeout=wait)
    from store.files import prepare_store
    from store.scripted import ScriptedStore

    prepare_store(rt.store_path, rt.mode, rt.group or None)
    return ScriptedStore.open(rt.store_path, user=rt.user, lock_timeout=wait)


def _row(view: GroupView) -> dict[str, Any]:
    leader = view.leader
    return {
        "id": leader.id,
        "group": view.group_id,
        "size": view.size,
        "brands": list(view.brands),
        "platform": leader.platform,
        "author": leader.author.display,
        "text": leader.text,
        "url": leader.url,
        "created_at": leader.to_json()["created_at"],
        "priority": view.priority,
        "status": view.status.value,
        "tags": list(view.tags),
        "assignee": view.assignee,
    }


def cmd_list(args: argparse.Namespace) -> int:
    from triage import query
    from triage.filter import FilterError
    from triage.model import utcnow
    from triage.text import one_line

    try:  # the syntax first, before the store is opened; the brands once it is
        query.InboxQuery.parse(" ".join(args.filter), include_all=args.all)
    except FilterError as exc:
        print(f"veille: invalid filter: {exc}", file=sys.stderr)
        return EXIT_USAGE

    from app.people import people_tags

    def action(inbox: Store, rt: Runtime) -> int:
        try:
            wanted = inbox_query(" ".join(args.filter), args.all, rt.config, people_tags(inbox))
        except FilterError as exc:
            print(f"veille: invalid filter: {exc}", file=sys.stderr)
            return EXIT_USAGE
        assert isinstance(wanted, query.InboxQuery)
        out = sys.stdout
        now = utcnow()
        ids = query.run(inbox, wanted, now)
        if args.counts:
            clock = query.sla_clock(rt.config.sla, inbox.urgent_threshold)
            c = query.count(inbox, now, clock)
            figures = {"open": c.open, "urgent": c.urgent, "breached": c.breached,
                       "shown": len(ids), "groups": c.groups}  # fmt: skip
            if args.json:
                out.write(json_line({**figures, "by_status": c.by_status}) + "\n")
            else:
                out.write("  ".join(f"{k} {v}" for k, v in figures.items()) + "\n")
            return 0
        for gid in ids:
            row = _row(inbox.view(gid))
            if args.json:
                out.write(json_line(row) + "\n")
            else:
                tags = " ".join(f"+{t}" for t in row["tags"])
                out.write(
                    f"{row['group']}\t{row['status']}\t{row['priority']:.0f}\t{row['platform']}\t"
                    f"{row['author']}\t{one_line(row['text'], 80)}\t{tags}\n"
                )
        return 0

    return _run(args, action)


def cmd_show(args: argparse.Namespace) -> int:
    def action(inbox: Store, rt: Runtime) -> int:
        gid = inbox.resolve(args.id)
        view = inbox.view(gid)
        data = _row(view)
        data["mentions"] = [m.to_json() for m in view.mentions]
        data["state"] = view.state.to_json()
        sys.stdout.write(json_line(data, indent=True) + "\n")
        return 0

    return _run(args, action)


def _acted(state: TriageState) -> int:
    tags = ",".join(state.tags) or "-"
    print(
        f"{state.target}\tstatus={state.status.value}\ttags={tags}\tassignee={state.assignee or '-'}"
    )
    return 0


def _act(
    args: argparse.Namespace,
    action: str,
    change: Callable[[str], Change],
    single: Callable[[Actions, str], TriageState],
) -> int:
    """One action on ID, or with --stdin on every id read from standard input (one per
    line): one lock, one journal write, one undo step; a bad id is said with its line
    number and the others still apply (exit 1 if any was refused)."""
    if not args.stdin:
        return _run(args, lambda inbox, rt: _acted(single(inbox, args.id)), lean=True)
    lines = sys.stdin.buffer.read().decode("utf-8", "replace").splitlines()
    ids = [(n, line.strip()) for n, line in enumerate(lines, 1) if line.strip()]

    def batch(inbox: Actions, rt: ScriptedRuntime) -> int:
        from triage.errors import Refused

        results: list[Any] = []
        many = getattr(inbox, "act_many", None)
        if many is not None:  # the folder store: one commit
            results = many(action, [t for _, t in ids], change(inbox.user))
        else:
            with inbox.batch():
                for _, target in ids:
                    try:
                        results.append(single(inbox, target))
                    except (Refused, ValueError) as exc:
                        results.append(exc)
        refused = 0
        for (n, _), result in zip(ids, results, strict=True):
            if isinstance(result, Exception):
                say("veille", f"line {n}: {result}")
                refused += 1
            else:
                _acted(result)
        return EXIT_REFUSED if refused else 0

    return _run(args, batch, lean=True)


def cmd_tag(args: argparse.Namespace) -> int:
    from triage import transitions as rules
    from triage.model import TriageState

    words = list(args.tags)
    if "--stdin" in words:  # `veille tag ID... --stdin` is `--stdin` too
        words.remove("--stdin")
        args.stdin = True
    if args.stdin:
        words = [args.id, *words]
    add = [t.lstrip("+") for t in words if not t.startswith("-")]
    remove = [t[1:] for t in words if t.startswith("-")]
    try:
        rules.tag(TriageState("-"), add, remove)  # a bad tag is refused before the store
    except ValueError as exc:
        print(f"veille: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    return _act(
        args,
        "tag",
        lambda user: lambda s, now: rules.tag(s, add, remove),
        lambda inbox, target: inbox.tag(target, add=add, remove=remove),
    )


def _value(args: argparse.Namespace, command: str, field: str) -> str | None:
    """The command's one value: the second word (`veille status ID done`), or with --stdin
    the first, the ids coming on standard input; None (usage said) if missing or doubled."""
    given = getattr(args, field)
    value = args.id if args.stdin else given
    if value is None or (args.stdin and given is not None):
        how = f"--stdin {field.upper()}" if args.stdin else f"ID {field.upper()}"
        print(f"veille: usage: veille {command} {how}", file=sys.stderr)
        return None
    return value


def cmd_status(args: argparse.Namespace) -> int:
    from triage import transitions as rules
    from triage.model import Status

    value = _value(args, "status", "status")
    if value is None:
        return EXIT_USAGE
    try:
        status = Status.parse(value)
    except ValueError as exc:
        print(f"veille: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return _act(
        args,
        "status",
        lambda user: lambda s, now: rules.set_status(s, status),
        lambda inbox, target: inbox.set_status(target, status),
    )


def cmd_assign(args: argparse.Namespace) -> int:
    from triage import transitions as rules

    value = _value(args, "assign", "user")
    if value is None:
        return EXIT_USAGE
    user = None if value in ("-", "none", "nobody") else value
    return _act(
        args,
        "assign",
        lambda me: lambda s, now: rules.assign(s, user),
        lambda inbox, target: inbox.assign(target, user),
    )


def cmd_note(args: argparse.Namespace) -> int:
    from triage import transitions as rules

    words = [args.id, *args.text] if args.stdin else list(args.text)
    text = " ".join(words)
    if not text.strip():
        print("veille: a note needs some text", file=sys.stderr)
        return EXIT_USAGE if not args.stdin else EXIT_REFUSED
    return _act(
        args,
        "note",
        lambda me: lambda s, now: rules.note(s, text, me, now),
        lambda inbox, target: inbox.note(target, text),
    )


def cmd_done(args: argparse.Namespace) -> int:
    from triage import transitions as rules
    from triage.model import Status

    if (args.id is None) != args.stdin:
        print("veille: usage: veille done ID, or veille done --stdin", file=sys.stderr)
        return EXIT_USAGE
    return _act(
        args,
        "status",
        lambda user: lambda s, now: rules.set_status(s, Status.DONE),
        lambda inbox, target: inbox.set_status(target, Status.DONE),
    )


def snooze_until(text: str) -> Callable[[datetime], datetime | None]:
    """WHEN of `veille snooze`: a duration from now (30m, 2h, 1d), a date or date-time
    (UTC unless it says its zone), or '-' to wake the group up; ValueError in words."""
    from datetime import UTC, datetime, timedelta

    from sources.config_values import parse_duration

    value = text.strip()
    if value in ("-", "none", "off"):
        return lambda now: None
    try:
        seconds = parse_duration(value)
        return lambda now: now + timedelta(seconds=seconds)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"{text!r} is neither a duration (30m, 2h, 1d) nor a date (YYYY-MM-DD[THH:MM])"
        ) from None
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return lambda now: moment


def cmd_snooze(args: argparse.Namespace) -> int:
    from triage import transitions as rules
    from triage.model import utcnow

    value = _value(args, "snooze", "when")
    if value is None:
        return EXIT_USAGE
    try:
        until = snooze_until(value)
    except ValueError as exc:
        print(f"veille: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return _act(
        args,
        "snooze",
        lambda user: lambda s, now: rules.snooze(s, until(now)),
        lambda inbox, target: inbox.snooze(target, until(utcnow())),
    )


def cmd_undo(args: argparse.Namespace) -> int:
    def action(inbox: Actions, rt: ScriptedRuntime) -> int:
        event = inbox.undo()
        if event is None:
            print(f"veille: nothing to undo for {inbox.user}", file=sys.stderr)
            return EXIT_REFUSED
        print(f"undone: {event.action} on {event.target} ({event.at:%Y-%m-%d %H:%M} UTC)")
        return 0

    return _run(args, action, lean=True)


def register(sub: argparse._SubParsersAction, only: str | None = None) -> None:
    """The subcommands' parsers; `only`: that one alone (cli.main builds no other for a
    scripted `veille tag`: each parser costs argparse's gettext lookups)."""
    def add(
        name: str, func: Callable[[argparse.Namespace], int], help: str
    ) -> argparse.ArgumentParser:
        # no -h: a filter word like -hn or -help-desk must not be read as it
        p = sub.add_parser(name, help=help, description=help, add_help=False)
        p.add_argument("--help", action="help", help="show this help and exit")
        p.add_argument(
            "--wait",
            type=float,
            default=10.0,
            metavar="S",
            help="seconds to wait for the store lock",
        )
        p.set_defaults(func=func)
        return p

    def wanted(name: str) -> bool:
        return only is None or name == only

    stdin = "read the ids from standard input, one per line (one lock, one undo step)"
    if wanted("list"):
        p = add("list", cmd_list, "list groups matching a filter, ranked")
        p.add_argument(
            "filter", nargs="*", help='e.g. brand:Lumio status:new is:urgent "mot exact" -spam'
        )
        p.add_argument("--json", action="store_true", help="one JSON object per line")
        p.add_argument("--all", action="store_true", help="include done, ignored and snoozed groups")
        p.add_argument(
            "--counts",
            action="store_true",
            help="print the inbox's figures (open, urgent, breached, shown) instead of rows",
        )
    if wanted("show"):
        p = add("show", cmd_show, "show one group, its copies and its triage state (JSON)")
        p.add_argument("id", help="a group or mention id")
    if wanted("tag"):
        p = add("tag", cmd_tag, "add tags (TAG) or remove them (-TAG)")
        p.add_argument("--stdin", action="store_true", help=stdin)
        p.add_argument("id", help="a group or mention id (with --stdin: the first TAG)")
        p.add_argument("tags", nargs=argparse.REMAINDER, metavar="TAG")
    if wanted("status"):
        p = add("status", cmd_status, "set the status: new, open, waiting, done, ignored")
        p.add_argument("--stdin", action="store_true", help=stdin)
        p.add_argument("id", help="a group or mention id (with --stdin: the status)")
        p.add_argument("status", nargs="?")
    if wanted("assign"):
        p = add("assign", cmd_assign, "assign to a user ('-' to unassign)")
        p.add_argument("--stdin", action="store_true", help=stdin)
        p.add_argument("id", help="a group or mention id (with --stdin: the user)")
        p.add_argument("user", nargs="?")
    if wanted("note"):
        p = add("note", cmd_note, "add a private note")
        p.add_argument("--stdin", action="store_true", help=stdin)
        p.add_argument("id", help="a group or mention id (with --stdin: the note's first word)")
        p.add_argument("text", nargs="*")
    if wanted("done"):
        p = add("done", cmd_done, "set the status to done")
        p.add_argument("--stdin", action="store_true", help=stdin)
        p.add_argument("id", nargs="?", help="a group or mention id (none with --stdin)")
    if wanted("snooze"):
        p = add("snooze", cmd_snooze, "hide until WHEN: 30m, 2h, 1d, a date, or '-' to wake")
        p.add_argument("--stdin", action="store_true", help=stdin)
        p.add_argument("id", help="a group or mention id (with --stdin: WHEN)")
        p.add_argument("when", nargs="?", metavar="WHEN")
    if wanted("undo"):
        add("undo", cmd_undo, "undo your last action")
