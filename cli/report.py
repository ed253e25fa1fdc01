"""`veille report` (figures for management) and `veille export` (mentions + triage state).

report: reads the period's mentions, the triage states and the journal from the store,
builds `triage.report.build_report` and renders it (`triage/report_render.py`) as
Markdown (stdout by default), one CSV file per table in a folder, or one HTML page.
export: streams mentions with their state as JSON Lines or CSV, row by row, filtered with
the TUI's filter language. Exit codes: 0 done, 1 store problem, 2 bad usage (in words).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from cli.common import (
    ConfigError,
    SafeJsonOut,
    inbox_query,
    open_store_deferred,
    runtime,
    say,
)

if TYPE_CHECKING:
    from app.runtime import Runtime
    from triage.protocol import Store
    from triage.report import Period

EXIT_STORE, EXIT_USAGE = 1, 2


class UsageError(ValueError):
    """Bad arguments, said in words."""


# --------------------------------------------------------------------------- arguments


def parse_when(text: str, *, end: bool = False) -> datetime:
    """YYYY-MM-DD (a whole day: --to includes it) or an ISO date-time (UTC if no zone)."""
    value = text.strip()
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            start = datetime(day.year, day.month, day.day, tzinfo=UTC)
            return start + timedelta(days=1) if end else start
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{text!r} is not a date: write YYYY-MM-DD or YYYY-MM-DDTHH:MM") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_span(text: str) -> timedelta:
    from sources.config import parse_duration

    try:
        return timedelta(seconds=parse_duration(text))
    except ValueError:
        raise UsageError(f"--since {text!r} is not a duration: write 30m, 12h, 7d") from None


def period_of(args: argparse.Namespace, now: datetime) -> Period:
    from triage.report import Period

    if args.since and (args.date_from or args.date_to):
        raise UsageError("give either --since or --from/--to, not both")
    if args.date_from or args.date_to:
        start = parse_when(args.date_from) if args.date_from else None
        end = parse_when(args.date_to, end=True) if args.date_to else now
        if start is None:
            start = end - timedelta(days=7)
    else:
        end = now
        start = now - parse_span(args.since or "7d")
    if end <= start:
        raise UsageError("the period is empty: --to must be after --from")
    return Period(start, end)


def load_runtime(args: argparse.Namespace) -> Runtime:
    """The runtime; without a configuration file, defaults (no brands, default SLA)."""
    try:
        return runtime(args, required=False)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None


def _now(args: argparse.Namespace) -> datetime:
    from triage.model import utcnow

    return parse_when(args.now) if getattr(args, "now", None) else utcnow()


def _open_store(rt: Runtime) -> Store:
    if not rt.store_path.exists():
        raise UsageError(f"no store at {rt.store_path}; run `veille demo` or `veille fetch` first")
    inbox = open_store_deferred(rt, create=False)  # the day files a report covers, streamed
    for problem in inbox.problems:
        say("veille", f"warning: {problem}")
    return inbox


# --------------------------------------------------------------------------- report


def cmd_report(args: argparse.Namespace) -> int:
    from app.reports import make_report
    from store.errors import StoreError
    from triage import report_render

    try:
        now = _now(args)
        period = period_of(args, now)
        rt = load_runtime(args)
        fmt = args.format or _format_from(args.output)
        if fmt == "csv" and not args.output:
            raise UsageError("CSV is one file per table: give a folder with --output")
        with _open_store(rt) as inbox:
            report = make_report(
                inbox, rt.config, period, now, brand=args.brand, platform=args.platform
            )
    except UsageError as exc:
        print(f"veille report: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except StoreError as exc:
        print(f"veille report: {exc}", file=sys.stderr)
        return EXIT_STORE

    if fmt == "csv":
        folder = Path(args.output)
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in report_render.to_csv_tables(report).items():
            (folder / name).write_text(text, encoding="utf-8")
        print(f"veille report: {len(report.tables) + 1} CSV files in {folder}", file=sys.stderr)
        return 0
    text = report_render.to_html(report) if fmt == "html" else report_render.to_markdown(report)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except BrokenPipeError:
            _quiet_stdout()
    return 0


def _quiet_stdout() -> None:
    """After a closed pipe, point stdout at /dev/null so the exit flush cannot fail."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _format_from(output: str | None) -> str:
    return "html" if output and output.endswith((".html", ".htm")) else "md"


