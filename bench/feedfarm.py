"""The feed farms bench/ingest.py serves: three shapes real deployments have.

- `zipf`: many small feeds, each on its own web site (one loopback address per feed),
  words drawn by Zipf's law from 6,000 pseudo-words (blogs and forums found by alerts);
- `onehost`: many feeds on ONE site (Google Alerts, one Reddit or Mastodon instance, one
  forum) about one product, its complaints repeating a small vocabulary (~250 words):
  every post shares most of its words with thousands of others, the worst case for
  grouping's candidate search;
- `tweets`: few big feeds on one site, real customer-support tweets
  (`../shared/data/twcs-sample.csv`, read here, never copied into the repository).
  Each feed is a window of 500 consecutive tweets and windows overlap (the 5,000 rows
  give 30 feeds x 500 items): one tweet in two search feeds, as in real listening. Its
  guid is the status URL, so both tools store each tweet once.

Deterministic for a given shape and size. Dates are recent (within the grouping window).
"""

from __future__ import annotations

import csv
import email.utils
import html
import itertools
import random
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.real_eval import CSV as SAMPLE  # noqa: E402  ../shared/data, found as it finds it

SHAPES = ("onehost", "tweets", "zipf")

COMMON = [
    "lumio",
    "glow",
    "lamp",
    "battery",
    "app",
    "update",
    "night",
    "mode",
    "broken",
    "love",
    "support",
    "order",
    "delivery",
    "refund",
    "colour",
    "warm",
    "light",
    "review",
    "price",
]
SYLLABLES = ["ka", "lo", "mi", "ré", "tu", "sa", "ven", "dor", "pli", "que", "zan", "or"]
BRANDS = ("Lumio", "Brightly", "Lumio Glow")

# One product's complaints: function words first (most frequent), then the product's
# words. Real complaints about one product draw on a few hundred words.
_SMALL_WORDS = (
    "the my i it and to is a not of for after with was on this again since no but have "
    "still be in they me now what can at so just already do why or when from you your "
    "lumio glow lamp app update battery charge charging wifi bluetooth pair pairing light "
    "dim bright colour warm cold night mode timer schedule alarm button switch plug cable "
    "charger adapter base stand bulb led flicker flickering blinking red green blue white "
    "orange reset restart reboot factory setting settings firmware version phone android "
    "iphone account login password email code error message screen crash crashes crashed "
    "freeze frozen slow stuck dead broken fix fixed working works stopped stop died dying "
    "hours days weeks week month day yesterday today morning evening night twice three "
    "times order ordered delivery delivered parcel box shipping shipped tracking refund "
    "return returned replacement replace warranty receipt invoice support service customer "
    "chat call called phone hold waiting wait answer answered reply replied ticket case "
    "number agent manager nobody anyone help please urgent terrible awful useless worst "
    "disappointed angry annoyed frustrated love loved great nice good bad poor cheap price "
    "paid money euros expensive quality plastic cracked hot overheating smell burning "
    "melted noise buzzing sound kids bedroom desk office room house home new old first "
    "second last week's month's store shop website online review stars recommend never "
    "buy bought again anymore"
)
SMALL = list(dict.fromkeys(_SMALL_WORDS.split()))


@dataclass(slots=True)
class Farm:
    """One shape, generated: its feed files, how many sites serve them, what to expect."""

    shape: str
    names: list[str]
    hosts: int  # loopback addresses serving the feeds (1: all on one site)
    expected: int  # distinct entries veille must store
    items: int  # items newsboat stores (one per feed entry)
    describe: str
    brands: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = field(default_factory=list)


# ---------------------------------------------------------------- words


