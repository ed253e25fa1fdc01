"""One inbox row as styled cells: the columns of the mention list, fitted to a width.

Kept apart from the widget so that the bench and the tests can look at a row without a
running app. All text comes from mentions and is cleaned and cut here; nothing is ever
parsed as markup (rows are Rich Segments with our own Styles).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style

from triage.model import Status
from triage.priority import URGENT_THRESHOLD
from triage.sla import first_response
from triage.views import GroupView
from tui.safe import flat

CLOSED = (Status.DONE, Status.IGNORED)

PLATFORM_SHORT = {
    "rss": "rss",
    "mastodon": "mast",
    "bluesky": "bsky",
    "hackernews": "hn",
    "reddit": "rddt",
}

HIGH = 40.0  # the report's "high" band too


@dataclass(frozen=True, slots=True)
class RowStyles:
    """The few styles a row uses (resolved once from the widget's component classes)."""

    base: Style
    urgent: Style
    high: Style
    low: Style
    overdue: Style
    dim: Style
    tag: Style
    claimed: Style
    mark: Style
    title: Style


def duration_short(seconds: float) -> str:
    """'42m', '3h05', '2d', signed: '-1h05' when overdue."""
    sign = "-" if seconds < 0 else ""
    s = int(abs(seconds))
    if s < 3600:
        return f"{sign}{s // 60}m"
    if s < 86400:
        return f"{sign}{s // 3600}h{(s % 3600) // 60:02d}"
    return f"{sign}{s // 86400}d"


def age_short(created: datetime, now: datetime) -> str:
    return duration_short((now - created).total_seconds()).lstrip("-")


def _fit(text: str, width: int) -> str:
    """Cut or pad `text` to exactly `width` cells (as Rich measures the whole string:
    an emoji sequence joined by U+200D, or one with a variation selector, is not the
    sum of its characters' widths)."""
    if width <= 0:
        return ""
    if text.isascii() and text.isprintable():  # one cell a character: slice (most rows)
        if len(text) <= width:
            return text + " " * (width - len(text))
        return text[: width - 1] + "…"
    length = cell_len(text)
    if length <= width:
        return text + " " * (width - length)
    out = []
    used = 0
    for char in text:
        w = cell_len(char)
        if used + w > width - 1:
            break
        out.append(char)
        used += w
    cut = "".join(out) + "…"
    length = cell_len(cut)
    while length > width and len(cut) > 1:
        cut = cut[:-2] + "…"
        length = cell_len(cut)
    return cut + " " * (width - length)


# columns: (name, width); 0 = the post's text, which takes what is left. The essential
# ones are always there; the others join, in this order, only while the text keeps at
# least half of the row (and TEXT_MIN cells), so a wider list means a wider text.
ESSENTIAL = (
    ("mark", 1), ("prio", 3), ("sla", 7), ("author", 12), ("snippet", 0), ("size", 4),
    ("status", 8),  # also says who is answering ("✎sam") when there is no "claimed" column
)  # fmt: skip
OPTIONAL = (("platform", 5), ("brand", 9), ("tags", 14), ("claimed", 10))
TEXT_MIN = 40
HEADERS = {
    "mark": "",
    "prio": "Pri",
    "sla": "SLA",
    "platform": "Where",
    "brand": "Brand",
    "author": "Author",
    "snippet": "Post",
    "size": "×n",
    "tags": "Tags",
    "status": "Status",
    "claimed": "Who",
}
SLA_LEGEND = (
    "SLA: time left to answer within the first-response target (-1h05: overdue by that); "
    "✓ answered or closed (then, and without a target, the post's age)"
)


@lru_cache(maxsize=64)
def columns_for(width: int) -> tuple[tuple[str, int], ...]:
    """The columns a row of `width` cells shows, in display order."""
    used = sum(w + 1 for _, w in ESSENTIAL) + 1
    keep_text = max(TEXT_MIN, width // 2)
    chosen = set()
    for name, w in OPTIONAL:
        if width - used - (w + 1) >= keep_text:
            chosen.add(name)
            used += w + 1
    order = ("mark", "prio", "sla", "platform", "brand", "author", "snippet", "size",
             "tags", "status", "claimed")  # fmt: skip
    widths = dict(ESSENTIAL) | dict(OPTIONAL)
    return tuple((n, widths[n]) for n in order if n in chosen or n in dict(ESSENTIAL))


def _flex(columns: tuple[tuple[str, int], ...], width: int) -> int:
    fixed = sum(w + 1 for _, w in columns if w) + 1
    return max(8, width - fixed)


def header_segments(width: int, style: Style) -> list[Segment]:
    """The column headers of a row of `width` cells."""
    columns = columns_for(width)
    flex = _flex(columns, width)
    text = ""
    for name, w in columns:
        label = HEADERS[name]
        w = w or flex
        text += _fit(label.rjust(w - 1) if name == "sla" else label, w) + " "
    return [Segment(_fit(text, width), style)]


def row_segments(
    view: GroupView,
    now: datetime,
    width: int,
    styles: RowStyles,
    sla_left: Callable[[GroupView, datetime], float | None],
    *,
    selected: bool = False,
    user: str = "",
) -> list[Segment]:
    """The cells of one row, exactly `width` cells wide."""
    columns = columns_for(width)
    flex = _flex(columns, width)
    leader = view.leader
    state = view.state
    segments: list[Segment] = []
    for name, w in columns:
        w = w or flex
        style = styles.base
        if name == "mark":
            text, style = ("●" if selected else " "), styles.mark
        elif name == "prio":
            p = view.priority
            style = (
                styles.urgent if p >= URGENT_THRESHOLD else styles.high if p >= HIGH else styles.low
            )
            text = f"{min(99, int(p)):>2} "
        elif name == "sla":
            left = sla_left(view, now)
            if left is not None:
                text = duration_short(left)
                style = styles.overdue if left < 0 or view.handoff_failed else styles.base
            elif first_response(state) is not None or state.status in CLOSED:
                text, style = "✓ " + age_short(leader.created_at, now), styles.dim
            else:  # no SLA clock available: the age
                text, style = age_short(leader.created_at, now), styles.dim
            text = text.rjust(w - 1)
        elif name == "platform":
            platforms = view.platforms
            text = PLATFORM_SHORT.get(platforms[0], platforms[0][:4])
            if len(platforms) > 1:
                text = f"{text[: w - 3]}+{len(platforms) - 1}"
            style = styles.dim
        elif name == "brand":
            text = ",".join(view.brands) or "-"
        elif name == "author":
            text = flat(leader.author.display)
        elif name == "snippet":
            title = flat(leader.title, w + 1)
            body = flat(leader.text, w + 1)
            if title and body and not body.startswith(title):
                cut = _fit(f"{title} · {body}", w)
                head = min(len(title), len(cut))
                segments += [Segment(cut[:head], styles.title), Segment(cut[head:], styles.base)]
                segments.append(Segment(" ", styles.base))
                continue
            text = title if title and not body else body
        elif name == "size":
            text = f"×{view.size}" if view.size > 1 else ""
            style = styles.dim
        elif name == "tags":
            text = " ".join("#" + flat(t) for t in state.tags)
            style = styles.tag
        elif name == "status":
            if view.handoff_failed:  # reached nobody: red until retried (R) or answered
                text, style = "✗handoff", styles.overdue
            elif state.claim_active(now) and not any(n == "claimed" for n, _ in columns):
                text, style = "✎" + flat(state.claimed_by), styles.claimed
            elif state.is_snoozed(now):
                text, style = "snoozed", styles.dim
            else:
                text = state.status.value
        else:  # claimed
            if state.claim_active(now):
                who = flat(state.claimed_by)
                text = "✎" + ("me" if who == user else who)
                style = styles.claimed
            else:
                text = flat(state.assignee) if state.assignee else ""
        segments.append(Segment(_fit(text, w), style))
        segments.append(Segment(" ", styles.base))
    used = sum((w or flex) + 1 for _, w in columns)  # each column is fitted to its width
    if used < width:
        segments.append(Segment(" " * (width - used), styles.base))
    return segments
