"""The inbox screen: list, thread context, reply editor, status bar, filter line.

The screen owns what is shown (the ranking, the filter, the counts) and reads the store
through `triage.protocol.Store`; its actions (inbox_actions.py) write through one writer
thread. Widgets below it get data by attribute and report by message. Long work (thread
fetches, counting, re-reading a store another process changed) runs in workers that
compute on what they were handed and post their results back.
"""

from __future__ import annotations

import gc
import time
from collections import Counter
from collections.abc import Callable, Iterable
from typing import ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, Static

from triage import query
from triage.filter import Filter
from triage.model import Mention, TriageState
from triage.views import GroupView
from tui.filtering import FilterRun, warm_rank_order
from tui.paging import Pager
from tui.safe import clean
from tui.screens.host import InboxHost
from tui.screens.inbox_actions import STORY_BINDINGS, StoreWriter, TriageActions
from tui.screens.inbox_filter import FilterLine, indexed_filters
from tui.screens.inbox_history import HistoryRecall
from tui.widgets.filter_input import FilterInput
from tui.widgets.frames import PromptFrames
from tui.widgets.layout import adapt, follow_focus
from tui.widgets.mention_list import MentionList
from tui.widgets.person_pane import PersonAction
from tui.widgets.reply_editor import ReplyEditor
from tui.widgets.status_bar import SpikeBanner, StatusBar, StatusInfo
from tui.widgets.thread_view import ThreadInfo, ThreadView

CLOSED = query.CLOSED
STATUS_EVERY = 2.0  # seconds between redraws of an idle status bar (poller, sources' ages)


