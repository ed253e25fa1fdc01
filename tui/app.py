"""VeilleApp: the inbox for one store and one configuration.

The app holds what every screen shares (the Inbox, the config, the clock, drafts, the
keymap, the optional thread fetcher and outbound services) and the app-wide keys (help,
quit, dashboard). Everything it receives is injected, so tests and `veille demo` run the
same app on their own store with their own clock.
"""

from __future__ import annotations

import os
import socket
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, Protocol

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from triage.config import Config
from triage.model import Mention, utcnow
from triage.protocol import Store, StoreReader
from triage.views import GroupView
from tui.drafts import Drafts, drafts_path
from tui.safe import flat
from tui.screens.help import HelpScreen, key_rows
from tui.screens.inbox import InboxScreen
from tui.terminal import HANGUP_EXIT, TerminalWatch, terminal_fd
from tui.widgets import copy_panel
from tui.widgets.mention_list import MentionList
from tui.widgets.reply_editor import ReplyEditor, default_checks
from tui.widgets.status_bar import SourceLine

HERE = Path(__file__).parent
ADOPT_ROWS = 2000  # records indexed per UI-thread step while the rest of a store loads
ThreadFetcher = Callable[[Mention], Awaitable[Sequence[Mention]]]


def keymap_from_config(config: Config) -> dict[str, str]:
    """The `[keys]` table: binding id -> keys, e.g. `"inbox.done" = "x"` (ids in `?`)."""
    return dict(config.keys)


class Outbound(Protocol):
    """What the app asks of the outbound service (tui.integration.OutboundBridge)."""

    def can_post(self, mention: Mention) -> bool: ...
    def kick(self) -> None: ...


class Polling(Protocol):
    """The inbox's own poller (app.ingest.LeasedPolling): polls while it holds the lease."""

    def start(self) -> None: ...
    def stop(self, wait: float = 1.0) -> None: ...
    def holder(self) -> Any: ...


