"""Turn a `triage.report.Report` into Markdown, CSV tables or one self-contained HTML page.

Pure string building (no files, no Rich): the command writes what these return, and the
tests read it back. Mention text and author names are hostile input everywhere here:
Markdown escapes its markup characters, CSV neutralises formulas (a cell starting with
= + - @ is prefixed with a quote), HTML escapes every value and the page forbids scripts
and any external resource with a Content-Security-Policy.
"""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import datetime
from typing import Any

from triage.report import Report, Table
from triage.text import sanitize

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")


# --------------------------------------------------------------------------- values


def fmt_duration(seconds: float | None) -> str:
    """45 s, 12 min, 3 h 05 min, 2 d 4 h."""
    if seconds is None:
        return "-"
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min"
    if s < 86400:
        return f"{s // 3600} h {s % 3600 // 60:02d} min"
    return f"{s // 86400} d {s % 86400 // 3600} h"


def fmt_value(value: Any, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "dur":
        return fmt_duration(value)
    if kind == "pct":
        return f"{value * 100:.1f} %"
    if kind == "time" and isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if kind == "float":
        return f"{value:.1f}"
    return sanitize(str(value))


def csv_cell(value: Any) -> Any:
    """A value safe for spreadsheets and terminals: control sequences removed, and text
    starting like a formula gets a leading quote."""
    if isinstance(value, str):
        value = sanitize(value)
        if value.startswith(FORMULA_START):
            return "'" + value
    return value


def _raw(value: Any, kind: str) -> Any:
    """CSV keeps numbers raw (seconds, fractions) so they can be computed with."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if kind == "dur":
        return round(float(value), 3)
    if kind == "pct":
        return round(float(value), 6)
    return csv_cell(value)


def _period_line(report: Report) -> str:
    p = report.period
    scope = []
    if report.brand:
        scope.append(f"brand {report.brand}")
    if report.platform:
        scope.append(f"platform {report.platform}")
    line = f"{p.start:%Y-%m-%d %H:%M} to {p.end:%Y-%m-%d %H:%M} UTC"
    return line + (f" ({', '.join(scope)})" if scope else "")


# --------------------------------------------------------------------------- markdown


def md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def _md_row(values: list[str], widths: list[int], right: list[bool]) -> str:
    parts = [v.rjust(w) if r else v.ljust(w) for v, w, r in zip(values, widths, right, strict=True)]
    return "| " + " | ".join(parts) + " |"


def to_markdown(report: Report) -> str:
    """Plain GitHub-style tables: readable as is in a terminal or a mail."""
    out = [
        "# veille report",
        "",
        f"Period: {md_escape(_period_line(report))}  ",
        f"Generated: {report.generated_at:%Y-%m-%d %H:%M} UTC",
        "",
        "## Summary",
        "",
    ]
    out += [f"- {label}: **{fmt_value(v, kind)}**" for label, v, kind in report.summary]
    for t in report.tables:
        out += ["", f"## {t.title}", ""]
        if not t.rows:
            out.append("_Nothing in this period._")
            continue
        cells = [
            [md_escape(fmt_value(v, k)) for v, k in zip(r, t.kinds, strict=True)] for r in t.rows
        ]
        widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(t.columns)]
        right = [k in ("int", "dur", "pct", "float") for k in t.kinds]

        out.append(_md_row(list(t.columns), widths, right))
        out.append(
            "|"
            + "|".join(
                ("-" * (w + 1) + ":") if r else ("-" * (w + 2))
                for w, r in zip(widths, right, strict=True)
            )
            + "|"
        )
        out += [_md_row(row, widths, right) for row in cells]
        if t.note:
            out += ["", f"_{md_escape(t.note)}_"]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- csv


def to_csv_tables(report: Report) -> dict[str, str]:
    """One CSV text per table (file name -> content), plus summary.csv."""
    files: dict[str, str] = {}
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(("figure", "value"))
    for label, value, kind in report.summary:
        w.writerow((label, _raw(value, kind)))
    files["summary.csv"] = buf.getvalue()
    for t in report.tables:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(t.columns)
        for r in t.rows:
            w.writerow([_raw(v, k) for v, k in zip(r, t.kinds, strict=True)])
        files[f"{t.name}.csv"] = buf.getvalue()
    return files


# --------------------------------------------------------------------------- html

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:64rem;
color:#1d2330;padding:0 1rem}
h1{font-size:1.6rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #dde}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}
td,th{padding:.25rem .6rem;border-bottom:1px solid #eef;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.summary{display:grid;grid-template-columns:repeat(auto-fill,minmax(13rem,1fr));gap:.6rem}
.card{border:1px solid #dde;border-radius:6px;padding:.6rem}.card b{display:block;font-size:1.3rem}
.note{color:#667;font-size:.85rem}svg{display:block;margin:.5rem 0}
"""


def _bars(t: Table) -> str:
    """Horizontal bars for (label, value) pairs; inline SVG, text escaped."""
    label_col, value_col = t.chart  # type: ignore[misc]
    li, vi = t.columns.index(label_col), t.columns.index(value_col)
    pairs = [(str(r[li]), float(r[vi] or 0)) for r in t.rows][:30]
    if not pairs:
        return ""
    kind = t.kinds[vi]
    peak = max(v for _, v in pairs) or 1.0
    bar_h, label_w, width = 18, 170, 620
    height = bar_h * len(pairs) + 4
    parts = [
        f'<svg width="{width}" height="{height}" role="img" aria-label="{html.escape(t.title)}">'
    ]
    for n, (label, value) in enumerate(pairs):
        y = n * bar_h + 2
        w = (width - label_w - 90) * value / peak
        short = label if len(label) <= 26 else label[:25] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end" font-size="12">'
            f"{html.escape(short)}</text>"
            f'<rect x="{label_w}" y="{y + 2}" width="{w:.1f}" height="{bar_h - 5}" fill="#4f6fd1"/>'
            f'<text x="{label_w + w + 4:.1f}" y="{y + 13}" font-size="11">'
            f"{html.escape(fmt_value(value, kind))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _columns_chart(t: Table) -> str:
    """Vertical bars (volume per day)."""
    label_col, value_col = t.chart  # type: ignore[misc]
    li, vi = t.columns.index(label_col), t.columns.index(value_col)
    pairs = [(str(r[li]), float(r[vi] or 0)) for r in t.rows]
    if not pairs:
        return ""
    peak = max(v for _, v in pairs) or 1.0
    width, height, base = 640, 180, 150
    step = width / len(pairs)
    parts = [
        f'<svg width="{width}" height="{height}" role="img" aria-label="{html.escape(t.title)}">'
    ]
    for n, (label, value) in enumerate(pairs):
        h = (base - 10) * value / peak
        x = n * step
        parts.append(
            f'<rect x="{x + 1:.1f}" y="{base - h:.1f}" width="{max(1.0, step - 2):.1f}" '
            f'height="{h:.1f}" fill="#4f6fd1"><title>{html.escape(label)}: {value:g}</title></rect>'
        )
    first, last = html.escape(pairs[0][0]), html.escape(pairs[-1][0])
    parts.append(f'<text x="0" y="{base + 16}" font-size="11">{first}</text>')
    parts.append(
        f'<text x="{width}" y="{base + 16}" font-size="11" text-anchor="end">{last}</text>'
    )
    parts.append(f'<text x="0" y="10" font-size="11">max {peak:g}/day</text></svg>')
    return "".join(parts)


def to_html(report: Report) -> str:
    """One page, no external resource: inline CSS and SVG; the CSP forbids scripts."""
    e = html.escape
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>veille report {e(_period_line(report))}</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>veille report</h1>",
        f"<p>{e(_period_line(report))} · generated {report.generated_at:%Y-%m-%d %H:%M} UTC</p>",
        '<h2>Summary</h2><div class="summary">',
    ]
    for label, value, kind in report.summary:
        out.append(f'<div class="card">{e(label)}<b>{e(fmt_value(value, kind))}</b></div>')
    out.append("</div>")
    for t in report.tables:
        out.append(f'<h2 id="{e(t.name)}">{e(t.title)}</h2>')
        if not t.rows:
            out.append('<p class="note">Nothing in this period.</p>')
            continue
        if t.chart:
            out.append(_columns_chart(t) if t.name == "volume_by_day" else _bars(t))
        numeric = [k in ("int", "dur", "pct", "float") for k in t.kinds]
        head = "".join(
            f'<th class="n">{e(c)}</th>' if n else f"<th>{e(c)}</th>"
            for c, n in zip(t.columns, numeric, strict=True)
        )
        out.append(f"<table><thead><tr>{head}</tr></thead><tbody>")
        for r in t.rows:
            cells = "".join(
                f'<td class="n">{e(fmt_value(v, k))}</td>'
                if n
                else f"<td>{e(fmt_value(v, k))}</td>"
                for v, k, n in zip(r, t.kinds, numeric, strict=True)
            )
            out.append(f"<tr>{cells}</tr>")
        out.append("</tbody></table>")
        if t.note:
            out.append(f'<p class="note">{e(t.note)}</p>')
    out.append("</body></html>")
    return "\n".join(out) + "\n"
