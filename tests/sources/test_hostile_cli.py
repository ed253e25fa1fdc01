"""A hostile feed fetched by the real `veille` command, then every scripting command's
output read byte for byte: no C0 (but tab and newline), C1 or bidi control may reach the
terminal, whichever field of the mention the feed put it in (id, link, author, author
URI, language, title, text)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from .conftest import Reply

ESC = "&#27;[2J&#27;]52;c;ZXZpbA==&#7;"  # clear the screen, write the clipboard
C1 = "&#x9b;31m&#x85;"  # an 8-bit CSI; NEL
BIDI = "&#x202e;&#x2066;"
HOSTILE = ESC + C1 + BIDI

RSS_FEED = (
    "<?xml version='1.0' encoding='utf-8'?><rss version='2.0' "
    "xmlns:dc='http://purl.org/dc/elements/1.1/'><channel>"
    f"<title>Forum{HOSTILE}</title><language>en{HOSTILE}</language>"
    f"<item><title>Lumio{HOSTILE} recall</title>"
    f"<guid isPermaLink='false'>id{HOSTILE}-1</guid>"
    f"<link>https://forum.example.org/t/1{HOSTILE}</link>"
    f"<dc:creator>Ana{HOSTILE}</dc:creator>"
    f"<description>Lumio{HOSTILE} is broken, refund me</description></item>"
    f"<item><title>Lumio{HOSTILE} again</title><description>no id, no link{HOSTILE}"
    "</description></item></channel></rss>"
)
ATOM_FEED = (
    "<?xml version='1.0' encoding='utf-8'?>"
    f"<feed xmlns='http://www.w3.org/2005/Atom' xml:lang='fr{HOSTILE}'><title>T</title>"
    "<id>urn:f</id><entry>"
    f"<id>tag:evil.example,2026:{HOSTILE}</id><title type='html'>Lumio &lt;b&gt;{HOSTILE}"
    "&lt;/b&gt; atom</title>"
    f"<link href='https://evil.example/{HOSTILE}'/>"
    f"<author><name>Bob{HOSTILE}</name><uri>https://evil.example/bob{HOSTILE}</uri></author>"
    f"<content type='html'>Lumio &lt;p&gt;{HOSTILE}&lt;/p&gt; text</content>"
    "<updated>2026-11-22T08:00:00Z</updated></entry></feed>"
)
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")


def run(config: Path, store: Path, *args: str) -> str:
    env = {**os.environ, "HOME": str(store.parent), "USER": "camille", "NO_COLOR": "1"}
    env.pop("VEILLE_CONFIG", None)
    env.pop("VEILLE_STORE", None)
    done = subprocess.run(
        [sys.executable, "-m", "cli.main", "--config", str(config), "--store", str(store), *args],
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
    )
    out = (done.stdout + done.stderr).decode("utf-8", "surrogateescape")
    assert done.returncode == 0, out
    return out


def test_no_control_or_bidi_character_reaches_any_command_output(server, tmp_path):
    rss_url = server.route(
        "/hostile.rss", Reply(200, {"Content-Type": "application/rss+xml"}, RSS_FEED)
    )
    atom_url = server.route(
        "/hostile.atom", Reply(200, {"Content-Type": "application/atom+xml"}, ATOM_FEED)
    )
    config = tmp_path / "config.toml"
    config.write_text(
        'user = "camille"\n\n[[brands]]\nname = "Lumio"\nkeywords = ["lumio"]\n\n'
        f'[[sources]]\nname = "forum"\nkind = "rss"\nurl = "{rss_url}"\n\n'
        f'[[sources]]\nname = "alerts"\nkind = "rss"\nurl = "{atom_url}"\n',
        encoding="utf-8",
    )
    store = tmp_path / "store"
    outputs = {"fetch": run(config, store, "fetch", "--parse", "inline")}
    assert "forum: 2 new" in outputs["fetch"] and "alerts: 1 new" in outputs["fetch"]
    outputs["list"] = run(config, store, "list", "--", "")
    outputs["list --json"] = run(config, store, "list", "--json")
    ids = re.findall(r'"id":"([^"]+)"', outputs["list --json"])
    assert len(ids) == 3, outputs["list --json"]
    for mention in ids:
        outputs[f"show {mention}"] = run(config, store, "show", mention)
    outputs["export"] = run(config, store, "export")
    outputs["export csv"] = run(config, store, "export", "--format", "csv")
    outputs["tag"] = run(config, store, "tag", ids[0], "+checked")
    outputs["undo"] = run(config, store, "undo")
    for name, text in outputs.items():
        bad = sorted({f"U+{ord(c):04X}" for c in UNSAFE.findall(text)})
        assert not bad, f"`veille {name}` printed {bad}:\n{text[:2000]}"
    # the words around the hostile bytes are all there
    assert "Lumio" in outputs["list"] and "recall" in outputs["show " + ids[0]] + outputs["export"]
    assert "is broken, refund me" in outputs["export"]
