"""Scriptable triage: `veille list|show|tag|status|assign|note|undo`.

For cron jobs and shell loops, as `notmuch tag` and `task` users do. Each command exits 0
only once its action is durable, and otherwise prints one clear line on stderr and
exits non-zero (1: the action was refused; 2: bad usage; 3: the store was busy).
Only the store and the domain are imported: no Textual, no httpx, so it starts fast.
"""

from __future__ import annotations

import argparse
import os
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import orjson

EXIT_REFUSED, EXIT_USAGE, EXIT_BUSY = 1, 2, 3


def config_file(args: argparse.Namespace) -> Path:
    from platformdirs import user_config_path

    given = getattr(args, "config", None) or os.environ.get("VEILLE_CONFIG")
    return Path(given) if given else user_config_path("veille") / "config.toml"


def store_path(args: argparse.Namespace) -> Path:
    from platformdirs import user_data_path

    given = getattr(args, "store", None) or os.environ.get("VEILLE_STORE")
    return Path(given).expanduser() if given else user_data_path("veille") / "store"


def current_user(args: argparse.Namespace) -> str:
    """The `user` of the configuration file, else $USER."""
    path = config_file(args)
    try:
        user = tomllib.loads(path.read_text(encoding="utf-8")).get("user")
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        user = None
    return str(user or os.environ.get("USER") or os.environ.get("LOGNAME") or "unknown")


def _run(args: argparse.Namespace, action: Callable[[object], int]) -> int:
    from store.errors import StoreError, StoreLocked
    from store.inbox import Inbox

    try:
        inbox = Inbox.open(store_path(args), user=current_user(args), lock_timeout=args.wait)
        with inbox:
            for problem in inbox.problems:
                print(f"veille: warning: {problem}", file=sys.stderr)
            return action(inbox)
    except StoreLocked as exc:
        print(f"veille: {exc}", file=sys.stderr)
        return EXIT_BUSY
    except (StoreError, ValueError) as exc:
        print(f"veille: {exc}", file=sys.stderr)
        return EXIT_REFUSED


def _row(view) -> dict:
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
    from triage.filter import FilterError, parse_filter
    from triage.text import one_line

    try:
        flt = parse_filter(" ".join(args.filter))
    except FilterError as exc:
        print(f"veille: invalid filter: {exc}", file=sys.stderr)
        return EXIT_USAGE

    def action(inbox) -> int:
        out = sys.stdout
        for view in inbox.groups(flt):
            row = _row(view)
            if args.json:
                out.write(orjson.dumps(row).decode() + "\n")
            else:
                tags = " ".join(f"+{t}" for t in row["tags"])
                out.write(
                    f"{row['group']}\t{row['status']}\t{row['priority']:.0f}\t{row['platform']}\t"
                    f"{row['author']}\t{one_line(row['text'], 80)}\t{tags}\n"
                )
        return 0

    return _run(args, action)


def cmd_show(args: argparse.Namespace) -> int:
    def action(inbox) -> int:
        gid = inbox.resolve(args.id)
        view = inbox.view(gid)
        data = _row(view)
        data["mentions"] = [m.to_json() for m in view.mentions]
        data["state"] = view.state.to_json()
        sys.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n")
        return 0

    return _run(args, action)


def _acted(state) -> int:
    tags = ",".join(state.tags) or "-"
    print(
        f"{state.target}\tstatus={state.status.value}\ttags={tags}\tassignee={state.assignee or '-'}"
    )
    return 0


def cmd_tag(args: argparse.Namespace) -> int:
    add = [t.lstrip("+") for t in args.tags if not t.startswith("-")]
    remove = [t[1:] for t in args.tags if t.startswith("-")]
    return _run(args, lambda inbox: _acted(inbox.tag(args.id, add=add, remove=remove)))


def cmd_status(args: argparse.Namespace) -> int:
    from triage.model import Status

    try:
        status = Status.parse(args.status)
    except ValueError as exc:
        print(f"veille: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return _run(args, lambda inbox: _acted(inbox.set_status(args.id, status)))


def cmd_assign(args: argparse.Namespace) -> int:
    user = None if args.user in ("-", "none", "nobody") else args.user
    return _run(args, lambda inbox: _acted(inbox.assign(args.id, user)))


def cmd_note(args: argparse.Namespace) -> int:
    return _run(args, lambda inbox: _acted(inbox.note(args.id, " ".join(args.text))))


def cmd_undo(args: argparse.Namespace) -> int:
    def action(inbox) -> int:
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
        p = sub.add_parser(name, help=help, description=help)
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
