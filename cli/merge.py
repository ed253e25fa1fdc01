"""Grouping and approval by hand: `veille merge|split|approve|send-back`.

Exit codes as every scriptable command: 0 once durable, 1 refused (in words on
stderr), 2 bad usage, 3 the store was busy. `veille undo` undoes a merge or a split.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from cli.common import EXIT_BUSY, EXIT_REFUSED, EXIT_USAGE, ConfigError, runtime, say

if TYPE_CHECKING:
    from app.runtime import Runtime
    from triage.protocol import TeamStore


def _run(args: argparse.Namespace, action: Callable[[TeamStore, Runtime], int]) -> int:
    from store.errors import StoreError, StoreLocked
    from triage.errors import Refused

    try:
        rt = runtime(args, required=False)
    except ConfigError as exc:
        say("veille", exc)
        return EXIT_USAGE
    try:
        with rt.open_store(pipeline=False, lock_timeout=args.wait) as inbox:
            for problem in inbox.problems:
                say("veille", f"warning: {problem}")
            if not hasattr(inbox, "merge"):
                say("veille", f"{args.command}: this store does not do it yet (a folder store does)")
                return EXIT_REFUSED
            return action(cast("TeamStore", inbox), rt)
    except StoreLocked as exc:
        say("veille", exc)
        return EXIT_BUSY
    except (StoreError, Refused, ValueError) as exc:
        say("veille", exc)
        return EXIT_REFUSED


def cmd_merge(args: argparse.Namespace) -> int:
    def action(inbox: TeamStore, rt: Runtime) -> int:
        inbox.merge(args.into, args.ids)
        story = inbox.resolve(args.into)
        print(f"{story}\tmerged\tcopies={len(inbox.group(story))}")
        return 0

    return _run(args, action)


def cmd_split(args: argparse.Namespace) -> int:
    def action(inbox: TeamStore, rt: Runtime) -> int:
        inbox.split(args.id)
        story = inbox.resolve(args.id)
        print(f"{story}\tsplit\tcopies={len(inbox.group(story))}")
        return 0

    return _run(args, action)


def _review_check(inbox: TeamStore, rt: Runtime, target: str) -> None:
    """Refused (in words) when this user may not review the reply awaiting there."""
    from triage import approval, query
    from triage.errors import Refused
    from triage.model import utcnow

    reply = inbox.awaiting_reply(target)
    view = inbox.view(inbox.resolve(target))
    ctx = query.context(inbox, utcnow())
    why = approval.review_refusal(rt.config.approval, view, reply.by, inbox.user, ctx)
    if why is not None:
        raise Refused(why)


def cmd_approve(args: argparse.Namespace) -> int:
    def action(inbox: TeamStore, rt: Runtime) -> int:
        _review_check(inbox, rt, args.id)
        reply = inbox.approve(args.id, text=args.text)
        print(f"{inbox.resolve(args.id)}\tapproved\t{reply.by}\tqueued for posting")
        return 0

    return _run(args, action)


def cmd_send_back(args: argparse.Namespace) -> int:
    def action(inbox: TeamStore, rt: Runtime) -> int:
        _review_check(inbox, rt, args.id)
        reply = inbox.send_back(args.id, args.note)
        print(f"{inbox.resolve(args.id)}\tsent back\t{reply.by}")
        return 0

    return _run(args, action)


def cmd_awaiting(args: argparse.Namespace) -> int:
    from triage.text import one_line

    def action(inbox: TeamStore, rt: Runtime) -> int:
        for target, reply in inbox.awaiting():
            print(f"{target}\t{reply.by}\t{reply.at:%Y-%m-%d %H:%M}\t{one_line(reply.text, 80)}")
        return 0

    return _run(args, action)


def register(sub: argparse._SubParsersAction) -> None:
    def add(
        name: str, func: Callable[[argparse.Namespace], int], help: str
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        p.add_argument("--wait", type=float, default=10.0, metavar="S",
                       help="seconds to wait for the store lock")  # fmt: skip
        p.set_defaults(func=func)
        return p

    p = add("merge", cmd_merge, "merge stories into the first one (one undo step)")
    p.add_argument("into", help="the story (or a copy of it) the others join")
    p.add_argument("ids", nargs="+", help="stories (or copies of them) to merge into it")
    p = add("split", cmd_split, "split a copy out of its story (its later copies follow it)")
    p.add_argument("id", help="the copy's mention id")
    p = add("approve", cmd_approve, "approve the reply awaiting approval on a group: it is sent")
    p.add_argument("id", help="the group (or a copy of it)")
    p.add_argument("--text", help="the reply as you edited it (default: as written)")
    p = add("send-back", cmd_send_back, "send the reply awaiting approval back to its author")
    p.add_argument("id", help="the group (or a copy of it)")
    p.add_argument("--note", required=True, help="what the author should change")
    add("awaiting", cmd_awaiting, "list the replies awaiting approval, oldest first")


__all__ = ["register"]
