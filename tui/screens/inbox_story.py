"""The inbox's keys for grouping by hand: `m` merges the selected stories, `x` splits a
copy out of the story under the cursor. Both write on the screen's writer thread
(inbox_actions.StoreWriter) and are undone by `u` like any action.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding

from triage.text import one_line
from tui.safe import clean, flat
from tui.screens.modals import ChoiceScreen

if TYPE_CHECKING:
    from tui.screens.inbox_actions import Outcome, TriageActions

    Base = TriageActions
else:
    Base = object

STORY_BINDINGS = [
    Binding("m", "merge", "Merge selected stories", id="inbox.merge", show=False),
    Binding("x", "split", "Split a copy out", id="inbox.split", show=False),
]


class StoryKeys(Base):
    """Mixed into InboxScreen before TriageActions (it uses its `_write`)."""

    def action_merge(self) -> None:
        targets = self.mention_list.targets()
        if len(targets) < 2:
            self.notify("Select the stories to merge (space), then press m.",
                        severity="warning", markup=False)  # fmt: skip
            return
        ids = [v.group_id for v in targets]
        current = self.mention_list.current_id
        into = current if current in ids else ids[0]  # the cursor's story stays
        others = [g for g in ids if g != into]
        inbox = self.vapp.inbox

        def done(outcomes: list[Outcome]) -> None:
            _, _, error = outcomes[0]
            if error is not None:
                self.notify(f"Merge refused: {clean(str(error))}", severity="error",
                            markup=False)  # fmt: skip
            else:
                self.notify(f"Merged {len(ids)} stories into one", timeout=2, markup=False)
            self.reload(keep=inbox.resolve(into) if error is None else into)

        self.mention_list.clear_selection()
        self._write([into], lambda g: inbox.merge(g, others), done)

    def action_split(self) -> None:
        view = self.mention_list.current
        if view is None or view.size < 2:
            self.notify("Only one copy here: nothing to split.", severity="warning",
                        markup=False)  # fmt: skip
            return
        choices = [
            (m.id, f"{flat(m.author.display, 20)}: {one_line(m.text, 60)}")
            for m in view.mentions
            if m.id != view.group_id
        ]
        inbox, story = self.vapp.inbox, view.group_id

        def done(outcomes: list[Outcome]) -> None:
            _, _, error = outcomes[0]
            if error is not None:
                self.notify(f"Split refused: {clean(str(error))}", severity="error",
                            markup=False)  # fmt: skip
                return
            self.notify("Split out: a story of its own (u undoes it)", timeout=2, markup=False)
            self.reload(keep=story)

        def pick(copy: str | None) -> None:
            if copy:
                self._write([story], lambda g: inbox.split(copy), done)

        self.app.push_screen(ChoiceScreen("Split which copy out of this story?", choices), pick)
