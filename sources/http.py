"""The one way veille speaks HTTP: a polite httpx client and `fetch` with every guard.

Guards, because feed servers are many and some are hostile or broken: a byte cap on the
decoded body (which also stops gzip bombs), an overall deadline per attempt (a server
dripping one byte a second never trips a read timeout), conditional GET (a 304 costs no
parsing), retries with exponential backoff and jitter for transient failures, and
Retry-After / 429 honoured. Failures become `SourceError` in words a user can act on.
Politeness per host is enforced in the transport, so every source gets it without
thinking about it: at most `PER_HOST` requests in flight to one host, as browsers (6)
and feed readers do. One at a time made 200 feeds on one site (Google Alerts, one
Mastodon or Reddit instance: the common case) a queue of round trips while the cores
waited; a few keep the parsing workers fed without hammering anyone.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import ipaddress
import random
import socket
import ssl
import time
from collections import Counter, OrderedDict, defaultdict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from typing import Any

import httpx

from sources.base import SourceError
from sources.bodies import BROKEN, CODINGS, Inflater, raw_cap, too_large
from sources.bodies import describe_size as describe_size  # (re-exported)
from triage.model import utcnow

USER_AGENT = "veille/0.1 (+community inbox)"
MAX_BYTES = 10 * 1024 * 1024
TIMEOUT = 10.0
PER_HOST = 4  # requests in flight to one host at most
KEPT_HOSTS = 20  # hosts whose idle connections are kept alive (the most recently used)
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})

_HINTS = {
    401: "the token was refused; check it",
    403: "access refused; check the token or the permissions",
    404: "nothing at this address; check the URL",
    410: "the feed was removed",
    429: "too many requests; slowing down",
}


@dataclass(slots=True)
class FetchResult:
    status: int
    url: str  # the final URL, after redirects
    headers: dict[str, str] = field(default_factory=dict)  # lowercase keys
    body: bytes = b""
    moved_to: str | None = None  # a permanent redirect to another host: update the URL
    encoding: str = ""  # `fetch(inflate=False)`: the body is still gzip or deflate (`inflate`)

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")


class _ReleasingStream(httpx.AsyncByteStream):
    """A response body that gives the host back once it is read or closed."""

    def __init__(self, inner: httpx.AsyncByteStream, release: Callable[[], None]) -> None:
        self._inner = inner
        self._release: Callable[[], None] | None = release

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._inner.aclose()
        finally:
            if self._release is not None:
                release, self._release = self._release, None
                release()


Origin = tuple[bytes, bytes, int | None]  # scheme, host, port


class PoliteTransport(httpx.AsyncBaseTransport):
    """At most `per_host` requests in flight to one host, body included, and one
    connection pool per host.

    One pool for every host made each request scan all the pool's connections
    (httpcore looks for an idle one to reuse, then one to expire): with 200 feed sites
    kept alive that was ~1 s of a first `veille fetch`. A pool per host holds at most
    `per_host` connections, so finding one is a short look. The https pools share one TLS
    context (building one reads the CA bundle: tens of milliseconds each). Only the
    `kept_hosts` most recently used hosts keep idle connections alive (httpx's own
    bound is 20 idle connections): a round over 1,000 sites must not hold 1,000 sockets
    open, when a process may often open 1,024 files in all.
    """

    def __init__(
        self,
        make_pool: Callable[[bytes], httpx.AsyncBaseTransport],
        per_host: int = 1,
        kept_hosts: int = KEPT_HOSTS,
    ) -> None:
        self._make_pool = make_pool
        self._kept_hosts = kept_hosts
        self._pools: OrderedDict[Origin, httpx.AsyncBaseTransport] = OrderedDict()  # LRU first
        self._busy: Counter[Origin] = Counter()  # requests in flight per origin, body included
        self._per_host = per_host
        self._gates: dict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(self._per_host)
        )

    async def _pool(self, key: Origin) -> httpx.AsyncBaseTransport:
        pool = self._pools.get(key)
        if pool is not None:
            self._pools.move_to_end(key)
            return pool
        pool = self._pools[key] = self._make_pool(key[0])
        excess = len(self._pools) - self._kept_hosts
        if excess > 0:  # close the least recently used pools with nothing in flight
            idle = [k for k in self._pools if not self._busy[k]][:excess]
            for old in idle:
                with contextlib.suppress(Exception):  # never another host's request's fault
                    await self._pools.pop(old).aclose()
        return pool

    def _done(self, key: Origin, gate: asyncio.Semaphore) -> None:
        self._busy[key] -= 1
        if self._busy[key] <= 0:
            del self._busy[key]
        gate.release()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        gate = self._gates[request.url.host]
        await gate.acquire()
        key = (request.url.raw_scheme, request.url.raw_host, request.url.port)
        self._busy[key] += 1
        try:
            pool = await self._pool(key)
            response = await pool.handle_async_request(request)
        except BaseException:
            self._done(key, gate)
            raise
        response.stream = _ReleasingStream(
            response.stream,  # type: ignore[arg-type]
            lambda: self._done(key, gate),
        )
        return response

    async def aclose(self) -> None:
        pools, self._pools = list(self._pools.values()), OrderedDict()
        for pool in pools:
            await pool.aclose()


def host_pools() -> Callable[[bytes], httpx.AsyncBaseTransport]:
    """A maker of one host's connection pool (its gate keeps it at `per_host`
    connections), given the origin's scheme. The https pools share one TLS context built
    on first use: building it reads the CA bundle (~60 ms), which a round of plain-http
    feeds never needs. A plain-http pool (its origin's scheme is part of its key, so it
    never carries an https request) gets a context that trusts no certificate."""
    tls: list[ssl.SSLContext] = []
    plain: list[ssl.SSLContext] = []

    def make(scheme: bytes = b"https") -> httpx.AsyncHTTPTransport:
        if scheme == b"http":
            if not plain:
                plain.append(ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT))  # verifies, trusts none
            return httpx.AsyncHTTPTransport(verify=plain[0], retries=0)
        if not tls:
            tls.append(httpx.create_ssl_context())
        return httpx.AsyncHTTPTransport(verify=tls[0], retries=0)

    return make


# Set by the poller for the source being polled (each source polls in its own task).
ALLOW_PRIVATE: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "veille_allow_private", default=False
)
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


async def _addresses(host: str) -> list[Address]:
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError:
        return []  # the request itself will fail, in words
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


def _inside(addr: Address) -> bool:
    return addr.is_private or addr.is_loopback or addr.is_link_local or addr.is_reserved


async def refuse_private_redirect(response: httpx.Response) -> None:
    """A response hook: a feed must not redirect us into the network we run in.

    A redirect to a link-local address (169.254.169.254: cloud metadata) is refused,
    and one to a private or loopback address is refused when the source itself is not
    on such an address (a public feed sending us to 10.0.0.1 or 127.0.0.1). A source
    with `allow_private = true` is trusted. The URL an operator configured is not
    checked: they chose it. (Resolved once here; DNS rebinding is not defended.)
    """
    if not response.has_redirect_location or ALLOW_PRIVATE.get():
        return
    target = response.url.join(response.headers["location"])
    if not target.host:
        return
    there = await _addresses(target.host)
    if not there:
        return
    here = await _addresses(response.url.host)
    origin_inside = bool(here) and all(map(_inside, here))
    bad = [a for a in there if a.is_link_local or (_inside(a) and not origin_inside)]
    if bad:
        raise SourceError(
            f"{response.url.host} redirected to {target.host} ({bad[0]}), a private or "
            "link-local address: refused (set allow_private = true on this source if "
            "that is intended)"
        )


def make_client(
    timeout: float = TIMEOUT, per_host: int = PER_HOST, **kwargs: Any
) -> httpx.AsyncClient:
    """The client every source uses: descriptive User-Agent, timeouts, redirects, gzip."""
    transport = PoliteTransport(host_pools(), per_host=per_host)
    return httpx.AsyncClient(
        headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
        timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
        follow_redirects=True,
        max_redirects=5,
        transport=transport,
        event_hooks={"response": [refuse_private_redirect]},
        **kwargs,
    )


def describe_status(status: int) -> str:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = ""
    text = f"server answered {status} {phrase}".rstrip()
    hint = _HINTS.get(status)
    return f"{text}: {hint}" if hint else text


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds (it may be a number or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - utcnow()).total_seconds())


def _deadline(client: httpx.AsyncClient) -> float:
    return float(client.timeout.read or TIMEOUT)


def _words(exc: Exception, deadline: float, host: str) -> str:
    if isinstance(exc, TimeoutError | httpx.ReadTimeout | httpx.WriteTimeout | httpx.PoolTimeout):
        return f"timed out after {deadline:g} s"
    if isinstance(exc, httpx.ConnectTimeout):
        return f"could not connect to {host} in time"
    if isinstance(exc, httpx.ConnectError):
        return f"could not connect to {host} ({exc or 'refused'})"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the server closed the connection before the whole answer arrived"
    if isinstance(exc, httpx.TooManyRedirects):
        return "too many redirects"
    if isinstance(exc, httpx.DecodingError):
        return BROKEN
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return f"not a usable web address ({exc})"
    return f"network error: {type(exc).__name__}"


def _moved_to(asked: str, resp: httpx.Response) -> str | None:
    """The final URL when a permanent redirect (301, 308) led to another host."""
    if not any(r.status_code in (301, 308) for r in resp.history):
        return None
    final = resp.url
    if (final.host or "").lower() == (httpx.URL(asked).host or "").lower():
        return None
    return str(final)


async def _attempt(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    headers: dict[str, str],
    params: dict[str, Any] | None,
    json_body: Any,
    max_bytes: int,
    inflate: bool,
) -> FetchResult:
    async with client.stream(method, url, headers=headers, params=params, json=json_body) as resp:
        lowered = {k.lower(): v for k, v in resp.headers.items()}
        result = FetchResult(status=resp.status_code, url=str(resp.url), headers=lowered)
        if resp.status_code == 304 or method == "HEAD":
            return result
        declared = lowered.get("content-length", "")
        coding = CODINGS.get(lowered.get("content-encoding", "identity").strip().lower())
        if declared.isdigit() and "content-encoding" not in lowered and int(declared) > max_bytes:
            raise too_large(max_bytes)
        chunks: list[bytes] = []
        size = 0
        if coding and not inflate:  # read as sent; the caller inflates it (`inflate`)
            cap = raw_cap(max_bytes)
            if declared.isdigit() and int(declared) > cap:
                raise too_large(max_bytes)
            async for raw in resp.aiter_raw():
                size += len(raw)
                if size > cap:
                    raise too_large(max_bytes)
                chunks.append(raw)
            result.encoding = coding
        elif coding:
            inflater = Inflater(coding)
            async for raw in resp.aiter_raw():
                for piece in inflater.feed(raw):
                    size += len(piece)
                    if size > max_bytes:
                        raise too_large(max_bytes)
                    chunks.append(piece)
        else:
            async for chunk in resp.aiter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise too_large(max_bytes)
                chunks.append(chunk)
        result.body = b"".join(chunks)
        result.moved_to = _moved_to(url, resp)
        return result


async def fetch(
    client: httpx.AsyncClient,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    max_bytes: int = MAX_BYTES,
    params: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    method: str = "GET",
    json_body: Any = None,
    retries: int = 2,
    max_wait: float = 30.0,
    accept: frozenset[int] = frozenset(),
    inflate: bool = True,
) -> FetchResult:
    """GET (or `method`) `url` with every guard; 2xx, 304 and `accept` statuses return.

    Anything else raises SourceError in words, after up to `retries` retries for
    timeouts, dropped connections, 429 and 5xx. A Retry-After longer than `max_wait` is
    not slept on here: the error carries it so the poller comes back later. With
    `inflate=False` a gzip or deflate body stays compressed (`result.encoding` says
    which; at most `raw_cap(max_bytes)` bytes of it): the caller inflates it with
    `inflate`, which applies `max_bytes` and says so in the same words.
    """
    sent = dict(headers or {})
    if etag:
        sent["If-None-Match"] = etag
    if last_modified:
        sent["If-Modified-Since"] = last_modified
    deadline = _deadline(client)
    attempt = 0
    started = time.monotonic()
    while True:
        wait: float | None = None
        try:
            async with asyncio.timeout(deadline):
                result = await _attempt(
                    client, method, url, sent, params, json_body, max_bytes, inflate
                )
        except SourceError:
            raise
        except (
            TimeoutError,
            httpx.TransportError,
            httpx.TooManyRedirects,
            httpx.DecodingError,  # (it escaped as "unexpected error: DecodingError" before)
        ) as exc:
            message = _words(exc, deadline, httpx.URL(url).host)  # parsed: it was requested
            if attempt >= retries and message.startswith("timed out") and attempt:
                # what the user waited, not one attempt's limit (a slow drip retried
                # twice is "32 s", never "10 s")
                spent = time.monotonic() - started
                message = (
                    f"timed out after {spent:.0f} s in all ({attempt + 1} tries, each cut "
                    f"at {deadline:g} s)"
                )
            if attempt >= retries or isinstance(
                exc,
                httpx.TooManyRedirects
                | httpx.UnsupportedProtocol
                | httpx.InvalidURL
                | httpx.DecodingError,
            ):
                raise SourceError(message) from None
        else:
            status = result.status
            if 200 <= status < 300 or status == 304 or status in accept:
                return result
            message = describe_status(status)
            if status not in RETRIED_STATUSES:
                raise SourceError(message)
            wait = retry_after_seconds(result.headers.get("retry-after"))
            if wait is not None and wait > max_wait:
                raise SourceError(f"{message} (asked to wait {wait:.0f} s)", retry_after=wait)
            if attempt >= retries:
                raise SourceError(message, retry_after=wait)
        if wait is None:
            wait = min(8.0, 0.25 * 2**attempt) * random.uniform(0.5, 1.5)
        await asyncio.sleep(wait)
        attempt += 1


async def fetch_json(client: httpx.AsyncClient, url: str, **kwargs: Any) -> tuple[Any, FetchResult]:
    """`fetch` then decode JSON; SourceError in words when the answer is not JSON."""
    import orjson

    result = await fetch(client, url, **kwargs)
    if result.not_modified:
        return None, result
    try:
        return orjson.loads(result.body), result
    except orjson.JSONDecodeError:
        kind = result.headers.get("content-type", "unknown type").split(";")[0]
        raise SourceError(
            f"the answer is not valid JSON ({kind}, {len(result.body)} bytes)"
        ) from None
