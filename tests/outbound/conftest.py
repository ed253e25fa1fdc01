"""Fixtures of the outbound tests: loopback Mastodon/Bluesky/webhook server, SMTP server,
a store holding the mentions answered, and the secrets in the environment."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

sys.path.insert(0, str(Path(__file__).parent))

from platform_server import BSKY_PASSWORD, MASTO_TOKEN, PlatformServer
from world import BSKY_ENV, MASTO_ENV, mentions

from store.inbox import Inbox


@pytest.fixture
def platform():
    with PlatformServer() as server:
        yield server


@pytest.fixture(autouse=True)
def _secrets_env(monkeypatch):
    monkeypatch.setenv(MASTO_ENV, MASTO_TOKEN)
    monkeypatch.setenv(BSKY_ENV, BSKY_PASSWORD)


class MailBox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        self.messages.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    box = MailBox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    box.port = controller.port
    yield box
    controller.stop()


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "store"
    with Inbox.open(path, user="tester") as inbox:
        inbox.ingest(mentions())
    return path
