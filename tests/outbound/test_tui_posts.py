"""From the inbox to the platform: ctrl+s queues the reply, the outbound bridge posts it
on its own thread (the screen's loop never waits on the network or the disk), and the
row shows it delivered."""

from __future__ import annotations

import asyncio

from world import make_config

from store.inbox import Inbox
from triage.model import DeliveryStatus, utcnow
from tui.app import VeilleApp
from tui.integration import OutboundBridge


async def test_reply_typed_in_the_inbox_is_posted_to_mastodon(platform, store):
    config = make_config(platform.url)
    with Inbox.open(store, user="tester") as inbox:
        bridge = OutboundBridge(config, inbox)
        app = VeilleApp(inbox, config, now=utcnow, poll_interval=0.05, pane_delay=0,
                        outbound=bridge)  # fmt: skip
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.pause()
            mlist = app.screen.query_one("#list")
            mlist.move_to(mlist.ids.index("mastodon:111"))
            await pilot.press("r", *"Merci, on regarde !", "ctrl+s")
            for _ in range(200):
                await asyncio.sleep(0.05)
                replies = inbox.state("mastodon:111").replies
                if replies and replies[0].status is DeliveryStatus.DELIVERED:
                    break
            (reply,) = inbox.state("mastodon:111").replies
            assert reply.status is DeliveryStatus.DELIVERED, (reply, bridge.last_error)
            (status,) = platform.state.statuses.values()
            assert status["text"].endswith("Merci, on regarde !")
            assert app.is_running
