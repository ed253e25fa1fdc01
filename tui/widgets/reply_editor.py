"""The reply editor: a TextArea with templates, a length counter and reply checks.

The draft is announced on every change (`DraftChanged`) so the screen can save it to
disk as you type; sending (`ctrl+s`) posts `SendRequested` with the text, and the
screen decides (claim conflicts, the outbox). Templates fill `{author}` and `{brand}`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Static, TextArea

from triage import replycheck
from triage.config import Template
from triage.model import Mention
from tui.safe import clean, flat, plain
from tui.widgets.quiet import set_content

ReplyChecker = Callable[[str, Mention], Sequence[str]]
COUNTER_WIDTH = 18  # the counter's min-width (inbox.tcss): its width changes less often


def fill_template(text: str, mention: Mention, brand: str) -> str:
    """Fill `{author}` and `{brand}`; other placeholders stay for the checks to flag."""
    author = flat(mention.author.handle or mention.author.name)
    if mention.platform in ("mastodon", "bluesky") and author and not author.startswith("@"):
        author = "@" + author
    return replycheck.fill_template(text, author=author, brand=brand)


def default_checks(text: str, mention: Mention) -> Sequence[str]:
    """Length (the platform's way), unfilled placeholders, personal data asked in public."""
    return [str(problem) for problem in replycheck.check_reply(text, mention)]


class ReplyEditor(Vertical):
    """Write a reply to the group under the cursor."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "send", "Send reply", id="reply.send", priority=True),
        Binding("ctrl+t", "next_template", "Template", id="reply.template"),
        Binding("escape", "leave", "Back to list", id="reply.leave"),
    ]

    class DraftChanged(Message):
        def __init__(self, target: str, text: str) -> None:
            super().__init__()
            self.target = target
            self.text = text

    class SendRequested(Message):
        def __init__(self, target: str, mention: Mention, text: str) -> None:
            super().__init__()
            self.target = target
            self.mention = mention
            self.text = text

    class Left(Message):
        pass

    def __init__(
        self,
        templates: Sequence[Template] = (),
        checker: ReplyChecker = default_checks,
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.templates = list(templates)
        self.checker = checker
        self.target: str | None = None
        self.mention: Mention | None = None
        self.brand = ""
        self._template_index = -1
        self._loading = False
        self._filled = ""  # the text the last template put in (replacing it loses nothing)

    def compose(self) -> ComposeResult:
        with Horizontal(id="reply-head"):
            yield Static(Content("Reply"), id="reply-title")
            yield Static(Content(""), id="reply-counter")
        yield TextArea(id="reply-text", tab_behavior="focus", soft_wrap=True)
        yield Static(Content(""), id="reply-checks")

    @property
    def text_area(self) -> TextArea:
        return self.query_one("#reply-text", TextArea)

    @property
    def text(self) -> str:
        return self.text_area.text

    def load(self, target: str | None, mention: Mention | None, brand: str, draft: str) -> None:
        """Point the editor at a group (its draft restored) without announcing a change."""
        self.target, self.mention, self.brand = target, mention, brand
        self._template_index = -1
        if self.text_area.text != draft:  # else no Changed: the feedback is updated below
            self._loading = True
            self.text_area.load_text(draft)
            self._loading = False
        title = "Reply"
        if mention is not None:
            title = f"Reply to {flat(mention.author.display, 30)} on {mention.platform}"
        set_content(self.query_one("#reply-title", Static), plain(title, "bold"), fixed_height=True)
        self._update_feedback()

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        text = self.text
        cleaned = clean(text)
        if cleaned != text.replace("\r\n", "\n").replace("\r", "\n"):  # pasted escapes
            row, column = self.text_area.cursor_location
            self.text_area.load_text(cleaned)
            self.text_area.cursor_location = (row, min(column, len(cleaned)))
            return  # load_text posts another Changed with the clean text
        self._update_feedback()
        if not self._loading and self.target is not None:
            self.post_message(self.DraftChanged(self.target, self.text))

    def checks(self) -> list[str]:
        if self.mention is None:
            return []
        return [clean(p) for p in self.checker(self.text, self.mention)]

    def _update_feedback(self) -> None:
        platform = self.mention.platform if self.mention else ""
        measured = replycheck.length_of(self.text, platform) if platform else None
        if measured is None:
            counter, style = f"{len(self.text)} chars", "$text-muted"
        else:
            used, limit, unit = measured
            counter = f"{used}/{limit} {unit}"
            style = "$error bold" if used > limit else "$text-muted"
        counter_label = self.query_one("#reply-counter", Static)
        shown = counter_label.visual
        content = Content.assemble((counter, style))
        if isinstance(shown, Content) and max(COUNTER_WIDTH, shown.cell_length) != max(
            COUNTER_WIDTH, content.cell_length
        ):
            counter_label.update(content)  # its width is auto: the head is laid out again
        else:
            set_content(counter_label, content, fixed_height=True)
        if self.text.strip():
            problems = self.checks()
        else:  # before a word is typed, only what makes writing pointless
            closed = replycheck.replies_closed(self.mention) if self.mention else None
            problems = [clean(str(closed))] if closed else []
        checks = self.query_one("#reply-checks", Static)
        if problems:
            set_content(
                checks, Content.assemble(*[plain("⚠ " + p + "\n", "$warning") for p in problems])
            )
        else:
            set_content(
                checks, Content.assemble(("ctrl+s send · ctrl+t template · esc back", "$text-muted"))
            )

    def action_next_template(self) -> None:
        if not self.templates or self.mention is None:
            self.notify("No reply templates in the configuration.", markup=False)
            return
        index = (self._template_index + 1) % len(self.templates)
        template = self.templates[index]
        mention = self.mention

        def fill(yes: bool | None = True) -> None:
            if not yes or self.mention is not mention:
                return
            self._template_index = index
            self._filled = fill_template(template.text, mention, self.brand)
            self.text_area.load_text(self._filled)
            self.notify(f"Template: {flat(template.name)}", markup=False, timeout=2)

        if self.text.strip() and self.text != self._filled:  # the user typed something
            from tui.screens.modals import ConfirmScreen

            question = plain(f"Replace your draft with the template {flat(template.name)!r}?")
            self.app.push_screen(ConfirmScreen(question), fill)
            return
        fill()

    def action_send(self) -> None:
        if self.target is None or self.mention is None:
            self.notify("Select a mention first.", severity="warning", markup=False)
            return
        if not self.text.strip():
            self.notify("The reply is empty.", severity="warning", markup=False)
            return
        self.post_message(self.SendRequested(self.target, self.mention, self.text))

    def action_leave(self) -> None:
        self.post_message(self.Left())
