"""The inbox's triage actions and replies, written to the store off the UI thread.

One writer thread (`StoreWriter`) owns the store's writes, in the order they were asked:
a write spins on the store's lock and fsyncs, which must never freeze the screen. The
row changes at once, as `triage.transitions` predicts (an overlay of states the list
draws); the writer posts `WriteDone` with the outcome; a failure puts the row back as
the store has it and says why in words.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from textual.content import Content
from textual.message import Message

from triage import transitions as rules
from triage.errors import Refused
from triage.model import DeliveryStatus, Mention, Status, TriageState
from triage.views import GroupView
from tui.safe import clean, flat, plain
from tui.screens.host import InboxHost
from tui.screens.inbox_story import STORY_BINDINGS, StoryKeys
from tui.screens.modals import ChoiceScreen, ConfirmScreen, PromptScreen
from tui.widgets.copy_panel import copy_link, open_post
from tui.widgets.reply_editor import ReplyEditor

SNOOZE_CHOICES = (("1h", "1 hour"), ("4h", "4 hours"), ("24h", "1 day"), ("168h", "1 week"))
Predict = Callable[[TriageState, datetime], dict[str, Any]]
Outcome = tuple[str, Any, BaseException | None]  # (group id, result, error)


class StoreWriter:
    """The one thread that writes to the store, jobs in the order they were given."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="veille-write")

    def submit(self, job: Callable[[], None]) -> None:
        self._pool.submit(job)

    def close(self) -> None:
        self._pool.shutdown(wait=True)  # what was asked is written before the app exits


class WriteDone(Message):
    """Posted by the writer thread: each target's outcome, and what to do with them."""

    def __init__(self, outcomes: list[Outcome], done: Callable[[list[Outcome]], None]) -> None:
        super().__init__()
        self.outcomes = outcomes
        self.done = done


