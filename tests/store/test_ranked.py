"""The rank file answers the first screen's days exactly as reading groups.jsonl whole."""

from __future__ import annotations

import heapq
import os
import random
from pathlib import Path

import orjson

from store.ranked import RANKED, _tail, first_days, write_ranked


def _reference(groups: Path, shown, rows: int) -> set[str]:
    table = _tail(groups.read_bytes())
    top = heapq.nlargest(rows, ((k[0], k[1], g) for g, k in table.items() if shown(g)))
    return {day for _, _, g in top for day in table[g][2]}


def _lines(rng: random.Random, gids: list[str], day: str, hot: bool = False) -> bytes:
    line = {}
    for gid in gids:
        priority = rng.choice([90.0, 80.0]) if hot else float(rng.randrange(0, 70))
        line[gid] = [priority, f"2026-{day}T{rng.randrange(10, 24)}:00:00Z", day]
    return orjson.dumps(line) + b"\n"


def test_first_days_match_a_whole_read_with_a_tail(tmp_path: Path) -> None:
    rng = random.Random(7)
    groups = tmp_path / "groups.jsonl"
    days = [f"01-{d:02d}" for d in range(1, 29)]
    gids = [f"twitter:{i}" for i in range(3000)]
    with open(groups, "wb") as f:
        for day in days:  # groups spread over several days each
            f.write(_lines(rng, rng.sample(gids, 400), day))
    size = groups.stat().st_size
    write_ranked(tmp_path, _tail(groups.read_bytes()), (os.stat(groups).st_ino, size))
    hidden = set(rng.sample(gids, 500))

    def shown(gid: str) -> bool:
        return gid not in hidden

    for rows in (1, 10, 100, 1000):
        assert first_days(tmp_path, size, shown, rows) == _reference(groups, shown, rows)
    # ingest since: new groups on top, an old low group revived by a hot copy, more copies
    low = min(_tail(groups.read_bytes()).items(), key=lambda kv: kv[1][0])[0]
    with open(groups, "ab") as f:
        f.write(_lines(rng, [f"mastodon:{i}" for i in range(30)], "02-01", hot=True))
        f.write(_lines(rng, [low, "twitter:5"], "02-02", hot=True))
        f.write(_lines(rng, rng.sample(gids, 50), "02-03"))
    hidden.discard(low)
    for rows in (1, 10, 40, 100, 1000):
        got = first_days(tmp_path, groups.stat().st_size, shown, rows)
        assert got == _reference(groups, shown, rows), rows
    assert "02-02" in first_days(tmp_path, groups.stat().st_size, shown, 40)  # type: ignore[operator]


def test_a_rank_file_of_another_groups_file_is_not_used(tmp_path: Path) -> None:
    groups = tmp_path / "groups.jsonl"
    groups.write_bytes(_lines(random.Random(1), ["a:1", "a:2"], "01-01"))
    write_ranked(tmp_path, _tail(groups.read_bytes()), (os.stat(groups).st_ino, 5))
    assert first_days(tmp_path, 0, lambda g: True, 10) is None  # covers 5 bytes: a cut line
    write_ranked(tmp_path, _tail(groups.read_bytes()), (os.stat(groups).st_ino + 1, 0))
    assert first_days(tmp_path, 0, lambda g: True, 10) is None  # rebuilt since (new inode)
    (tmp_path / RANKED).write_bytes(b"not json\n")
    assert first_days(tmp_path, 0, lambda g: True, 10) is None


def test_keys_of_another_rank_file_are_not_used(tmp_path: Path) -> None:
    groups = tmp_path / "groups.jsonl"
    groups.write_bytes(_lines(random.Random(2), ["a:1", "a:2"], "01-01"))
    size = groups.stat().st_size
    write_ranked(tmp_path, {"b:1": [1.0, "x", ["01-01"]]}, (os.stat(groups).st_ino, size))
    stale_keys = (tmp_path / "ranked.keys").read_bytes()
    write_ranked(tmp_path, _tail(groups.read_bytes()), (os.stat(groups).st_ino, size))
    assert first_days(tmp_path, size, lambda g: True, 10) == {"01-01"}
    (tmp_path / "ranked.keys").write_bytes(stale_keys)  # a crash between the two writes
    assert first_days(tmp_path, size, lambda g: True, 10) is None


def test_a_long_tail_is_read_whole_again(tmp_path: Path, monkeypatch) -> None:
    import store.ranked

    monkeypatch.setattr(store.ranked, "TAIL_MIN", 10)
    rng = random.Random(3)
    groups = tmp_path / "groups.jsonl"
    groups.write_bytes(_lines(rng, [f"a:{i}" for i in range(80)], "01-01"))
    size = groups.stat().st_size
    write_ranked(tmp_path, _tail(groups.read_bytes()), (os.stat(groups).st_ino, size))
    with open(groups, "ab") as f:
        f.write(_lines(rng, [f"b:{i}" for i in range(5)], "01-02"))  # under an eighth
    assert first_days(tmp_path, size, lambda g: True, 3) is not None
    with open(groups, "ab") as f:
        f.write(_lines(rng, [f"c:{i}" for i in range(40)], "01-03"))
    assert first_days(tmp_path, size, lambda g: True, 3) is None  # compact it again


def test_a_copied_groups_file_keeps_its_rank_file_a_rebuilt_one_does_not(tmp_path: Path) -> None:
    import shutil

    from store.ranked import ends_digest

    groups = tmp_path / "groups.jsonl"
    rng = random.Random(4)
    groups.write_bytes(_lines(rng, [f"a:{i}" for i in range(3000)], "01-01"))
    data = groups.read_bytes()
    write_ranked(tmp_path, _tail(data), (os.stat(groups).st_ino, len(data)), ends_digest(data))
    expected = first_days(tmp_path, len(data), lambda g: True, 10)
    assert expected
    copy = tmp_path / "copy"
    shutil.copytree(tmp_path, copy)  # `cp -a`, a restored backup: new inodes, same bytes
    assert os.stat(copy / "groups.jsonl").st_ino != os.stat(groups).st_ino
    assert first_days(copy, len(data), lambda g: True, 10) == expected
    rebuilt = _lines(random.Random(5), [f"a:{i}" for i in range(3000)], "01-01")
    (copy / "groups.jsonl").write_bytes(rebuilt[: len(data)].ljust(len(data), b"\n"))
    assert first_days(copy, len(data), lambda g: True, 10) is None
