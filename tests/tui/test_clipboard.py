"""Copying and opening where community managers really work: over SSH, inside tmux.

tmux's defaults drop an application's OSC 52, so inside tmux the copy goes through
`tmux load-buffer`; these tests start a real tmux server (its own socket), run veille in
one of its panes, press the keys and read `tmux show-buffer` back. Opening a post starts
the browser named by $BROWSER (a script that writes down the URL) when the session is
local, and shows a terminal hyperlink when it is not.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import textwrap
import time
import webbrowser
from pathlib import Path

import pytest

from tui.services.clipboard import TMUX_BUFFER, copy, local_browser
from tui.widgets.copy_panel import CopyPanel

from .conftest import notifications, screen_text

ROOT = Path(__file__).resolve().parents[2]
needs_tmux = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


class TmuxServer:
    """A private tmux server (its own socket) with one session."""

    def __init__(self, name: str, env: dict[str, str]) -> None:
        self.name = name
        self.env = env

    def run(self, *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["tmux", "-L", self.name, *args],
            capture_output=True, text=True, timeout=10, env=self.env, check=check,
        )  # fmt: skip

    def start(self, command: str, size: tuple[int, int] = (120, 40)) -> None:
        self.run(
            "-f", "/dev/null", "new-session", "-d", "-s", "main",
            "-x", str(size[0]), "-y", str(size[1]), command, check=True,
        )  # fmt: skip

    @property
    def socket(self) -> str:
        return self.run("display", "-p", "-t", "main", "#{socket_path}").stdout.strip()

    def buffer(self) -> str:
        return self.run("show-buffer").stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "main").stdout

    def keys(self, *keys: str) -> None:
        for key in keys:
            self.run("send-keys", "-t", "main", key)
            time.sleep(0.1)

    def wait_for(self, what, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        seen = ""
        while time.monotonic() < deadline:
            seen = what()
            if seen:
                return seen
            time.sleep(0.1)
        raise AssertionError(f"timed out; the screen was:\n{self.screen()}")


@pytest.fixture
def tmux(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("TMUX", "COLUMNS", "LINES")}
    env["TERM"] = "xterm-256color"
    server = TmuxServer(f"veille-clip-{os.getpid()}-{tmp_path.name}", env)
    yield server
    server.run("kill-server")


@needs_tmux
def test_copy_inside_tmux_lands_in_its_buffer(tmux):
    tmux.start("sleep 30")
    env = {**tmux.env, "TMUX": f"{tmux.socket},1,0"}  # as a program in one of its panes
    terminal = io.StringIO()
    text = "Bonjour Ana, merci ✨ — nous regardons ça en message privé."
    copied = copy(text, terminal, env=env)
    assert tmux.buffer() == text
    assert copied.ways == (TMUX_BUFFER,)  # the bare OSC 52 is not claimed inside tmux
    assert terminal.getvalue().startswith("\x1bPtmux;\x1b\x1b]52;c;")  # passthrough form too
    outside = copy("x", io.StringIO(), env={k: v for k, v in env.items() if k != "TMUX"})
    assert outside.describe() == "the terminal's clipboard"


LAUNCH = """
import sys
sys.path.insert(0, {root!r})
from store.inbox import Inbox
from triage.config import BrandConfig, Config
from tui.app import VeilleApp
box = Inbox.open(sys.argv[1], user="tester")
VeilleApp(box, Config(user="tester", brands=(BrandConfig("Lumio"),)), poll_interval=0).run()
"""


@needs_tmux
def test_in_a_tmux_pane_y_and_a_manual_reply_reach_the_tmux_buffer(tmux, store_path, tmp_path):
    script = tmp_path / "launch.py"
    script.write_text(textwrap.dedent(LAUNCH.format(root=str(ROOT))))
    tmux.start(f"{sys.executable} {script} {store_path}; sleep 30")
    tmux.wait_for(lambda: "@ana" in tmux.screen())
    tmux.keys("y")
    assert tmux.wait_for(tmux.buffer) == "https://social.example/@u1/1"
    tmux.wait_for(lambda: "Link copied to the tmux buffer" in tmux.screen())
    # a reply to an RSS-like post (no posting API here): copied and shown for the hand
    tmux.keys("r")
    tmux.wait_for(lambda: "Reply to" in tmux.screen())
    tmux.run("send-keys", "-t", "main", "-l", "Merci Ana, on regarde")
    time.sleep(0.3)
    tmux.keys("C-s")
    screen = tmux.wait_for(
        lambda: (s := tmux.screen()) and ("Send anyway?" in s or "made by hand" in s) and s
    )
    if "Send anyway?" in screen:
        tmux.keys("y")
    tmux.wait_for(lambda: "made by hand" in tmux.screen())
    assert tmux.buffer() == "Merci Ana, on regarde"
    screen = tmux.screen()
    assert "Merci Ana, on regarde" in screen  # shown whole for copying by hand
    assert "https://social.example/@u1/1" in screen  # where to paste it, unbroken


def test_local_browser_is_only_the_users_own_desktop():
    assert local_browser({"DISPLAY": ":0"}, "linux")
    assert local_browser({}, "darwin")
    assert not local_browser({}, "linux")  # a server console
    assert not local_browser({"DISPLAY": ":0", "SSH_CONNECTION": "1 2 3 4"}, "linux")
    assert not local_browser({"SSH_TTY": "/dev/pts/1"}, "darwin")


async def test_o_opens_the_post_in_the_local_browser(make_app, tmp_path, monkeypatch):
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser.sh"
    browser.write_text(f'#!/bin/sh\nprintf %s "$1" > {opened}\n')
    browser.chmod(0o755)
    for name in ("SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY", "TMUX"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setenv("BROWSER", f"{browser} %s")
    monkeypatch.setattr(webbrowser, "_tryorder", None)  # read $BROWSER afresh
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("j", "o")
        await pilot.pause()
        deadline = time.monotonic() + 5
        while not opened.exists() and time.monotonic() < deadline:
            await pilot.pause(0.05)
        assert opened.read_text() == "https://social.example/@u6/6"
        assert not isinstance(app.screen, CopyPanel)


async def test_o_over_ssh_shows_a_hyperlink_and_y_copies_the_link(make_app, monkeypatch):
    monkeypatch.delenv("TMUX", raising=False)
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.2 50000 10.0.0.1 22")
    monkeypatch.setenv("DISPLAY", ":0")  # X forwarding does not make the browser local
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, CopyPanel)
        text = screen_text(app)
        assert "https://social.example/@u1/1" in text
        assert "No browser on this machine" in text
        url = app.screen.query_one("#copy-url")
        assert [s.style.link for s in url.visual.spans] == ["https://social.example/@u1/1"]
        assert app.clipboard == "https://social.example/@u1/1"  # copied as well
        await pilot.press("escape", "j", "y")
        await pilot.pause()
        assert app.clipboard == "https://social.example/@u6/6"
        assert any("https://social.example/@u6/6" in n for n in notifications(app))


async def test_reopen_moved_to_capital_o(make_app, inbox):
    inbox.set_status("mastodon:1", "done")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.screen.set_filter("status:done")
        await pilot.pause()
        await pilot.press("O")
        await pilot.pause()
        assert inbox.state("mastodon:1").status.value == "open"
