"""Two Unix accounts share one store through a group (store_mode = "group").

Real accounts: the test creates two users and a group (it must run as root; skipped
otherwise), and each step runs in a child process that has become that user, with the
common umask 022 that would otherwise take the group's write bit away.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
import traceback
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from store.errors import StoreError
from store.files import prepare_store
from store.inbox import Inbox
from triage.model import Author, Mention, utcnow

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("useradd") is None,
    reason="creating Unix accounts needs root and useradd",
)


def _mention(n: int, days_ago: int = 0) -> Mention:
    at = utcnow() - timedelta(days=days_ago, minutes=n)
    return Mention(
        id=f"rss:{n}",
        platform="rss",
        source="feed",
        url=f"https://blog.example/{n}",
        author=Author(name=f"author{n}"),
        text=f"Lumio post number {n}",
        created_at=at,
        fetched_at=at,
        brands=("Lumio",),
    )


@pytest.fixture(scope="module")
def accounts():
    """(group name, {user: (uid, gid)}) created for this test and removed after it."""
    tag = f"{os.getpid() % 100000}"
    group, users = f"vteam{tag}", {"alice": f"vali{tag}", "bob": f"vbob{tag}"}
    subprocess.run(["groupadd", group], check=True, capture_output=True)
    ids = {}
    try:
        for short, name in users.items():
            subprocess.run(
                ["useradd", "-M", "-N", "-g", group, "-s", "/usr/sbin/nologin", name],
                check=True, capture_output=True,
            )  # fmt: skip
            out = subprocess.run(["id", "-u", name], check=True, capture_output=True, text=True)
            ids[short] = int(out.stdout)
        import grp

        gid = grp.getgrnam(group).gr_gid
        yield group, {short: (uid, gid) for short, uid in ids.items()}
    finally:
        for name in users.values():
            subprocess.run(["userdel", name], capture_output=True)
        subprocess.run(["groupdel", group], capture_output=True)


def as_user(ids: tuple[int, int], step: Callable[[], None]) -> None:
    """Run `step` in a child process that has become the user (umask 022); raise its error."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: become the user, run, report
        os.close(read)
        code = 0
        try:
            uid, gid = ids
            os.setgroups([gid])
            os.setgid(gid)
            os.setuid(uid)
            os.umask(0o022)
            step()
        except BaseException:
            os.write(write, traceback.format_exc().encode())
            code = 1
        os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        error = pipe.read().decode()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, error


@pytest.fixture
def shared_root():
    base = Path(tempfile.mkdtemp(prefix="veille-share-", dir="/tmp"))
    base.chmod(0o1777)  # like /tmp or /srv: either account may create the store inside
    yield base / "store"
    shutil.rmtree(base)


def test_two_accounts_in_one_group_both_write_the_store(accounts, shared_root):
    group, users = accounts
    root = shared_root

    def alice_creates() -> None:
        prepare_store(root, "group", group)
        with Inbox.open(root, user="alice") as inbox:
            inbox.ingest([_mention(1), _mention(2)])
            inbox.tag("rss:1", add=["bug"])

    def bob_acts() -> None:
        with Inbox.open(root, user="bob") as inbox:
            assert inbox.state("rss:1").tags == ("bug",)  # he reads alice's work
            inbox.tag("rss:1", add=["refund"])  # replaces her state file, appends her journal
            inbox.ingest([_mention(3, days_ago=3)])  # a day partition of his own

    def alice_again() -> None:
        with Inbox.open(root, user="alice") as inbox:
            assert inbox.state("rss:1").tags == ("bug", "refund")
            assert inbox.mention("rss:3") is not None
            inbox.set_status("rss:3", "done")  # she rewrites the files bob created

    as_user(users["alice"], alice_creates)
    as_user(users["bob"], bob_acts)
    as_user(users["alice"], alice_again)

    gid = users["alice"][1]
    owners = set()
    for folder, _dirs, files in os.walk(root):
        st = os.stat(folder)
        assert stat.S_IMODE(st.st_mode) == 0o2770, folder
        assert st.st_gid == gid, folder
        for name in files:
            path = Path(folder) / name
            st = os.stat(path)
            owners.add(st.st_uid)
            assert st.st_gid == gid, path
            assert st.st_mode & 0o040, f"{path} not readable by the group"
            if name == "lock" or path.parent.name == "journal":  # written in place
                assert st.st_mode & 0o020, f"{path} not writable by the group"
            elif path.parent.name in ("state", "mentions"):  # replaced atomically
                assert stat.S_IMODE(st.st_mode) == 0o660, path
    assert owners >= {users["alice"][0], users["bob"][0]}  # both wrote files


def test_a_private_store_stays_closed_to_the_group(accounts, shared_root):
    _group, users = accounts

    def alice_creates() -> None:
        prepare_store(shared_root)  # private: the default
        with Inbox.open(shared_root, user="alice") as inbox:
            inbox.ingest([_mention(1)])

    def bob_tries() -> None:
        try:
            Inbox.open(shared_root, user="bob")
        except (PermissionError, StoreError):
            return
        raise AssertionError("bob opened alice's private store")

    as_user(users["alice"], alice_creates)
    as_user(users["bob"], bob_tries)
    assert stat.S_IMODE(os.stat(shared_root).st_mode) == 0o700


def test_an_existing_private_store_is_converted_and_bad_settings_refused(accounts, shared_root):
    group, users = accounts

    def alice_creates_then_shares() -> None:
        with Inbox.open(shared_root, user="alice") as inbox:
            inbox.ingest([_mention(1)])
        prepare_store(shared_root, "group", group)

    def bob_writes() -> None:
        with Inbox.open(shared_root, user="bob") as inbox:
            inbox.note("rss:1", "seen by bob")

    as_user(users["alice"], alice_creates_then_shares)
    as_user(users["bob"], bob_writes)
    with pytest.raises(StoreError, match="expected one of: private, group"):
        prepare_store(shared_root, "shared")
    with pytest.raises(StoreError, match="no Unix group named 'no-such-group-x'"):
        prepare_store(shared_root, "group", "no-such-group-x")
