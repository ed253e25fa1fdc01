"""End to end: the inbox quits when its terminal goes away, instead of spinning.

A closed SSH session or a killed tmux window hangs the terminal up. The kernel tells the
session leader only; a parent that does not pass SIGHUP on (`make demo`: make catches it
and dies alone) left the inbox orphaned, reading end-of-file ten times a second at ~90 %
of a core and holding the store's poller lease. Here the parent is a small program that
ignores the hang-up, as make does, and writes down its child's pid and exit code.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.tmux_session import Tmux

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

ROOT = Path(__file__).resolve().parents[2]

# ignores the hang-up itself (as make does) and does not pass it on; the child gets the
# default disposition back, as make's recipe does
PARENT = """
import signal, subprocess, sys, time
open(sys.argv[1] + ".parent", "w").write(str(__import__("os").getpid()))
signal.signal(signal.SIGHUP, signal.SIG_IGN)
child = subprocess.Popen(
    sys.argv[2:], preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_DFL)
)
open(sys.argv[1] + ".pid", "w").write(str(child.pid))
code = child.wait()
open(sys.argv[1] + ".code", "w").write(str(code))
time.sleep(20)  # the pane stays for the test to read it; then nothing is left running
"""


@pytest.fixture
def tmux(tmp_path: Path):
    server = Tmux(f"veille-hup-{os.getpid()}-{tmp_path.name}")
    yield server
    server.kill_server()
    for pid_file in (*tmp_path.glob("*.pid"), *tmp_path.glob("*.parent")):
        # the parent ignores SIGHUP: the tmux server going away does not end it
        with contextlib.suppress(OSError, ValueError):
            os.kill(int(pid_file.read_text()), signal.SIGKILL)


def _start_demo(tmux: Tmux, tmp_path: Path) -> tuple[Path, int]:
    parent = tmp_path / "parent.py"
    parent.write_text(PARENT, encoding="utf-8")
    record = tmp_path / "child"
    command = (
        f"cd {ROOT} && exec {sys.executable} {parent} {record} "
        f"{sys.executable} -m cli.main demo --demo-store {tmp_path / 'store'}"
    )
    tmux.start("demo", command, width=140, height=40)
    tmux.wait_for("demo", "Lumio", timeout=60)
    return record, int(Path(f"{record}.pid").read_text())


def _wait_exit(record: Path, pid: int, timeout: float = 15.0) -> int:
    deadline = time.monotonic() + timeout
    code = Path(f"{record}.code")
    while time.monotonic() < deadline:
        if code.exists() and code.read_text():
            return int(code.read_text())
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)  # leave no spinning orphan behind a failed test
    raise AssertionError(f"the inbox (pid {pid}) was still running {timeout} s after the hang-up")


def test_inbox_quits_when_its_window_is_killed(tmux: Tmux, tmp_path: Path) -> None:
    record, pid = _start_demo(tmux, tmp_path)
    tmux.run("kill-session", "-t", "demo")  # the window closes; the parent ignores SIGHUP
    assert _wait_exit(record, pid) == 129  # ended by the hang-up, as a shell reports it


def test_inbox_quits_on_sighup_and_gives_the_terminal_back(tmux: Tmux, tmp_path: Path) -> None:
    record, pid = _start_demo(tmux, tmp_path)
    os.kill(pid, signal.SIGHUP)
    assert _wait_exit(record, pid) == 129
    time.sleep(0.3)
    assert "Lumio" not in tmux.screen("demo")  # the alternate screen was left: no inbox drawn
