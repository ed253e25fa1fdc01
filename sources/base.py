"""What every connector offers the poller: poll for new mentions, fetch a thread.

A `Source` is one configured source (`[[sources]]` entry). It holds no state between
polls except what it returns in the cursor (a plain JSON dict the poller saves), so a
restart resumes where the last successful poll stopped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

    from triage.model import Mention


class SourceError(Exception):
    """A poll that failed, in words a user can act on (never containing a secret).

    `retry_after` (seconds) is set when the server said when to come back (429,
    Retry-After, an exhausted rate limit): the poller waits at least that long.
    """

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


@dataclass(slots=True)
class PollResult:
    mentions: list[Mention] = field(default_factory=list)
    cursor: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    unchanged: bool = False  # the server said 304 Not Modified everywhere
    retry_after: float | None = None  # the server asked us to slow down


class Source:
    """One configured source. Subclasses set `kind` and implement `poll` and `thread`."""

    kind: str = ""

    def __init__(self, name: str) -> None:
        self.name = name

    @property
    def hosts(self) -> tuple[str, ...]:
        """The hosts this source talks to (for per-host politeness)."""
        return ()

    async def poll(self, client: httpx.AsyncClient, cursor: dict[str, Any]) -> PollResult:
        raise NotImplementedError

    async def thread(self, client: httpx.AsyncClient, mention: Mention) -> list[Mention]:
        """The conversation around `mention` (oldest first), or [] when there is none."""
        return []

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"
