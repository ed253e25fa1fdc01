"""The inbox's keys for grouping by hand and reply approval: `m` merges the selected
stories, `x` splits a copy out of the story under the cursor (both undone by `u`);
`A` approves the reply awaiting approval under the cursor (as written or edited), `B`
sends it back with a note. All write on the screen's writer thread
(inbox_actions.StoreWriter). Who may approve is `triage.approval`'s rule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding

from triage import approval, query
from triage.config import ApprovalConfig
from triage.text import one_line
from triage.views import GroupView
from tui.safe import clean, flat
from tui.screens.modals import ChoiceScreen, PromptScreen
from tui.widgets.thread_view import ThreadView

if TYPE_CHECKING:
    from tui.screens.inbox_actions import Outcome, TriageActions

    Base = TriageActions
else:
    Base = object

STORY_BINDINGS = [
    Binding("m", "merge", "Merge selected stories", id="inbox.merge", show=False),
    Binding("x", "split", "Split a copy out", id="inbox.split", show=False),
    Binding("A", "approve", "Approve the reply", id="inbox.approve", show=False),
    Binding("B", "send_back", "Send the reply back", id="inbox.send_back", show=False),
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

    # ------------------------------------------------------------------ approval
    def _held(self, target: str) -> ApprovalConfig | None:
        """The [[approval]] entry that holds back this user's reply here, if any."""
        rules = self.vapp.config.approval
        if not rules:
            return None
        ctx = query.context(self.vapp.inbox, self.vapp.now())
        return approval.needs_approval(rules, self._view_of(target), self.vapp.user, ctx)

    def on_mount(self) -> None:  # runs besides InboxScreen.on_mount (Textual walks the MRO)
        if self.vapp.config.approval and hasattr(self.vapp.inbox, "reviewed"):
            self._told = {r.key for _, r in self.vapp.inbox.reviewed(self.vapp.user)}

    def tell_reviews(self) -> None:
        """After a refresh: tell the author when a reviewer approved or sent back one of
        their replies (the thread pane says it too, with the reviewer's note)."""
        told: set[str] | None = getattr(self, "_told", None)
        if told is None:
            return
        for _, reply in self.vapp.inbox.reviewed(self.vapp.user):
            if reply.key in told:
                continue
            told.add(reply.key)
            who = flat(reply.reviewed_by, 20)
            if reply.status.value == "returned":
                note = flat(reply.review_note, 80)
                self.notify(f"{who} sent back your reply: {note}", severity="warning",
                            timeout=10, markup=False)  # fmt: skip
            else:
                self.notify(f"{who} approved your reply: it is being sent.", timeout=6,
                            markup=False)  # fmt: skip

    def _awaiting_here(self) -> tuple[GroupView, str, str] | None:
        """(view, reply key, its author) of the reply awaiting approval under the cursor;
        None (and said why) when there is none or this user may not review it."""
        view = self.mention_list.current
        waiting = [r for r in view.state.replies if r.status.value == "awaiting"] if view else []
        if view is None or not waiting:
            self.notify("No reply awaiting approval here (filter: is:awaiting).",
                        severity="warning", markup=False)  # fmt: skip
            return None
        reply = waiting[0]
        ctx = query.context(self.vapp.inbox, self.vapp.now())
        why = approval.review_refusal(
            self.vapp.config.approval, view, reply.by, self.vapp.user, ctx
        )
        if why is not None:
            self.notify(f"Refused: {why}", severity="error", markup=False)
            return None
        return view, reply.key, reply.by

    def action_approve(self) -> None:
        found = self._awaiting_here()
        if found is None:
            return
        view, key, author = found
        inbox = self.vapp.inbox
        text = next(r.text for r in view.state.replies if r.key == key)

        def approve(new_text: str | None) -> None:
            def done(outcomes: list[Outcome]) -> None:
                _, _, error = outcomes[0]
                if error is not None:
                    self.notify(f"Approval refused: {clean(str(error))}", severity="error",
                                markup=False)  # fmt: skip
                    return
                self._patch([view.group_id])
                self.vapp.outbound_kick()
                self.notify(f"Approved: {flat(author, 20)}'s reply is queued for posting.",
                            timeout=3, markup=False)  # fmt: skip

            self._write([view.group_id], lambda g: inbox.approve(g, key, new_text), done)

        def choose(choice: str | None) -> None:
            if choice == "approve":
                approve(None)
            elif choice == "edit":
                self.app.push_screen(
                    PromptScreen("Edit, then approve", value=text, hint="enter approves"),
                    lambda edited: approve(edited) if edited and edited.strip() else None,
                )
            elif choice == "back":
                self.action_send_back()

        choices = [("approve", "Approve as written"), ("edit", "Edit, then approve"),
                   ("back", "Send back with a note")]  # fmt: skip
        title = f"{flat(author, 20)} wrote: {one_line(text, 70)}"
        self.app.push_screen(ChoiceScreen(title, choices), choose)

    def action_send_back(self) -> None:
        found = self._awaiting_here()
        if found is None:
            return
        view, key, author = found
        inbox = self.vapp.inbox

        def send_back(note: str | None) -> None:
            if not note or not note.strip():
                return

            def done(outcomes: list[Outcome]) -> None:
                _, _, error = outcomes[0]
                if error is not None:
                    self.notify(f"Send back refused: {clean(str(error))}", severity="error",
                                markup=False)  # fmt: skip
                    return
                self._patch([view.group_id])
                self.notify(f"Sent back to {flat(author, 20)}.", timeout=3, markup=False)

            self._write([view.group_id], lambda g: inbox.send_back(g, note.strip(), key), done)

        self.app.push_screen(
            PromptScreen(f"Send back to {flat(author, 20)}: note", "what to change"), send_back
        )

    # ------------------------------------------------------------------ unread
    def on_thread_view_shown(self, message: ThreadView.Shown) -> None:
        """Opened in the thread pane: read for this user (store.reads writes it within a
        second); the status bar's unread count follows at once."""
        view, inbox = message.view, self.vapp.inbox
        if not hasattr(inbox, "mark_read"):  # a store that keeps no read state
            return
        was_unread = inbox.is_unread(view)
        if inbox.mark_read(view) and was_unread and query.is_open(view.state, self.vapp.now()):
            self._read_count += 1
            counts = list(self._counts)
            counts[4] = max(0, counts[4] - 1)
            self._counts = tuple(counts)
            self._render_status()

    _read_count = 0  # marks that turned an open group read (this screen, UI thread)

    def on_unmount(self) -> None:  # besides InboxScreen.on_unmount (Textual walks the MRO)
        if hasattr(self.vapp.inbox, "flush_reads"):  # now: the store may be gone next (demo)
            self.vapp.inbox.flush_reads()

    def _read_marks(self) -> int:
        return self._read_count

    def _exact_unread(self, counts: tuple[int, ...], marks: int) -> tuple[int, ...]:
        """The count worker's figures; its unread one only if no group was marked read
        while it counted (else it may miss that mark: keep ours, count again soon)."""
        if marks == self._read_count:
            return counts
        self.set_timer(0.3, self._count_worker)
        return (*counts[:4], self._counts[4])
