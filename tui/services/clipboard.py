"""Getting text and links from veille to the user's desktop, wherever veille runs.

The clipboard belongs to the terminal the user looks at, which may be across SSH and
behind tmux, so the ways in are escape sequences and tmux itself:
- outside tmux, OSC 52 written to the terminal (it travels over SSH);
- inside tmux, `tmux load-buffer -w -`: the text lands in tmux's paste buffer (prefix ]
  pastes it) and tmux forwards it to the outer terminal's clipboard when it can. A bare
  OSC 52 from inside tmux is dropped under tmux's defaults (set-clipboard external,
  allow-passthrough off); the DCS-wrapped one passes only with allow-passthrough on.
No terminal confirms a clipboard write, so whoever calls this also shows the text.

A browser opened on this machine helps only if this machine is the user's desktop:
`local_browser` says whether it is (no SSH session, a display or a desktop OS).
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TextIO

TMUX_BUFFER = "the tmux buffer (prefix ] pastes it)"
TERMINAL = "the terminal's clipboard"


@dataclass(frozen=True, slots=True)
class Copied:
    """Where a copy went; `ways` is empty when no way was available."""

    ways: tuple[str, ...]

    def describe(self) -> str:
        return " and ".join(self.ways) if self.ways else "nowhere (copy it by hand)"


def osc52(text: str, *, tmux: bool | None = None) -> str:
    """The escape sequence that puts `text` on the clipboard (wrapped for tmux if inside it)."""
    payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
    seq = f"\x1b]52;c;{payload}\x07"
    if tmux if tmux is not None else in_tmux():
        seq = "\x1bPtmux;" + seq.replace("\x1b", "\x1b\x1b") + "\x1b\\"
    return seq


def in_tmux(env: Mapping[str, str] | None = None) -> bool:
    return bool((os.environ if env is None else env).get("TMUX"))


def tmux_load_buffer(text: str, env: Mapping[str, str] | None = None) -> bool:
    """Put `text` in the tmux buffer of the server we run in (and, with -w, the outer
    terminal's clipboard). False if tmux is not there or refused."""
    tmux = shutil.which("tmux")
    if tmux is None:
        return False
    data = text.encode("utf-8")
    for command in ([tmux, "load-buffer", "-w", "-"], [tmux, "load-buffer", "-"]):  # -w: 3.2+
        try:
            done = subprocess.run(
                command, input=data, capture_output=True, timeout=3,
                env=dict(os.environ if env is None else env),
            )  # fmt: skip
        except (OSError, subprocess.SubprocessError):
            return False
        if done.returncode == 0:
            return True
    return False


def copy(
    text: str,
    stream: TextIO | None = None,
    *,
    env: Mapping[str, str] | None = None,
    terminal: Callable[[str], None] | None = None,
) -> Copied:
    """Copy `text` every way that may work here; say which were tried.

    `terminal(text)` sends OSC 52 to the user's terminal (a Textual app passes its
    `copy_to_clipboard`); without it the sequence is written to `stream` (stdout), and
    wrapped for tmux's passthrough when inside tmux.
    """
    ways: list[str] = []
    tmux = in_tmux(env)
    if tmux and tmux_load_buffer(text, env):
        ways.append(TMUX_BUFFER)
    if terminal is not None:
        terminal(text)
    else:
        out = stream or sys.stdout
        out.write(osc52(text, tmux=tmux))
        out.flush()
    if not tmux:
        ways.append(TERMINAL)
    return Copied(tuple(ways))


def local_browser(env: Mapping[str, str] | None = None, platform: str = sys.platform) -> bool:
    """True when a browser started here shows on the user's screen: not over SSH, and a
    desktop (macOS, Windows, or an X11/Wayland display)."""
    env = os.environ if env is None else env
    if any(env.get(name) for name in ("SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY")):
        return False
    if platform == "darwin" or platform.startswith("win"):
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))
