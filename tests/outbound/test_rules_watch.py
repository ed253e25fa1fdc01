"""A rule applied by `veille watch` (a real child process) to a post arriving from a
feed served on 127.0.0.1: the tag and the assignment are in the store, the journal
names the rule, its alert is sent once, and `veille show` / `veille rules undo` see it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

from test_watch import HOOK_SECRET, _alerts, _wait

from store.inbox import Inbox


def _config(tmp_path, platform) -> str:
    path = tmp_path / "config.toml"
    path.write_text(
        'user = "camille"\n[[brands]]\nname = "Lumio"\nkeywords = ["lumio"]\n'
        f'[[sources]]\nname = "forum"\nkind = "rss"\nurl = "{platform.url}/feed.xml"\n'
        'every = "1s"\n[watch]\nalert_webhook_env = "VEILLE_TEST_ALERT_HOOK"\n'
        '[[rules]]\nname = "refund-fr"\nwhen = "brand:Lumio remboursement"\n'
        'tag = ["refund"]\nassign = "ana"\nalert = true\n'
    )
    return str(path)


def _veille(tmp_path, config: str, *args: str, env: dict | None = None, **kw):
    argv = [sys.executable, "-m", "cli.main", "--config", config,
            "--store", str(tmp_path / "store"), *args]  # fmt: skip
    return subprocess.Popen(argv, env={**os.environ, "TZ": "UTC", **(env or {})}, **kw)


def test_watch_applies_a_rule_to_a_post_from_a_local_feed(platform, tmp_path):
    platform.state.feed_items = [
        ("p1", "Lumio : je demande un remboursement, la lampe ne marche pas"),
        ("p2", "Lumio : la nouvelle lampe est jolie"),
    ]
    config = _config(tmp_path, platform)
    err = tmp_path / "watch.err"
    hook = {"VEILLE_TEST_ALERT_HOOK": f"{platform.url}/hooks/{HOOK_SECRET}"}
    with open(err, "w") as stderr:
        proc = _veille(tmp_path, config, "watch", "--tick", "0.2", env=hook,
                       stdout=subprocess.DEVNULL, stderr=stderr)  # fmt: skip
    try:
        _wait(lambda: "rule applied rule=refund-fr" in err.read_text(), "the rule", timeout=30)
        _wait(lambda: any(a.get("veille_kind") == "rule" for a in _alerts(platform)), "its alert")
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
    rule_alerts = [a for a in _alerts(platform) if a.get("veille_kind") == "rule"]
    assert len(rule_alerts) == 1 and "rule refund-fr" in rule_alerts[0]["text"]

    with Inbox.open(tmp_path / "store", user="x") as inbox:
        by_text = {inbox.mention(m).text: m for m in (m.id for m in inbox.all_mentions())}
        refund = next(v for k, v in by_text.items() if "remboursement" in k)
        other = next(v for k, v in by_text.items() if "jolie" in k)
        state = inbox.state(inbox.resolve(refund))
        assert state.tags == ("refund",) and state.assignee == "ana"
        assert inbox.state(inbox.resolve(other)).tags == ()
        events = [e for e in inbox.events() if e.target == inbox.resolve(refund)]
        assert {e.action for e in events} == {"tag", "assign", "note"}
        assert {e.who for e in events} == {"rule:refund-fr"}

    shown = subprocess.run(
        [sys.executable, "-m", "cli.main", "--config", config, "--store", str(tmp_path / "store"),
         "show", refund], capture_output=True, text=True, check=True,
    )  # fmt: skip
    notes = json.loads(shown.stdout)["state"]["notes"]
    assert notes[0]["by"] == "rule:refund-fr"
    assert notes[0]["text"] == "rule refund-fr: tagged #refund, assigned to ana, alert"

    tested = subprocess.run(
        [sys.executable, "-m", "cli.main", "--config", config, "--store", str(tmp_path / "store"),
         "rules", "test", "refund-fr"], capture_output=True, text=True, check=True,
    )  # fmt: skip
    (line,) = tested.stdout.splitlines()
    assert line.startswith(refund) and line.endswith("\tapplied")
    assert "1 group(s) would match" in tested.stderr

    undo = subprocess.run(
        [sys.executable, "-m", "cli.main", "--config", config, "--store", str(tmp_path / "store"),
         "rules", "undo", "refund-fr"], capture_output=True, text=True,
    )  # fmt: skip
    assert undo.returncode == 0, undo.stderr
    assert "refund-fr" in undo.stdout
    with Inbox.open(tmp_path / "store", user="x") as inbox:
        state = inbox.state(inbox.resolve(refund))
        assert state.tags == () and state.assignee is None


def test_fetch_and_the_inbox_poller_apply_the_rules_too(platform, tmp_path):
    from app.ingest import LeasedPolling
    from app.runtime import Runtime

    platform.state.feed_items = [("f1", "Lumio : remboursement demandé")]
    config = _config(tmp_path, platform)
    fetch = _veille(tmp_path, config, "fetch", stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert fetch.wait(30) == 0, fetch.stderr.read() if fetch.stderr else ""
    store = tmp_path / "store"
    with Inbox.open(store, user="camille") as inbox:
        (gid,) = inbox.group_ids()
        assert inbox.state(gid).tags == ("refund",)
        platform.state.feed_items.append(("f2", "Lumio : un autre remboursement, autre sujet"))
        polling = LeasedPolling(Runtime.load(config, store), inbox, tick=0.2)  # the TUI's
        polling.start()
        try:
            _wait(lambda: len(inbox.group_ids()) == 2, "the inbox's own poll", timeout=20)
        finally:
            polling.stop()
        (other,) = [g for g in inbox.group_ids() if g != gid]
        _wait(lambda: inbox.state(other).assignee == "ana", "the rule on the new group")
        assert inbox.state(other).tags == ("refund",)
        assert inbox.user == "camille"  # the poller's thread acted as the rule, not this one
