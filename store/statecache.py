"""Closed triage states read on demand (issue 16): a year of triage opens in a blink.

A store a team has triaged for a year holds 200k+ states, nearly all of them a closed
story (done or ignored, nothing on its way). Reading the 64 state buckets and building
every `TriageState` took 1.1 s of a million-mention store's open, for stories the
inbox never shows (they stay on disk: store.hotwindow). An inbox opened first screen
first keeps such a state as a short line (`cold_value`: its status letter and its
fields as compact JSON) in `Index.cold_states` and builds the `TriageState` the first
time someone asks for it (`thaw`); its status alone is read without building it.

Each bucket's lines are kept in `ids/states-NN.cache` (a cache, never the truth: its
header names the bucket file's signature; every writer appends what it wrote to
`ids/states-NN.delta`, from which bucket file to which, so the next open follows those
writes to the bucket as it is and writes the cache again; a chain that does not get
there, or a damaged cache, and the bucket is parsed, as before). The other
states (open, snoozed, with replies, notes, a hand-off, a claim, a correction) are in
the cache as JSON and built at open, as before.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import orjson

from store.errors import StoreError
from store.files import create_file, make_folder, replace_hint
from triage.model import Status, TriageState, dt_from_json

Signature = tuple[int, int, int] | None
CLOSED_LETTERS = {"done": "d", "ignored": "i"}
VERSION = 2  # of the lines' format
HEAVY = ("handoff", "notes", "replies", "claim_expires", "merged_into", "split_from")


def cache_path(folder: Path, n: int) -> Path:
    return folder / f"states-{n:02d}.cache"


FIELDS = ("assignee", "claimed_by", "snoozed_until", "first_response_at", "updated_at")
SEP, TAG_SEP = "\x1f", "\x1e"
UNSAFE = frozenset("\x1f\x1e\n\x00")


def _safe(value: object) -> bool:
    """A string a line can hold and give back as it was (an empty one would come back
    as None)."""
    return isinstance(value, str) and bool(value) and UNSAFE.isdisjoint(value)


def cold_value(rec: dict[str, Any]) -> str | None:
    """The line a closed, plain state is kept as: its status letter, its tags, then
    `FIELDS`, who updated it and its rev, separated by US; None for any other state
    (built at open), or one whose strings a line could not give back exactly."""
    letter = CLOSED_LETTERS.get(rec.get("status"))  # type: ignore[arg-type]
    target, get = rec.get("target"), rec.get
    if letter is None or not _safe(target) or any(get(key) for key in HEAVY):
        return None
    tags, by, rev = get("tags") or (), get("updated_by"), get("rev", 0)
    if not isinstance(tags, list | tuple) or not all(_safe(t) for t in tags):
        return None
    if type(rev) is not int or not (by is None or _safe(by)):
        return None
    parts = [letter, TAG_SEP.join(tags)]
    for key in FIELDS:
        value = get(key)
        if value is None:
            parts.append("")
        elif _safe(value):
            parts.append(value)
        else:
            return None
    parts += (by or "", str(rev))
    return SEP.join(parts)


def delta_path(folder: Path, n: int) -> Path:
    return folder / f"states-{n:02d}.delta"


def note_write(
    folder: Path, n: int, before: Signature, after: Signature, records: list[dict[str, Any]]
) -> None:
    """Bucket `n` was rewritten (from the file `before` to the file `after`, under the
    store lock): append the records it changed, so the next open brings its cache up to
    date without parsing the bucket. Best effort: a missing line breaks the chain and
    that open parses the bucket."""
    if before is None or after is None:
        return
    line = orjson.dumps({"from": list(before), "to": list(after), "records": records})
    with contextlib.suppress(OSError, StoreError):
        fd = create_file(delta_path(folder, n), os.O_WRONLY | os.O_APPEND)
        try:
            os.write(fd, line + b"\n")
        finally:
            os.close(fd)


Parts = tuple[list[dict[str, Any]], list[str], list[str]]


def read_cache(folder: Path, n: int, signature: Signature) -> tuple[Parts, bool] | None:
    """Bucket `n` as its cache holds it: (the states built at open as records, the cold
    targets, their lines), and whether the writes noted since were applied (the cache
    is to be written again); None unless the cache is whole and, with those writes,
    of this bucket file."""
    if signature is None:
        return None
    try:
        data = cache_path(folder, n).read_bytes()
        end = data.index(b"\n")
        header = orjson.loads(data[:end])
        if header.get("v") != VERSION:
            return None
        count = int(header["cold"])
        full = header["full"]
        parts = data[end + 1 :].decode().split("\n") if count else []
        if len(parts) != 2 * count or not isinstance(full, list):
            return None
        if header.get("bucket") == list(signature):
            return (full, parts[:count], parts[count:]), False
        changed = _noted(folder, n, header.get("bucket"), list(signature))
        if changed is None:
            return None
        return _applied(full, parts[:count], parts[count:], changed), True
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None


def _noted(folder: Path, n: int, start: Any, end: list[int]) -> list[dict[str, Any]] | None:
    """The records written since the file `start`, following the noted writes to the
    file `end`; None when the chain does not get there."""
    changed: list[dict[str, Any]] = []
    current = start
    for line in delta_path(folder, n).read_bytes().splitlines():
        try:
            noted = orjson.loads(line)
        except orjson.JSONDecodeError:
            return None  # a line torn by a crash: the chain is broken there
        if noted.get("from") == current:
            changed += noted["records"]
            current = noted["to"]
    return changed if current == end else None


def _applied(
    full: list[dict[str, Any]], keys: list[str], values: list[str], changed: list[dict[str, Any]]
) -> Parts:
    lines = dict(zip(keys, values, strict=True))
    built = {r.get("target"): r for r in full if isinstance(r, dict)}
    for rec in changed:
        target = rec["target"]
        value = cold_value(rec)
        if value is None:
            built[target] = rec
            lines.pop(target, None)
        else:
            lines[target] = value
            built.pop(target, None)
    return list(built.values()), list(lines), list(lines.values())


def split_bucket(
    records: Iterable[Any], cold: dict[str, str], warm: Callable[[dict[str, Any]], None]
) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """Sort a parsed bucket's records: closed plain ones into `cold` (target -> line),
    the others to `warm` (built now); returns what its cache holds."""
    full: list[dict[str, Any]] = []
    keys: list[str] = []
    values: list[str] = []
    for rec in records:
        value = cold_value(rec) if isinstance(rec, dict) else None
        if value is None:
            warm(rec)
            if isinstance(rec, dict):
                full.append(rec)
            continue
        cold[rec["target"]] = value
        keys.append(rec["target"])
        values.append(value)
    return full, keys, values


def write_cache(folder: Path, n: int, signature: Signature, parts: Parts) -> None:
    """Keep what `split_bucket` sorted for the next open, the writes noted until now
    forgotten; best effort (a cache)."""
    if signature is None:
        return
    full, keys, values = parts
    head = {"v": VERSION, "bucket": list(signature), "cold": len(keys), "full": full}
    header = orjson.dumps(head)
    body = "\n".join((*keys, *values)).encode() if keys else b""
    with contextlib.suppress(OSError, StoreError):
        make_folder(folder)
        replace_hint(cache_path(folder, n), header + b"\n" + body)
        delta_path(folder, n).unlink(missing_ok=True)


_STATUS = {s.value: s for s in Status}


def plain_state(rec: dict[str, Any]) -> TriageState | None:
    """`TriageState.from_json` for the common record (a status, tags, an assignee: no
    hand-off, note, reply, claim or correction), at a third of the cost (a year of
    triage is 200k+ states to read at open); None for any other."""
    get = rec.get
    if any(get(key) for key in HEAVY):
        return None
    by, snoozed, first = get("updated_by"), get("snoozed_until"), get("first_response_at")
    return TriageState(
        rec["target"],
        _STATUS[get("status") or "new"],
        tuple(get("tags") or ()),
        get("assignee"),
        get("claimed_by"),
        None,
        None,
        (),
        dt_from_json(snoozed) if snoozed else None,
        dt_from_json(first) if first else None,
        (),
        dt_from_json(get("updated_at")),
        sys.intern(by) if isinstance(by, str) else by,
        int(get("rev", 0)),
    )


def thaw(target: str, value: str) -> TriageState:
    """The state a `cold_value` line stands for (what `plain_state` builds from its
    record: tests/store/test_cold_states.py compares them)."""
    letter, tags, assignee, claimed, snoozed, first, updated, by, rev = value.split(SEP)
    return TriageState(
        target,
        Status.DONE if letter == "d" else Status.IGNORED,
        tuple(tags.split(TAG_SEP)) if tags else (),
        assignee or None,
        claimed or None,
        None,
        None,
        (),
        dt_from_json(snoozed) if snoozed else None,
        dt_from_json(first) if first else None,
        (),
        dt_from_json(updated) if updated else None,
        sys.intern(by) if by else None,
        int(rev),
    )
