"""Which group a mention belongs to, without reading the mention archive.

A scripted `veille tag ID` must find ID's group without parsing every day file (a
second at 100,000 mentions). This index maps every stored mention id, and every group
id, to its group, in 256 shard files `ids/NN.jsonl` chosen by a hash of the id: each
line one JSON object `{id: group}` (`""`: the id is its own group), appended by the
ingest that stored them, never rewritten.

It is a cache, never the truth: `ids/covered.json` records which day files (by
signature) and how many bytes of each shard it holds. `ids/groups.jsonl` keeps, per day,
each group's highest priority and newest copy: the inbox ranks its first screen from it
before reading any day (store.loading). A lookup first indexes any day
file it does not cover (a store written by an older veille, a writer killed before it
indexed), and rebuilds everything from the day files when a shard is shorter than
recorded or has a damaged line, or when a day file went away (set aside by repair). So
an answer is always the archive's; at worst one lookup is slower.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import orjson

from store.errors import StoreError
from store.files import create_file, file_signature, make_folder, replace_hint
from store.hints import overwrite_hint

SHARDS = 256
GROUPS = SHARDS  # the file of each group's rank key per day: groups.jsonl
FOLDER = "ids"
COVERED = "covered.json"
Signature = tuple[int, int, int] | None


def shard_of(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=2).digest()) % SHARDS


class IdIndex:
    """The mention id -> group id index of one store folder (call under the store lock)."""

    def __init__(self, root: Path, report: Callable[[str], None]) -> None:
        self.root = root
        self.folder = root / FOLDER
        self.report = report
        self._shards: dict[int, dict[str, str]] = {}
        self._covered: dict[str, Any] = {"days": {}, "shards": {}}
        self._caught_up = False
        self.groups_read: tuple[int, int] | None = None  # groups.jsonl's (inode, bytes) read
        self.groups_ends = ""  # and store.ranked.ends_digest of what was read

    def shard_path(self, n: int) -> Path:
        return self.folder / ("groups.jsonl" if n == GROUPS else f"{n:03d}.jsonl")

    # ------------------------------------------------------------------ writing

    def record(self, day: Path, before: Signature, rows: Iterable[dict[str, Any]]) -> None:
        """Index the rows just added to `day` (whose signature was `before` the write).

        The day counts as covered only if the index covered it before (or it is new);
        otherwise the next lookup indexes the whole day. Failing here fails nothing:
        the index is a cache.
        """
        self.record_days([(day, before, rows)])

    def record_days(
        self, written: Iterable[tuple[Path, Signature, Iterable[dict[str, Any]]]]
    ) -> None:
        """`record` for several days written by one ingest, in order: each shard file
        opened once for all of them (a fetch spanning two days opened the 257 files
        twice), with the same bytes as one `record` per day."""
        try:
            covered = self._load_covered()
            days = covered["days"]
            shards: list[dict[int, dict[str, str]]] = []
            lines: list[dict[str, list[Any]]] = []
            whole: list[Path] = []
            for day, before, rows in written:
                rows = list(rows)
                if before is None or same_day(days.get(day.name), before):
                    whole.append(day)
                shards.append(_by_shard(rows))
                lines.append(_groups_line(rows, day.name))
            self._append(shards, covered, lines)
            for day in whole:
                days[day.name] = file_signature(day)
            self._save_covered(covered)
        except (OSError, StoreError):
            pass

    def invalidate(self) -> None:
        """Forget what is covered: the next lookup rebuilds from the day files."""
        with contextlib.suppress(OSError):
            (self.folder / COVERED).unlink()
        self._shards.clear()
        self._caught_up = False

    def _append(
        self,
        shards: list[dict[int, dict[str, str]]],
        covered: dict[str, Any],
        group_lines: list[dict[str, list[Any]]],
    ) -> None:
        """Append each day's line to each shard it touches (the days in order, one
        write a file) and the days' lines to groups.jsonl."""
        make_folder(self.folder)
        sizes = covered["shards"]
        lines: dict[int, list[bytes]] = {}
        for day in shards:
            for n, entries in day.items():
                lines.setdefault(n, []).append(orjson.dumps(entries) + b"\n")
        if group_lines:
            lines[GROUPS] = [orjson.dumps(line) + b"\n" for line in group_lines]
        for n, data in lines.items():
            fd = create_file(self.shard_path(n), os.O_WRONLY | os.O_APPEND)
            try:
                os.write(fd, b"".join(data))
                sizes[str(n)] = os.fstat(fd).st_size
            finally:
                os.close(fd)
        for day in shards:
            for n, entries in day.items():
                cached = self._shards.get(n)
                if cached is not None:
                    cached.update(entries)

    # ------------------------------------------------------------------ reading

    def group_of(self, target: str) -> str | None:
        """The group of a stored mention or group id; None if the archive has no such id."""
        if not self._caught_up:
            self._catch_up()
        n = shard_of(target)
        entries = self._shards.get(n)
        if entries is None:
            entries = self._read_shard(n)
            if entries is None:  # shorter than recorded, or damaged: start again
                self.rebuild()
                entries = self._read_shard(n) or {}
            self._shards[n] = entries
        group = entries.get(target)
        if group is None:
            return None
        return group or target

    def _catch_up(self) -> None:
        covered = self._load_covered()
        days = covered["days"]
        listing = _day_files(self.root / "mentions")
        if any(name not in listing for name in days):  # a day set aside: start again
            self.rebuild()
            return
        stale = [
            Path(path)
            for name, (path, sig) in sorted(listing.items())
            if not same_day(days.get(name), sig)
        ]
        if stale:
            shards: dict[int, dict[str, str]] = {}
            group_lines = []
            for path in stale:
                rows = self._day_rows(path)
                if rows is None:
                    continue
                signature = file_signature(path)
                for n, entries in _by_shard(rows).items():
                    shards.setdefault(n, {}).update(entries)
                group_lines.append(_groups_line(rows, path.name))
                days[path.name] = signature
            try:
                self._append([shards], covered, group_lines)
                self._save_covered(covered)
            except (OSError, StoreError) as exc:  # read-only: answer from what was read
                self.report(f"could not update the id index in {self.folder}: {exc}")
                for n, entries in shards.items():
                    self._shards.setdefault(n, self._read_shard(n) or {}).update(entries)
        self._covered = covered
        self._caught_up = True

    def rebuild(self) -> None:
        """Index every day file again, from scratch."""
        self._shards.clear()
        shards: dict[int, dict[str, str]] = {n: {} for n in range(SHARDS)}
        days: dict[str, Signature] = {}
        group_lines = []
        for path in sorted((self.root / "mentions").glob("*.json")):
            rows = self._day_rows(path)
            if rows is None:
                continue
            signature = file_signature(path)
            for n, entries in _by_shard(rows).items():
                shards[n].update(entries)
            group_lines.append(_groups_line(rows, path.name))
            days[path.name] = signature
        covered: dict[str, Any] = {"days": days, "shards": {}}
        try:
            import shutil  # here: a rebuild is rare, `veille tag` starts often

            with contextlib.suppress(FileNotFoundError):
                shutil.rmtree(self.folder)
            make_folder(self.folder)
            files = {n: orjson.dumps(entries) + b"\n" for n, entries in shards.items()}
            files[GROUPS] = b"".join(orjson.dumps(line) + b"\n" for line in group_lines)
            for n, data in files.items():
                replace_hint(self.shard_path(n), data)
                covered["shards"][str(n)] = len(data)
            self._save_covered(covered)
        except (OSError, StoreError) as exc:
            self.report(f"could not rebuild the id index in {self.folder}: {exc}")
        self._shards = shards
        self._covered = covered
        self._caught_up = True

    def _read_shard(self, n: int) -> dict[str, str] | None:
        """A shard as written; None when it is shorter than recorded or damaged."""
        expected = int(self._covered["shards"].get(str(n), 0))
        try:
            data = self.shard_path(n).read_bytes()
        except FileNotFoundError:
            data = b""
        if len(data) < expected:
            return None
        entries: dict[str, str] = {}
        for line in data.splitlines():
            if not line.strip():
                continue
            try:
                part = orjson.loads(line)
            except orjson.JSONDecodeError:
                return None
            if not isinstance(part, dict):
                return None
            entries.update(part)
        return entries

    def groups_size(self, signatures: dict[str, Signature]) -> int | None:
        """The bytes of groups.jsonl the index vouches for, if it covers exactly the day
        files of `signatures` (name -> signature) as they are now; else None."""
        covered = self._load_covered()
        days = covered["days"]
        if set(days) != set(signatures) or any(
            not same_day(days[name], sig) for name, sig in signatures.items()
        ):
            return None
        return int(covered["shards"].get(str(GROUPS), 0))

    def group_table(self, signatures: dict[str, Signature]) -> dict[str, list[Any]] | None:
        """Every group's `[highest priority, newest created_at, [days of its copies]]`,
        without reading a day file (store.loading opens the first screen with it); None
        unless the index covers exactly the day files of `signatures` (name -> signature)
        as they are now."""
        size = self.groups_size(signatures)
        if size is None:
            return None
        try:
            with open(self.shard_path(GROUPS), "rb") as f:
                data = f.read()
                self.groups_read = (os.fstat(f.fileno()).st_ino, len(data))
        except OSError:
            return None
        from store.ranked import ends_digest  # here: `veille tag` never ranks

        self.groups_ends = ends_digest(data)
        if len(data) < size:
            return None
        table: dict[str, list[Any]] = {}
        try:
            for line in data.splitlines():
                for gid, (priority, created, day) in orjson.loads(line).items():
                    key = table.get(gid)
                    if key is None:
                        table[gid] = [priority, created, [day]]
                        continue
                    key[0], key[1] = max(key[0], priority), max(key[1], created)
                    if day not in key[2]:
                        key[2].append(day)
        except (orjson.JSONDecodeError, AttributeError, TypeError, ValueError):
            return None
        return table

    def _day_rows(self, path: Path) -> list[dict[str, Any]] | None:
        try:
            data = orjson.loads(path.read_bytes())
            rows = list(data.get("records", {}).values())
        except (OSError, orjson.JSONDecodeError, AttributeError) as exc:
            self.report(f"{path}: could not be read for the id index ({exc}); run `veille doctor`")
            return None
        return [r for r in rows if isinstance(r, dict) and isinstance(r.get("id"), str)]

    def _load_covered(self) -> dict[str, Any]:
        try:
            covered = orjson.loads((self.folder / COVERED).read_bytes())
            if (
                isinstance(covered, dict)
                and isinstance(covered.get("days"), dict)
                and ("sum" not in covered or covered.pop("sum") == _covered_sum(covered))
            ):
                covered.setdefault("shards", {})
                return covered
        except (OSError, orjson.JSONDecodeError):
            pass
        return {"days": {}, "shards": {}}

    def _save_covered(self, covered: dict[str, Any]) -> None:
        """Written in place (`store.hints`: a rename costs ~2-12 ms on ext4, on every
        store call), with its checksum first: a write torn by a crash leaves the new
        bytes over the old ones, whose mix fails the sum (or has no "days": a tear
        inside the key itself), and reads as no index (the next lookup checks it all
        again). A file without "sum" was written whole by a rename (older veille)."""
        make_folder(self.folder)
        # a cache: not fsynced (lost or stale, the next lookup checks it all again)
        body = {"days": covered["days"], "shards": covered.get("shards", {})}
        overwrite_hint(self.folder / COVERED, orjson.dumps({"sum": _covered_sum(body), **body}))


