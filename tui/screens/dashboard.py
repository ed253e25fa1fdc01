"""The dashboard (key D): how today looks, at a glance.

Per-brand volume sparklines over the last 24 h (hourly) and 7 d (hourly), the spike
state (triage.spikes), and today's response figures and SLA breaches (triage.report over
today's UTC day). The figures are computed in a worker thread from the store, so a big
store never freezes the screen; `r` recomputes. Mention text only ever reaches the
screen as a rich Text (never parsed as markup), sanitised once more.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Label, Sparkline, Static

from triage import query
from triage.alerts import spike_alerts
from triage.config import Config
from triage.model import utcnow
from triage.protocol import StoreReader
from triage.query import Counts, SlaLeft
from triage.report import Period, Report, build_report
from triage.report_render import fmt_value
from triage.spikes import lookback
from triage.text import sanitize

HOURS_WEEK = 24 * 7


@dataclass(slots=True)
class Figures:
    """What the dashboard shows, computed off the UI thread."""

    now: datetime
    hourly: dict[str, list[int]] = field(default_factory=dict)  # brand -> 168 hourly counts
    spikes: list[str] = field(default_factory=list)
    today: Report | None = None
    top_story: tuple[str, str, str] | None = None  # (author, platform, text)
    inbox: Counts | None = None  # the same figures as the status bar and `veille list`


def brand_order(config: Any, seen: Counter[str]) -> list[str]:
    """Own brands first (config order), then competitors, then brands only seen in data."""
    names = [b.name for b in config.brands if not b.is_competitor]
    names += [b.name for b in config.brands if b.is_competitor]
    names += sorted(b for b in seen if b not in names)
    return names


def compute_figures(
    inbox: StoreReader, config: Config, now: datetime, sla_left: SlaLeft | None = None
) -> Figures:
    """One pass over the last 8 days of mentions (spikes need a week of baseline), and
    the inbox's counts from the one inbox query (triage.query)."""
    hour_end = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    week_start = hour_end - timedelta(hours=HOURS_WEEK)
    history = list(inbox.mentions_between(lookback(now), now))
    counts: dict[str, list[int]] = {}
    seen: Counter[str] = Counter()
    for m in history:
        if m.created_at < week_start:
            continue
        slot = int((m.created_at - week_start).total_seconds() // 3600)
        for b in m.brands:
            seen[b] += 1
            counts.setdefault(b, [0] * HOURS_WEEK)[slot] += 1
    hourly = {b: counts.get(b, [0] * HOURS_WEEK) for b in brand_order(config, seen)}
    spikes = [a.title for a in spike_alerts(history, now)]  # the banner's words
    day_start = datetime(now.year, now.month, now.day, tzinfo=UTC)
    today_period = Period(day_start, max(now, day_start + timedelta(seconds=1)))
    today = build_report(
        (m for m in history if m.created_at >= day_start),
        inbox.state,
        inbox.events(since=day_start - timedelta(days=8)),
        period=today_period,
        now=now,
        brands=config.brands,
        sla=config.sla,
        urgent_threshold=inbox.urgent_threshold,
        top=1,
    )
    top = None
    growing = today.table("growing_stories").rows or today.table("top_stories").rows
    if growing:
        row = dict(zip(today.table("top_stories").columns, growing[0][:7], strict=True))
        top = (row["author"], row["platforms"], row["text"])
    counts = query.count(inbox, now, sla_left)
    return Figures(now, hourly, spikes, today, top, counts)


class DashboardScreen(Screen[None]):
    CSS_PATH = Path(__file__).with_suffix(".tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,D", "app.pop_screen", "Back", id="dashboard.back"),
        Binding("r", "recompute", "Refresh", id="dashboard.refresh"),
    ]

    def __init__(
        self,
        inbox: StoreReader,
        config: Config,
        *,
        now: Callable[[], datetime] = utcnow,
        sla_left: SlaLeft | None = None,
    ) -> None:
        super().__init__()
        self.inbox = inbox
        self.config = config
        self.now = now
        self.sla_left = sla_left
        self.figures: Figures | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dashboard"):
            yield Static(Text("Dashboard", style="bold"), id="dash-title")
            yield Static(Text("Computing the figures…"), id="dash-status")
            yield VerticalScroll(id="dash-brands")
            yield Static(id="dash-spikes")
            yield Static(id="dash-today")
            yield Static(id="dash-story")
        yield Footer()

    def on_mount(self) -> None:
        self.action_recompute()

    def action_recompute(self) -> None:
        self.query_one("#dash-status", Static).update(Text("Computing the figures…"))
        self._compute(self.now())

    @work(thread=True, exclusive=True, group="dashboard")
    def _compute(self, now: datetime) -> None:
        try:
            figures = compute_figures(self.inbox, self.config, now, self.sla_left)
        except Exception as exc:  # a damaged store must not take the app down
            message = Text(f"The figures could not be computed: {sanitize(str(exc))}")
            self.app.call_from_thread(self._status, message)
            return
        self.app.call_from_thread(self._show, figures)

    def _status(self, message: Text) -> None:
        self.query_one("#dash-status", Static).update(message)

    def _show(self, f: Figures) -> None:
        self.figures = f
        self._status(Text(f"As of {f.now:%Y-%m-%d %H:%M} UTC  ·  r: refresh  ·  esc: back"))
        brands = self.query_one("#dash-brands", VerticalScroll)
        brands.remove_children()
        rows = []
        for brand, counts in f.hourly.items():
            day, week = counts[-24:], counts
            label = Text(sanitize(brand), style="bold")
            rows.append(
                Horizontal(
                    Label(label, classes="brand-name"),
                    Label(Text(f"24 h {sum(day):>5}"), classes="brand-count"),
                    Sparkline(day, summary_function=max, classes="spark-day"),
                    Label(Text(f"7 d {sum(week):>6}"), classes="brand-count"),
                    Sparkline(week, summary_function=max, classes="spark-week"),
                    classes="brand-row",
                )
            )
        if not rows:
            rows.append(
                Horizontal(Label(Text("No mention in the last 7 days.")), classes="brand-row")
            )
        brands.mount_all(rows)

        spikes = Text("Spikes\n", style="bold")
        if f.spikes:
            for line in f.spikes:
                spikes.append(f"  ▲ {sanitize(line)}\n", style="bold red")
        else:
            spikes.append("  No spike: every brand is within its usual volume.\n")
        self.query_one("#dash-spikes", Static).update(spikes)

        today = Text("Inbox now\n", style="bold")
        if f.inbox is not None:
            c = f.inbox
            today.append(f"  {c.open} open · {c.urgent} urgent · ")
            today.append(f"{c.breached} SLA breached", style="bold red" if c.breached else "")
            today.append(f" · {c.groups} stories in all\n")
        today.append("\nToday (UTC)\n", style="bold")
        if f.today is not None:
            for label, value, kind in f.today.summary:
                if label in ("Stories", "Backlog median age"):
                    continue
                if label == "Open backlog" and f.inbox is not None:
                    value = f.inbox.open  # the inbox's one count, not today's stories only
                today.append(f"  {label}: ")
                style = "bold red" if label == "SLA breaches" and value else "bold"
                today.append(fmt_value(value, kind), style=style)
                today.append("\n")
        self.query_one("#dash-today", Static).update(today)

        story = Text("Top story today\n", style="bold")
        if f.top_story:
            author, platform, text = f.top_story
            story.append(f"  {sanitize(author)} on {sanitize(platform)}: ", style="dim")
            story.append(sanitize(text))  # plain Text: markup in a mention stays text
        else:
            story.append("  Nothing yet today.")
        self.query_one("#dash-story", Static).update(story)
