"""Fixtures: one PostgreSQL server per session (tests/pg/server.py), one database per test."""

from __future__ import annotations

import itertools
import os

import pytest

from tests.pg.server import pg_bin, running_server

_numbers = itertools.count()


@pytest.fixture(scope="session")
def pg_server():
    bin = pg_bin()
    if bin is None:
        if os.environ.get("VEILLE_REQUIRE_PG") == "1":
            pytest.fail("VEILLE_REQUIRE_PG=1 but no initdb was found (install postgresql)")
        pytest.skip("PostgreSQL is not installed (no initdb): the PostgreSQL tests are skipped")
    with running_server(bin) as server:
        yield server


@pytest.fixture
def pg_url(pg_server) -> str:
    """A fresh, empty database on the session's server."""
    return pg_server.create_database(f"t{os.getpid()}_{next(_numbers)}")
