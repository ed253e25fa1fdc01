"""The status bar and the spike banner: counts, SLA breaches, source health, who you are."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual.content import Content
from textual.widgets import Static

from tui.safe import flat, plain
from tui.widgets.quiet import set_content


@dataclass(slots=True)
class SourceLine:
    """One source's health as the status bar shows it."""

    name: str
    ok: bool
    detail: str = ""  # "2m ago" or the last error in words


@dataclass(slots=True)
class StatusInfo:
    user: str
    open: int = 0
    urgent: int = 0
    breached: int = 0
    handoffs_failed: int = 0
    unread: int = 0  # open groups this user has not read since they changed
    shown: int = 0
    total: int = 0
    selected: int = 0
    view: str = ""
    partial: bool = False  # the filter is still running over the rest of the store
    counted: bool = True  # False until the first count: no "0 SLA breached" before it
    sources: Sequence[SourceLine] = ()


def _counts(info: StatusInfo) -> list[tuple[str, str]]:
    return [
        (f" {info.open} open ", "bold"),
        (f" {info.urgent} urgent ", "bold $error" if info.urgent else "$text-muted"),
        (f" {info.breached} SLA breached ", "bold $error" if info.breached else "$text-muted"),
    ]


def render_status(info: StatusInfo) -> Content:
    parts: list[Content | str | tuple[str, str]] = [
        plain(f" {flat(info.user, 20)} ", "bold reverse"),
        *(_counts(info) if info.counted else [(" counting… ", "$text-muted")]),
        *(
            [(f" {info.handoffs_failed} hand-off failed (R retries) ", "bold $error")]
            if info.handoffs_failed
            else []
        ),
        *([(f" {info.unread} unread ", "bold $accent")] if info.unread else []),
        (f" {info.shown}{'+' if info.partial else ''}/{info.total} shown ", "$text-muted"),
    ]
    if info.selected:
        parts.append((f" {info.selected} selected ", "bold $accent"))
    if info.view:
        parts.append(plain(f" view: {info.view} ", "$secondary"))
    for source in info.sources:
        mark, style = ("●", "$success") if source.ok else ("✗", "$error")
        parts += [" ", (mark, style), plain(f" {flat(source.name, 16)}", "")]
        if source.detail:
            parts.append(
                plain(f" {flat(source.detail, 30)}", "$text-muted" if source.ok else "$error")
            )
    return Content.assemble(*parts)


class StatusBar(Static):
    """One line (its height is fixed by the CSS): repainted only when a figure changes."""

    _info: StatusInfo | None = None

    def show(self, info: StatusInfo) -> None:
        if info != self._info:
            self._info = info
            set_content(self, render_status(info), fixed_height=True)


class SpikeBanner(Static):
    """Hidden unless a spike is going on."""

    _message: str | None = ""

    def show(self, message: str | None) -> None:
        if message == self._message:
            return
        self._message = message
        if message:
            self.update(plain("▲ " + message, "bold"))
            self.display = True
        else:
            self.display = False
