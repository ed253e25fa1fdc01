"""A failed hand-off is red in its row, counted in the status bar, and R retries it."""

from __future__ import annotations

import asyncio

from triage.model import DeliveryStatus

from .conftest import screen_text


async def test_failed_handoff_row_status_bar_and_retry(make_app, inbox):
    inbox.handoff("mastodon:1", "service-client", "refund")
    inbox.update_handoff("mastodon:1", DeliveryStatus.FAILED, error="team webhook: 404")
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        for _ in range(100):  # the counts come from a worker
            if "hand-off failed" in screen_text(app):
                break
            await asyncio.sleep(0.02)
        text = screen_text(app)
        assert "1 hand-off failed" in text
        assert "✗handoff" in text
        assert "hand-off to service-client FAILED" in text.replace("▕ ", "")  # the pane
        assert "✓" not in next(line for line in text.splitlines() if "ana" in line)
        await pilot.press("R")
        for _ in range(200):
            h = inbox.state("mastodon:1").handoff
            if h is not None and h.delivery is DeliveryStatus.PENDING:
                break
            await asyncio.sleep(0.02)
        h = inbox.state("mastodon:1").handoff
        assert h is not None and h.delivery is DeliveryStatus.PENDING
