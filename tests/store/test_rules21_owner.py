"""store.owner: whether the process that owes rules still lives, told from real
processes: alive, killed and not yet reaped (a zombie), reaped, a pid now another
process's (its start time differs), and an owner of another place (no verdict)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from store.owner import Owner, dead, me


def _owner_of(pid: int) -> Owner:
    here = me()
    with open(f"/proc/{pid}/stat") as f:
        started = f.read().rsplit(")", 1)[1].split()[19]
    return Owner(here.place, pid, started)


def test_this_process_is_alive_and_round_trips_through_json():
    assert not dead(me())
    assert Owner.from_json(me().to_json()) == me()
    assert Owner.from_json({"place": "x", "pid": "12", "started": "1"}) is None  # damaged
    assert Owner.from_json(None) is None


def test_a_child_alive_then_a_zombie_then_reaped():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        owner = _owner_of(child.pid)
        assert not dead(owner)
        child.kill()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # killed, not reaped: a zombie, dead all the same
            with open(f"/proc/{child.pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    break
            time.sleep(0.01)
        assert dead(owner)
        child.wait()
        assert dead(owner)  # reaped: no such pid
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


def test_a_reused_pid_is_another_process():
    owner = me()
    assert dead(Owner(owner.place, owner.pid, str(int(owner.started) + 1)))


def test_an_owner_elsewhere_gets_no_verdict():
    owner = me()
    assert not dead(Owner("other-host|boot|pid:[4026531836]", 999_999, "1"))
    assert not dead(Owner(owner.place + "x", os.getpid(), owner.started))
