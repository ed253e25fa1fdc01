"""A layout that adapts, read off the rendered screen: headers, a cursor seen in every
colour mode (NO_COLOR included), urgent rows never darker than the others, the post's
text growing with the terminal, one pane under 100 columns, URLs kept on one line."""

from __future__ import annotations

from textual.color import Color

from store.inbox import Inbox

from .conftest import NOW, make_config, screen_text
from .test_snapshots import LONG_URL, snapshot_mentions


def make(tmp_path, **kwargs):
    from tui.app import VeilleApp

    box = Inbox.open(tmp_path / "store", user="tester")
    if not len(box):
        box.ingest(snapshot_mentions())
    return VeilleApp(box, make_config(), now=lambda: NOW, poll_interval=0, pane_delay=0, **kwargs)


def line_with(app, needle: str, where: str = "#list"):
    """The rendered line of the list (styled segments, after the colour filters) that
    holds `needle`."""
    region = app.screen.query_one(where).content_region
    strips = app.screen._compositor.render_strips()[region.y : region.bottom]
    for strip in strips:
        strip = strip.crop(region.x, region.right)
        if needle in strip.text:
            return strip
    raise AssertionError(f"{needle!r} not in {where}:\n{screen_text(app)}")


def segment_of(strip, needle: str):
    for segment in strip:
        if needle in segment.text:
            return segment
    raise AssertionError(f"{needle!r} not in {strip.text!r}")


def brightness(style) -> float:
    return Color.from_rich_color(style.color).brightness if style.color else 1.0


async def test_no_color_cursor_is_reverse_video_and_urgent_rows_are_not_darker(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("j", "j")  # the cursor on @fabien (60); @ana is urgent (90)
        await pilot.pause()
        assert app.no_color
        cursor = line_with(app, "@fabien")
        urgent, normal = line_with(app, "@ana"), line_with(app, "@bob")
        assert all(s.style.reverse for s in cursor if s.text.strip())
        assert not any(s.style.reverse for s in (*urgent, *normal) if s.style)
        # the urgent row says so with bold, in a grey no darker than a normal row's
        prio, text = segment_of(urgent, "90"), segment_of(urgent, "Lumio app crashed")
        assert prio.style.bold
        assert brightness(prio.style) >= brightness(segment_of(normal, "Is the Lumio").style)
        assert brightness(text.style) >= brightness(segment_of(normal, "Is the Lumio").style)
        # the detail pane has the focus: the cursor row stays in reverse video
        await pilot.press("enter")
        await pilot.pause()
        assert app.focused.id == "thread"
        cursor = line_with(app, "@fabien")
        assert all(s.style.reverse for s in cursor if s.text.strip())


async def test_colour_cursor_is_reverse_video_too(tmp_path, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    app = make(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("j")
        await pilot.pause()
        assert all(s.style.reverse for s in line_with(app, "marc.d") if s.text.strip())
        assert not any(s.style and s.style.reverse for s in line_with(app, "@fabien"))


async def test_headers_and_the_sla_column_in_words(tmp_path):
    sla = lambda view, now: 3600 - (now - view.leader.created_at).total_seconds()  # noqa: E731
    app = make(tmp_path, sla_left=sla)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        header = screen_text(app).splitlines()[0]
        for label in ("Pri", "SLA", "Author", "Post", "Status"):
            assert label in header
        assert "SLA: overdue by 35m (first-response target)" in screen_text(app)  # @ana
        await pilot.press("j")
        await pilot.pause()
        assert "SLA: 18m left to answer" in screen_text(app)
        # a click on the header row moves nothing; on a row, the cursor goes there
        await pilot.click("#list", offset=(10, 0))
        assert app.screen.mention_list.cursor == 1
        await pilot.click("#list", offset=(10, 3))
        assert app.screen.mention_list.current.leader.author.display == "@fabien"


async def test_the_text_column_grows_with_the_terminal(tmp_path):
    shown = {}
    for size in ((120, 40), (160, 48), (200, 50)):
        app = make(tmp_path)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            line = line_with(app, "@ana").text
            shown[size[0]] = len(line.split("@ana", 1)[1].strip().split("  ")[0])
    assert shown[120] < shown[160] < shown[200], shown
    assert shown[200] >= 55  # the whole "Lumio app crashed … remboursement svp"


async def test_one_pane_under_100_columns_with_titles_and_unbroken_urls(tmp_path):
    app = make(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert not screen.query_one("#right").display
        assert screen.query_one("#list").size.width >= 78  # the list has the whole width
        assert "Lumio Glow: battery swelling after" in screen_text(app)  # the title, not 17 cells
        await pilot.press("j", "enter")
        await pilot.pause()
        assert not screen.query_one("#list").display
        assert screen.query_one("#right").display
        lines = screen_text(app).splitlines()
        url_lines = [line for line in lines if "forum.example.org" in line]
        assert len(url_lines) == 1 and url_lines[0].strip().endswith("#post-17")
        assert "…" in url_lines[0]  # cut in the middle to fit, never wrapped
        body = screen.query_one("#thread")
        assert [s.style.link for s in body.visual.spans if getattr(s.style, "link", None)] == [
            LONG_URL
        ]  # the link itself is whole
        await pilot.press("escape")
        await pilot.pause()
        assert screen.query_one("#list").display and not screen.query_one("#right").display
        assert app.focused is screen.mention_list
        await pilot.press("r")  # the editor takes the whole screen too
        await pilot.pause()
        assert screen.query_one("#right").display and not screen.query_one("#list").display
        await pilot.press("escape")
        await pilot.pause()
        assert screen.query_one("#list").display
    app = make(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.screen.query_one("#right").display and app.screen.query_one("#list").display


async def test_keys_typed_right_after_slash_go_to_the_filter(tmp_path):
    """On a busy machine the keys after `/` are already queued when `/` is handled: they
    must never act on the list (`a` opened the claim dialog, `d` marked a group done)."""
    from textual import events

    app = make(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        inbox_screen = app.screen
        for key, char in (("slash", "/"), ("a", "a"), ("t", "t"), ("d", "d")):
            event = events.Key(key, char)
            event.set_sender(app)
            app._driver.send_message(event)  # as the terminal does: all queued at once
        await pilot.pause()
        assert app.screen is inbox_screen  # no dialog opened
        assert all(app.inbox.state(g).status.value == "new" for g in app.screen.ranked)
        assert app.focused is inbox_screen.query_one("#filter")
        await pilot.press(*"lamp")
        assert inbox_screen.query_one("#filter").value.endswith("lamp")
