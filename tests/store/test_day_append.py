"""A day file written by `store.partitions.append_records` is byte for byte what TinyDB's
`insert_multiple` of the same Documents wrote before (issue 16: the TinyDB path rebuilt the
whole table twice per write), and the record times are the text strftime gave."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from tinydb.table import Document

from store.partitions import append_records, doc_id_for
from store.storage import open_tinydb, table
from tests.store.conftest import make_mention
from triage.clock import dt_to_json


def _tinydb_way(path, rows) -> None:
    tbl = table(open_tinydb(path))
    docs = [Document(r, doc_id=doc_id_for(r["id"])) for r in rows]
    try:
        tbl.insert_multiple(docs)
    except ValueError:  # a doc id already there: keep the first copy
        tbl.insert_multiple([d for d in docs if not tbl.contains(doc_id=d.doc_id)])


def _rows(ids, text="") -> list[dict]:
    return [make_mention(i, text=text).to_json() for i in ids]


def test_append_writes_what_tinydb_wrote(tmp_path) -> None:
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    batches = [_rows(range(0, 40)), _rows(range(40, 90)), _rows(range(85, 120), text="again")]
    for rows in batches:  # the third batch repeats five ids: their first copy stays
        _tinydb_way(old, rows)
        append_records(open_tinydb(new), [dict(r) for r in rows])
        assert new.read_bytes() == old.read_bytes()
    held = open_tinydb(new).storage.read()["records"]
    assert len(held) == 120
    assert held[str(doc_id_for("rss:86"))]["text"] != "again"


def test_append_keeps_other_tables_and_the_parsed_copy(tmp_path) -> None:
    path = tmp_path / "day.json"
    db = open_tinydb(path)
    db.table("other").insert({"x": 1})
    rows = _rows(range(3))
    append_records(db, rows)
    assert open_tinydb(path).table("other").all() == [{"x": 1}]
    stored = open_tinydb(path).storage.read()["records"]
    assert list(stored.values()) == rows
    rows[0]["text"] = "changed after the write"  # the index's copy is not the file's
    assert db.storage.read()["records"][str(doc_id_for("rss:0"))]["text"] != rows[0]["text"]


def test_record_times_are_strftime_text() -> None:
    paris = timezone(timedelta(hours=1))
    for when in (
        datetime(2026, 11, 30, 0, 9, 22, 998566, tzinfo=UTC),
        datetime(2026, 1, 1, 0, 0, tzinfo=paris),  # the day before in UTC
        datetime(2026, 6, 1, 12, 30),  # naive: taken as UTC
        datetime(1000, 1, 1, tzinfo=UTC),
        datetime(999, 12, 31, 23, 59, 59, 1, tzinfo=UTC),  # %Y does not pad below 1000
        datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    ):
        utc = when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
        assert dt_to_json(when) == utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert dt_to_json(None) is None
