"""Issue 16: undo reads the journal backwards (store.journal.Journal.newest_first) and
stops at the step it finds; hints are rewritten in place (store.hints). Both must read
exactly what the forward reader and the old atomic replace gave, torn tails and damaged
lines included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store import journal as journal_module
from store.hints import overwrite_hint
from store.inbox import Inbox
from store.journal import Journal
from triage import transitions as rules
from triage.model import Event

from .helpers import seed, veille

T0 = datetime(2026, 11, 20, 8, tzinfo=UTC)


def _event(i: int, note: int = 0, who: str = "ana", batch: str | None = None) -> Event:
    return Event(
        f"e{i}", T0 + timedelta(seconds=i), who, "tag", f"old:{i % 7}", {},
        {"tags": ["x" * note]}, i, batch=batch,
    )  # fmt: skip


# a journal line, a damaged line, an empty line, or (last only) a torn tail
LINE = st.one_of(
    st.tuples(st.just("event"), st.integers(0, 400)),
    st.tuples(st.just("damaged"), st.integers(1, 300)),
    st.tuples(st.just("empty"), st.just(0)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    months=st.lists(st.lists(LINE, max_size=40), min_size=1, max_size=3),
    torn=st.integers(0, 200),
    window=st.sampled_from([16, 64, 1000]),
)
def test_newest_first_is_read_all_reversed(tmp_path, monkeypatch, months, torn, window) -> None:
    monkeypatch.setattr(journal_module, "TAIL_BYTES", window)  # many windows, long lines
    folder = tmp_path / f"j{abs(hash((str(months), torn, window)))}"
    folder.mkdir()
    n = 0
    for m, lines in enumerate(months):
        data = b""
        for kind, size in lines:
            n += 1
            if kind == "event":
                data += orjson.dumps(_event(n, size).to_json()) + b"\n"
            elif kind == "damaged":
                data += b"{" + b"z" * size + b"\n"
            else:
                data += b"\n"
        if m == len(months) - 1 and torn:  # an append in progress: not a line yet
            data += orjson.dumps(_event(n + 1, torn).to_json())[:torn]
        (folder / f"2026-{m + 1:02d}.jsonl").write_bytes(data)
    forward_report: list[str] = []
    backward_report: list[str] = []
    forward = list(Journal(folder).read_all(forward_report.append))
    backward = list(Journal(folder).newest_first(backward_report.append))
    assert backward == forward[::-1]
    assert sorted(backward_report) == sorted(forward_report)  # same lines, same offsets


def test_undo_batch_newest_first_agrees_with_undo_batch() -> None:
    events = [_event(1), _event(2, batch="b"), _event(3, batch="b"), _event(4, who="bo")]
    undo = Event("u", T0, "ana", "undo", "rss:3", {}, {}, 9, undoes="e3")
    for log in (events, [*events, undo], [*events, _event(5, batch="auto")]):
        for who in ("ana", "bo", "nobody"):
            assert rules.undo_batch(log, who) == rules.undo_batch_newest_first(log[::-1], who)


def test_undo_reads_only_the_end_of_a_long_journal(tmp_path, monkeypatch) -> None:
    """A damaged line far back is never reached (nor reported) by undo: it stops at the
    step it undoes. Before, undo parsed every month of the journal."""
    store = tmp_path / "store"
    seed(store, 5)
    lines = [orjson.dumps(_event(i, who="bo").to_json()) for i in range(5000)]
    (store / "journal" / "2025-01.jsonl").write_bytes(b"{damaged\n" + b"\n".join(lines) + b"\n")
    assert veille(store, "tag", "rss:1", "late").returncode == 0
    read: list[str] = []
    real = Journal.newest_first

    def spy(self, report=None):
        for event in real(self, report):
            read.append(event.id)
            yield event

    monkeypatch.setattr(Journal, "newest_first", spy)
    with Inbox.open(store, user="shell") as inbox:
        undone = inbox.undo()
        assert undone is not None and undone.action == "tag"
        assert inbox.state("rss:1").tags == ()
    assert len(read) == 1


@pytest.mark.parametrize("before", [b"", b"12345678901234567890", b"7"])
def test_a_hint_rewritten_in_place_reads_as_the_new_value(tmp_path, before: bytes) -> None:
    path = tmp_path / "generation"
    if before:
        path.write_bytes(before)
    overwrite_hint(path, b"42")
    assert int(path.read_bytes()) == 42
    overwrite_hint(path, orjson.dumps(["2026-11.jsonl", 1, 2, 3]))
    assert orjson.loads(path.read_bytes()) == ["2026-11.jsonl", 1, 2, 3]


def test_torn_hints_are_taken_for_missing_ones(tmp_path: Path) -> None:
    """A crash while a hint is written leaves bytes that do not parse: the next writer
    checks again (redo, journal check) and the actions are all there."""
    store = tmp_path / "store"
    seed(store, 5)
    assert veille(store, "tag", "rss:1", "a").returncode == 0
    for name in ("journal/.applied", "journal/.checked.json", "generation"):
        (store / name).write_bytes(b'["2026-11.jso' + b" " * 30)
    proc = veille(store, "tag", "rss:2", "b")
    assert proc.returncode == 0, proc.stderr
    assert "warning" not in proc.stderr
    with Inbox.open(store, user="checker") as inbox:
        assert inbox.state("rss:1").tags == ("a",)
        assert inbox.state("rss:2").tags == ("b",)
        assert inbox.generation >= 1
