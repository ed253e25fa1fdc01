"""One connection pool per host: each site's connections are kept alive and reused,
whatever the number of other sites, and a site never gets more than PER_HOST."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sources.http import PER_HOST, fetch, make_client


class _Site:
    """A real HTTP/1.1 server on its own loopback address that counts connections."""

    def __init__(self, address: str) -> None:
        self.connections = 0
        self.in_flight = 0
        self.most = 0
        lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive

            def log_message(self, *args: object) -> None:
                pass

            def setup(self) -> None:
                super().setup()
                with lock:
                    site.connections += 1

            def do_GET(self) -> None:
                with lock:
                    site.in_flight += 1
                    site.most = max(site.most, site.in_flight)
                time.sleep(0.05 if self.path == "/slow" else 0)
                body = f"hello from {address}{self.path}".encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                with lock:
                    site.in_flight -= 1

        self.server = ThreadingHTTPServer((address, 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://{address}:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def sites() -> Iterator[list[_Site]]:
    made = [_Site(f"127.0.0.{i}") for i in (1, 2, 3)]
    yield made
    for site in made:
        site.close()


async def test_each_site_keeps_its_connection_alive(sites):
    async with make_client() as client:
        for round_ in range(3):
            for site in sites:
                got = await fetch(client, f"{site.url}/feed{round_}")
                assert got.body == f"hello from {site.url[7:].split(':')[0]}/feed{round_}".encode()
    # three requests per site, interleaved with the others': one connection each
    assert [s.connections for s in sites] == [1, 1, 1]


async def test_many_requests_to_one_site_use_at_most_per_host_connections(sites):
    import asyncio

    site = sites[1]
    async with make_client() as client:
        answers = await asyncio.gather(*(fetch(client, f"{site.url}/slow") for _ in range(12)))
    assert all(a.status == 200 for a in answers)
    assert 2 <= site.most <= PER_HOST
    assert site.connections <= PER_HOST  # reused, not one per request


async def test_only_the_most_recent_hosts_keep_idle_connections(sites):
    """A round over many sites closes the idle connections of the least recently used
    ones (a process may open ~1,024 files): here one host kept at a time."""
    import httpx

    from sources.http import PoliteTransport, host_pools

    transport = PoliteTransport(host_pools(), per_host=PER_HOST, kept_hosts=1)
    async with httpx.AsyncClient(transport=transport) as client:
        first, second = sites[0], sites[1]
        await fetch(client, f"{first.url}/a")
        await fetch(client, f"{first.url}/b")  # reused while it is the one kept
        await fetch(client, f"{second.url}/a")  # the first site's pool is closed
        await fetch(client, f"{first.url}/c")  # so it connects again
    assert first.connections == 2 and second.connections == 1
