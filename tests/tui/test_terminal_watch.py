"""The inbox leaves when its terminal hangs up (tui/terminal.py), on a real pseudo-terminal.

Closing a pty's master side is what a dropped SSH connection or a killed tmux window does
to the terminal the inbox reads: the app must notice within its check interval and quit
as `q` does, with the shell's hang-up code, keeping what the user had typed."""

from __future__ import annotations

import asyncio
import os
import signal

from tui.drafts import Drafts
from tui.terminal import CHECK_SECONDS, TerminalWatch, terminal_gone


def test_a_hung_up_pty_is_seen_once() -> None:
    master, slave = os.openpty()
    left: list[int] = []
    watch = TerminalWatch(slave, lambda: left.append(1))
    try:
        assert not terminal_gone(slave)  # a live terminal stays
        os.close(master)  # the other end goes away: the terminal is hung up
        assert terminal_gone(slave)
        watch.hang_up()  # SIGHUP, or the watch's thread, or both: told once
        watch.hang_up()
        assert left == [1]
    finally:
        os.close(slave)


async def test_the_inbox_quits_when_its_terminal_hangs_up(make_app, inbox, tmp_path) -> None:
    master, slave = os.openpty()
    app = make_app(terminal=slave, drafts=Drafts(tmp_path / "drafts.json"))
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.pause()
            await pilot.press("j", "j", "r")  # mastodon:2, claimed to reply
            await pilot.pause()
            await pilot.press(*"Bonjour, nous regardons")  # typing when the line drops
            await pilot.pause(CHECK_SECONDS / 2)
            assert app.is_running  # the terminal is alive: nothing happens
            os.close(master)
            master = -1
            for _ in range(40):
                if not app.is_running:
                    break
                await asyncio.sleep(CHECK_SECONDS / 10)
            assert not app.is_running
        assert app.return_code == 128 + signal.SIGHUP
        assert Drafts(tmp_path / "drafts.json").get("mastodon:2") == "Bonjour, nous regardons"
        assert inbox.state("mastodon:2").claimed_by == "tester"  # the acknowledged claim kept
    finally:
        if master >= 0:
            os.close(master)
        os.close(slave)


async def test_sighup_makes_the_inbox_quit(make_app) -> None:
    master, slave = os.openpty()
    app = make_app(terminal=slave)
    # as from a login shell: a run under `nohup` inherits SIGHUP ignored, which the app
    # rightly keeps (and would not quit)
    inherited = signal.signal(signal.SIGHUP, signal.SIG_DFL)
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.pause()
            # the app's handler is installed (else SIGHUP would end the test process itself)
            assert signal.getsignal(signal.SIGHUP) is not signal.SIG_DFL
            os.kill(os.getpid(), signal.SIGHUP)
            for _ in range(40):
                if not app.is_running:
                    break
                await asyncio.sleep(0.05)
            assert not app.is_running
        assert app.return_code == 129
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_DFL  # given back on the way out
    finally:
        signal.signal(signal.SIGHUP, inherited)
        os.close(master)
        os.close(slave)


async def test_an_inbox_started_under_nohup_keeps_running_through_sighup(make_app) -> None:
    master, slave = os.openpty()
    app = make_app(terminal=slave)
    inherited = signal.signal(signal.SIGHUP, signal.SIG_IGN)  # `nohup veille`
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.pause()
            os.kill(os.getpid(), signal.SIGHUP)
            await asyncio.sleep(0.3)
            assert app.is_running  # the user asked for it to outlive the hang-up
            await pilot.press("q")
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN  # left as it was
    finally:
        signal.signal(signal.SIGHUP, inherited)
        os.close(master)
        os.close(slave)


async def test_an_inbox_stuck_after_its_terminal_went_is_ended() -> None:
    """Textual's output thread dies on the hung-up terminal and its full queue can block
    the loop for good: the watch's own thread still sees the hang-up, and if the process
    is still there after the grace period, it is ended with the hang-up code."""
    master, slave = os.openpty()
    left: list[int] = []
    ended: list[int] = []
    watch = TerminalWatch(slave, lambda: left.append(1), hard_exit=ended.append, grace=0.2)
    try:
        watch.arm()
        os.close(master)
        master = -1
        for _ in range(60):  # the thread checks once a second, then the grace period
            if ended:
                break
            await asyncio.sleep(0.05)
        assert left == [1]  # asked to leave once, on the loop
        assert ended == [128 + signal.SIGHUP]  # and ended, as it did not
        assert os.read(slave, 10) == b""  # the terminal's descriptor now reads /dev/null
    finally:
        watch.disarm()
        if master >= 0:
            os.close(master)
        os.close(slave)
