"""What the inbox screen needs from the app that hosts it (VeilleApp satisfies it).

The screen is typed against this protocol, not against VeilleApp, so the app imports
its screens and no screen imports the app.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

from triage.config import Config, Template
from triage.model import Mention
from triage.protocol import Store, StoreReader
from triage.views import GroupView
from tui.drafts import Drafts
from tui.widgets.status_bar import SourceLine


class InboxHost(Protocol):
    inbox: Store
    config: Config
    user: str
    now: Callable[[], datetime]
    drafts: Drafts
    templates: list[Template]
    poll_interval: float
    pane_delay: float
    fetch_thread: Callable[[Mention], Awaitable[Sequence[Mention]]] | None
    sla_left: Callable[[GroupView, datetime], float | None]
    sla_clock: Callable[[GroupView, datetime], float | None] | None
    reply_checker: Callable[[str, Mention], Sequence[str]]

    def source_lines(self) -> Sequence[SourceLine]: ...
    def spike_message(self, inbox: StoreReader, now: datetime) -> str | None: ...
    def saved_views(self) -> list[tuple[str, str]]: ...
    def can_post(self, mention: Mention) -> bool: ...
    def outbound_kick(self) -> None: ...
    def manual_reply(self, mention: Mention, text: str) -> None: ...
    def author_history(self, view: GroupView) -> tuple[list[Mention], list[tuple[str, str]]]: ...
    def build_author_index(self) -> None: ...
    def load_rest(self, screen: Any) -> bool: ...  # the rest of a deferred store (tui.app)
