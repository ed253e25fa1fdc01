"""A round of plain-http feeds never builds the TLS context (reading the CA bundle costs
~60 ms before the first request of a `veille fetch` can go out); https still verifies."""

from __future__ import annotations

import ssl

import httpx
import pytest

from sources.http import fetch, host_pools, make_client
from tests.sources.conftest import Reply


@pytest.fixture
def contexts_built(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    built: list[int] = []
    real = httpx.create_ssl_context

    def counting(*args: object, **kwargs: object) -> ssl.SSLContext:
        built.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(httpx, "create_ssl_context", counting)
    return built


async def test_plain_http_feeds_build_no_tls_context(server, contexts_built) -> None:
    url = server.route("/feed", Reply(body=b"<rss/>", headers={"Content-Type": "text/xml"}))
    async with make_client() as client:
        for _ in range(3):
            assert (await fetch(client, url)).body == b"<rss/>"
    assert contexts_built == []


def test_https_pools_share_one_verifying_context(contexts_built) -> None:
    make = host_pools()
    make(b"https")
    make(b"https")
    assert len(contexts_built) == 1


def test_the_plain_pools_context_trusts_no_certificate() -> None:
    """Were an https request ever to reach a plain-http pool, it would fail to verify,
    never pass unverified."""
    make = host_pools()
    transport = make(b"http")
    context = transport._pool._ssl_context  # httpcore's pool keeps what it was given
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
    assert context.cert_store_stats()["x509_ca"] == 0
