"""The inbox screen: list, thread context, reply editor, status bar, filter line.

Owns the triage actions (they apply to the list's cursor or its selection) and talks to
the Inbox; widgets below it get data by attribute and report by message. Long work
(thread fetches, re-reading a store another process changed) runs in workers.
"""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, Static

from triage import query
from triage.filter import Filter, FilterError, parse_filter
from triage.model import Mention, Status
from triage.views import GroupView
from tui.filtering import FilterRun, narrows
from tui.safe import clean, flat, plain
from tui.screens.modals import ChoiceScreen, ConfirmScreen, PromptScreen
from tui.widgets.mention_list import MentionList
from tui.widgets.reply_editor import ReplyEditor
from tui.widgets.status_bar import SpikeBanner, StatusBar, StatusInfo
from tui.widgets.thread_view import ThreadInfo, ThreadView

if TYPE_CHECKING:
    from tui.app import VeilleApp

INDEXED_FIELDS = ("brand", "platform", "status")  # answered by the store's indexes
CLOSED = query.CLOSED
PREFIX_BUDGET = 0.012  # seconds of filtering before the first screenful is drawn
SNOOZE_CHOICES = (("1h", "1 hour"), ("4h", "4 hours"), ("24h", "1 day"), ("168h", "1 week"))


class InboxScreen(Screen[None]):
    """Keyboard-driven triage of the ranked groups."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", id="inbox.filter"),
        Binding("t", "tag", "Tag", id="inbox.tag"),
        Binding("r", "reply", "Reply", id="inbox.reply"),
        Binding("h", "handoff", "Hand off", id="inbox.handoff"),
        Binding("a", "claim", "Claim/assign", id="inbox.claim"),
        Binding("d", "done", "Done", id="inbox.done"),
        Binding("i", "ignore", "Ignore", id="inbox.ignore"),
        Binding("s", "snooze", "Snooze", id="inbox.snooze"),
        Binding("n", "note", "Note", id="inbox.note"),
        Binding("u", "undo", "Undo", id="inbox.undo"),
        Binding("o", "reopen", "Reopen", id="inbox.reopen", show=False),
        Binding("escape", "clear", "Clear filter/selection", id="inbox.clear", show=False),
        *[
            Binding(str(n), f"view({n})", f"View {n}", id=f"inbox.view{n}", show=False)
            for n in range(1, 10)
        ],
        Binding("0", "view(0)", "All", id="inbox.view0", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.ranked: list[str] = []
        self.snoozed: set[str] = set()
        self.closed: set[str] = set()  # done or ignored
        self.filter_complete = True
        self._filter_run: FilterRun | None = None
        self._pane_timer: Timer | None = None
        self._last: tuple[Filter, list[str]] | None = None  # the last complete result
        self._vocabulary_ready = False
        self._counts = (0, 0, 0)
        self._spike: str | None = None
        self.flt: Filter | None = None
        self.filter_text = ""
        self.view_name = ""
        self._thread_cache: dict[str, list[Mention]] = {}
        self._thread_errors: dict[str, str] = {}
        self._thread_loading: set[str] = set()
        self._generation = -1

    @property
    def vapp(self) -> VeilleApp:
        return self.app  # type: ignore[return-value]

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        app = self.vapp
        yield SpikeBanner(id="spike")
        with Horizontal(id="filter-bar"):
            yield Static(Content("/"), id="filter-prompt")
            yield Input(
                placeholder="filter: words brand: platform: tag: status: is:urgent -word",
                id="filter",
            )
        yield Static(Content(""), id="filter-error")
        with Horizontal(id="panes"):
            yield MentionList(
                view_of=app.inbox.view, now=app.now, sla_left=app.sla_left, user=app.user, id="list"
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

    # ------------------------------------------------------------------ data
    def on_resize(self, event: events.Resize) -> None:
        """A narrow terminal gives the list more room than the panes."""
        self.query_one("#list").styles.width = "2fr" if event.size.width < 120 else "3fr"
        self.query_one("#right").styles.width = "1fr" if event.size.width < 120 else "2fr"

    def _after_first_paint(self) -> None:
        self._count_worker()
        self._warm_up()

    def reload(self, keep: str | None = None, *, count: bool = True) -> None:
        """Re-read the ranking from the inbox and re-apply the filter."""
        inbox = self.vapp.inbox
        self._generation = inbox.generation
        self.ranked = inbox.ranked_ids(now=self.vapp.now())
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

    def _hidden(self, flt: Filter | None) -> set[str]:
        """Out of the list unless the filter asks for them (triage.query's rule)."""
        rule = query.InboxQuery(flt)
        hidden: set[str] = set()
        if not rule.shows_snoozed:
            hidden |= self.snoozed
        if not rule.shows_closed:
            hidden |= self.closed
        return hidden

    def _apply_filter(self, keep: str | None = None) -> None:
        """Show the groups the filter keeps: at once if cheap, else a first screenful now
        (a scan bounded in time) and the complete list from a worker moments later."""
        flt, inbox, now = self.flt, self.vapp.inbox, self.vapp.now()
        self.mention_list.empty_message = (
            "No mention matches this filter."
            if self.filter_text
            else "Inbox zero: nothing to triage."
        )
        if self._filter_run is not None:
            self._filter_run.cancelled = True
            self._filter_run = None
        skip = self._hidden(flt)
        if flt is None or flt.is_empty:
            self._last = None
            ids = [g for g in self.ranked if g not in skip] if skip else list(self.ranked)
            self._show(ids, keep, complete=True)
            return
        if all(t.field in INDEXED_FIELDS and not t.negate for t in flt.terms):
            ids = inbox.ranked_ids(flt, now=now)
            self._last = None
            self._show([g for g in ids if g not in skip] if skip else ids, keep, complete=True)
            return
        if self._vocabulary_ready and any(t.field == "" and not t.negate for t in flt.terms):
            flt = flt.with_vocabulary(inbox.vocabulary())
        source: list[str] = self.ranked
        if self._last is not None and narrows(self._last[0], flt):
            source = self._last[1]
        run = FilterRun(flt, source, inbox.view, query.context(inbox, now), skip)
        run.run_for(PREFIX_BUDGET, enough=self.mention_list.size.height + 10)
        self._show(list(run.found), keep, complete=run.complete)
        if run.complete:
            self._last = (flt, run.found)
        else:
            self._filter_run = run
            # the rest of the scan starts once this screenful is painted (it shares the GIL)
            self.call_after_refresh(self._finish_filter, run, keep)

    @work(thread=True, exclusive=False, group="filter")
    def _finish_filter(self, run: FilterRun, keep: str | None) -> None:
        if run.finish():
            self.app.call_from_thread(self._finished, run, keep)

    def _finished(self, run: FilterRun, keep: str | None) -> None:
        if run is self._filter_run and not run.cancelled:
            self._filter_run = None
            self._last = (run.flt, run.found)
            self._show(list(run.found), keep or self.mention_list.current_id, complete=True)

    def _show(self, ids: list[str], keep: str | None, *, complete: bool) -> None:
        self.filter_complete = complete
        self.mention_list.set_rows(ids, keep=keep)
        self._render_status()

    def _patch(self, group_ids: Iterable[str]) -> None:
        """Groups changed by an action: redraw them; drop those the filter now excludes."""
        inbox, now = self.vapp.inbox, self.vapp.now()
        changed = set(group_ids)
        for gid in changed:
            state = inbox.state(gid)
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
                view = inbox.view(gid)
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
        if inbox.generation != self._generation:
            inbox.refresh()
            self.reload(keep=self.mention_list.current_id)

    def update_status(self) -> None:
        """The cheap part now; counts and SLA breaches (a pass over every group) in a worker."""
        self._render_status()
        self._count_worker()

    def _render_status(self) -> None:
        app = self.vapp
        shown = len(self.mention_list.ids)
        info = StatusInfo(
            user=app.user,
            open=self._counts[0],
            urgent=self._counts[1],
            breached=self._counts[2],
            shown=shown,
            total=len(self.ranked),
            selected=len(self.mention_list.selected),
            view=self.view_name or (self.filter_text and "filter") or "",
            sources=app.source_lines(),
            partial=not self.filter_complete,
        )
        self.query_one(StatusBar).show(info)
        self.query_one("#spike", SpikeBanner).show(self._spike)

    @work(thread=True, exclusive=True, group="counts")
    def _count_worker(self) -> None:
        app = self.vapp
        inbox, now = app.inbox, app.now()
        try:
            counts = query.count(inbox, now, app.sla_left)
            spike = app.spike_message(inbox, now)
        except RuntimeError:  # the store changed under us: the next update recounts
            return
        self.app.call_from_thread(self._counted, (counts.open, counts.urgent, counts.breached), spike)

    def _counted(self, counts: tuple[int, int, int], spike: str | None) -> None:
        self._counts = counts
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
            inbox.vocabulary()
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
            self._pane_timer = self.set_timer(self.vapp.pane_delay, self.sync_panes)

    def sync_panes(self) -> None:
        """Show the cursor's group in the thread pane and point the editor at it."""
        if self._pane_timer is not None:
            self._pane_timer.stop()
            self._pane_timer = None
        view = self.mention_list.current
        self.show_thread(view)
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

    def show_thread(self, view: GroupView | None) -> None:
        info = ThreadInfo()
        if view is not None:
            key = view.leader.id
            info.thread = self._thread_cache.get(key)
            info.loading = key in self._thread_loading
            info.error = self._thread_errors.get(key, "")
            info.author_history, info.our_replies = self.vapp.author_history(view)
        self.query_one(ThreadView).show(view, info, self.vapp.now(), self.vapp.user)

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
            self.show_thread(current)

    # ------------------------------------------------------------------ filter
    def action_filter(self) -> None:
        bar = self.query_one("#filter-bar")
        bar.display = True
        self.query_one("#filter", Input).focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.set_filter(event.value)

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        self.mention_list.focus()

    def set_filter(self, text: str, view_name: str = "") -> bool:
        """Narrow the list; an invalid filter shows what is wrong and keeps the last good list."""
        error = self.query_one("#filter-error", Static)
        try:
            flt = parse_filter(text)
        except FilterError as exc:
            pointer = " " * (exc.position + 1) + "^"
            error.update(
                Content.assemble(plain(pointer + " ", "$error"), plain(exc.message, "$error bold"))
            )
            error.display = True
            return False
        error.display = False
        self.flt = flt
        self.filter_text = text
        self.view_name = view_name
        self._apply_filter()
        return True

    def action_clear(self) -> None:
        if self.mention_list.selected:
            self.mention_list.clear_selection()
            self._render_status()
            return
        filter_input = self.query_one("#filter", Input)
        if filter_input.value:
            filter_input.value = ""
        self.set_filter("")
        self.query_one("#filter-bar").display = False
        self.mention_list.focus()

    def on_key(self, event) -> None:
        if event.key == "escape" and self.focused is self.query_one("#filter", Input):
            event.stop()
            self.mention_list.focus()
            if not self.filter_text:
                self.query_one("#filter-bar").display = False

    def action_view(self, number: int) -> None:
        views = self.vapp.saved_views()
        if number == 0:
            name, text = "", ""
        elif number - 1 < len(views):
            name, text = views[number - 1]
        else:
            self.notify(f"No saved view {number}.", severity="warning", markup=False)
            return
        filter_input = self.query_one("#filter", Input)
        with filter_input.prevent(Input.Changed):
            filter_input.value = text
        self.query_one("#filter-bar").display = bool(text)
        self.set_filter(text, view_name=name)

    # ------------------------------------------------------------------ actions
    def _targets(self) -> list[GroupView]:
        targets = self.mention_list.targets()
        if not targets:
            self.notify("Nothing selected.", severity="warning", markup=False)
        return targets

    def _run(self, what: str, targets: Sequence[GroupView], fn) -> None:
        """Apply `fn(group_id)` to each target; report failures in words; refresh rows."""
        done: list[str] = []
        for view in targets:
            try:
                fn(view.group_id)
                done.append(view.group_id)
            except Exception as exc:  # store errors are shown in words, never fatal
                self.notify(
                    f"{what} failed for {flat(view.leader.author.display, 30)}: {clean(str(exc))}",
                    severity="error",
                    markup=False,
                )
        if len(targets) > 1:
            self.mention_list.clear_selection()
        if done:
            self._patch(done)
            label = f"{what}: {len(done)} groups" if len(done) > 1 else what
            self.notify(label, timeout=2, markup=False)

    def action_done(self) -> None:
        targets = self._targets()
        self._run("Done", targets, lambda g: self.vapp.inbox.set_status(g, Status.DONE))

    def action_ignore(self) -> None:
        targets = self._targets()
        self._run("Ignored", targets, lambda g: self.vapp.inbox.set_status(g, Status.IGNORED))

    def action_reopen(self) -> None:
        targets = self._targets()
        self._run("Reopened", targets, lambda g: self.vapp.inbox.set_status(g, Status.OPEN))

    def action_tag(self) -> None:
        targets = self._targets()
        if not targets:
            return

        def apply(answer: str | None) -> None:
            if not answer or not answer.strip():
                return
            add = [w for w in answer.split() if not w.startswith("-")]
            remove = [w[1:] for w in answer.split() if w.startswith("-") and len(w) > 1]
            self._run("Tagged", targets, lambda g: self.vapp.inbox.tag(g, add=add, remove=remove))

        self.app.push_screen(
            PromptScreen("Tag", "bug refund -spam", hint="words add tags, -word removes one"), apply
        )

    def action_note(self) -> None:
        targets = self._targets()
        if not targets:
            return

        def apply(answer: str | None) -> None:
            if answer and answer.strip():
                self._run("Noted", targets, lambda g: self.vapp.inbox.note(g, answer.strip()))

        self.app.push_screen(PromptScreen("Private note", "visible to the team only"), apply)

    def action_snooze(self) -> None:
        targets = self._targets()
        if not targets:
            return

        def apply(choice: str | None) -> None:
            if choice is None:
                return
            until = (
                None if choice == "off" else self.vapp.now() + timedelta(hours=float(choice[:-1]))
            )
            self._run(
                "Snoozed" if until else "Woken up",
                targets,
                lambda g: self.vapp.inbox.snooze(g, until),
            )

        choices = [*SNOOZE_CHOICES, ("off", "Wake up (cancel snooze)")]
        self.app.push_screen(ChoiceScreen("Snooze for", choices), apply)

    def action_claim(self) -> None:
        targets = self._targets()
        if not targets:
            return
        inbox = self.vapp.inbox

        def apply(choice: str | None) -> None:
            if choice == "claim":
                self._run("Claimed", targets, lambda g: inbox.claim(g, force=False))
            elif choice == "force":
                self._run("Claimed", targets, lambda g: inbox.claim(g, force=True))
            elif choice == "release":
                self._run("Released", targets, inbox.release)
            elif choice == "me":
                self._run("Assigned", targets, lambda g: inbox.assign(g, self.vapp.user))
            elif choice == "none":
                self._run("Unassigned", targets, lambda g: inbox.assign(g, None))
            elif choice == "other":
                self.app.push_screen(PromptScreen("Assign to", "user name"), assign_other)

        def assign_other(who: str | None) -> None:
            if who and who.strip():
                self._run("Assigned", targets, lambda g: inbox.assign(g, who.strip()))

        choices = [
            ("claim", "Claim (I am answering it, 15 min)"),
            ("force", "Take over someone else's claim"),
            ("release", "Release the claim"),
            ("me", "Assign to me"),
            ("other", "Assign to…"),
            ("none", "Unassign"),
        ]
        self.app.push_screen(ChoiceScreen("Claim or assign", choices), apply)

    def action_handoff(self) -> None:
        targets = self._targets()
        if not targets:
            return
        teams = [(t.name, flat(t.name)) for t in self.vapp.config.teams]
        if not teams:
            self.notify(
                "No teams in the configuration ([[teams]]).", severity="warning", markup=False
            )
            return

        def pick(team: str | None) -> None:
            if team:
                self.app.push_screen(
                    PromptScreen(f"Hand off to {flat(team)}: note", "what they need to know"),
                    lambda note: note is not None and self._handoff(targets, team, note),
                )

        self.app.push_screen(ChoiceScreen("Hand off to team", teams), pick)

    def _handoff(self, targets: Sequence[GroupView], team: str, note: str) -> None:
        self._run("Handed off", targets, lambda g: self.vapp.inbox.handoff(g, team, note.strip()))
        self.vapp.outbound_kick()

    def action_undo(self) -> None:
        try:
            event = self.vapp.inbox.undo()
        except Exception as exc:
            self.notify(f"Undo refused: {clean(str(exc))}", severity="error", markup=False)
            return
        if event is None:
            self.notify("Nothing to undo.", markup=False)
            return
        self._patch([event.target])
        self._apply_filter(keep=event.target)  # an undone "done" comes back into the list
        self.notify(f"Undone: {event.action}", timeout=2, markup=False)

    # ------------------------------------------------------------------ replies
    def action_reply(self) -> None:
        view = self.mention_list.current
        if view is None:
            self.notify("Select a mention first.", severity="warning", markup=False)
            return
        now = self.vapp.now()
        state = view.state
        if state.claim_active(now) and state.claimed_by != self.vapp.user:
            who = flat(state.claimed_by)

            def answer(yes: bool | None) -> None:
                if yes:
                    self._start_reply(view, force=True)

            self.app.push_screen(
                ConfirmScreen(
                    Content.assemble(
                        plain(f"{who} is answering this"),
                        (f" (claimed {self._since(state.updated_at, now)}).", ""),
                        " Reply anyway?",
                    )
                ),
                answer,
            )
            return
        self._start_reply(view, force=False)

    @staticmethod
    def _since(at: datetime | None, now: datetime) -> str:
        if at is None:
            return "a moment ago"
        minutes = int((now - at).total_seconds() // 60)
        return f"{minutes} min ago" if minutes > 0 else "just now"

    def _start_reply(self, view: GroupView, force: bool) -> None:
        self.sync_panes()
        try:
            self.vapp.inbox.claim(view.group_id, force=force)
            self._patch([view.group_id])
        except Exception as exc:
            self.notify(f"Could not claim: {clean(str(exc))}", severity="warning", markup=False)
        self.query_one(ReplyEditor).text_area.focus()

    @on(ReplyEditor.DraftChanged)
    def _draft_changed(self, event: ReplyEditor.DraftChanged) -> None:
        self.vapp.drafts.set(event.target, event.text)

    @on(ReplyEditor.Left)
    def _editor_left(self) -> None:
        self.mention_list.focus()

    @on(ReplyEditor.SendRequested)
    def _send(self, event: ReplyEditor.SendRequested) -> None:
        editor = self.query_one(ReplyEditor)
        problems = editor.checks()
        if problems:

            def answer(yes: bool | None) -> None:
                if yes:
                    self._send_now(event.target, event.mention, event.text)

            question = Content.assemble(
                ("This reply has problems:\n", "bold"),
                *[plain("• " + p + "\n") for p in problems],
                "Send anyway?",
            )
            self.app.push_screen(ConfirmScreen(question), answer)
            return
        self._send_now(event.target, event.mention, event.text)

    def _send_now(self, target: str, mention: Mention, text: str) -> None:
        app = self.vapp
        manual = not app.can_post(mention)
        try:
            app.inbox.add_reply(target, text, mention_id=mention.id, manual=manual)
        except Exception as exc:
            self.notify(f"Reply not saved: {clean(str(exc))}", severity="error", markup=False)
            return
        app.drafts.discard(target)
        editor = self.query_one(ReplyEditor)
        editor.load(target, mention, editor.brand, "")
        with contextlib.suppress(Exception):  # releasing the claim is best effort
            app.inbox.release(target)
        self._patch([target])
        if manual:
            app.manual_reply(mention, text)
        else:
            app.outbound_kick()
            self.notify("Reply queued for posting.", timeout=2, markup=False)
        self.mention_list.focus()
