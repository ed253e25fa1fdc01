"""The `veille` command: one entry point, one module per group of subcommands.

Each module in COMMAND_MODULES exposes `register(subparsers)`, which adds its
subcommands with `set_defaults(func=...)`; a func takes the parsed args and returns the
exit code. Modules import their heavy dependencies (Textual, httpx) lazily so that a
scripted `veille tag` starts fast.

Filters start with `-` as often as not (`veille list -tag:done`): arguments argparse does
not know are handed to the commands that take a FILTER (in their order), and refused
for the others. A closed pipe (`veille list --json | head -1`) ends the command quietly
with 141 (128 + SIGPIPE), as a shell pipeline expects.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from pathlib import Path

import sources  # noqa: F401  first: httpx then skips its command-line client (sources/__init__)

COMMAND_MODULES: tuple[str, ...] = (
    "cli.inbox",  # veille (no subcommand), veille demo
    "cli.triage",  # list, show, tag, status, assign, note, undo
    "cli.listen",  # fetch, sources, config check/init
    "cli.watch",  # watch
    "cli.merge",  # merge, split, approve, send-back, awaiting
    "cli.report",  # report, export
    "cli.shell",  # init, completion
    "cli.doctor",  # doctor
    "cli.rules",  # rules list/test/undo
    "cli.person",  # person HANDLE, person link/tag/note/import
    "cli.store",  # store copy
)
EXIT_PIPE = 141
# Commands that may make a store that does not exist yet: they fill or create it on
# purpose. Every other one refuses an explicit --store/$VEILLE_STORE that is not there.
CREATES_STORE = frozenset({"init", "demo", "fetch", "watch", "config", "completion", "doctor"})


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("veille")
    except PackageNotFoundError:
        return "unknown"


class _Version(argparse.Action):
    """--version, with the version looked up only when asked (importlib.metadata
    costs 20 ms, a fifth of a scripted `veille tag`)."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        print(f"veille {_version()}")
        parser.exit()


# cli.triage's subcommands: `veille tag ...` builds only that module's parsers (the
# scripted actions start sooner); any other first word builds every module's.
LEAN_COMMANDS = frozenset(
    {"list", "show", "tag", "status", "assign", "note", "done", "snooze", "undo"}
)
_VALUED = ("--config", "--store")  # the global options that take a value


def _columns() -> int:
    """The width shutil.get_terminal_size() gives argparse: $COLUMNS, else the terminal's."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 80
    return columns or 80


class _Formatter(argparse.HelpFormatter):
    """argparse's help, same width, without `import shutil` (and its bz2, lzma: ~9 ms
    of a scripted `veille tag`, where argparse makes a formatter per argument)."""

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
    ) -> None:
        super().__init__(
            prog, indent_increment, max_help_position, _columns() - 2 if width is None else width
        )


class _SubParsers(argparse._SubParsersAction):
    def add_parser(self, name: str, **kwargs: object) -> argparse.ArgumentParser:
        kwargs.setdefault("formatter_class", _Formatter)
        return super().add_parser(name, **kwargs)  # type: ignore[arg-type]


def command_word(argv: list[str]) -> str | None:
    """The subcommand `argv` names (its first word after the global options); None when
    an option comes first that only the whole parser knows (--help, an abbreviation)."""
    i = 0
    while i < len(argv):
        word = argv[i]
        if word in _VALUED:
            i += 2
        elif word == "--create" or word.startswith(tuple(f"{v}=" for v in _VALUED)):
            i += 1
        elif word.startswith("-"):
            return None  # --help, --version, an abbreviation: the whole parser
        else:
            return word
    return None


def modules_for(argv: list[str]) -> tuple[str, ...]:
    """The command modules whose parsers `argv` needs: cli.triage alone when its first
    word (after the global options) is one of LEAN_COMMANDS, else all of them."""
    return ("cli.triage",) if command_word(argv) in LEAN_COMMANDS else COMMAND_MODULES


def build_parser(
    modules: tuple[str, ...] = COMMAND_MODULES, only: str | None = None
) -> argparse.ArgumentParser:
    """The parser of `modules`' subcommands; `only` (one of LEAN_COMMANDS, with
    modules == ("cli.triage",)): that subcommand's alone, for a scripted action."""
    parser = argparse.ArgumentParser(
        prog="veille",
        description="A keyboard-driven terminal inbox for community managers.",
        formatter_class=_Formatter,
    )
    parser.register("action", "parsers", _SubParsers)
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    parser.add_argument(
        "--config", help="configuration file (default: $VEILLE_CONFIG or the user config folder)"
    )
    parser.add_argument(
        "--store", help="store folder (default: $VEILLE_STORE or the user data folder)"
    )
    parser.add_argument(
        "--create",
        action="store_true",
        help="create the store if it does not exist (else a missing --store is an error)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in modules:
        module = importlib.import_module(name)
        if only is None:
            module.register(sub)
        else:
            module.register(sub, only=only)
        if callable(getattr(module, "default", None)):  # the module behind plain `veille`
            parser._veille_default = module.default  # type: ignore[attr-defined]
    return parser


def _parse(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """Unknown `-words` go to the command's FILTER when it has one; else argparse's error."""
    args, extra = parser.parse_known_args(argv)
    if extra:
        if isinstance(getattr(args, "filter", None), list) and all(
            e.startswith("-") and not e.startswith("--")
            for e in extra  # --typo: an error
        ):
            args.filter = [*args.filter, *extra]
        else:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def _missing_store(args: argparse.Namespace) -> str | None:
    """Why an explicitly named store cannot be used (a typo must not start an empty one)."""
    if args.create or (args.command or "") in CREATES_STORE:
        return None
    chosen = args.store or os.environ.get("VEILLE_STORE")
    if not chosen or Path(chosen).expanduser().exists():
        return None
    if chosen.lower().startswith(("postgresql://", "postgres://")):
        return None  # a database: its server says whether it is there (in words)
    how = "--store" if args.store else "$VEILLE_STORE"
    return (
        f"no store at {chosen} (from {how}); check the path, or create it on purpose with "
        "`veille init` or --create"
    )


def _quiet_pipe() -> int:
    """stdout's reader went away: point stdout at /dev/null so the interpreter's final
    flush cannot raise again, and exit like a process killed by SIGPIPE, silently."""
    with open(os.devnull, "wb") as null, contextlib.suppress(OSError, ValueError):
        os.dup2(null.fileno(), sys.stdout.fileno())
    return EXIT_PIPE


def main(argv: list[str] | None = None) -> int:
    args: argparse.Namespace | None = None  # an OS error may come before the arguments are read
    try:
        words = sys.argv[1:] if argv is None else argv
        word = command_word(words)
        lean = word in LEAN_COMMANDS
        parser = build_parser(("cli.triage",), only=word) if lean else build_parser()
        args = _parse(parser, argv)
        problem = _missing_store(args)
        if problem is not None:
            print(f"veille: {problem}", file=sys.stderr)
            return 2  # bad usage, as `veille report` always said it
        func = getattr(args, "func", None)
        if func is None:
            default = getattr(parser, "_veille_default", None)
            if default is None:
                parser.print_help()
                return 2
            func = default
        code = int(func(args) or 0)
        sys.stdout.flush()  # a closed pipe is found here, not at exit
        return code
    except BrokenPipeError:
        return _quiet_pipe()
    except KeyboardInterrupt:
        return 130
    except OSError as exc:  # a full disk, a file we may not read: one line, no traceback
        from store.files import describe_io_error

        # a write that fails at close (ENOSPC) names no file: the one asked for is it
        print(f"veille: {describe_io_error(exc, getattr(args, 'output', None))}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
