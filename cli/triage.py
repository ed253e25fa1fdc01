"""Scriptable triage: `veille list|show|tag|status|assign|note|undo`.

For cron jobs and shell loops, as `notmuch tag` and `task` users do. Each command exits 0
only once its action is durable, and otherwise prints one clear line on stderr and
exits non-zero (1: the action was refused; 2: bad usage; 3: the store was busy).
Only the store and the domain are imported: no Textual, no httpx, so it starts fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.runtime import Runtime
    from triage.model import TriageState
    from triage.protocol import Store
    from triage.views import GroupView

from cli.common import (
    EXIT_BUSY,
    EXIT_REFUSED,
    EXIT_USAGE,
    ConfigError,
    inbox_query,
    json_line,
    runtime,
    say,
)


def _run(args: argparse.Namespace, action: Callable[[Store, Runtime], int]) -> int:
    """Open the store (no pipeline: nothing is ingested here) and run `action(store, rt)`."""
    from store.errors import StoreError, StoreLocked
    from triage.errors import Refused

    try:
        rt = runtime(args, required=False)
    except ConfigError as exc:
        say("veille", exc)
        return EXIT_USAGE
    try:
        inbox = rt.open_store(pipeline=False, lock_timeout=args.wait)
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


def cmd_tag(args: argparse.Namespace) -> int:
    add = [t.lstrip("+") for t in args.tags if not t.startswith("-")]
    remove = [t[1:] for t in args.tags if t.startswith("-")]
    return _run(args, lambda inbox, rt: _acted(inbox.tag(args.id, add=add, remove=remove)))


def cmd_status(args: argparse.Namespace) -> int:
    from triage.model import Status

    try:
        status = Status.parse(args.status)
    except ValueError as exc:
        print(f"veille: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return _run(args, lambda inbox, rt: _acted(inbox.set_status(args.id, status)))


def cmd_assign(args: argparse.Namespace) -> int:
    user = None if args.user in ("-", "none", "nobody") else args.user
    return _run(args, lambda inbox, rt: _acted(inbox.assign(args.id, user)))


def cmd_note(args: argparse.Namespace) -> int:
    return _run(args, lambda inbox, rt: _acted(inbox.note(args.id, " ".join(args.text))))


def cmd_undo(args: argparse.Namespace) -> int:
    def action(inbox: Store, rt: Runtime) -> int:
        event = inbox.undo()
        if event is None:
            print(f"veille: nothing to undo for {inbox.user}", file=sys.stderr)
            return EXIT_REFUSED
        print(f"undone: {event.action} on {event.target} ({event.at:%Y-%m-%d %H:%M} UTC)")
        return 0

    return _run(args, action)


def register(sub: argparse._SubParsersAction) -> None:
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
    p = add("show", cmd_show, "show one group, its copies and its triage state (JSON)")
    p.add_argument("id", help="a group or mention id")
    p = add("tag", cmd_tag, "add tags (TAG) or remove them (-TAG)")
    p.add_argument("id")
    p.add_argument("tags", nargs=argparse.REMAINDER, metavar="TAG")
    p = add("status", cmd_status, "set the status: new, open, waiting, done, ignored")
    p.add_argument("id")
    p.add_argument("status")
    p = add("assign", cmd_assign, "assign to a user ('-' to unassign)")
    p.add_argument("id")
    p.add_argument("user")
    p = add("note", cmd_note, "add a private note")
    p.add_argument("id")
    p.add_argument("text", nargs="+")
    add("undo", cmd_undo, "undo your last action")
