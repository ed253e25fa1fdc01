"""Copy text to the user's clipboard with OSC 52, which travels over SSH and through tmux.

The terminal (not this machine) owns the clipboard, so an escape sequence is the only way
that works on a remote server. Textual apps can also call `App.copy_to_clipboard`, which
sends the same sequence; this module serves the headless paths and tmux.
"""

from __future__ import annotations

import base64
import os
import sys
from typing import TextIO


def osc52(text: str, *, tmux: bool | None = None) -> str:
    """The escape sequence that puts `text` on the clipboard (wrapped for tmux if inside it)."""
    payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
    seq = f"\x1b]52;c;{payload}\x07"
    if tmux if tmux is not None else bool(os.environ.get("TMUX")):
        seq = "\x1bPtmux;" + seq.replace("\x1b", "\x1b\x1b") + "\x1b\\"
    return seq


def copy(text: str, stream: TextIO | None = None) -> None:
    """Write the OSC 52 sequence to the terminal (stdout unless told)."""
    out = stream or sys.stdout
    out.write(osc52(text))
    out.flush()
