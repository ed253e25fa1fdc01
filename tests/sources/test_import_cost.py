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
