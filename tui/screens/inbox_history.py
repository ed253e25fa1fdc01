"""History views on a store that keeps its old days on disk (store.history).

A folder store past its hot window indexes only recent days and open groups; a view
that shows closed groups (`status:done`, `is:ignored`) must also see the old ones. The
screen reads back the old groups the filter matches on a worker (the reading half,
`find_matching`), indexes them on the UI thread (`adopt_matching`, so the index never
changes under a frame) and shows the list again. A filter already read back, or one
that only narrows it, is not read again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from triage import query
from triage.filter import Filter
from tui.filtering import narrows

if TYPE_CHECKING:
    from tui.screens.inbox import InboxScreen

    Base = InboxScreen
else:
    Base = object

SETTLE = 0.4  # seconds after the last keystroke before the old days are read


class HistoryRecall(Base):
    """Mixed into InboxScreen: read back the old groups a history view asks for."""

    _recalled: list[Filter | None]
    _recall_timer: Any = None

    def recall_history(self, flt: Filter | None) -> None:
        """Called whenever the filter changes: a history view on a store with old
        groups on disk reads them back once the typing rests."""
        inbox = self.vapp.inbox
        if not hasattr(inbox, "find_matching") or getattr(inbox, "loading", False):
            return  # a database answers in SQL; a loading store re-filters when loaded
        if getattr(inbox, "cold", None) is None or not query.InboxQuery(flt).shows_closed:
            return
        done = getattr(self, "_recalled", None)
        if done is None:
            done = self._recalled = []
        if any(old is None or (flt is not None and narrows(old, flt)) for old in done):
            return
        if flt is not None and any(old is not None and old.text == flt.text for old in done):
            return
        if self._recall_timer is not None:
            self._recall_timer.stop()
        self._recall_timer = self.set_timer(SETTLE, lambda: self._start_recall(flt))

    def _start_recall(self, flt: Filter | None) -> None:
        self._recall_timer = None
        if flt is not self.flt:
            return  # the filter moved on meanwhile
        self.notify("Reading older days for this view…", timeout=3, markup=False)
        inbox, now = self.vapp.inbox, self.vapp.now()

        def read() -> None:
            try:
                wanted = inbox.find_matching(flt, now)
            except RuntimeError:  # the store changed under the read: the next change retries
                return
            self.app.call_from_thread(self._recalled_back, flt, wanted)

        self.run_worker(read, thread=True, group="history", exclusive=True)

    def _recalled_back(self, flt: Filter | None, wanted: list[Any]) -> None:
        if not self.is_attached:
            return  # the app closed while the worker read
        count = self.vapp.inbox.adopt_matching(wanted)
        self._recalled.append(flt)
        if count:
            self.notify(f"{count} older stories read back from disk.", timeout=4, markup=False)
            self.reload(keep=self.mention_list.current_id)