def _covered_sum(covered: dict[str, Any]) -> str:
    """The checksum of covered.json's "days" and "shards" (in that order)."""
    body = orjson.dumps({"days": covered.get("days"), "shards": covered.get("shards")})
    return hashlib.blake2b(body, digest_size=8).hexdigest()


def _day_files(folder: Path) -> dict[str, tuple[str, Signature]]:
    """name -> (path, signature) of every day file (`*.json`) in `folder`, from one
    scandir: pathlib's glob and a stat per Path cost ~4 ms at 100 days, on every
    scripted action."""
    out: dict[str, tuple[str, Signature]] = {}
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.endswith(".json"):
                    try:
                        st = entry.stat()
                        out[entry.name] = (entry.path, (st.st_ino, st.st_size, st.st_mtime_ns))
                    except FileNotFoundError:
                        out[entry.name] = (entry.path, None)
    except FileNotFoundError:
        pass
    return out


def same_day(recorded: object, now: Signature) -> bool:
    """Whether a day file is the one the index recorded: the same (inode, size, mtime),
    or only the inode changed. A copy of the store (`cp -a`, rsync -a, a restored
    backup) keeps every size and mtime but not the inodes, and without this every
    open after it read the whole archive (the first screen could not be ranked from
    the index) until a scripted action re-indexed every day. A write to a day file
    only adds records: it never keeps both its size and its mtime."""
    old = _sig(recorded)
    if old is None or now is None:
        return old == now
    return old == now or old[1:] == now[1:]


def _sig(value: object) -> Signature:
    if isinstance(value, list) and len(value) == 3:
        return (int(value[0]), int(value[1]), int(value[2]))
    return None


def _groups_line(rows: list[dict[str, Any]], day: str) -> dict[str, list[Any]]:
    """group -> [highest priority, newest created_at, day] for these copies of `day`."""
    groups: dict[str, list[Any]] = {}
    for row in rows:
        gid = row.get("group_id") or row["id"]
        priority, created = float(row.get("priority") or 0.0), row["created_at"]
        key = groups.get(gid)
        if key is None:
            groups[gid] = [priority, created, day]
        else:
            key[0], key[1] = max(key[0], priority), max(key[1], created)
    return groups


def _by_shard(rows: Iterable[dict[str, Any]]) -> dict[int, dict[str, str]]:
    shards: dict[int, dict[str, str]] = {}
    for row in rows:
        mid = row["id"]
        gid = row.get("group_id") or mid
        shards.setdefault(shard_of(mid), {})[mid] = "" if gid == mid else gid
        if gid != mid:
            shards.setdefault(shard_of(gid), {}).setdefault(gid, "")
    return shards
