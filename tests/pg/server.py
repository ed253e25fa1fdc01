"""A real PostgreSQL server for the tests: initdb + pg_ctl in a temporary folder.

Started once per test session on 127.0.0.1 with a free port (as the `postgres` user when
the tests run as root: the server refuses to run as root). Each test gets a database of
its own. Absent binaries skip the tests, unless VEILLE_REQUIRE_PG=1 (CI), which fails.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


def pg_bin() -> Path | None:
    """The folder of initdb/pg_ctl: $VEILLE_PG_BIN, PATH, or Debian's versioned folder."""
    given = os.environ.get("VEILLE_PG_BIN")
    if given and (Path(given) / "initdb").exists():
        return Path(given)
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(folder) / "initdb").exists():
            return Path(folder)
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PgServer:
    bin: Path
    root: Path
    port: int
    user: str = "veille"
    durable: bool = False  # fsync on (benchmarks); the tests run without it

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = list(args)
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)

    def start(self) -> None:
        data = self.root / "data"
        done = self._run(
            str(self.bin / "initdb"), "-D", str(data), "-U", self.user, "-A", "trust",
            "-E", "UTF8", "--locale=C.UTF-8", *([] if self.durable else ["--no-sync"]),
        )  # fmt: skip
        if done.returncode:
            raise RuntimeError(f"initdb failed: {done.stderr.strip()}")
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} "
            f"-c unix_socket_directories={self.root} -c max_connections=200 "
            + ("-c shared_buffers=256MB" if self.durable else "-c fsync=off -c shared_buffers=64MB")
        )
        done = self._run(
            str(self.bin / "pg_ctl"), "-D", str(data), "-o", options,
            "-l", str(self.root / "log"), "-w", "-t", "60", "start",
        )  # fmt: skip
        if done.returncode:
            log = (self.root / "log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"pg_ctl start failed: {done.stderr.strip()}\n{log}")

    def stop(self) -> None:
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate", "stop"
        )

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@contextlib.contextmanager
def running_server(bin: Path, durable: bool = False):
    root = Path(tempfile.mkdtemp(prefix="veille-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    server = PgServer(bin, root, free_port(), durable=durable)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        time.sleep(0.1)
        shutil.rmtree(root, ignore_errors=True)
