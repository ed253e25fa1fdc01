"""Thread context: the selected mention in full and everything that explains it.

Built only from Content objects (never markup): the mention, why it ranks, the group's
copies, the thread fetched from its source (spinner, error line, cache), the author's
past mentions and our past replies, notes and hand-off. The fetch itself runs in the
screen's worker; this widget only shows what it is given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from triage.model import Mention, TriageState
from triage.views import GroupView
from tui.safe import clean, flat, link, plain
from tui.widgets.rows import age_short


@dataclass(slots=True)
class ThreadInfo:
    """What the thread pane shows besides the group itself (gathered by the screen)."""

    thread: Sequence[Mention] | None = None  # None: not fetched (yet)
    loading: bool = False
    error: str = ""
    author_history: Sequence[Mention] = ()
    our_replies: Sequence[tuple[str, str]] = field(default_factory=tuple)  # (when, text)


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


def render_group(view: GroupView, info: ThreadInfo, now: datetime, *, user: str = "") -> Content:
    """The whole pane as one Content (plain text spans, our own styles)."""
    m = view.leader
    state: TriageState = view.state
    parts: list[Content | str | tuple[str, str]] = [mention_header(m, now), "\n"]
    if m.title:
        parts += [plain(m.title, "bold"), "\n"]
    parts += [plain(m.text), "\n"]
    if m.url:
        parts += [link(m.url), "\n"]
    parts += ["\n", ("Why it ranks: ", "bold $accent"), (f"priority {view.priority:.0f}", "")]
    if view.signals:
        parts += [" — ", plain(", ".join(clean(s) for s in view.signals))]
    parts.append("\n")
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
            plain(f"({reply.by}, {reply.status.value}): "),
            plain(reply.text),
            "\n",
        ]
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


class ThreadView(VerticalScroll, can_focus=True):
    """Scrollable context of the group under the cursor."""

    def compose(self) -> ComposeResult:
        yield Static(Content("Select a mention."), id="thread-body")

    def show(self, view: GroupView | None, info: ThreadInfo, now: datetime, user: str = "") -> None:
        body = self.query_one("#thread-body", Static)
        if view is None:
            body.update(Content("No mention selected."))
        else:
            body.update(render_group(view, info, now, user=user))
