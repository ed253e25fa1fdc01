"""Refusals of the domain, in words: the same whichever store backend applied them."""

from __future__ import annotations


class Refused(Exception):
    """An action the triage rules refuse; nothing was changed."""


class NotFound(Refused, KeyError):
    """No mention, group or reply with that id."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else "not found"


class Conflict(Refused):
    """Someone else holds the claim, or changed what an undo would overwrite."""