class InboxScreen(
    PersonAction, HistoryRecall, FilterLine, TriageActions, PromptFrames, Screen[None]
):
    """Keyboard-driven triage of the ranked groups (the actions: inbox_actions.py)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", id="inbox.filter", priority=True),
        Binding("t", "tag", "Tag", id="inbox.tag"),
        Binding("r", "reply", "Reply", id="inbox.reply"),
        Binding("h", "handoff", "Hand off", id="inbox.handoff"),
        Binding("a", "claim", "Claim/assign", id="inbox.claim"),
        Binding("d", "done", "Done", id="inbox.done"),
        Binding("i", "ignore", "Ignore", id="inbox.ignore"),
        Binding("s", "snooze", "Snooze", id="inbox.snooze"),
        Binding("n", "note", "Note", id="inbox.note"),
        Binding("u", "undo", "Undo", id="inbox.undo"),
        Binding("p", "person", "Person", id="inbox.person", show=False),
        Binding("O", "reopen", "Reopen", id="inbox.reopen", show=False),
        Binding("o", "open_post", "Open post", id="inbox.open_post", show=False),
        Binding("y", "copy_link", "Copy link", id="inbox.copy_link", show=False),
        Binding(
            "R", "retry_handoff", "Retry failed hand-off", id="inbox.retry_handoff", show=False
        ),
        Binding("escape", "clear", "Clear filter/selection", id="inbox.clear", show=False),
        *[
            Binding(str(n), f"view({n})", f"View {n}", id=f"inbox.view{n}", show=False)
            for n in range(1, 10)
        ],
        Binding("0", "view(0)", "All", id="inbox.view0", show=False), *STORY_BINDINGS,
    ]

    def __init__(self) -> None:
        self._status_at = 0.0
        super().__init__()
        self.ranked: list[str] = []
        self.snoozed: set[str] = set()
        self.closed: set[str] = set()  # done or ignored
        self.filter_complete = True
        self._filter_run: FilterRun | None = None
        self._pane_timer: Timer | None = None
        self._last: tuple[Filter, list[str]] | None = None  # the last complete result
        self._vocabulary_ready = False
        self._counts = (0, 0, 0, 0, 0)  # open, urgent, breached, hand-offs failed, unread
        self._have_counts = False  # the status bar says "counting…" until the first count
        self._archive_groups = 0  # every group, the old ones on disk too (query.count)
        self._spike: str | None = None
        self.flt: Filter | None = None
        self.filter_text = ""
        self.view_name = ""
        self._thread_cache: dict[str, list[Mention]] = {}
        self._thread_errors: dict[str, str] = {}
        self._thread_loading: set[str] = set()
        self._generation = -1
        self.writer = StoreWriter()
        self.predicted: dict[str, TriageState] = {}  # what unfinished writes will make
        self.inflight: Counter[str] = Counter()
        self.writes_pending = 0

    @property
    def vapp(self) -> InboxHost:
        return self.app  # type: ignore[return-value]

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        app = self.vapp
        yield SpikeBanner(id="spike")
        with Horizontal(id="filter-bar"):
            yield Static(Content("/"), id="filter-prompt")
            yield FilterInput(
                placeholder="filter: words brand: platform: tag: status: is:urgent -word",
                id="filter",
            )
        yield Static(Content(""), id="filter-error")
        with Horizontal(id="panes"):
            yield MentionList(
                view_of=self._view_of, now=app.now, sla_left=app.sla_left, user=app.user, id="list"
            )
            with Vertical(id="right"):
                yield ThreadView(id="thread")
                yield ReplyEditor(app.templates, app.reply_checker, id="editor")
        yield StatusBar(id="status")
        yield Footer()

    @property
    def mention_list(self) -> MentionList:
        return self.query_one(MentionList)

    def on_mount(self) -> None:
        self.query_one("#spike", SpikeBanner).show(None)
        self.query_one("#filter-bar").display = False
        self.query_one("#filter-error").display = False
        self.reload(count=False)
        self.mention_list.focus()
        # the heavy passes over every group wait until the list is on screen
        self.call_after_refresh(self._after_first_paint)
        if self.vapp.poll_interval:
            self.set_interval(self.vapp.poll_interval, self.check_generation)

    def on_unmount(self) -> None:
        self.writer.close()

    # ------------------------------------------------------------------ data
    def on_resize(self, event: events.Resize) -> None:
        adapt(self, event.size.width)  # one pane under 100 columns

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        follow_focus(self, event.widget)

    def _after_first_paint(self) -> None:
        self._count_worker()
        if not self.vapp.load_rest(self):  # the rest of a store opened first screen first
            self._warm_up()

    def reload(self, keep: str | None = None, *, count: bool = True) -> None:
        """Re-read the ranking from the inbox and re-apply the filter."""
        inbox = self.vapp.inbox
        self._generation = inbox.generation
        self.ranked = [] if Pager.of(self) else inbox.ranked_ids(now=self.vapp.now())
        now = self.vapp.now()
        self.snoozed, self.closed = set(), set()
        for gid in self.ranked:
            state = inbox.state(gid)
            if state.status in CLOSED:
                self.closed.add(gid)
            elif state.is_snoozed(now):
                self.snoozed.add(gid)
        self._last = None
        self._apply_filter(keep=keep)
        if count:
            self._count_worker()

    def _patch(self, group_ids: Iterable[str]) -> None:
        """Groups changed by an action: redraw them; drop those the filter now excludes."""
        inbox, now = self.vapp.inbox, self.vapp.now()
        changed = set(group_ids)
        for gid in changed:
            state = self._state(gid)
            self.closed.discard(gid)
            self.snoozed.discard(gid)
            if state.status in CLOSED:
                self.closed.add(gid)
            elif state.is_snoozed(now):
                self.snoozed.add(gid)
        flt = self.flt
        hidden = self._hidden(flt)
        ctx = query.context(inbox, now)
        drop = set()
        for gid in changed:
            try:
                view = self._view_of(gid)
            except Exception:  # a mention acted on alone has no view of its own
                continue
            if gid in hidden or (
                flt is not None and not flt.is_empty and not flt.matches(view, ctx)
            ):
                drop.add(gid)
        ids = self.mention_list.ids
        if drop:
            ids = [g for g in ids if g not in drop]
        keep = self.mention_list.current_id
        if keep in drop:
            index = self.mention_list.cursor
            keep = ids[min(index, len(ids) - 1)] if ids else None
        self._generation = inbox.generation
        self._last = None
        self.mention_list.set_rows(ids, keep=keep)
        self.update_status()

    def check_generation(self) -> None:
        """Teams: did another process (or the outbox worker in this one) change the store?
        Re-read what changed and redraw."""
        inbox = self.vapp.inbox
        if inbox.generation != self._generation and not self.words.building:
            before = len(inbox)  # (a vocabulary build holds the mutex: next tick)
            inbox.refresh()
            self.tell_takeovers()  # "sam took over your claim" (inbox_actions)
            self.reload(keep=self.mention_list.current_id)
            if len(inbox) != before and self._vocabulary_ready:
                self._index_authors()  # new mentions: the thread pane's history follows
        elif time.monotonic() - self._status_at > STATUS_EVERY:
            self._render_status()  # who polls and the sources' ages move on their own

    @work(thread=True, exclusive=True, group="authors")
    def _index_authors(self) -> None:
        self.vapp.build_author_index()

    def update_status(self) -> None:
        """The cheap part now; counts and SLA breaches (a pass over every group) in a worker."""
        self._render_status()
        self._count_worker()

    def _render_status(self) -> None:
        self._status_at = time.monotonic()
        app = self.vapp
        total = max(len(self.ranked), self._archive_groups)
        shown, total = Pager.status(self, len(self.mention_list.ids), total)
        info = StatusInfo(
            user=app.user,
            open=self._counts[0],
            urgent=self._counts[1],
            breached=self._counts[2],
            handoffs_failed=self._counts[3], unread=self._counts[4], shown=shown, total=total,
            selected=len(self.mention_list.selected),
            view=self.view_name or (self.filter_text and "filter") or "",
            sources=app.source_lines(),
            # more to come: a filter still scanning, or the rest of the store still loading
            partial=not self.filter_complete or bool(getattr(app.inbox, "loading", False)),
            counted=self._have_counts,
        )
        self.query_one(StatusBar).show(info)
        self.query_one("#spike", SpikeBanner).show(self._spike)

    @work(thread=True, exclusive=True, group="counts")
    def _count_worker(self) -> None:
        app = self.vapp
        inbox, now, marks = app.inbox, app.now(), self._read_marks()  # (inbox_story)
        try:
            counts = query.count(inbox, now, app.sla_clock)
            spike = app.spike_message(inbox, now)
            self._archive_groups = counts.groups  # with the old groups a store keeps on disk
        except RuntimeError:  # the store changed under us: the next update recounts
            return
        self.app.call_from_thread(
            self._counted,
            (counts.open, counts.urgent, counts.breached, counts.handoffs_failed, counts.unread),
            spike, marks,
        )  # fmt: skip

    def _counted(self, counts: tuple[int, ...], spike: str | None, marks: int = 0) -> None:
        if not self.is_attached or not self.query(MentionList):
            return  # the app closed (or is taking this screen apart) while the worker counted
        self._counts = self._exact_unread(counts, marks)
        self._have_counts = True
        self._spike = spike
        self._render_status()

    @work(thread=True, exclusive=True, group="warm-up")
    def _warm_up(self) -> None:
        """Build every group's view, the fuzzy vocabulary and the author index once, off
        the UI thread and in small chunks (the UI takes the GIL between them)."""
        inbox = self.vapp.inbox
        try:
            ranked = list(self.ranked)
            for start in range(0, len(ranked), 512):
                for gid in ranked[start : start + 512]:
                    inbox.view(gid)
                time.sleep(0.001)
            self.words.build(inbox)  # under the store's mutex (tui.vocabulary)
            warm_rank_order(inbox.view, self.ranked)  # for the first filter keystroke
            for flt in indexed_filters(self.vapp.config):  # brand: and platform: lists
                inbox.ranked_ids(flt, now=self.vapp.now())
            self.vapp.build_author_index()
            # The store's records live as long as the app: keep the cyclic GC from walking
            # them again and again (full collections took hundreds of ms at 100k).
            gc.freeze()
            self._vocabulary_ready = True
        except RuntimeError:  # the store changed under us; the next reload warms again
            return

    # ------------------------------------------------------------------ list events
    @on(MentionList.Highlighted)
    def _highlighted(self, event: MentionList.Highlighted) -> None:
        """Cursor moved: the list is already redrawn; the panes follow once it rests."""
        if self._pane_timer is not None:
            self._pane_timer.stop()
        if self.vapp.pane_delay <= 0:
            self.sync_panes()
        else:
            self._pane_timer = self.set_timer(self.vapp.pane_delay, self._follow)
        Pager.follow(self)  # a database's next page as the cursor nears the end

    def _follow(self) -> None:
        self.sync_panes(soon=True)  # in steps: the next key may come meanwhile

    def sync_panes(self, soon: bool = False) -> None:
        """Show the cursor's group in the thread pane and point the editor at it (`soon`:
        the pane in steps, and the editor once the pane shows it: one frame for both)."""
        if self._pane_timer is not None:
            self._pane_timer.stop()
            self._pane_timer = None
        view = self.mention_list.current
        self.show_thread(view, soon=soon, then=lambda: self._point_editor(view))

    def _point_editor(self, view: GroupView | None) -> None:
        editor = self.query_one(ReplyEditor)
        if view is None:
            editor.load(None, None, "", "")
        elif editor.target != view.group_id:
            brand = view.brands[0] if view.brands else ""
            editor.load(view.group_id, view.leader, brand, self.vapp.drafts.get(view.group_id))

    @on(MentionList.SelectionChanged)
    def _selection_changed(self) -> None:
        self._render_status()

    @on(MentionList.Opened)
    def _opened(self, event: MentionList.Opened) -> None:
        self.sync_panes()
        self.fetch_thread(event.view.leader)
        self.query_one(ThreadView).focus()

    def show_thread(
        self, view: GroupView | None, *, soon: bool = False, then: Callable[[], None] | None = None
    ) -> None:
        info = ThreadInfo()
        if view is not None:
            key = view.leader.id
            info.thread = self._thread_cache.get(key)
            info.loading = key in self._thread_loading
            info.error = self._thread_errors.get(key, "")
            info.author_history, info.our_replies = self.vapp.author_history(view)
            info.sla_left = self.vapp.sla_left(view, self.vapp.now())
        self.query_one(ThreadView).show(view, info, self.vapp.now(), self.vapp.user, soon=soon,
                                        then=then)  # fmt: skip

    def fetch_thread(self, mention: Mention) -> None:
        if self.vapp.fetch_thread is None:
            self._thread_errors[mention.id] = "no source configured for this mention"
        elif mention.id not in self._thread_cache and mention.id not in self._thread_loading:
            self._thread_errors.pop(mention.id, None)
            self._thread_loading.add(mention.id)
            self._fetch_worker(mention)
        self.show_thread(self.mention_list.current)

    @work(exclusive=False, group="thread")
    async def _fetch_worker(self, mention: Mention) -> None:
        fetch = self.vapp.fetch_thread
        assert fetch is not None
        try:
            posts = await fetch(mention)
            self._thread_cache[mention.id] = list(posts)
        except Exception as exc:  # any failure becomes the pane's error line
            self._thread_errors[mention.id] = clean(str(exc)) or type(exc).__name__
        finally:
            self._thread_loading.discard(mention.id)
        current = self.mention_list.current
        if current is not None and current.leader.id == mention.id:
            self.show_thread(current, soon=True)

    # ------------------------------------------------------------------ filter
    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.set_filter(event.value)

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        self.mention_list.focus()

    def on_key(self, event) -> None:
        if event.key == "escape" and self.focused is self.query_one("#filter", Input):
            event.stop()
            self.mention_list.focus()
            if not self.filter_text:
                self.query_one("#filter-bar").display = False
