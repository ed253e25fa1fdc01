"""`veille fetch` does not pay for httpx's command-line client (click, rich, pygments).

httpx imports it on every import unless that import fails; `sources/__init__.py` makes
it fail. Checked in a fresh interpreter, the way a cron job starts veille.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _loaded(code: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys\nprint(' '.join(sorted(k for k, v in sys.modules.items() if v is not None)))"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return set(done.stdout.split())


def test_the_fetch_path_imports_httpx_without_its_cli() -> None:
    loaded = _loaded("import cli.main, cli.listen, app.ingest")
    assert "httpx" in loaded
    assert not {"httpx._main", "click", "rich", "pygments"} & loaded


def test_a_module_importing_httpx_first_still_skips_it_when_started_from_the_cli() -> None:
    # app.services.watch imports httpx before any sources module; the command line
    # imports the sources package first
    loaded = _loaded("import cli.main\nimport app.services.watch")
    assert not {"httpx._main", "click", "rich"} & loaded


def test_httpx_still_works_and_its_cli_stub_says_why(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import sources, httpx; httpx.main()"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "command line client could not run" in done.stdout


def test_feedparser_is_imported_only_when_a_feed_needs_it() -> None:
    plain = (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>t</title>"
        "<item><title>Lumio</title><guid>https://x.example/1</guid></item></channel></rss>"
    )
    rdf = (
        "<?xml version='1.0'?><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'"
        " xmlns='http://purl.org/rss/1.0/'><channel rdf:about='https://x.example/'>"
        "<title>t</title></channel><item rdf:about='https://x.example/2'><title>Glow</title>"
        "<link>https://x.example/2</link></item></rdf:RDF>"
    )
    code = (
        "import sys\n"
        "from sources.rss import parse_feed\n"
        "h = {'content-type': 'application/rss+xml; charset=utf-8'}\n"
        f"m, _ = parse_feed({plain!r}.encode(), h, 'https://x.example/f', 'f', 'rss')\n"
        "print(m[0].title, 'feedparser' in sys.modules)\n"
        f"m, _ = parse_feed({rdf!r}.encode(), h, 'https://x.example/f', 'f', 'rss')\n"
        "print(m[0].title, 'feedparser' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.split("\n")[:2] == ["Lumio False", "Glow True"]
