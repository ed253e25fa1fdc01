"""The status bar never claims "0 SLA breached" before the counts are in: a person on
call glancing at a just-opened inbox must not read "nothing breached" while the count
worker is still going (the tmux team test saw `0 SLA breached 1+/1 shown` with one
breached story on screen)."""

from __future__ import annotations

from tui.widgets.status_bar import StatusInfo, render_status


def test_before_the_first_count_the_bar_says_counting_not_zero():
    text = render_status(StatusInfo(user="ana", shown=1, total=1, counted=False)).plain
    assert "counting…" in text
    assert "SLA breached" not in text and "0 open" not in text


def test_once_counted_the_figures_are_shown():
    text = render_status(StatusInfo(user="ana", open=3, breached=1, shown=1, total=1)).plain
    assert " 3 open " in text and " 1 SLA breached " in text
    assert "counting" not in text
