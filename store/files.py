"""Durable file primitives: atomic replace, fsynced append, cheap change detection.

A write is only acknowledged once the bytes and the directory entry are on disk:
temp file in the same folder, fsync, os.replace, fsync of the folder. A full disk or any
other OS error becomes a StoreError naming the file, and the old file stays as it was.

Sharing: a store is private to its owner (folders 0700, files 0600) unless it is shared
by a Unix group (`store_mode = "group"`, see `prepare_store`): its folders are then
setgid and group-writable (2770), so every file created inside belongs to the group,
and each writer makes its files 0660 whatever its umask. The folder itself says which
mode a store is in, so every process, whoever runs it, writes with the same modes.
"""

from __future__ import annotations

import contextlib
import errno
import grp
import os
import stat
from collections.abc import Sequence
from pathlib import Path

from store.errors import StoreError

TEMP_SUFFIX = ".tmp-veille"
STORE_MODES = ("private", "group")
PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600
GROUP_DIR, GROUP_FILE = 0o2770, 0o660
# the store's folders, and those other parts keep in it (poller health, the watch ledger)
STORE_FOLDERS = ("mentions", "state", "journal", "sources", "watch")


def is_group_shared(folder: Path) -> bool:
    """True when `folder` is set up for a group: setgid and group-writable."""
    try:
        mode = os.stat(folder).st_mode
    except OSError:
        return False
    return bool(mode & stat.S_ISGID and mode & stat.S_IWGRP)


def file_mode(folder: Path) -> int:
    """The mode of a new file in `folder`: 0660 in a group-shared folder, else 0600."""
    return GROUP_FILE if is_group_shared(folder) else PRIVATE_FILE


def create_file(path: Path, flags: int) -> int:
    """os.open with O_CREAT and the mode the folder asks for, the umask notwithstanding
    (a umask of 022 would take the group's write bit away)."""
    mode = file_mode(path.parent)
    fd = os.open(path, flags | os.O_CREAT, mode)
    if mode != PRIVATE_FILE:
        try:
            if stat.S_IMODE(os.fstat(fd).st_mode) != mode and os.fstat(fd).st_uid == os.getuid():
                os.fchmod(fd, mode)
        except OSError:
            os.close(fd)
            raise
    return fd


def make_folder(path: Path) -> None:
    """Create `path` (and its parents) like its parent: 2770 in a group-shared store,
    0700 otherwise. An existing folder is left alone."""
    if path.is_dir():
        return
    parent = path.parent
    if not parent.is_dir():
        make_folder(parent)
    shared = is_group_shared(parent)
    with contextlib.suppress(FileExistsError):
        path.mkdir(mode=PRIVATE_DIR)
        if shared:
            os.chmod(path, GROUP_DIR)  # mkdir's mode goes through the umask


def _group_id(group: str | int | None) -> int | None:
    if group is None or isinstance(group, int):
        return group
    try:
        return grp.getgrnam(group).gr_gid
    except KeyError:
        raise StoreError(f'no Unix group named {group!r} (store_mode = "group")') from None


def prepare_store(root: Path, mode: str = "private", group: str | int | None = None) -> None:
    """Create the store's folders with the modes `mode` asks for, before Inbox.open.

    "private": a new store is 0700 (an existing one is left as it is). "group": the
    store's folders become setgid 2770 and its files 0660, owned by `group` (default:
    the folder's group); an existing store is converted, so setting `store_mode =
    "group"` and running any veille command once shares it. Only the files' owner can
    change their mode: convert as the user who created the store (or root).
    """
    if mode not in STORE_MODES:
        raise StoreError(f"unknown store_mode {mode!r}; expected one of: {', '.join(STORE_MODES)}")
    root = Path(root)
    try:
        if mode == "private":
            if not root.exists():
                make_folder(root)
            return
        gid = _group_id(group)
        root.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
        for sub in STORE_FOLDERS:
            (root / sub).mkdir(exist_ok=True, mode=PRIVATE_DIR)
        (root / "lock").touch(mode=PRIVATE_FILE, exist_ok=True)
        for folder, _dirs, files in os.walk(root):
            _share(Path(folder), GROUP_DIR, gid)
            for name in files:
                _share(Path(folder) / name, GROUP_FILE, gid)
    except OSError as exc:
        raise StoreError(
            f"could not share the store {root} with a group: {exc.strerror or exc}"
        ) from exc


def _share(path: Path, mode: int, gid: int | None) -> None:
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        return
    if gid is not None and st.st_gid != gid:
        os.chown(path, -1, gid)
    if stat.S_IMODE(st.st_mode) != mode and (st.st_uid == os.getuid() or os.getuid() == 0):
        os.chmod(path, mode)


def describe_os_error(exc: OSError, path: Path) -> str:
    if exc.errno == errno.ENOSPC:
        return f"the disk is full: could not save {path} (nothing was changed)"
    if exc.errno == errno.EDQUOT:
        return f"disk quota exceeded: could not save {path} (nothing was changed)"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"permission denied writing {path}"
    if exc.errno == errno.EFBIG:
        return f"file too large for this system: could not save {path} (nothing was changed)"
    if exc.errno == errno.EROFS:
        return f"the file system is read-only: could not save {path}"
    return f"could not save {path}: {exc.strerror or exc}"


