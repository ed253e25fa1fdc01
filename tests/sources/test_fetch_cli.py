"""`veille fetch`, `veille sources` and `veille config` end to end: real server, real store."""

from __future__ import annotations

from pathlib import Path

from cli.main import main
from sources.config import ConfigError, load_config
from sources.health import HealthFiles
from store.inbox import Inbox

from .conftest import Reply

RSS = "application/rss+xml; charset=utf-8"


def feed(n: int, start: int = 0) -> str:
    items = "".join(
        f"<item><title>Lumio lamp report {i}</title><link>https://forum.example.org/t/{i}</link>"
        f"<guid isPermaLink='false'>t-{i}</guid>"
        f"<pubDate>Sun, 22 Nov 2026 08:{i:02d}:00 GMT</pubDate>"
        f"<description>Unique words number {i} zebra{i} about the Lumio glow lamp</description>"
        f"</item>"
        for i in range(start, start + n)
    )
    return (
        f"<?xml version='1.0'?><rss version='2.0'><channel><title>F</title>{items}</channel></rss>"
    )


def write_config(tmp_path: Path, sources: list[tuple[str, str]]) -> Path:
    lines = ['user = "camille"', "", "[[brands]]", 'name = "Lumio"', 'keywords = ["lumio"]']
    for name, url in sources:
        lines += ["", "[[sources]]", f'name = "{name}"', 'kind = "rss"', f'url = "{url}"']
    path = tmp_path / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def veille(config: Path, store: Path, *args: str) -> int:
    return main(["--config", str(config), "--store", str(store), *args])


def test_fetch_stores_new_mentions_reports_each_source_and_survives_one_failure(
    server, tmp_path, capsys
):
    etag = '"e1"'

    def good(seen):
        if seen.headers.get("if-none-match") == etag:
            return Reply(304, {"ETag": etag})
        return Reply(200, {"Content-Type": RSS, "ETag": etag}, feed(3))

    config = write_config(
        tmp_path,
        [
            ("forum", server.route("/forum.rss", good)),
            ("blog", server.route("/blog.rss", Reply(200, {"Content-Type": RSS}, feed(2, 10)))),
            ("gone", server.route("/gone.rss", Reply(410))),
        ],
    )
    store = tmp_path / "store"
    assert veille(config, store, "fetch", "--parse", "inline") == 0
    out = capsys.readouterr().out.splitlines()
    assert "forum: 3 new, 0 unchanged" in out
    assert "blog: 2 new, 0 unchanged" in out
    assert any(line.startswith("gone: error: server answered 410 Gone") for line in out)
    assert out[-1].startswith("total: 3 sources, 5 new mentions, 1 failed; polled in ")

    with Inbox.open(store, user="camille") as inbox:
        stored = inbox.mention("rss:forum#t-1")  # ids scoped to their source
        assert stored is not None and stored.source == "forum"
        assert stored.text == "Unique words number 1 zebra1 about the Lumio glow lamp"
        ids = [f"rss:forum#t-{i}" for i in (0, 1, 2)] + ["rss:blog#t-10", "rss:blog#t-11"]
        assert all(inbox.mention(i) is not None for i in ids)
        assert inbox.ranked_ids()  # grouped (these near-identical reports may share a group)

    health = HealthFiles(store / "sources")
    assert health.load("forum").cursor == {"etag": etag}
    gone = health.load("gone")
    assert gone.consecutive_failures == 1 and "410 Gone" in gone.last_error
    assert gone.next_poll is not None

    # again: the forum answers 304, the blog's entries are already stored
    assert veille(config, store, "fetch") == 0  # the default: parsing in a process pool
    out = capsys.readouterr().out.splitlines()
    assert "forum: unchanged (not modified since last fetch)" in out
    assert "blog: 0 new, 2 unchanged" in out
    assert health.load("gone").consecutive_failures == 2

    assert veille(config, store, "sources") == 0
    table = capsys.readouterr().out
    assert "failing x2" in table and "410 Gone" in table
    assert "forum" in table and " ok " in table


