"""Real terminals for the end-to-end tests: named tmux sessions on a private server, keys
typed into them, and their screens read back."""

from __future__ import annotations

import os
import subprocess
import time


class Tmux:
    def __init__(self, socket: str) -> None:
        self.socket = socket

    def run(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=10
        )
        return done.stdout

    def start(self, name: str, command: str, width: int = 160, height: int = 40) -> int:
        """A new session running `command`; the pid of its pane's process. COLUMNS/LINES
        left by headless Textual tests in the same worker would pin the app's size."""
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        env["TERM"] = "xterm-256color"
        subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null", "new-session", "-d", "-s", name,
             "-x", str(width), "-y", str(height), command],
            check=True, timeout=10, env=env,
        )  # fmt: skip
        return int(self.run("display", "-p", "-t", name, "#{pane_pid}").strip())

    def screen(self, name: str) -> str:
        return self.run("capture-pane", "-p", "-t", name)

    def keys(self, name: str, *keys: str) -> None:
        for key in keys:
            self.run("send-keys", "-t", name, key)
            time.sleep(0.15)

    def type(self, name: str, text: str) -> None:
        """Literal text, once the line that takes it is on screen (checked by the caller)."""
        self.run("send-keys", "-t", name, "-l", text)
        time.sleep(0.15)

    def wait_for(self, name: str, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen(name)
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared in {name}; the screen was:\n{screen}")

    def wait_gone(self, name: str, text: str, timeout: float = 30.0) -> None:
        """Until `text` left the screen (a modal closed: keys now reach the inbox)."""
        deadline = time.monotonic() + timeout
        while text in self.screen(name):
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} stayed on {name}'s screen")
            time.sleep(0.2)

    def kill_server(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, timeout=10)