def describe_io_error(exc: OSError, path: Path | str | None = None) -> str:
    """One line for any OS error on a store file: which file, what happened, what to do."""
    where = exc.filename or path or "a store file"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return (
            f"permission denied on {where}: it must be readable and writable by you "
            "(check its owner and mode with ls -l; chmod u+rw, or run as its owner)"
        )
    if exc.errno == errno.EROFS:
        return f"the file system holding {where} is read-only: use a writable store folder"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"the disk is full: could not write {where} (nothing was changed); free some space"
    if exc.errno == errno.EIO:
        return f"input/output error on {where}: the disk may be failing; copy the store elsewhere"
    return f"could not use {where}: {exc.strerror or exc}"


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_all(fd: int, data: bytes) -> None:
    """`os.write` until every byte of `data` is written (a short write is allowed)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def atomic_write(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so that a crash leaves either the old or the new file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}{TEMP_SUFFIX}")
    try:
        fd = create_file(tmp, os.O_WRONLY | os.O_TRUNC)
        try:
            write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise StoreError(describe_os_error(exc, path)) from exc


def replace_hint(path: Path, data: bytes) -> None:
    """Replace a file that is only a hint or a cache (lost, it is recomputed): atomic,
    with the store's file mode, but not fsynced. OS errors are the caller's."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}{TEMP_SUFFIX}")
    try:
        fd = create_file(tmp, os.O_WRONLY | os.O_TRUNC)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def atomic_write_many(items: Sequence[tuple[Path, bytes]]) -> None:
    """Replace several files of one folder, each atomically, for the price of about one
    (a batch of 1,000 scripted actions touches up to 64 state buckets).

    Every temp file is written, then all are fsynced at once from a few threads (the
    file system commits them together), then renamed, then the folder is fsynced once.
    A failure before the renames leaves every file as it was.
    """
    if len(items) == 1:
        atomic_write(*items[0])
        return
    temps: list[Path] = []
    try:
        fds: list[int] = []
        try:
            for path, data in items:
                tmp = path.with_name(f".{path.name}.{os.getpid()}{TEMP_SUFFIX}")
                fd = create_file(tmp, os.O_WRONLY | os.O_TRUNC)
                fds.append(fd)
                temps.append(tmp)
                write_all(fd, data)
            from concurrent.futures import ThreadPoolExecutor  # here: 8 ms of `veille tag`

            with ThreadPoolExecutor(max_workers=min(16, len(fds))) as pool:
                list(pool.map(os.fsync, fds))
        finally:
            for fd in fds:
                os.close(fd)
        for (path, _), tmp in zip(items, temps, strict=True):
            os.replace(tmp, path)
        for folder in {path.parent for path, _ in items}:
            fsync_dir(folder)
    except OSError as exc:
        for tmp in temps:
            with contextlib.suppress(OSError):
                tmp.unlink()
        raise StoreError(
            describe_os_error(exc, items[len(temps) - 1][0] if temps else items[0][0])
        ) from exc


def append_durably(path: Path, data: bytes) -> int:
    """Append `data` (starting on a fresh line) and fsync; return the size before.

    On failure the file is cut back to its former size, so a half-written line never
    stays behind a failed action.
    """
    created = not path.exists()
    try:
        fd = create_file(path, os.O_RDWR | os.O_APPEND)
    except OSError as exc:  # a read-only folder before this month's journal exists...
        raise StoreError(describe_io_error(exc, path)) from exc
    try:
        size = os.fstat(fd).st_size
        try:
            if size:
                os.lseek(fd, size - 1, os.SEEK_SET)
                if os.read(fd, 1) != b"\n":  # a line torn by a crash (never acknowledged:
                    size = _last_line_end(fd, size)  # a write is fsynced before its ack)
                    os.ftruncate(fd, size)  # is cut off, not left as a damaged line
            write_all(fd, data)
            os.fsync(fd)
        except OSError as exc:
            try:
                os.ftruncate(fd, size)
                os.fsync(fd)
            except OSError:
                pass
            raise StoreError(describe_os_error(exc, path)) from exc
    finally:
        os.close(fd)
    if created:
        fsync_dir(path.parent)
    return size


def _last_line_end(fd: int, size: int) -> int:
    """The offset just after the file's last newline (0 when it has none)."""
    pos = size
    while pos > 0:
        start = max(0, pos - 65536)
        os.lseek(fd, start, os.SEEK_SET)
        block = os.read(fd, pos - start)
        cut = block.rfind(b"\n")
        if cut >= 0:
            return start + cut + 1
        pos = start
    return 0


def clean_temp_files(folder: Path) -> list[Path]:
    """Remove temp files a killed writer left behind (they were never acknowledged)."""
    removed = []
    for tmp in folder.rglob(f"*{TEMP_SUFFIX}"):
        try:
            tmp.unlink()
            removed.append(tmp)
        except OSError:
            pass
    return removed


def file_signature(path: Path) -> tuple[int, int, int] | None:
    """(inode, size, mtime_ns): changes whenever a file is replaced or appended to."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)
