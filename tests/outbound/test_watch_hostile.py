"""`veille watch` against a hostile feed (issue 18 item 2): a guid holding a newline and a
terminal escape among several urgent posts. Every alert reaches the webhook exactly once,
the hostile one too, with its id cleaned; nothing is re-posted on later ticks."""

from __future__ import annotations

import signal
import time

from test_watch import HOOK_SECRET, _alerts, _wait
from test_watch_cli import _veille

URGENT = [
    ("https://forum.example/t/1", "Lumio battery exploded in my kitchen, someone injured, danger"),
    ("https://forum.example/t/2", "My Lumio charger caught fire and burned the sofa, dangerous"),
    ("https://forum.example/t/3", "Lumio app leaked my password, data breach, lawyer called"),
    # a guid holding a newline and an ESC sequence (a raw ESC byte in the XML)
    ("evil\nline\x1b[31mred", "Lumio lamp electrocuted my kid, hospital, urgent recall now"),
]


def _config(tmp_path, platform) -> str:
    path = tmp_path / "config.toml"
    path.write_text(
        'user = "camille"\n[[brands]]\nname = "Lumio"\nkeywords = ["lumio"]\n'
        f'[[sources]]\nname = "forum"\nkind = "rss"\nurl = "{platform.url}/feed.xml"\n'
        'every = "1s"\n[watch]\nalert_webhook_env = "VEILLE_TEST_ALERT_HOOK"\n'
    )
    return str(path)


def test_a_hostile_guid_neither_blocks_nor_repeats_alerts(platform, tmp_path):
    platform.state.feed_items = URGENT
    proc = _veille(tmp_path, platform, _config(tmp_path, platform), "--tick", "0.2", run="evil")
    err = tmp_path / "cli-evil.err"
    try:
        _wait(lambda: "new=4" in err.read_text(), "the feed's posts to be stored", timeout=20)
        _wait(
            lambda: sum(a.get("veille_kind") == "urgent" for a in _alerts(platform)) >= 4,
            "the four urgent alerts",
        )
        time.sleep(1.5)  # several more ticks: nothing may be re-posted
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
    log = err.read_text()
    urgent = [a for a in _alerts(platform) if a.get("veille_kind") == "urgent"]
    keys = [a["veille_alert"] for a in urgent]
    assert len(keys) == len(set(keys)) == 4, keys  # each delivered once
    (evil,) = [k for k in keys if "evil" in k]
    assert "\n" not in evil and "\x1b" not in evil  # cleaned, still recognisable
    assert "\\n" in evil or "line" in evil
    assert "tick failed" not in log and "alert failed" not in log
    assert "\x1b" not in log
    assert HOOK_SECRET not in log
