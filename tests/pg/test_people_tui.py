"""The person pane (key p) and `person:vip` in the inbox on a PostgreSQL store, as
tests/tui/test_person_pane.py on the folder store: the people list is the database's."""

from __future__ import annotations

from app.people import people_of, update_people
from tests.pg.test_stories_tui import app_on, pg_inbox, rows  # noqa: F401  (a fixture)
from tests.tui.test_person_pane import _until
from triage.people import link, set_tags
from tui.widgets.person_pane import PersonPane


async def test_p_and_person_vip_on_postgresql(pg_inbox):  # noqa: F811
    update_people(
        pg_inbox, lambda p: set_tags(link(p, ["@ana", "ana.bsky.social"]), "ana", ["vip"])
    )
    app = app_on(pg_inbox)
    async with app.run_test(size=(140, 50)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"person:vip", "enter")
        await _until(pilot, lambda: rows(app) == ["mastodon:1"], "ana's group alone")
        await pilot.press("p")
        await _until(pilot, lambda: isinstance(app.screen, PersonPane) and app.screen.text, "pane")
        assert "ana, ana.bsky.social" in app.screen.text and "tags: #vip" in app.screen.text
        assert "posts (1):" in app.screen.text
        await pilot.press("v")
        await _until(pilot, lambda: "tags: none" in app.screen.text, "VIP removed")
        assert people_of(pg_inbox).find("ana").tags == ()  # type: ignore[union-attr]
        await pilot.press("escape")
        await _until(pilot, lambda: rows(app) == [], "an empty person:vip list")