class VeilleApp(App[None]):
    TITLE = "veille"
    CSS_PATH: ClassVar[list[str | Path]] = [
        HERE / "app.tcss",
        HERE / "widgets" / "mention_list.tcss",
        HERE / "screens" / "inbox.tcss",
        HERE / "screens" / "modals.tcss",
        HERE / "screens" / "help.tcss",
    ]
    ENABLE_COMMAND_PALETTE = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("D", "dashboard", "Dashboard", id="app.dashboard", show=False),
    ]

    def __init__(
        self,
        inbox: Store,
        config: Config,
        *,
        now: Callable[[], datetime] = utcnow,
        fetch_thread: ThreadFetcher | None = None,
        poll_interval: float = 1.0,
        pane_delay: float = 0.06,
        keymap: dict[str, str] | None = None,
        drafts: Drafts | None = None,
        health: Callable[[], Sequence[SourceLine]] | None = None,
        sla_left: Callable[[GroupView, datetime], float | None] | None = None,
        reply_checker: Callable[[str, Mention], Sequence[str]] | None = None,
        spike: Callable[[StoreReader, datetime], str | None] | None = None,
        outbound: Outbound | None = None,
        polling: Polling | None = None,
        terminal: int | None = None,
    ) -> None:
        super().__init__()
        self.inbox = inbox
        self.config = config
        self.user = config.user or inbox.user
        self.now = now
        self.fetch_thread = fetch_thread
        self.poll_interval = poll_interval
        self.pane_delay = pane_delay  # the cursor rests this long before the panes follow
        # `is None`, not `or`: an empty Drafts is falsy (it has a length)
        self.drafts = (
            drafts if drafts is not None else Drafts(drafts_path(inbox.location, self.user))
        )
        self.templates = list(config.templates)
        self._health = health
        self.sla_clock = sla_left  # None: no first-response clock (nothing is breached)
        self.sla_left = sla_left or (lambda view, now: None)
        self.reply_checker = reply_checker or default_checks
        self._spike = spike
        self.outbound = outbound
        self.polling = polling
        self._author_index: dict[str, list[Mention]] | None = None
        self._keymap_config = {**keymap_from_config(config), **(keymap or {})}
        self._terminal = terminal  # the terminal's fd to watch; None: stdin's, if a terminal
        self._terminal_watch: TerminalWatch | None = None

    # ------------------------------------------------------------------ lifecycle
    def on_mount(self) -> None:
        if self._keymap_config:
            self.set_keymap(self._keymap_config)
        self.push_screen(InboxScreen())
        if self.polling is not None:
            self.polling.start()
        if self._terminal is not None:  # a given terminal (tests): nothing else touched
            self._terminal_watch = TerminalWatch(self._terminal, self.hang_up)
        elif not self.is_headless and (fd := terminal_fd()) is not None:
            self._terminal_watch = TerminalWatch(
                fd, self.hang_up, streams=(fd, 1, 2), hard_exit=os._exit
            )
        if self._terminal_watch is not None:  # quit when the terminal hangs up
            self._terminal_watch.arm()  # (tui/terminal.py says why and how)

    def hang_up(self) -> None:
        """The terminal is gone: leave as `q` does, with the shell's hang-up code."""
        self.exit(return_code=HANGUP_EXIT)

    def on_unmount(self) -> None:
        if self._terminal_watch is not None:
            self._terminal_watch.disarm()
        if self.polling is not None:
            self.polling.stop(wait=0.5)

    # ------------------------------------------------------------------ opening
    def load_rest(self, screen: Any) -> bool:
        """Read the rest of a store opened first screen first (`Inbox.open(defer=True)`)
        on a worker, a day at a time, indexed on this thread in small parts; then the
        screen ranks, counts and warms up again. False when there is nothing left."""
        inbox = self.inbox
        if not getattr(inbox, "loading", False):
            return False
        if hasattr(inbox, "set_hot_days"):  # a folder store: the configured hot window
            inbox.set_hot_days(self.config.store.hot_days)
        self.run_worker(
            lambda: self._load_rest(inbox, screen), thread=True, group="load-rest", exclusive=True
        )
        return True

    def _load_rest(self, inbox: Any, screen: Any) -> None:
        try:
            while (part := inbox.read_next()) is not None:
                path, signature, raw = part
                rows = list(raw.items()) if raw else []
                for start in range(0, len(rows), ADOPT_ROWS):  # the UI keeps its frames
                    chunk = (path, signature, dict(rows[start : start + ADOPT_ROWS]))
                    self.call_from_thread(inbox.adopt, chunk, start + ADOPT_ROWS >= len(rows))
                if not rows:
                    self.call_from_thread(inbox.adopt, part)
            index = getattr(inbox, "index", None)
            if hasattr(index, "thaw_indexed"):  # closed states kept as lines (store.statecache)
                index.thaw_indexed()  # built here, not by the UI thread's next ranking
            self.call_from_thread(self._loaded, screen)
        except RuntimeError:  # the app is closing
            return

    def _loaded(self, screen: Any) -> None:
        if screen.is_attached:
            screen.reload(keep=screen.mention_list.current_id)
            screen._warm_up()  # the vocabulary and author index, now of everything

    # ------------------------------------------------------------------ shared services
    def source_lines(self) -> Sequence[SourceLine]:
        """Who polls (when this inbox may), then each source's health."""
        poller = self.poller_line()
        lines = list(self._health()) if self._health else []
        return [poller, *lines] if poller is not None else lines

    def poller_line(self) -> SourceLine | None:
        """Who polls the sources for this store (None: this inbox does not know)."""
        if self.polling is None:
            return None
        holder = self.polling.holder()
        if holder is None:
            return SourceLine("poller", ok=False, detail="nobody polls")
        if holder.pid == os.getpid() and holder.host == socket.gethostname():
            return SourceLine("poller", ok=True, detail="this inbox polls")
        return SourceLine("poller", ok=True, detail=f"{holder.user}'s {holder.kind} polls")

    def spike_message(self, inbox: StoreReader, now: datetime) -> str | None:
        """A spike going on, in words (called from a worker thread), or None."""
        return self._spike(inbox, now) if self._spike else None

    def saved_views(self) -> list[tuple[str, str]]:
        """Views 1-9: the config's [views] if any; else urgent, unanswered, mine, waiting,
        then one per watched brand."""
        if self.config.views:
            return list(self.config.views[:9])
        views = [
            ("urgent", "is:urgent"),
            ("unanswered", "is:unanswered"),
            ("mine", "is:mine"),
            ("waiting", "status:waiting"),
        ]
        for brand in self.config.brands:
            if not brand.is_competitor and " " not in brand.name and '"' not in brand.name:
                views.append((brand.name, f"brand:{brand.name}"))
        return views[:9]

    def can_post(self, mention: Mention) -> bool:
        """Whether the outbound service can post a reply to this mention's platform."""
        return self.outbound is not None and self.outbound.can_post(mention)

    def outbound_kick(self) -> None:
        """Ask the outbound service to deliver what is pending (it runs its own worker)."""
        if self.outbound is not None:
            self.outbound.kick()

    def manual_reply(self, mention: Mention, text: str) -> None:
        """No posting API: the reply is copied (tmux buffer or OSC 52), shown in full for a
        manual copy, and where to paste it said (tui/widgets/copy_panel.py)."""
        copy_panel.manual_reply(self, mention, text)

    def author_history(self, view: GroupView) -> tuple[list[Mention], list[tuple[str, str]]]:
        """The author's other mentions (newest first) and our replies to them."""
        leader = view.leader
        # q15: a database store answers from its author index (no archive in memory)
        asked = getattr(self.inbox, "author_mentions", None)
        index = {_author_key(leader): asked(leader)} if asked else self._author_index
        if index is None:
            return [], []
        key = _author_key(leader)
        ids = {m.id for m in view.mentions}
        history = [m for m in index.get(key, ()) if m.id not in ids]
        history.sort(key=lambda m: m.created_at, reverse=True)
        replies: list[tuple[str, str]] = []
        for group_id in dict.fromkeys(m.group_id for m in history[:50]):
            for reply in self.inbox.state(group_id).replies:
                replies.append((f"{reply.at:%Y-%m-%d %H:%M}", reply.text))
        return history, replies

    def build_author_index(self) -> None:
        """Who wrote what (for the thread pane's history); run from a worker thread."""
        if hasattr(self.inbox, "author_mentions"):  # q15: asked per author instead
            return
        index: dict[str, list[Mention]] = defaultdict(list)
        for n, mention in enumerate(list(self.inbox.all_mentions())):
            index[_author_key(mention)].append(mention)
            if n % 1024 == 1023:
                time.sleep(0)
        self._author_index = dict(index)

    # ------------------------------------------------------------------ keys and commands
    def action_help(self) -> None:
        owners = [
            ("Inbox", InboxScreen.BINDINGS),
            ("List", MentionList.BINDINGS),
            ("Reply editor", ReplyEditor.BINDINGS),
            ("Everywhere", VeilleApp.BINDINGS),
        ]
        keymap = {k: v for k, v in self._keymap_config.items()}
        self.push_screen(HelpScreen(key_rows(owners, keymap)))

    def action_dashboard(self) -> None:
        from tui.screens.dashboard import DashboardScreen

        self.push_screen(
            DashboardScreen(self.inbox, self.config, now=self.now, sla_left=self.sla_clock)
        )

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        inbox = screen if isinstance(screen, InboxScreen) else None
        if inbox is None:
            return
        for binding in InboxScreen.BINDINGS:
            action = binding.action
            if action.startswith("view("):
                continue
            yield SystemCommand(
                binding.description, f"{binding.key} — inbox action", _runner(inbox, action)
            )
        for number, (name, text) in enumerate(self.saved_views(), start=1):
            yield SystemCommand(
                f"View {number}: {flat(name)}", flat(text), _runner(inbox, f"view({number})")
            )
        yield SystemCommand("Help", "List every key", self.action_help)
        yield SystemCommand("Dashboard", "Figures for management", self.action_dashboard)


def _runner(screen: Screen, action: str) -> Callable[[], Awaitable[Any]]:
    async def run() -> None:
        await screen.run_action(action)

    return run


def _author_key(mention: Mention) -> str:
    return f"{mention.platform}:{(mention.author.handle or mention.author.name).casefold()}"