def test_fetch_stores_the_same_records_whether_workers_or_the_main_process_parse(
    server, tmp_path, capsys
):
    """The pipeline's first half runs in the parsing workers by default: it must decide
    exactly what the main process decides (brands, priority, signals, groups)."""
    body = feed(6).replace("report 3", "report 3 a pris feu, remboursement ?")
    url = server.route("/f.rss", Reply(200, {"Content-Type": RSS}, body))
    config = write_config(tmp_path, [("forum", url)])
    records = {}
    for mode in ("process", "inline"):
        store = tmp_path / mode
        assert veille(config, store, "fetch", "--parse", mode) == 0
        with Inbox.open(store, user="camille") as inbox:
            records[mode] = sorted(
                (
                    {k: v for k, v in m.to_json().items() if k != "fetched_at"}
                    for m in (inbox.mention(f"rss:forum#t-{i}") for i in range(6))
                ),
                key=lambda r: r["id"],
            )
    assert records["process"] == records["inline"]
    urgent = next(r for r in records["process"] if r["id"] == "rss:forum#t-3")
    assert urgent["brands"] == ["Lumio"]
    assert urgent["signals"][:2] == ["crisis: feu", "complaint: remboursement"]


def test_fetch_exits_non_zero_only_when_every_source_failed(server, tmp_path, capsys):
    config = write_config(
        tmp_path,
        [
            ("a", server.route("/a", Reply(500))),
            (
                "b",
                server.route("/b", Reply(200, {"Content-Type": "text/html"}, "<html>login</html>")),
            ),
        ],
    )
    assert veille(config, tmp_path / "store", "fetch", "--parse", "inline") == 1
    out = capsys.readouterr().out
    assert "a: error: server answered 500" in out
    assert "b: error: not a feed: the address returned a web page" in out


def test_fetch_one_source_by_name_and_unknown_names_are_refused(server, tmp_path, capsys):
    config = write_config(
        tmp_path,
        [
            ("a", server.route("/a", Reply(200, {"Content-Type": RSS}, feed(1)))),
            ("b", server.route("/b", Reply(200, {"Content-Type": RSS}, feed(1, 5)))),
        ],
    )
    store = tmp_path / "store"
    assert veille(config, store, "fetch", "--source", "b", "--parse", "inline") == 0
    assert capsys.readouterr().out.strip() == "b: 1 new, 0 unchanged"
    assert [r.path for r in server.requests] == ["/b"]
    assert veille(config, store, "fetch", "--source", "nope") == 2
    assert "no source named 'nope'" in capsys.readouterr().err


def test_config_errors_name_the_file_the_line_and_what_is_expected(tmp_path, capsys):
    path = tmp_path / "config.toml"
    path.write_text(
        'user = "camille"\n\n[[sources]]\nname = "f"\nkind = "rss"\nurl = "https://x.example/f"\n'
        'every = "soon"\n',
        encoding="utf-8",
    )
    try:
        load_config(path)
    except ConfigError as exc:
        assert exc.path == str(path) and exc.line == 7
        assert ("every" in str(exc) and "5m" in str(exc)) or "duration" in str(exc)
    else:
        raise AssertionError("a bad duration was accepted")
    assert main(["--config", str(path), "config", "check"]) == 1
    err = capsys.readouterr().err
    assert f"{path}, line 7" in err

    path.write_text('user = "camille"\n[[brands]\nname = "x"\n', encoding="utf-8")
    assert main(["--config", str(path), "config", "check"]) == 1
    assert f"{path}, line 2" in capsys.readouterr().err


def test_config_init_writes_an_example_that_checks_and_never_overwrites(tmp_path, capsys):
    path = tmp_path / "veille" / "config.toml"
    assert main(["--config", str(path), "config", "init"]) == 0
    assert path.read_text(encoding="utf-8").startswith("# veille configuration")
    assert main(["--config", str(path), "config", "check"]) == 0
    assert "OK" in capsys.readouterr().out
    path.write_text("# mine\n", encoding="utf-8")
    assert main(["--config", str(path), "config", "init"]) == 1
    assert path.read_text(encoding="utf-8") == "# mine\n"