def _pseudo_words(rng: random.Random, size: int = 6000) -> list[str]:
    """Pseudo-words (real posts draw on thousands of words; a tiny vocabulary would make
    every post a near-duplicate of every other and measure nothing real)."""
    words = {"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(size)}
    return sorted(words)


VOCABULARY = _pseudo_words(random.Random(7))
ZIPF = list(itertools.accumulate(1 / rank for rank in range(1, len(VOCABULARY) + 1)))
SMALL_ZIPF = list(itertools.accumulate(1 / rank**0.8 for rank in range(1, len(SMALL) + 1)))


def _sentence(rng: random.Random, n: int, small: bool) -> str:
    """Words drawn by Zipf's law, a few of them product words, one brand name."""
    if small:
        words = rng.choices(SMALL, cum_weights=SMALL_ZIPF, k=n)
    else:
        words = rng.choices(VOCABULARY, cum_weights=ZIPF, k=n)
        words[rng.randrange(n)] = rng.choice(COMMON)
    words.insert(rng.randrange(len(words)), rng.choice(BRANDS))
    return " ".join(words).capitalize()


def _entry_html(rng: random.Random, small: bool) -> str:
    paragraphs = [
        f"<p>{html.escape(_sentence(rng, 14, small))} &amp; <b>{rng.choice(BRANDS)}</b> "
        f"&mdash; <a href='https://example.org/{rng.randrange(10**6)}'>link</a></p>"
        for _ in range(rng.randint(2, 4))
    ]
    return "".join(paragraphs) + "<ul><li>caf&eacute; &#8220;quoted&#8221;</li></ul>"


# ---------------------------------------------------------------- feeds


def rss_feed(
    index: int, entries: int, rng: random.Random, base: datetime, small: bool = False
) -> str:
    items = []
    for j in range(entries):
        when = email.utils.format_datetime(base - timedelta(minutes=7 * j + index))
        title = html.escape(f"<b>{rng.choice(BRANDS)}</b> {_sentence(rng, 6, small)}")
        items.append(
            f"<item><title>{title}</title>"
            f"<link>https://blog{index}.example.org/posts/{j}</link>"
            f"<guid isPermaLink='false'>feed{index}-entry{j}</guid>"
            f"<pubDate>{when}</pubDate><author>writer{j % 9}@example.org (Writer {j % 9})</author>"
            f"<description>{html.escape(_entry_html(rng, small))}</description></item>"
        )
    return (
        "<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel>"
        f"<title>Blog {index}</title><link>https://blog{index}.example.org/</link>"
        f"<description>Feed {index}</description><language>en</language>"
        + "".join(items)
        + "</channel></rss>"
    )


def atom_feed(
    index: int, entries: int, rng: random.Random, base: datetime, small: bool = False
) -> str:
    items = []
    for j in range(entries):
        when = (base - timedelta(minutes=7 * j + index)).strftime("%Y-%m-%dT%H:%M:%SZ")
        title = html.escape(f"{rng.choice(BRANDS)} &amp; <i>{_sentence(rng, 6, small)}</i>")
        items.append(
            f"<entry><title type='html'>{title}</title>"
            f"<link rel='alternate' href='https://forum{index}.example.org/t/{j}'/>"
            f"<id>tag:forum{index}.example.org,2026:{j}</id><updated>{when}</updated>"
            f"<author><name>Member {j % 13}</name></author>"
            f"<content type='html'>{html.escape(_entry_html(rng, small))}</content></entry>"
        )
    return (
        "<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
        f"<title>Forum {index}</title><id>tag:forum{index}.example.org,2026:feed</id>"
        f"<updated>{base.strftime('%Y-%m-%dT%H:%M:%SZ')}</updated>"
        f"<link rel='self' href='https://forum{index}.example.org/feed'/>"
        + "".join(items)
        + "</feed>"
    )


LUMIO = [
    ("Lumio", ("lumio", "lumio glow"), ()),
    ("Brightly", ("brightly",), ()),
]


def synthetic(folder: Path, feeds: int, entries: int, small: bool) -> list[str]:
    rng = random.Random(20261123 + small)
    base = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    names = []
    for i in range(feeds):
        atom = i % 2 == 1
        text = (atom_feed if atom else rss_feed)(i, entries, rng, base, small)
        name = f"feed{i:03d}.{'atom' if atom else 'rss'}"
        (folder / name).write_bytes(text.encode("utf-8"))
        names.append(name)
    return names


def tweet_rows(path: Path = SAMPLE) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if r.get("tweet_id") and r.get("text")]


def tweets(folder: Path, feeds: int, entries: int, path: Path = SAMPLE) -> tuple[list[str], int]:
    """`feeds` RSS feeds of `entries` real tweets each (overlapping windows of the sample,
    newest first, one every 20 s before now); returns (names, distinct tweets)."""
    rows = tweet_rows(path)
    base = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    step = max(1, (len(rows) - entries) // max(1, feeds - 1)) if len(rows) > entries else 0
    names, seen = [], set()
    for i in range(feeds):
        items = []
        for j in range(entries):
            k = (i * step + j) % len(rows)
            r = rows[k]
            seen.add(k)
            when = email.utils.format_datetime(base - timedelta(seconds=20 * k))
            link = f"https://twitter.com/{r['author_id']}/status/{r['tweet_id']}"
            text = r["text"]
            title = text if len(text) <= 60 else text[:60] + "…"
            items.append(
                f"<item><title>{html.escape(title)}</title><link>{link}</link>"
                f"<guid>{link}</guid><pubDate>{when}</pubDate>"
                f"<author>x@twitter.com ({html.escape(r['author_id'])})</author>"
                f"<description>{html.escape(text)}</description></item>"
            )
        body = (
            "<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel>"
            f"<title>Search {i}</title><link>https://nitter.example.org/search/{i}</link>"
            f"<description>Tweets {i}</description><language>en</language>"
            + "".join(items)
            + "</channel></rss>"
        )
        name = f"search{i:03d}.rss"
        (folder / name).write_bytes(body.encode("utf-8"))
        names.append(name)
    return names, len(seen)


def build(shape: str, folder: Path, feeds: int, entries: int) -> Farm | None:
    """Generate one shape's feeds into `folder`; None (with the reason printed) when the
    shape's data is absent."""
    folder.mkdir(parents=True, exist_ok=True)
    if shape == "zipf":
        names = synthetic(folder, feeds, entries, small=False)
        n = feeds * entries
        about = f"{feeds} feeds x {entries} entries, one site each, Zipf over 6,000 words"
        return Farm(shape, names, min(feeds, 250), n, n, about, LUMIO)
    if shape == "onehost":
        names = synthetic(folder, feeds, entries, small=True)
        n = feeds * entries
        about = (
            f"{feeds} feeds x {entries} entries on ONE site, one product's complaints "
            f"({len(set(SMALL))} words)"
        )
        return Farm(shape, names, 1, n, n, about, LUMIO)
    if shape == "tweets":
        if not SAMPLE.exists():
            print(f"shape tweets skipped: {SAMPLE} is absent (real data lives in ../shared/data)")
            return None
        names, distinct = tweets(folder, feeds, entries)
        about = (
            f"{feeds} feeds x {entries} real tweets on ONE site ({distinct} distinct: the "
            "feeds overlap, as search feeds do)"
        )
        # newsboat, too, keeps one item per guid
        return Farm(shape, names, 1, distinct, distinct, about, twcs_brands())
    raise ValueError(f"unknown shape {shape!r}; known: {', '.join(SHAPES)}")


def twcs_brands() -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """The support accounts of the tweets sample as brands (bench/real_eval.py's list)."""
    from bench.real_eval import brand_configs

    return [(b.name, tuple(b.keywords), tuple(b.handles)) for b in brand_configs()]
