"""What every subcommand shares: the runtime from --config/--store, errors in words."""

from __future__ import annotations

import argparse
import sys
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from app.runtime import Runtime
    from sources.config_lines import ConfigError
    from triage.protocol import Store

# Every command module is imported to build the parser, so each imports its heavy parts
# (the store, the schema, Textual) inside the function that needs them: `veille tag`
# must start fast.
EXIT_REFUSED, EXIT_USAGE, EXIT_BUSY = 1, 2, 3


def __getattr__(name: str) -> object:
    """ConfigError on first use: the scripted actions (cli.triage) never import it
    unless a configuration file was read (sources.config_lines imports difflib)."""
    if name == "ConfigError":
        from sources.config_lines import ConfigError

        return ConfigError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def runtime(args: argparse.Namespace, *, required: bool = True) -> Runtime:
    """The runtime for these arguments; ConfigError (in words, with the line) if the
    configuration is wrong. `required=False`: no file means defaults."""
    from app.runtime import Runtime

    return Runtime.load(
        getattr(args, "config", None), getattr(args, "store", None), required=required
    )


def open_store_deferred(rt: Runtime, *, pipeline: bool = False, create: bool = True) -> Store:
    """The store as `rt.open_store` opens it, but a folder store reads only the days its
    first screen needs and the rest when asked (store.loading): the inbox, and reports
    and exports, which stream the day files they cover."""
    if rt.store_url:  # a database (issue 15): the runtime's backend
        return rt.open_store(pipeline=pipeline, create=create)
    from store.files import prepare_store
    from store.inbox import Inbox

    if create or rt.store_path.exists():
        prepare_store(rt.store_path, rt.config.store.mode, rt.config.store.group or None)
    return Inbox.open(
        rt.store_path,
        user=rt.user,
        pipeline=rt.pipeline if pipeline else None,
        create=create,
        defer=True,
    )


def inbox_query(text: str, include_all: bool, config: object, people: object = None) -> object:
    """The InboxQuery for a command-line FILTER, checked against the configuration's
    brands (`brand:Lumo` is refused with the valid names); FilterError if wrong."""
    from triage.filter import KnownValues, parse_filter
    from triage.query import InboxQuery

    brands = [b.name for b in getattr(config, "brands", ())] or None
    known = KnownValues(brands=brands, people=people)  # type: ignore[arg-type]  # person:TAG
    return InboxQuery(parse_filter(text, known), include_all)


def json_line(value: object, indent: bool = False) -> str:
    """JSON for a terminal: C0/C1, bidi and line-separator characters escaped (a post's
    text could otherwise move the cursor or reorder what the reader sees)."""
    import orjson

    from triage.text import escape_json_controls

    option = orjson.OPT_INDENT_2 if indent else 0
    return escape_json_controls(orjson.dumps(value, option=option).decode())


class SafeJsonOut:
    """A binary stream whose JSON lines are escaped as `json_line` does (for writers
    that dump rows themselves, such as app.reports.write_jsonl)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw

    def write(self, data: bytes) -> int:
        from triage.text import escape_json_controls

        return self.raw.write(escape_json_controls(data.decode("utf-8")).encode("utf-8"))

    def flush(self) -> None:
        self.raw.flush()


def say(prefix: str, message: object) -> None:
    print(f"{prefix}: {message}", file=sys.stderr)


__all__ = [
    "EXIT_BUSY",
    "EXIT_REFUSED",
    "EXIT_USAGE",
    "ConfigError",
    "SafeJsonOut",
    "inbox_query",
    "json_line",
    "open_store_deferred",
    "runtime",
    "say",
]
