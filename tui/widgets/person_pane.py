"""The person pane (key `p` in the inbox): who wrote the selected post, across
platforms — handles, tags, reach, private notes, their posts and our replies — the
same record `veille person HANDLE` prints (app.people).

`v` makes the person a VIP or not, `n` adds a private note, escape closes. The record
is gathered on a worker thread (it reads every post of the store once); every string
shown is a person's or a post's, so it goes through `tui.safe.plain` (Content, never
markup, no escapes).
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from triage.protocol import StoreReader
from tui.safe import plain


class PersonPane(ModalScreen[None]):
    """One person's record over the inbox."""

    DEFAULT_CSS = """
    PersonPane { align: center middle; background: $background 60%; }
    PersonPane > Vertical {
        width: 100; max-width: 95%; height: 80%;
        border: round $accent; background: $panel; padding: 0 1;
    }
    PersonPane #person-body { height: 1fr; }
    PersonPane #person-hint { color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="modal.cancel"),
        Binding("v", "vip", "VIP on/off", id="person.vip"),
        Binding("n", "note", "Note", id="person.note"),
    ]

    def __init__(self, store: StoreReader, handle: str, user: str) -> None:
        super().__init__()
        self.store, self.handle, self.user = store, handle, user
        self.text = ""  # the record as shown (for tests and copy)
        self.tags: tuple[str, ...] = ()

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(plain(f"Person: {self.handle}", "bold"), id="person-title")
            with VerticalScroll(id="person-body"):
                yield Static(Content("gathering their posts…"), id="person-text")
            yield Static(
                Content("v VIP on/off · n private note · escape close"), id="person-hint"
            )

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="person")
    def load(self) -> None:
        from app.people import person_record, render_record

        try:
            found = person_record(self.store, self.handle)
            text, tags = render_record(found, self.store), found.person.tags
        except Exception as exc:  # a damaged people file, a bad handle: said, not raised
            text, tags = f"cannot show this person: {exc}", ()
        self.app.call_from_thread(self._show, text, tags)

    def _show(self, text: str, tags: tuple[str, ...]) -> None:
        self.text, self.tags = text, tags
        self.query_one("#person-text", Static).update(plain(text))

    def action_close(self) -> None:
        self.dismiss(None)

    def action_vip(self) -> None:
        from triage.people import VIP_TAG, set_tags

        vip = VIP_TAG in self.tags
        self._change(
            lambda p: set_tags(p, self.handle, () if vip else (VIP_TAG,), (VIP_TAG,) if vip else ()),
            f"{self.handle} is {'no longer' if vip else 'now'} a VIP",
        )

    def action_note(self) -> None:
        from triage.model import utcnow
        from triage.people import add_note
        from tui.screens.modals import PromptScreen

        def apply(answer: str | None) -> None:
            if answer and answer.strip():
                text = answer.strip()
                self._change(
                    lambda p: add_note(p, self.handle, text, self.user, utcnow()), "note added"
                )

        self.app.push_screen(PromptScreen(f"Private note on {self.handle}"), apply)

    @work(thread=True, group="person-write")
    def _change(self, change: Any, done: str) -> None:
        from app.people import update_people

        try:
            update_people(self.store, change)
        except Exception as exc:
            self.app.call_from_thread(
                self.app.notify, f"not saved: {exc}", severity="error", markup=False
            )
            return
        self.app.call_from_thread(self.app.notify, done, markup=False)
        self.load()


class PersonAction:
    """The inbox's `p`: the person pane of the selected post's author (a mixin of the
    inbox screen, which has `mention_list` and `vapp`)."""

    def person_tags(self) -> dict[str, frozenset[str]]:
        """tag -> handles for the filter's `person:TAG` (re-read only when the file changed)."""
        from app.people import people_tags

        screen: Any = self
        return people_tags(screen.vapp.inbox)

    def action_person(self) -> None:
        screen: Any = self
        view = screen.mention_list.current
        if view is None:
            screen.notify("Nothing selected.", severity="warning", markup=False)
            return
        author = view.leader.author
        handle = author.handle or author.name
        if not handle.strip():
            screen.notify("This post names no author.", severity="warning", markup=False)
            return
        def refilter(_: None) -> None:  # a VIP made or unmade: person:vip follows
            if "person:" in screen.filter_text:
                screen.set_filter(screen.filter_text, screen.view_name)

        screen.app.push_screen(PersonPane(screen.vapp.inbox, handle, screen.vapp.user), refilter)
