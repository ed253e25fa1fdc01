"""The words of a hand-off, shared by the webhook and e-mail channels (pure)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class HandoffMessage:
    team: str
    by: str  # who handed it off
    note: str
    mention_url: str
    mention_text: str
    author: str
    platform: str
    title: str = ""

    def subject(self) -> str:
        return f"[veille] hand-off to {self.team} from {self.by}: {self.author} on {self.platform}"

    def body(self) -> str:
        excerpt = (
            self.mention_text if len(self.mention_text) <= 600 else self.mention_text[:597] + "..."
        )
        lines = [
            f"{self.by} hands this mention off to {self.team}.",
            "",
            f"Note: {self.note or '(none)'}",
            "",
            f"{self.author} on {self.platform}:",
            excerpt,
            "",
            f"Link: {self.mention_url}",
        ]
        return "\n".join(lines)
