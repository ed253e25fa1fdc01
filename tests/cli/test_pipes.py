"""The command line in a shell: closed pipes, `-filters`, missing stores, --version,
completion. Each test runs the real `python -m cli.main` in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from store.inbox import Inbox
from triage.model import Author, Mention

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime.now(UTC)


def veille(*args: str, **kw) -> list[str]:
    return [sys.executable, "-m", "cli.main", *args]


def env() -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith("VEILLE_")}
    e["PYTHONPATH"] = str(ROOT)
    return e


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    """3000 groups: far more output than a pipe buffer holds."""
    path = tmp_path_factory.mktemp("cli") / "store"
    mentions = [
        Mention(
            id=f"rss:{n}",
            platform="rss",
            source="rss-src",
            url=f"https://example.org/{n}",
            author=Author(name=f"author {n}", handle=f"@a{n}"),
            text=f"Lumio post number {n} " + "padding words " * 20,
            created_at=NOW - timedelta(minutes=n),
            fetched_at=NOW,
            brands=("Lumio",),
            priority=float(n % 90),
            group_id=f"rss:{n}",
        )
        for n in range(3000)
    ]
    with Inbox.open(path, user="ana") as box:
        box.ingest(mentions)
        box.tag("rss:1", add=["done"])
    return path


@pytest.mark.parametrize(
    "args",
    [
        ("list", "--json"),
        ("list",),
        ("export", "--all"),
        ("export", "--format", "csv"),
        ("--help",),
    ],
)
def test_a_closed_pipe_ends_quietly(store, args):
    """`veille list --json | head -1`: one line read, then the reader goes away."""
    full = veille("--store", str(store), *args) if args[0] != "--help" else veille(*args)
    proc = subprocess.Popen(
        full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env(), cwd=ROOT
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # like head -1 exiting
    err = proc.stderr.read().decode()
    code = proc.wait(timeout=60)
    assert first
    assert "Traceback" not in err and "BrokenPipe" not in err, err
    assert err == ""
    assert code in (0, 141)


def test_a_filter_starting_with_a_dash_needs_no_double_dash(store):
    run = subprocess.run(
        veille("--store", str(store), "list", "--all", "-tag:done", "-hn", "--json"),
        capture_output=True, text=True, env=env(), cwd=ROOT, timeout=60,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    ids = [line.split('"group":"')[1].split('"')[0] for line in run.stdout.splitlines()]
    assert len(ids) == 2999 and "rss:1" not in ids
    tagged = subprocess.run(
        veille("--store", str(store), "list", "--all", "tag:done"),
        capture_output=True, text=True, env=env(), cwd=ROOT, timeout=60,
    )  # fmt: skip
    assert tagged.stdout.startswith("rss:1\t")


def test_an_unknown_option_elsewhere_is_still_refused(store):
    run = subprocess.run(
        veille("--store", str(store), "show", "rss:1", "-x"),
        capture_output=True, text=True, env=env(), cwd=ROOT, timeout=60,
    )  # fmt: skip
    assert run.returncode == 2 and "unrecognized arguments: -x" in run.stderr
    typo = subprocess.run(
        veille("--store", str(store), "list", "--jsn"),
        capture_output=True, text=True, env=env(), cwd=ROOT, timeout=60,
    )  # fmt: skip
    assert typo.returncode == 2 and "unrecognized arguments: --jsn" in typo.stderr


def test_a_mistyped_store_is_an_error_unless_created_on_purpose(tmp_path):
    typo = tmp_path / "stroe"
    for args in (("list",), ("tag", "x", "bug"), ("export",)):
        run = subprocess.run(
            veille("--store", str(typo), *args),
            capture_output=True, text=True, env=env(), cwd=ROOT, timeout=60,
        )  # fmt: skip
        assert run.returncode == 2
        assert f"no store at {typo}" in run.stderr and "veille init" in run.stderr
        assert not typo.exists()
    via_env = subprocess.run(
        veille("list"), capture_output=True, text=True, cwd=ROOT, timeout=60,
        env={**env(), "VEILLE_STORE": str(typo)},
    )  # fmt: skip
    assert via_env.returncode == 2 and "$VEILLE_STORE" in via_env.stderr
    made = subprocess.run(
        veille("--store", str(typo), "init"),
        capture_output=True, text=True, env=env(), cwd=ROOT, timeout=60,
    )  # fmt: skip
    assert made.returncode == 0 and "new store" in made.stdout
    listed = subprocess.run(
        veille("--store", str(typo), "list"),
        capture_output=True, text=True, env=env(), cwd=ROOT, timeout=60,
    )  # fmt: skip
    assert listed.returncode == 0 and listed.stdout == ""
    other = tmp_path / "other"
    created = subprocess.run(
        veille("--store", str(other), "--create", "list"),
        capture_output=True, text=True, env=env(), cwd=ROOT, timeout=60,
    )  # fmt: skip
    assert created.returncode == 0 and other.is_dir()


def test_version_and_completion():
    version = subprocess.run(
        veille("--version"), capture_output=True, text=True, env=env(), cwd=ROOT, timeout=60
    )
    assert version.returncode == 0 and version.stdout.startswith("veille ")
    bash = subprocess.run(
        veille("completion", "bash"), capture_output=True, text=True, env=env(), cwd=ROOT,
        timeout=60,
    )  # fmt: skip
    assert bash.returncode == 0 and "complete -o default -F _veille veille" in bash.stdout
    # the script works: bash completes `veille li` to list, `veille list --j` to --json
    probe = (
        bash.stdout
        + '\nCOMP_WORDS=(veille li); COMP_CWORD=1; _veille; echo "${COMPREPLY[@]}"'
        + '\nCOMP_WORDS=(veille list --j); COMP_CWORD=2; _veille; echo "${COMPREPLY[@]}"'
    )
    out = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, timeout=30)
    assert out.stdout.split("\n")[:2] == ["list", "--json"], out.stderr
    zsh = subprocess.run(
        veille("completion", "zsh"), capture_output=True, text=True, env=env(), cwd=ROOT,
        timeout=60,
    )  # fmt: skip
    assert "bashcompinit" in zsh.stdout
