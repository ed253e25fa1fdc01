"""`veille report` (figures for management) and `veille export` (mentions + triage state).

report: reads the period's mentions, the triage states and the journal from the store,
builds `triage.report.build_report` and renders it (`triage/report_render.py`) as
Markdown (stdout by default), one CSV file per table in a folder, or one HTML page.
export: streams mentions with their state as JSON Lines or CSV, row by row, filtered with
the TUI's filter language. Exit codes: 0 done, 1 store problem, 2 bad usage (in words).
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import orjson

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


def period_of(args: argparse.Namespace, now: datetime) -> Any:
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


def load_settings(args: argparse.Namespace) -> Any:
    """The configuration if there is one; defaults (no brands, default SLA) if none."""
    from sources.config import ConfigError, load_config
    from triage.config import Config
    from tui.commands.triage import config_file, current_user

    path = config_file(args)
    if not path.exists() and not getattr(args, "config", None):
        return Config(user=current_user(args))
    try:
        return load_config(path)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None


def _now(args: argparse.Namespace) -> datetime:
    from triage.model import utcnow

    return parse_when(args.now) if getattr(args, "now", None) else utcnow()


def _open_store(args: argparse.Namespace) -> Any:
    from store.inbox import Inbox
    from tui.commands.triage import current_user, store_path

    path = store_path(args)
    if not path.exists():
        raise UsageError(f"no store at {path}; run `veille demo` or `veille fetch` first")
    inbox = Inbox.open(path, user=current_user(args), create=False)
    for problem in inbox.problems:
        print(f"veille: warning: {problem}", file=sys.stderr)
    return inbox


# --------------------------------------------------------------------------- report


def make_report(inbox: Any, config: Any, period: Any, now: datetime, **scope: Any) -> Any:
    """The report for `period` from an open Inbox (also used by the dashboard and bench)."""
    from triage.report import build_report

    return build_report(
        inbox.mentions_between(period.start, period.end),
        inbox.state,
        inbox.events(),
        period=period,
        now=now,
        brands=config.brands,
        sla=config.sla,
        urgent_threshold=getattr(inbox, "urgent_threshold", 70.0),
        **scope,
    )


def cmd_report(args: argparse.Namespace) -> int:
    from store.errors import StoreError
    from triage import report_render

    try:
        now = _now(args)
        period = period_of(args, now)
        config = load_settings(args)
        fmt = args.format or _format_from(args.output)
        if fmt == "csv" and not args.output:
            raise UsageError("CSV is one file per table: give a folder with --output")
        with _open_store(args) as inbox:
            report = make_report(
                inbox, config, period, now, brand=args.brand, platform=args.platform
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

EXPORT_COLUMNS = (
    "id",
    "group_id",
    "platform",
    "source",
    "created_at",
    "author_name",
    "author_handle",
    "url",
    "brands",
    "priority",
    "title",
    "text",
    "status",
    "tags",
    "assignee",
    "first_response_at",
    "handoff_team",
    "handoff_delivery",
    "replies",
)


def export_rows(inbox: Any, flt: Any, now: datetime) -> Iterator[dict[str, Any]]:
    """Mentions with their state, one at a time, day partition after day partition."""
    from triage.model import dt_to_json
    from triage.views import GroupView

    ctx = inbox.context(now)
    earliest = datetime(1970, 1, 1, tzinfo=UTC)
    latest = datetime(9999, 1, 1, tzinfo=UTC)
    for m in inbox.mentions_between(earliest, latest):
        own = inbox.state(m.id)
        state = own if own.rev else inbox.state(m.group_id)
        if flt is not None:
            subject = GroupView(m.group_id, [m], state, m.priority, m.signals)
            if not flt.matches(subject, ctx):
                continue
        h = state.handoff
        yield {
            "id": m.id,
            "group_id": m.group_id,
            "platform": m.platform,
            "source": m.source,
            "created_at": dt_to_json(m.created_at),
            "author_name": m.author.name,
            "author_handle": m.author.handle,
            "url": m.url,
            "brands": list(m.brands),
            "priority": m.priority,
            "title": m.title,
            "text": m.text,
            "status": state.status.value,
            "tags": list(state.tags),
            "assignee": state.assignee,
            "first_response_at": dt_to_json(state.first_response_at),
            "handoff_team": h.team if h else None,
            "handoff_delivery": h.delivery.value if h else None,
            "replies": len(state.replies),
        }


def write_jsonl(rows: Iterator[dict[str, Any]], out: IO[bytes]) -> int:
    n = 0
    for row in rows:
        out.write(orjson.dumps(row) + b"\n")
        n += 1
    return n


def write_csv(rows: Iterator[dict[str, Any]], out: IO[str]) -> int:
    from triage.report_render import csv_cell

    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    n = 0
    for row in rows:
        cells = []
        for key in EXPORT_COLUMNS:
            value = row[key]
            if isinstance(value, list):
                value = ";".join(value)
            cells.append("" if value is None else csv_cell(value))
        writer.writerow(cells)
        n += 1
    return n


def cmd_export(args: argparse.Namespace) -> int:
    from store.errors import StoreError
    from triage.filter import FilterError, parse_filter

    text = " ".join(args.filter)
    try:
        flt = parse_filter(text) if text.strip() else None
    except FilterError as exc:
        print(f"veille export: bad filter: {exc}", file=sys.stderr)
        print(f"  {text}\n  {' ' * exc.position}^", file=sys.stderr)
        return EXIT_USAGE
    fmt = args.format or ("csv" if (args.output or "").endswith(".csv") else "jsonl")
    try:
        now = _now(args)
        with _open_store(args) as inbox:
            if flt is not None:
                flt = flt.with_vocabulary(inbox.vocabulary())
            rows = export_rows(inbox, flt, now)
            if fmt == "csv":
                if args.output:
                    with open(args.output, "w", encoding="utf-8", newline="") as f:
                        n = write_csv(rows, f)
                else:
                    n = write_csv(rows, sys.stdout)
            elif args.output:
                with open(args.output, "wb") as f:
                    n = write_jsonl(rows, f)
            else:
                n = write_jsonl(rows, sys.stdout.buffer)
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
    )
    e.add_argument("filter", nargs="*", metavar="FILTER")
    e.add_argument("--format", choices=("jsonl", "csv"), help="default: jsonl")
    e.add_argument("--output", metavar="PATH", help="file (default: stdout)")
    e.add_argument("--now", help=argparse.SUPPRESS)
    e.set_defaults(func=cmd_export)
