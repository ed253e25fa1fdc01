"""The inbox's filter line: a keystroke never waits for the scan.

The text is parsed on the UI thread (an error is pointed at at once); the matching
groups are found on a worker thread (the vocabulary's expansions, the store's folded
text index in rank order, a scan of what the index cannot judge), and only the run of
the latest keystroke is shown: an older one is cancelled between chunks and its result
dropped. A first screenful is shown as soon as it is known, the complete list after.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content
from textual.widgets import Input, Static, TextArea

from triage import query
from triage.config import Config
from triage.filter import PLATFORMS, Filter, FilterError, KnownValues, Term, parse_filter
from triage.text import fold
from tui.filtering import FilterRun, narrows
from tui.paging import page_instead
from tui.safe import plain
from tui.vocabulary import Vocabulary
from tui.widgets.quiet import set_content

if TYPE_CHECKING:
    from tui.screens.inbox import InboxScreen

    Base = InboxScreen
else:
    Base = object

INDEXED_FIELDS = ("brand", "platform", "status")  # answered by the store's indexes
SCREENFUL_MARGIN = 10  # rows beyond the visible ones in the first result shown


def indexed_filters(config: Config) -> list[Filter]:
    """`brand:` and `platform:` filters for the warm-up: the store ranks each subset
    once, on first use (~0.4 s at 100,000 groups), then answers in ~20 ms."""
    terms = [Term("brand", fold(b.name)) for b in config.brands]
    terms += [Term("platform", p) for p in PLATFORMS]
    return [Filter(f"{t.field}:{t.value}", (t,)) for t in terms]


class FilterLine(Base):
    """Mixed into InboxScreen: the filter line, saved views and what the list shows."""

    shown_filter = ""  # the filter text whose outcome (rows or error) is on screen
    _words: Vocabulary | None = None

    @property
    def words(self) -> Vocabulary:
        """The typos' vocabulary, rebuilt off the UI thread after an ingest (tui.vocabulary)."""
        if self._words is None:
            self._words = Vocabulary(
                lambda work: self.run_worker(work, thread=True, group="vocabulary")
            )
            self._words.ready = self._vocabulary_built
        return self._words

    def _vocabulary_built(self) -> None:
        """On the worker: filter again with the new words (the new mentions' too)."""
        try:
            self.app.call_from_thread(self._refilter_for_words)
        except RuntimeError:  # the app is closing
            return

    def _refilter_for_words(self) -> None:
        flt = self.flt
        if self.is_attached and flt is not None and any(
            t.field == "" and not t.negate for t in flt.terms
        ):
            self._apply_filter(keep=self.mention_list.current_id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`/` is a priority binding: the app runs it as the key arrives, so the keys
        queued behind it (a burst from the terminal) already find the filter line
        focused; as a plain binding they were handed to the list, and dropped once the
        focus had moved. In a text field `/` is a character."""
        if action == "filter" and isinstance(self.focused, (Input, TextArea)):
            return False
        return super().check_action(action, parameters)

    def action_filter(self) -> None:
        bar = self.query_one("#filter-bar")
        bar.display = True
        # at once, not on the next turn (Widget.focus): keys typed right after `/` on a
        # busy machine would otherwise reach the list and run its actions
        self.set_focus(self.query_one("#filter", Input))

    def set_filter(self, text: str, view_name: str = "") -> bool:
        """Narrow the list; an invalid filter shows what is wrong and keeps the last good list."""
        error = self.query_one("#filter-error", Static)
        try:
            brands = [b.name for b in self.vapp.config.brands]
            flt = parse_filter(text, KnownValues(brands=brands or None, people=self.person_tags()))
        except FilterError as exc:
            pointer = " " * (exc.position + 1) + "^"
            set_content(  # a layout only when the message's height changes
                error,
                Content.assemble(plain(pointer + " ", "$error"), plain(exc.message, "$error bold")),
            )
            error.display = True
            self.shown_filter = text
            self.key_frame()
            return False
        if error.display:
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

    # ------------------------------------------------------------------ the rows
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
        """Show the groups the filter keeps: at once when the store's indexes answer,
        else from a worker (the latest keystroke's run wins)."""
        flt, inbox, now = self.flt, self.vapp.inbox, self.vapp.now()
        self.mention_list.empty_message = (
            "No mention matches this filter." if self.filter_text else "Inbox zero: nothing to triage."
        )
        if self._filter_run is not None:
            self._filter_run.cancel()
            self._filter_run = None
        if page_instead(self, keep):  # a database answers pages (tui.paging)
            return
        self.recall_history(flt)  # old closed groups on disk (inbox_history)
        skip = self._hidden(flt)
        if flt is None or flt.is_empty:
            self._last = None
            ids = [g for g in self.ranked if g not in skip] if skip else list(self.ranked)
            self._show(ids, keep, complete=True)
            return
        answers = getattr(inbox, "answers_filter", None)  # a database's SQL (store.postgres)
        if (answers is not None and answers(flt)) or all(
            t.field in INDEXED_FIELDS and not t.negate for t in flt.terms
        ):
            ids = inbox.ranked_ids(flt, now=now)
            self._last = None
            self._show([g for g in ids if g not in skip] if skip else ids, keep, complete=True)
            return
        expand = self._vocabulary_ready and any(t.field == "" and not t.negate for t in flt.terms)
        source: list[str] = self.ranked
        if self._last is not None and not expand and narrows(self._last[0], flt):
            source = self._last[1]
        run = FilterRun(
            flt, source, inbox.view, query.context(inbox, now), skip,
            vocabulary=self.words.current(inbox) if expand else None, ranked=self.ranked,
        )  # fmt: skip
        self._filter_run = run
        self.filter_complete = False
        enough = self.mention_list.size.height + SCREENFUL_MARGIN

        def scan() -> None:
            try:
                run.prepare()
                if not run.complete:
                    run.run_for(0.05, enough)
                    if run.cancelled:
                        return
                    if not run.complete:  # a first screenful now, the rest once it is
                        self.app.call_from_thread(self._filtered, run, keep, False)
                        run.painted.wait(0.25)  # painted (the scan would slow that frame),
                        # or cancelled by the next keystroke
                    if not run.finish():
                        return
                self.app.call_from_thread(self._filtered, run, keep, True)
            except RuntimeError:  # the store changed under the scan (a reload filters
                return  # again), or the app is closing

        self.run_worker(scan, thread=True, group="filter", description="filter scan")

    def _filtered(self, run: FilterRun, keep: str | None, complete: bool) -> None:
        if run is not self._filter_run or run.cancelled:
            return  # a newer keystroke (or a reload) replaced this run
        if complete:
            self._filter_run = None
            self._last = (run.flt, run.found)
            keep = keep or self.mention_list.current_id
        self._show(list(run.found), keep, complete=complete)
        if not complete:  # the scan goes on once this screenful is drawn
            self.mention_list.after_paint(run.painted.set)

    def _show(self, ids: list[str], keep: str | None, *, complete: bool) -> None:
        self.filter_complete = complete
        self.shown_filter = self.filter_text
        self.mention_list.set_rows(ids, keep=keep, partial=not complete)
        self._render_status()
        self.key_frame()  # the rows answer a keystroke (tui.widgets.frames)
