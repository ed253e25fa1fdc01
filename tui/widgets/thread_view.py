"""Thread context: the selected mention in full and everything that explains it.

Built only from Content objects (never markup): the mention, why it ranks, the group's
copies, the thread fetched from its source (spinner, error line, cache), the author's
past mentions and our past replies, notes and hand-off. The fetch itself runs in the
screen's worker; this widget only shows what it is given.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from rich.segment import Segment
from rich.style import Style as RichStyle
from textual.content import Content
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.visual import RenderOptions
from textual.widget import Widget

from triage.model import DeliveryStatus, Mention, Reply, TriageState
from triage.views import GroupView
from tui.safe import clean, flat, link, plain
from tui.widgets.pane_lines import Wrapped, drain, scrollbar_cells, wrapping
from tui.widgets.quiet import same
from tui.widgets.rows import age_short, duration_short

_URL = re.compile(r"https?://\S+")
PAUSE = 0.001  # seconds between two steps of a pane's wrapping (tui/widgets/pane_lines.py)


@dataclass(slots=True)
class ThreadInfo:
    """What the thread pane shows besides the group itself (gathered by the screen)."""

    thread: Sequence[Mention] | None = None  # None: not fetched (yet)
    loading: bool = False
    error: str = ""
    author_history: Sequence[Mention] = ()
    our_replies: Sequence[tuple[str, str]] = field(default_factory=tuple)  # (when, text)
    sla_left: float | None = None  # seconds to the first-response target (the SLA column)


def fit_url(url: str, width: int) -> str:
    """`url` on one line of `width` cells: cut in the middle, never wrapped mid-string."""
    if len(url) <= width or width < 12:
        return url
    head = (width - 1) * 3 // 5
    return url[:head] + "…" + url[len(url) - (width - 1 - head) :]


def _text(text: str, width: int) -> Content:
    """A post's text, its long URLs shortened to fit a line (the full one is the post's
    link above, `y` copies it); never made clickable: the text is not ours."""
    text = clean(text)
    if width <= 0 or not any(len(u) > width for u in _URL.findall(text)):
        return plain(text)
    return plain(_URL.sub(lambda m: fit_url(m.group(0), width), text))


def sla_sentence(left: float | None, view: GroupView) -> str:
    """The SLA column of the list, in words (and a failed hand-off: nobody got it)."""
    if left is None:
        if view.first_response_at is not None:  # a pending or failed hand-off is not one
            return "SLA: answered"
        if view.state.status.value in ("done", "ignored"):
            return f"SLA: none, {view.state.status.value}"
        sentence = "SLA: no first-response target applies (the list shows the post's age)"
    elif left < 0:
        sentence = f"SLA: overdue by {duration_short(-left)} (first-response target)"
    else:
        sentence = f"SLA: {duration_short(left)} left to answer (first-response target)"
    h = view.state.handoff
    if h is not None and view.handoff_failed:
        why = flat(h.error, 80) or "no reason given"
        sentence += f"; the hand-off to {flat(h.team, 30)} FAILED ({why}), R retries"
    return sentence


def reply_status(reply: Reply) -> str:
    """Where a reply stands, approval included (the author reads the outcome here)."""
    if reply.status is DeliveryStatus.AWAITING:
        return "awaiting approval (A approves, B sends back)"
    if reply.status is DeliveryStatus.RETURNED:
        return f"sent back by {reply.reviewed_by}"
    approved = f", approved by {reply.reviewed_by}" if reply.reviewed_by else ""
    return reply.status.value + approved


def _when(at: datetime | None, now: datetime) -> str:
    return f"{age_short(at, now)} ago" if at else ""


def mention_header(m: Mention, now: datetime) -> Content:
    reach = f" ({m.author.reach:,} followers)" if m.author.reach else ""
    return Content.assemble(
        plain(m.author.display, "bold"),
        plain(reach, "$text-muted"),
        (" · ", "$text-muted"),
        plain(m.platform, "$secondary"),
        (" · ", "$text-muted"),
        plain(m.source, "$text-muted"),
        (" · ", "$text-muted"),
        (_when(m.created_at, now), "$text-muted"),
    )


def render_group(
    view: GroupView, info: ThreadInfo, now: datetime, *, user: str = "", width: int = 0
) -> Content:
    """The whole pane as one Content (plain text spans, our own styles); `width` (cells,
    0 = unknown) keeps each URL on one line."""
    m = view.leader
    state: TriageState = view.state
    parts: list[Content | str | tuple[str, str]] = [mention_header(m, now), "\n"]
    if m.title:
        parts += [plain(m.title, "bold"), "\n"]
    parts += [_text(m.text, width), "\n"]
    if m.url:
        label = fit_url(clean(m.url), width) if width else None
        parts += [link(m.url, label), "\n"]
    parts += ["\n", ("Why it ranks: ", "bold $accent"), (f"priority {view.priority:.0f}", "")]
    if view.signals:
        parts += [" — ", plain(", ".join(clean(s) for s in view.signals))]
    parts += ["\n", plain(sla_sentence(info.sla_left, view), "$text-muted"), "\n"]
    status = [f"status {state.status.value}"]
    if state.tags:
        status.append("tags " + " ".join("#" + flat(t) for t in state.tags))
    if state.assignee:
        status.append(f"assigned to {flat(state.assignee)}")
    if state.claim_active(now):
        who = flat(state.claimed_by)
        if state.updated_by == state.claimed_by and state.updated_at and state.updated_at <= now:
            status.append(f"claimed by {who} since {_when(state.updated_at, now)}")
        elif state.claim_expires:
            status.append(f"claimed by {who} until {state.claim_expires:%H:%M} UTC")
    if state.split_from:
        status.append(f"split out of {flat(state.split_from, 40)} (u undoes)")
    if state.is_snoozed(now) and state.snoozed_until:
        status.append(f"snoozed until {state.snoozed_until:%Y-%m-%d %H:%M} UTC")
    parts += [plain(" · ".join(status), "$text-muted"), "\n"]
    if state.handoff:
        h = state.handoff
        parts += [
            ("Handed off: ", "bold"),
            plain(f"{h.team} by {h.by}, {h.delivery.value}"),
            plain(f" — {h.error}" if h.error else "", "$error"),
            "\n  ",
            plain(h.note, "italic"),
            "\n",
        ]
    for note in state.notes:
        parts += [
            ("Note ", "bold"),
            plain(f"({note.by}, {_when(note.at, now)}): "),
            plain(note.text),
            "\n",
        ]
    for reply in state.replies:
        parts += [
            ("Reply ", "bold $success"),
            plain(f"({reply.by}, {reply_status(reply)}): "),
            plain(reply.text),
            "\n",
        ]
        if reply.review_note:
            parts += ["  ", plain(f"{reply.reviewed_by}'s note: ", "bold $warning"),
                      plain(reply.review_note, "italic"), "\n"]  # fmt: skip
    if view.size > 1:
        parts += ["\n", (f"Copies in this group ({view.size}):", "bold $accent"), "\n"]
        for copy in view.mentions[1:21]:
            parts += [
                "  ",
                plain(copy.author.display, "bold"),
                plain(f" · {copy.platform} · {_when(copy.created_at, now)}: ", "$text-muted"),
                plain(flat(copy.text or copy.title, 90)),
                "\n",
            ]
        if view.size > 21:
            parts += [(f"  … and {view.size - 21} more\n", "$text-muted")]
    parts += ["\n", ("Thread:", "bold $accent"), " "]
    if info.loading:
        parts += [("⠿ fetching from the source…", "$text-muted italic"), "\n"]
    elif info.error:
        parts += [plain("could not fetch the thread: " + info.error, "$error"), "\n"]
    elif info.thread is None:
        parts += [("not fetched", "$text-muted"), "\n"]
    elif not info.thread:
        parts += [("no parent or replies", "$text-muted"), "\n"]
    else:
        parts.append("\n")
        for post in info.thread:
            marker = "▶ " if post.id == m.id else "  "
            parts += [
                marker,
                plain(post.author.display, "bold"),
                plain(f" · {_when(post.created_at, now)}: ", "$text-muted"),
                plain(flat(post.text or post.title, 200)),
                "\n",
            ]
    if info.author_history:
        parts += ["\n", (f"Earlier from {flat(m.author.display)}:", "bold $accent"), "\n"]
        for past in info.author_history[:10]:
            parts += [
                "  ",
                plain(f"{_when(past.created_at, now)} · {past.platform}: ", "$text-muted"),
                plain(flat(past.text or past.title, 90)),
                "\n",
            ]
    if info.our_replies:
        parts += ["\n", ("Our replies to them:", "bold $accent"), "\n"]
        for when, text in info.our_replies[:10]:
            parts += ["  ", plain(when + ": ", "$text-muted"), plain(flat(text, 120)), "\n"]
    return Content.assemble(*parts)


@dataclass(slots=True)
class _Pending:
    """A wrapping in progress: what it renders, for which group and pane width, and
    what to call once the pane shows it."""

    render: Callable[[int], Content]
    group: str | None
    width: int
    done: Callable[[], None] | None


class ThreadView(ScrollView, can_focus=True):
    """Scrollable context of the group under the cursor, drawn with the Line API.

    The pane follows the cursor: as a Static in a scrolling container, each new group
    (a new height) laid out the whole screen (~20-40 ms at 160x48, in the way of the
    next key). Here the text is wrapped to the pane's width once per group, in steps
    that let a key pressed meanwhile run first (`show(soon=True)`, tui/widgets/
    pane_lines.py), and the scrollable height set without a layout; the scrollbar is
    drawn in the pane's own lines (Textual's would lay out the screen each time it came
    or went), inside the pane's padding as Textual draws it."""

    DEFAULT_CSS = """
    ThreadView { overflow-x: hidden; overflow-y: hidden; }
    """

    class Shown(Message):
        """A group is on show in the pane: the user has read it (store.reads)."""

        def __init__(self, view: GroupView) -> None:
            super().__init__()
            self.view = view

    _shown: tuple[GroupView, ThreadInfo, datetime, str] | None = None

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.visual: Content = Content("Select a mention.")  # what the pane shows
        self._strips: list[Strip] = []
        self._width = 0  # the text width `_strips` were wrapped to (0: not yet)
        self._bar = False  # taller than the pane: the scrollbar is drawn
        self._group: str | None = None
        self._job = 0  # the latest wrapping asked for; older ones stop at their next step
        self._pending: _Pending | None = None
        self._paint: tuple[int, int, RichStyle, list[Segment]] | None = None

    @property
    def settled(self) -> bool:
        """The pane shows the last text it was given (no wrapping in progress)."""
        return self._pending is None

    def show(
        self,
        view: GroupView | None,
        info: ThreadInfo,
        now: datetime,
        user: str = "",
        *,
        soon: bool = False,
        then: Callable[[], None] | None = None,
    ) -> None:
        """Show `view`, then call `then`. `soon`: wrap it in steps (the cursor's pane: a
        key may come meanwhile) rather than at once; `then` waits for the pane to show
        it (and is dropped if another group is shown first)."""
        self._shown = (view, info, now, user) if view is not None else None
        if view is None:
            self._set(lambda width: Content("No mention selected."), None, soon, then)
            return

        def shown() -> None:
            self.post_message(self.Shown(view))  # read once it is on show
            if then is not None:
                then()

        self._set(lambda width: render_group(view, info, now, user=user, width=width),
                  view.group_id, soon, shown)  # fmt: skip

    @property
    def allow_vertical_scroll(self) -> bool:
        """Scrollable when the text is taller than the pane (Textual asks its own bar)."""
        return not self._check_disabled() and self._bar

    def _set(
        self,
        render: Callable[[int], Content],
        group: str | None,
        soon: bool = False,
        done: Callable[[], None] | None = None,
    ) -> None:
        """Render for the pane's width, less the scrollbar's when the text is longer
        than the pane (URLs are fitted to it), and wrap it; then call `done`."""
        self._job += 1
        self._pending = None
        width, height = self.content_region.size
        if width <= 0 or not self.is_mounted:
            self.visual, self._width, self._group = render(0), 0, group
        else:
            steps = wrapping(
                render, width, self.styles.scrollbar_size_vertical, height,
                RenderOptions(self._get_style, self.styles), self.visual_style,
                self.link_style if self.auto_links and not self.screen._selecting else None,
            )  # fmt: skip
            if soon:
                self._pending = _Pending(render, group, width, done)
                asyncio.get_running_loop().call_later(PAUSE, self._step, self._job, steps)
                return
            self._swap(drain(steps), group, width)
        if done is not None:
            done()

    def _step(self, job: int, steps: Generator[None, None, Wrapped]) -> None:
        """One step of a wrapping; the next one a pause later, so that a key's way from
        the terminal to the screen (a handful of hops through the event loop) is not
        held up by one step at each hop."""
        pending = self._pending
        if job != self._job or pending is None or not self.is_attached:
            return  # the cursor moved on: a newer group is on its way
        try:
            next(steps)
        except StopIteration as finished:
            self._pending = None
            if pending.width != self.content_region.width:  # resized meanwhile
                self._set(pending.render, pending.group, False, pending.done)
                return
            self._swap(finished.value, pending.group, pending.width)
            if pending.done is not None:
                pending.done()
            return
        except Exception as error:  # a bug: reported as Textual reports a handler's
            self._pending = None
            self.app._handle_exception(error)
            return
        asyncio.get_running_loop().call_later(PAUSE, self._step, job, steps)

    def _swap(self, wrapped: Wrapped, group: str | None, width: int) -> None:
        """Show the wrapped text: set the scrollable height (no layout: the scrollbar is
        ours) and repaint the pane; nothing if it shows that already."""
        if same(self.visual, wrapped.content) and wrapped.width == self._width:
            return
        self.visual, self._strips = wrapped.content, wrapped.strips
        self._width, self._bar = wrapped.width, wrapped.bar
        if group != self._group:
            self._group = group
            self.scroll_to(y=0, animate=False, immediate=True)
        size = Size(width, len(self._strips))
        self.set_reactive(Widget.virtual_size, size)
        self._scroll_update(size)
        self.refresh()

    def render_lines(self, crop: Region) -> list[Strip]:
        """Work out once per frame what every line shares (fill, widths, the bar)."""
        self._paint = self._frame()
        try:
            return super().render_lines(crop)
        finally:
            self._paint = None

    def _frame(self) -> tuple[int, int, RichStyle, list[Segment]]:
        width, window = self.content_region.size
        fill = RichStyle(bgcolor=self.visual_style.rich_style.bgcolor)  # as a Static pads
        if not self._bar:
            return width, self.scroll_offset.y, fill, []
        styles = self.styles
        background, color = styles.scrollbar_background, styles.scrollbar_color
        if background.a < 1:
            background = self.background_colors[0] + background
        color = background + color
        bar = scrollbar_cells(
            window, len(self._strips), self.scroll_offset.y, styles.scrollbar_size_vertical,
            RichStyle.from_color(color.rich_color, background.rich_color),
            self.visual_style.rich_style,
        )  # fmt: skip
        return width, self.scroll_offset.y, fill, bar

    def render_line(self, y: int) -> Strip:
        width, top, fill, bar = self._paint or self._frame()
        index = top + y
        text = self._width if self._bar else width
        if 0 <= index < len(self._strips):
            line = self._strips[index].crop_extend(0, text, fill)
        else:
            line = Strip.blank(text, fill)
        if not bar:
            return line
        cell = bar[y] if y < len(bar) else Segment(" " * (width - text), fill)
        return Strip([*line, cell], width)

    def on_resize(self) -> None:
        pending = self._pending
        if pending is not None:  # at once, and what waited for it (the editor) follows
            self._set(pending.render, pending.group, False, pending.done)
        elif self._shown is not None:  # URLs are fitted to the width
            self.show(*self._shown)
        else:
            self._set(lambda width: self.visual, self._group, False)