# --------------------------------------------------------------------------- export


def cmd_export(args: argparse.Namespace) -> int:
    from app.reports import export_rows, write_csv, write_jsonl
    from store.errors import StoreError
    from triage.filter import FilterError
    from triage.query import InboxQuery

    text = " ".join(args.filter)
    try:
        wanted = InboxQuery.parse(text, include_all=args.all)
    except FilterError as exc:
        print(f"veille export: bad filter: {exc}", file=sys.stderr)
        print(f"  {text}\n  {' ' * exc.position}^", file=sys.stderr)
        return EXIT_USAGE
    fmt = args.format or ("csv" if (args.output or "").endswith(".csv") else "jsonl")
    try:
        now = _now(args)
        rt = load_runtime(args)
        try:  # brand: names checked against the configuration's brands
            checked = inbox_query(text, args.all, rt.config)
        except FilterError as exc:
            print(f"veille export: bad filter: {exc}", file=sys.stderr)
            return EXIT_USAGE
        assert isinstance(checked, InboxQuery)
        wanted = checked
        with _open_store(rt) as inbox:
            rows = export_rows(inbox, wanted, now)
            if fmt == "csv":
                if args.output:
                    with open(args.output, "w", encoding="utf-8", newline="") as f:
                        n = write_csv(rows, f)
                else:
                    n = write_csv(rows, sys.stdout)
            elif args.output:
                with open(args.output, "wb") as f:
                    n = write_jsonl(rows, SafeJsonOut(f))  # type: ignore[arg-type]
            else:
                n = write_jsonl(rows, SafeJsonOut(sys.stdout.buffer))  # type: ignore[arg-type]
                sys.stdout.flush()
    except UsageError as exc:
        print(f"veille export: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # `veille export | head`: the reader has had enough
        _quiet_stdout()
        return 0
    except (StoreError, OSError) as exc:
        print(f"veille export: {exc}", file=sys.stderr)
        return EXIT_STORE
    if args.output:
        print(f"veille export: {n} mentions written to {args.output}", file=sys.stderr)
    return 0


# --------------------------------------------------------------------------- parser


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="figures for management: volume, share of voice, response times, backlog",
        description="Volume, share of voice, mix, top stories, response times against the "
        "SLA, hand-offs, backlog and people, for a period.",
    )
    p.add_argument("--since", help="period up to now: 24h, 7d, 30d (default 7d)")
    p.add_argument("--from", dest="date_from", metavar="DATE", help="start (YYYY-MM-DD)")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="end, included (YYYY-MM-DD)")
    p.add_argument("--brand", help="only this brand")
    p.add_argument("--platform", help="only this platform")
    p.add_argument("--format", choices=("md", "csv", "html"), help="default: md")
    p.add_argument("--output", metavar="PATH", help="file (md, html) or folder (csv)")
    p.add_argument("--now", help=argparse.SUPPRESS)  # reproducible reports in tests
    p.set_defaults(func=cmd_report)

    e = sub.add_parser(
        "export",
        help="mentions with their triage state as JSON Lines or CSV",
        description="Stream mentions and their triage state; FILTER is the TUI's filter "
        "language (brand:, platform:, tag:, status:, is:urgent, words...).",
        add_help=False,  # a filter word like -hn must not be read as -h
    )
    e.add_argument("--help", action="help", help="show this help and exit")
    e.add_argument("filter", nargs="*", metavar="FILTER")
    e.add_argument("--format", choices=("jsonl", "csv"), help="default: jsonl")
    e.add_argument("--all", action="store_true", help="include done, ignored and snoozed groups")
    e.add_argument("--output", metavar="PATH", help="file (default: stdout)")
    e.add_argument("--now", help=argparse.SUPPRESS)
    e.set_defaults(func=cmd_export)