class TriageActions(StoryKeys):
    """Mixed into InboxScreen: the keys that change a group's state. The screen gives it
    the app (`vapp`), the list, `reload`, `_patch`, `_apply_filter` and `sync_panes`."""

    vapp: InboxHost
    writer: StoreWriter
    predicted: dict[str, TriageState]  # what unfinished writes will make
    inflight: Counter[str]
    writes_pending: int
    ranked: list[str]

    # ------------------------------------------------------------------ writing
    def _view_of(self, group_id: str) -> GroupView:
        """The store's view of a group, with the state an unfinished write predicts."""
        view = self.vapp.inbox.view(group_id)
        state = self.predicted.get(group_id)
        return view if state is None else replace(view, state=state)

    def _state(self, group_id: str) -> TriageState:
        return self.predicted.get(group_id) or self.vapp.inbox.state(group_id)

    def _write(
        self,
        targets: Sequence[str],
        apply: Callable[[str], Any],
        done: Callable[[list[Outcome]], None],
        predict: Predict | None = None,
        batch: str | None = None,
    ) -> list[str]:
        """Predict each target's new state now (a refusal is told at once), then apply
        the writes on the writer thread, as one batch (`batch`: rules.AUTO_BATCH for what
        the app does by itself); `done(outcomes)` runs back on the UI thread."""
        now = self.vapp.now()
        accepted: list[str] = []
        for gid in targets:
            if predict is not None:
                try:
                    current = self._state(gid)
                    self.predicted[gid] = current.evolve(**predict(current, now))
                except (Refused, ValueError) as exc:
                    self.notify(f"Refused: {clean(str(exc))}", severity="error", markup=False)
                    continue
            self.inflight[gid] += 1
            accepted.append(gid)
        if not accepted:
            return accepted
        self.writes_pending += 1

        inbox = self.vapp.inbox

        def job() -> None:
            outcomes: list[Outcome] = []
            with inbox.batch(batch):  # one user action, one undo step (bulk included)
                for gid in accepted:
                    try:
                        outcomes.append((gid, apply(gid), None))
                    except Exception as exc:  # told in words on the UI thread
                        outcomes.append((gid, None, exc))
            self.post_message(WriteDone(outcomes, done))

        self.writer.submit(job)
        return accepted

    def on_write_done(self, message: WriteDone) -> None:
        self.writes_pending -= 1
        failed: list[str] = []
        for gid, _, error in message.outcomes:
            self.inflight[gid] -= 1
            if self.inflight[gid] <= 0 or error is not None:
                del self.inflight[gid]
                self.predicted.pop(gid, None)
            if error is not None:
                failed.append(gid)
        if failed:  # rows come back as the store has them, the cursor on the first
            self.reload(keep=failed[0] if failed[0] in self.ranked or not self.ranked else None)
        message.done(message.outcomes)

    def _run(self, what: str, views: Sequence[GroupView], fn: Callable[[str], Any],
             predict: Predict | None = None, then: Callable[[], None] | None = None) -> None:  # fmt: skip
        """Apply `fn(group_id)` to each target; the rows change now, failures are told."""
        names = {v.group_id: v.leader.author.display for v in views}

        def done(outcomes: list[Outcome]) -> None:
            ok = [gid for gid, _, error in outcomes if error is None]
            for gid, _, error in outcomes:
                if error is not None:
                    self.notify(
                        f"{what} failed for {flat(names.get(gid, gid), 30)}: {clean(str(error))}",
                        severity="error",
                        markup=False,
                    )
            if ok:
                self._patch(ok)
                label = f"{what}: {len(ok)} groups" if len(ok) > 1 else what
                self.notify(label, timeout=2, markup=False)
                if then is not None:
                    then()

        accepted = self._write([v.group_id for v in views], fn, done, predict)
        if len(views) > 1:
            self.mention_list.clear_selection()
        if accepted:
            self._patch(accepted)

    # ------------------------------------------------------------------ the actions
    def _targets(self) -> list[GroupView]:
        targets = self.mention_list.targets()
        if not targets:
            self.notify("Nothing selected.", severity="warning", markup=False)
        return targets

    def _set_status(self, what: str, status: Status) -> None:
        inbox = self.vapp.inbox
        self._run(what, self._targets(), lambda g: inbox.set_status(g, status),
                  lambda s, now: rules.set_status(s, status))  # fmt: skip

    def action_done(self) -> None:
        self._set_status("Done", Status.DONE)

    def action_ignore(self) -> None:
        self._set_status("Ignored", Status.IGNORED)

    def action_reopen(self) -> None:
        self._set_status("Reopened", Status.OPEN)

    def action_open_post(self) -> None:
        view = self.mention_list.current
        open_post(self.app, view.leader if view else None)

    def action_copy_link(self) -> None:
        view = self.mention_list.current
        copy_link(self.app, view.leader if view else None)

    def action_tag(self) -> None:
        targets = self._targets()
        if not targets:
            return

        def apply(answer: str | None) -> None:
            if not answer or not answer.strip():
                return
            add = [w for w in answer.split() if not w.startswith("-")]
            remove = [w[1:] for w in answer.split() if w.startswith("-") and len(w) > 1]
            inbox = self.vapp.inbox
            self._run("Tagged", targets, lambda g: inbox.tag(g, add=add, remove=remove),
                      lambda s, now: rules.tag(s, add, remove))  # fmt: skip

        self.app.push_screen(
            PromptScreen("Tag", "bug refund -spam", hint="words add tags, -word removes one"), apply
        )

    def action_note(self) -> None:
        targets = self._targets()
        if not targets:
            return
        inbox, user = self.vapp.inbox, self.vapp.user

        def apply(answer: str | None) -> None:
            if answer and answer.strip():
                text = answer.strip()
                self._run("Noted", targets, lambda g: inbox.note(g, text),
                          lambda s, now: rules.note(s, text, user, now))  # fmt: skip

        self.app.push_screen(PromptScreen("Private note", "visible to the team only"), apply)

    def action_snooze(self) -> None:
        targets = self._targets()
        if not targets:
            return
        inbox = self.vapp.inbox

        def apply(choice: str | None) -> None:
            if choice is None:
                return
            until = (
                None if choice == "off" else self.vapp.now() + timedelta(hours=float(choice[:-1]))
            )
            self._run("Snoozed" if until else "Woken up", targets,
                      lambda g: inbox.snooze(g, until),
                      lambda s, now: rules.snooze(s, until))  # fmt: skip

        choices = [*SNOOZE_CHOICES, ("off", "Wake up (cancel snooze)")]
        self.app.push_screen(ChoiceScreen("Snooze for", choices), apply)

    def action_claim(self) -> None:
        targets = self._targets()
        if not targets:
            return
        inbox, user = self.vapp.inbox, self.vapp.user

        def assign(who: str | None, what: str = "Assigned") -> None:
            self._run(what, targets, lambda g: inbox.assign(g, who),
                      lambda s, now: rules.assign(s, who))  # fmt: skip

        def claim(force: bool) -> None:
            self._my_claims().update(v.group_id for v in targets)
            self._run("Claimed", targets, lambda g: inbox.claim(g, force=force),
                      lambda s, now: rules.claim(s, user, now, force=force))  # fmt: skip

        def apply(choice: str | None) -> None:
            if choice in ("claim", "force"):
                claim(force=choice == "force")
            elif choice == "release":
                self._run("Released", targets, inbox.release, lambda s, now: rules.release(s))
            elif choice == "me":
                assign(user)
            elif choice == "none":
                assign(None, "Unassigned")
            elif choice == "other":
                self.app.push_screen(PromptScreen("Assign to", "user name"), assign_other)

        def assign_other(who: str | None) -> None:
            if who and who.strip():
                assign(who.strip())

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

        def noted(team: str, note: str | None) -> None:
            if note is not None:
                self._handoff(targets, team, note)

        def pick(team: str | None) -> None:
            if team:
                self.app.push_screen(
                    PromptScreen(f"Hand off to {flat(team)}: note", "what they need to know"),
                    lambda note: noted(team, note),
                )

        self.app.push_screen(ChoiceScreen("Hand off to team", teams), pick)

    def _handoff(self, targets: Sequence[GroupView], team: str, note: str) -> None:
        inbox, user, text = self.vapp.inbox, self.vapp.user, note.strip()
        self._run("Handed off", targets, lambda g: inbox.handoff(g, team, text),
                  lambda s, now: rules.handoff(s, team, text, user, now),
                  then=self.vapp.outbound_kick)  # fmt: skip

    def action_retry_handoff(self) -> None:
        """Send the failed hand-offs of the targets again (the outbox tries at once)."""
        targets = [v for v in self._targets() if v.handoff_failed]
        if not targets:
            self.notify("No failed hand-off here to retry.", severity="warning", markup=False)
            return
        inbox = self.vapp.inbox
        self._run("Hand-off retried", targets,
                  lambda g: inbox.update_handoff(g, DeliveryStatus.PENDING),
                  lambda s, now: rules.retry_handoff(s),
                  then=self.vapp.outbound_kick)  # fmt: skip

    def action_undo(self) -> None:
        inbox = self.vapp.inbox

        def done(outcomes: list[Outcome]) -> None:
            _, event, error = outcomes[0]
            if error is not None:
                self.notify(f"Undo refused: {clean(str(error))}", severity="error", markup=False)
            elif event is None:
                self.notify("Nothing to undo.", markup=False)
            else:
                self._patch([event.target])
                if event.action in ("merge", "split"):  # stories come and go
                    self.reload(keep=inbox.resolve(event.target))
                self._apply_filter(keep=event.target)  # an undone "done" comes back
                self.notify(f"Undone: {event.action}", timeout=2, markup=False)

        self._write([""], lambda _: inbox.undo(), done)

    # ------------------------------------------------------------------ replies
    def action_reply(self) -> None:
        """Open the editor; when someone else answered, is answering or has a reply
        waiting, say who and when and ask first (taking over a claim tells its holder)."""
        view = self.mention_list.current
        if view is None:
            self.notify("Select a mention first.", severity="warning", markup=False)
            return
        now, user = self.vapp.now(), self.vapp.user
        state = self._state(view.group_id)
        warnings = rules.reply_warnings(state, user, now)
        if not warnings:
            self._start_reply(view, force=False)
            return
        take_over = state.claim_active(now) and state.claimed_by != user

        def answer(yes: bool | None) -> None:
            if yes:
                self._confirmed()[view.group_id] = set(warnings)
                self._start_reply(view, force=take_over)

        self.app.push_screen(ConfirmScreen(_question(warnings, "Reply anyway?")), answer)

    def _confirmed(self) -> dict[str, set[str]]:
        """Per group, the warnings the user already said yes to (asked once, not twice)."""
        seen: dict[str, set[str]] | None = getattr(self, "_reply_confirmed", None)
        if seen is None:
            seen = self._reply_confirmed = {}
        return seen

    def _my_claims(self) -> set[str]:
        """The groups this inbox claimed for its user (watched for a take-over)."""
        mine: set[str] | None = getattr(self, "_claims_watched", None)
        if mine is None:
            mine = self._claims_watched = set()
        return mine

    def tell_takeovers(self) -> None:
        """After a refresh: tell the user when someone took over one of their claims (the
        journal's claim event records who and when; the state is enough to notice it)."""
        inbox, user = self.vapp.inbox, self.vapp.user
        self.tell_reviews()  # approved or sent back (inbox_story)
        for gid in list(self._my_claims()):
            state = inbox.state(gid)
            if state.claimed_by == user:
                continue
            self._my_claims().discard(gid)
            if state.claimed_by:
                name = flat(inbox.view(gid).leader.author.display, 30)
                self.notify(
                    f"{flat(state.claimed_by, 20)} took over your claim on {name}"
                    f" at {rules.hhmm(state.updated_at)}",
                    severity="warning",
                    timeout=10,
                    markup=False,
                )

    def _start_reply(self, view: GroupView, force: bool) -> None:
        self.sync_panes()
        self._my_claims().add(view.group_id)
        inbox, user = self.vapp.inbox, self.vapp.user

        def done(outcomes: list[Outcome]) -> None:
            gid, _, error = outcomes[0]
            if error is not None:
                self.notify(f"Could not claim: {clean(str(error))}", severity="warning",
                            markup=False)  # fmt: skip
            else:
                self._patch([gid])

        self._write([view.group_id], lambda g: inbox.claim(g, force=force), done,
                    lambda s, now: rules.claim(s, user, now, force=force),
                    batch=rules.AUTO_BATCH)  # not on the undo stack  # fmt: skip
        self._patch([view.group_id])
        self.query_one(ReplyEditor).text_area.focus()

    def on_reply_editor_draft_changed(self, event: ReplyEditor.DraftChanged) -> None:
        self.vapp.drafts.set(event.target, event.text)

    def on_reply_editor_left(self) -> None:
        self.mention_list.focus()

    def on_reply_editor_send_requested(self, event: ReplyEditor.SendRequested) -> None:
        editor = self.query_one(ReplyEditor)
        problems = editor.checks()
        state = self._state(event.target)
        seen = self._confirmed().get(event.target, set())
        warnings = [
            w for w in rules.reply_warnings(state, self.vapp.user, self.vapp.now()) if w not in seen
        ]
        if problems or warnings:

            def answer(yes: bool | None) -> None:
                if yes:
                    self._send_now(event.target, event.mention, event.text)

            parts: list[Content | str | tuple[str, str]] = []
            if warnings:
                parts += [("Someone else is on it:\n", "bold")]
                parts += [plain("• " + w + "\n") for w in warnings]
            if problems:
                parts += [("This reply has problems:\n", "bold")]
                parts += [plain("• " + p + "\n") for p in problems]
            self.app.push_screen(ConfirmScreen(Content.assemble(*parts, "Send anyway?")), answer)
            return
        self._send_now(event.target, event.mention, event.text)

    def _send_now(self, target: str, mention: Mention, text: str) -> None:
        app = self.vapp
        inbox, manual = app.inbox, not app.can_post(mention)
        editor = self.query_one(ReplyEditor)
        brand, held = editor.brand, self._held(target)  # approval: inbox_story.py

        def apply(gid: str) -> Any:
            reply = (inbox.submit_reply(gid, text, mention_id=mention.id) if held  # waits
                     else inbox.add_reply(gid, text, mention_id=mention.id, manual=manual))
            with contextlib.suppress(Exception), inbox.batch(rules.AUTO_BATCH):
                inbox.release(gid)  # best effort, and automatic: not on the undo stack
            return reply

        def done(outcomes: list[Outcome]) -> None:
            _, _, error = outcomes[0]
            if error is not None:  # the text comes back into the editor: nothing lost
                self.notify(f"Reply not saved: {clean(str(error))}", severity="error",
                            markup=False)  # fmt: skip
                editor.load(target, mention, brand, text)
                return
            app.drafts.discard(target)
            self._confirmed().pop(target, None)
            self._patch([target])
            if held is not None:
                self.notify(f"Reply awaits approval ({held.name}).", timeout=4, markup=False)
            elif manual:
                app.manual_reply(mention, text)
            else:
                app.outbound_kick()
                self.notify("Reply queued for posting.", timeout=2, markup=False)

        def predict(state: TriageState, now: datetime) -> dict[str, Any]:
            reply = rules.new_reply(text, app.user, now, "-", mention.id, manual, bool(held))
            return {**rules.reply(state, reply), **rules.release(state)}

        if self._write([target], apply, done, predict):
            editor.load(target, mention, brand, "")
            self._patch([target])
            self.mention_list.focus()


def _question(warnings: Sequence[str], ask: str) -> Content:
    return Content.assemble(*[plain("• " + w + "\n") for w in warnings], ask)


__all__ = ["STORY_BINDINGS", "StoreWriter", "TriageActions", "WriteDone"]
