"""End to end: `veille demo` in a real terminal (tmux), driven by keys, read off the screen.

The demo serves its sample data on 127.0.0.1, fetches it with the real sources code into
a temporary store and opens the inbox; we type as a user would and read the pane.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

VEILLE = Path(sys.executable).with_name("veille")


class Tmux:
    def __init__(self, socket: str) -> None:
        self.socket = socket

    def run(self, *args: str) -> str:
        out = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=10
        )
        return out.stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "demo")

    def keys(self, *keys: str) -> None:
        for key in keys:
            self.run("send-keys", "-t", "demo", key)
            time.sleep(0.15)

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen}")

    def alive(self) -> bool:
        return "demo" in self.run("list-sessions", "-F", "#{session_name}")


def _terminal_env() -> dict[str, str]:
    """The test's environment minus COLUMNS/LINES: other tests in the same worker (Textual's
    headless runs) may leave them set, and they would pin the app to 80x24 whatever tmux's
    pane size (shutil.get_terminal_size reads them first)."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env["TERM"] = "xterm-256color"
    return env


@pytest.fixture
def tmux(tmp_path):
    socket = f"veille-e2e-{os.getpid()}-{tmp_path.name}"
    t = Tmux(socket)
    command = f"{VEILLE} demo; echo VEILLE-EXIT=$?; sleep 30"
    subprocess.run(
        ["tmux", "-L", socket, "-f", "/dev/null", "new-session", "-d", "-s", "demo",
         "-x", "160", "-y", "48", command],
        check=True, timeout=10, env=_terminal_env(),
    )  # fmt: skip
    yield t
    subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True, timeout=10)


def test_demo_in_a_real_terminal(tmux):
    screen = tmux.wait_for("open", timeout=60)
    assert " camille " in screen
    assert "Lumio" in screen
    assert "mast" in screen and "rss" in screen  # several platforms in the list
    # filter to Hacker News: every row now says hn
    tmux.keys("/")
    tmux.wait_for("filter: words")  # the filter line is open (and focused) before typing
    time.sleep(0.3)
    tmux.keys(*"platform:hackernews", "Enter")
    tmux.wait_for("view: filter")
    deadline = time.monotonic() + 20  # a loaded machine may still be typing the filter
    while True:
        screen = tmux.screen()
        status = next((line for line in screen.splitlines() if " shown" in line), "")
        counts = status.split(" shown")[0].split()[-1].split("/") if status else ["0", "0"]
        if "platform:hackernews" in screen and int(counts[0]) > 0:
            break
        if time.monotonic() > deadline:
            raise AssertionError(f"the filtered list never showed; the screen was:\n{screen}")
        time.sleep(0.2)
    shown, total = (int(c) for c in counts)
    assert 0 < shown < total, status  # only the groups with an HN copy are left
    # an invalid filter says what is wrong
    tmux.keys("/")
    time.sleep(0.5)  # focus moves to the filter line on the app's next turn
    tmux.keys("C-u", *"status:nope")
    tmux.wait_for("unknown status 'nope'")
    tmux.keys("Escape", "Escape")
    # mark the top group done, then undo it
    tmux.keys("0", "g", "d")
    tmux.wait_for("Done")
    tmux.keys("u")
    tmux.wait_for("Undone")
    # help lists the keys, and closes
    tmux.keys("?")
    tmux.wait_for("veille — keys")
    tmux.keys("Escape")
    # quit
    tmux.keys("q")
    screen = tmux.wait_for("VEILLE-EXIT=0", timeout=15)
