"""The user's promise, end to end: "every post naming the CEO: tag crisis, hand to comms,
page me" holds through an OOM kill. A real `veille fetch` reads a feed served on
127.0.0.1 and is killed (SIGKILL) once the posts are stored, before their rules run; then
a real `veille watch` polls the same feed (the killed fetch saved no cursor) and the
rule acts once: the tag once, the hand-off delivered once to the team's webhook, the
page (the rule's alert) delivered once to the on-call webhook."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "outbound"))

from platform_server import PlatformServer  # noqa: E402

from store.inbox import Inbox  # noqa: E402
from store.owed import FOLDER  # noqa: E402

HOOK_ENV = "VEILLE_RULES21_ALERT_HOOK"
ITEMS = [
    ("p1", "Lumio : le PDG a menti sur la panne des lampes de salon"),
    ("p2", "Lumio remboursement refusé, colis perdu depuis trois semaines"),
    ("p3", "Le PDG de Lumio invité à la radio ce matin parle de garantie"),
]


def _config(folder: Path, base: str) -> Path:
    path = folder / "config.toml"
    path.write_text(
        'user = "camille"\n[[brands]]\nname = "Lumio"\nkeywords = ["lumio"]\n'
        f'[[teams]]\nname = "comms"\nwebhook = "{base}/hooks/comms"\n'
        f'[[sources]]\nname = "forum"\nkind = "rss"\nurl = "{base}/feed.xml"\nevery = "1s"\n'
        f'allow_private = true\n[watch]\nalert_webhook_env = "{HOOK_ENV}"\n'
        '[[rules]]\nname = "ceo"\nwhen = "brand:Lumio pdg"\ntag = ["crisis"]\n'
        'hand_off = { team = "comms", note = "le PDG est cité" }\nalert = true\n'
    )
    return path


def _veille(folder: Path, config: Path, *args: str, crash: str | None = None, **kw):
    env = {k: v for k, v in os.environ.items() if not k.startswith("VEILLE_")}
    env |= {"PYTHONPATH": str(ROOT), "HOME": str(folder), "XDG_DATA_HOME": str(folder / "d")}
    env[HOOK_ENV] = kw.pop("hook")
    if crash:
        env["VEILLE_CRASH_AT"] = crash
    argv = [sys.executable, "-m", "cli.main", "--config", str(config),
            "--store", str(folder / "store"), *args]  # fmt: skip
    return subprocess.Popen(argv, env=env, cwd=ROOT, **kw)


def _owed(store: Path) -> list[Path]:
    """The records still owed (an emptied file is a process's free slot)."""
    return [p for p in (store / FOLDER).glob("*.json") if p.stat().st_size]


def _wait(cond, what: str, timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_fetch_killed_before_its_rules_pages_once_through_the_next_watch(tmp_path):
    with PlatformServer() as platform:
        platform.state.feed_items = list(ITEMS)
        config = _config(tmp_path, platform.url)
        hook = f"{platform.url}/hooks/oncall"
        fetch = _veille(tmp_path, config, "fetch", crash="before-rules", hook=hook,
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
        _, err = fetch.communicate(timeout=60)
        assert fetch.returncode == -signal.SIGKILL, err[-2000:]
        with Inbox.open(tmp_path / "store", user="x") as inbox:
            assert len(inbox) == 3  # stored, not ruled
            assert all(inbox.state(g).notes == () for g in inbox.group_ids())
        assert len(_owed(tmp_path / "store")) == 1

        log = tmp_path / "watch.err"
        with open(log, "w") as stderr:
            watch = _veille(tmp_path, config, "watch", "--tick", "0.2", hook=hook,
                            stdout=subprocess.DEVNULL, stderr=stderr)  # fmt: skip

        def hooks(path: str) -> list[dict]:
            with platform.state.lock:
                return [h["json"] for h in platform.state.hooks if h["path"] == path]

        try:
            _wait(lambda: len(hooks("/hooks/oncall")) >= 2, "two pages", timeout=40)
            _wait(lambda: len(hooks("/hooks/comms")) >= 2, "two hand-offs")
            time.sleep(3)  # a few more rounds: nothing is sent twice
        finally:
            watch.send_signal(signal.SIGTERM)
            assert watch.wait(20) == 0, log.read_text()[-3000:]
    text = log.read_text()
    assert "rules replayed" in text and "Traceback" not in text, text[-3000:]
    pages = [a for a in hooks("/hooks/oncall") if a.get("veille_kind") == "rule"]
    paged = sorted(
        n for a in pages for n in ("p1", "p3") if ITEMS[int(n[1]) - 1][1][:20] in a["text"]
    )
    assert paged == ["p1", "p3"], pages  # each CEO post paged once, the other never
    assert len(hooks("/hooks/comms")) == 2, hooks("/hooks/comms")
    with Inbox.open(tmp_path / "store", user="x") as inbox:
        ruled = [g for g in inbox.group_ids() if inbox.state(g).tags]
        assert len(ruled) == 2
        for gid in ruled:
            state = inbox.state(gid)
            assert state.tags == ("crisis",) and state.handoff is not None
            assert state.handoff.delivery.value == "delivered"
            acts = [(e.who, e.action) for e in inbox.events() if e.target == gid]
            assert acts.count(("rule:ceo", "handoff")) == 1 and len(state.notes) == 1
    assert _owed(tmp_path / "store") == []
