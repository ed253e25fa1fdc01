"""Brand matching, grouping and ranking measured on real customer-support tweets.

Reads `../shared/data/twcs-sample.csv` (5,000 real tweets between customers and ~80
brands' support accounts, CC BY-NC-SA 4.0; see its README) at run time — the text never
enters the repository — and our hand labels `bench/data/real/labels.csv` (ids only; see
the README beside it). Skips cleanly when the corpus is absent.

Every customer tweet (inbound) becomes a Mention and goes through `triage.pipeline`
in time order, with one brand configured per support account (`BRANDS` below). Half of
them (even ids) come as feed items whose title is the text's first 60 characters, as
microblog and alert feeds give them, so the title rules are exercised on real text.

Printed figures:
- brand precision / recall against the brand of the tweet's conversation (the company
  account that takes part in the thread; the text's own company handle otherwise);
- grouping, checked with rules our code cannot bend: copies under a leader of another
  conversation brand (cross-brand), copies that fail the join rule against their leader
  recomputed from the raw mentions (`triage.grouping.join_rule`), short texts swallowed
  by a longer one, exact copies within 72 h (same brand) still grouped;
- ranking precision at 50, 100 and 200: the share of the highest-priority labelled
  tweets that our labels say need a human first (dev = tuned on, test = held out, all),
  and the average precision of the whole order (ties broken by id);
- what is urgent (priority >= the urgent threshold) and why.

    .venv/bin/python bench/real_eval.py [--csv PATH] [--show N] [--no-titles]
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import sys
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from triage import sentiment
from triage.config import BrandConfig
from triage.grouping import informative_tokens, join_rule
from triage.model import Author, Mention
from triage.normalize import grouping_norm
from triage.pipeline import Pipeline
from triage.priority import URGENT_THRESHOLD

ROOT = Path(__file__).resolve().parent.parent


def _find_csv() -> Path:
    """`../shared/data/twcs-sample.csv` from the repository root, or from a folder above
    it (a git worktree lives deeper than the main clone); $VEILLE_TWCS overrides."""
    if os.environ.get("VEILLE_TWCS"):
        return Path(os.environ["VEILLE_TWCS"])
    for base in ROOT.parents:
        candidate = base / "shared" / "data" / "twcs-sample.csv"
        if candidate.exists():
            return candidate
    return ROOT.parent / "shared" / "data" / "twcs-sample.csv"


CSV = _find_csv()
LABELS = Path(__file__).resolve().parent / "data" / "real" / "labels.csv"
WINDOW = timedelta(hours=72)
SHORT_TOKENS = 6  # fewer distinct informative words than this: a short text

# support handle -> (brand name, keywords). Keywords are what a community manager would
# type: the brand's name, a product or two. Names that are common words (Apple, Delta,
# Target, Chase, Sprint, Idea...) are kept as they are: that is the trap being measured.
BRANDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "ATVIAssist": ("Activision", ("activision", "call of duty")),
    "AdobeCare": ("Adobe", ("adobe", "lightroom", "photoshop")),
    "AirAsiaSupport": ("AirAsia", ("airasia",)),
    "AirbnbHelp": ("Airbnb", ("airbnb",)),
    "AlaskaAir": ("Alaska Airlines", ("alaska airlines", "alaskaair")),
    "AldiUK": ("Aldi", ("aldi",)),
    "AmazonHelp": ("Amazon", ("amazon", "kindle")),
    "AmericanAir": ("American Airlines", ("american airlines", "americanair")),
    "AppleSupport": ("Apple", ("apple", "iphone", "macbook")),
    "ArgosHelpers": ("Argos", ("argos",)),
    "AskAmex": ("American Express", ("amex", "american express")),
    "AskCiti": ("Citi", ("citibank",)),
    "AskLyft": ("Lyft", ("lyft",)),
    "AskPapaJohns": ("Papa John's", ("papa johns", "papa john's")),
    "AskPayPal": ("PayPal", ("paypal",)),
    "AskPlayStation": ("PlayStation", ("playstation", "ps4")),
    "AskTarget": ("Target", ("target",)),
    "Ask_Spectrum": ("Spectrum", ("spectrum",)),
    "Ask_WellsFargo": ("Wells Fargo", ("wells fargo",)),
    "AskeBay": ("eBay", ("ebay",)),
    "AsurionCares": ("Asurion", ("asurion",)),
    "AzureSupport": ("Azure", ("azure",)),
    "BofA_Help": ("Bank of America", ("bank of america", "bofa")),
    "BoostCare": ("Boost Mobile", ("boost mobile",)),
    "British_Airways": ("British Airways", ("british airways",)),
    "CenturyLinkHelp": ("CenturyLink", ("centurylink",)),
    "ChaseSupport": ("Chase", ("chase",)),
    "ChipotleTweets": ("Chipotle", ("chipotle",)),
    "CoxHelp": ("Cox", ("cox communications",)),
    "Delta": ("Delta", ("delta",)),
    "DoorDash_Help": ("DoorDash", ("doordash",)),
    "DropboxSupport": ("Dropbox", ("dropbox",)),
    "DunkinDonuts": ("Dunkin", ("dunkin",)),
    "GWRHelp": ("GWR", ("great western railway",)),
    "GloCare": ("Glo", ("glo",)),
    "GoDaddyHelp": ("GoDaddy", ("godaddy",)),
    "HPSupport": ("HP", ("hp",)),
    "IHGService": ("IHG", ("ihg",)),
    "JackBox": ("Jack in the Box", ("jack in the box",)),
    "JetBlue": ("JetBlue", ("jetblue",)),
    "Kimpton": ("Kimpton", ("kimpton",)),
    "LondonMidland": ("London Midland", ("london midland",)),
    "McDonalds": ("McDonald's", ("mcdonalds", "mcdonald's")),
    "MicrosoftHelps": ("Microsoft", ("microsoft", "windows 10")),
    "Morrisons": ("Morrisons", ("morrisons",)),
    "NeweggService": ("Newegg", ("newegg",)),
    "NikeSupport": ("Nike", ("nike",)),
    "O2": ("O2", ("o2",)),
    "Postmates_Help": ("Postmates", ("postmates",)),
    "SW_Help": ("SW", ()),
    "Safaricom_Care": ("Safaricom", ("safaricom",)),
    "SouthwestAir": ("Southwest", ("southwest airlines", "southwestair")),
    "SpotifyCares": ("Spotify", ("spotify",)),
    "TMobileHelp": ("T-Mobile", ("t-mobile", "tmobile")),
    "Tesco": ("Tesco", ("tesco",)),
    "TfL": ("TfL", ("tfl",)),
    "UPSHelp": ("UPS", ("ups",)),
    "USCellularCares": ("US Cellular", ("us cellular",)),
    "Uber_Support": ("Uber", ("uber", "ubereats")),
    "VerizonSupport": ("Verizon", ("verizon", "fios")),
    "VirginAmerica": ("Virgin America", ("virgin america",)),
    "VirginAtlantic": ("Virgin Atlantic", ("virgin atlantic",)),
    "VirginTrains": ("Virgin Trains", ("virgin trains",)),
    "Walmart": ("Walmart", ("walmart",)),
    "XboxSupport": ("Xbox", ("xbox",)),
    "YahooCare": ("Yahoo", ("yahoo",)),
    "airtel_care": ("Airtel", ("airtel",)),
    "askpanera": ("Panera", ("panera",)),
    "asksalesforce": ("Salesforce", ("salesforce",)),
    "comcastcares": ("Comcast", ("comcast", "xfinity")),
    "hulu_support": ("Hulu", ("hulu",)),
    "idea_cares": ("Idea", ("idea cellular",)),
    "marksandspencer": ("Marks & Spencer", ("marks and spencer", "m&s")),
    "nationalrailenq": ("National Rail", ("national rail",)),
    "sainsburys": ("Sainsbury's", ("sainsburys", "sainsbury's")),
    "sprintcare": ("Sprint", ("sprint",)),
}


def brand_configs() -> list[BrandConfig]:
    return [
        BrandConfig(name=name, keywords=kws, handles=(f"@{handle}",))
        for handle, (name, kws) in sorted(BRANDS.items())
    ]


def load_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if r.get("tweet_id") and r.get("text") is not None]


def conversation_brands(rows: list[dict[str, str]]) -> dict[str, str]:
    """tweet id -> brand name of its conversation: the support account taking part in
    the thread (reply links in both directions); else a support handle in the text."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for r in rows:
        links = [r["in_response_to_tweet_id"] or "", *(r["response_tweet_id"] or "").split(",")]
        for other in links:
            other = other.strip().removesuffix(".0")
            if other:
                parent[find(other)] = find(r["tweet_id"])
    companies: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        if r["inbound"] == "False" and r["author_id"] in BRANDS:
            companies[find(r["tweet_id"])][r["author_id"]] += 1
    lower = {h.lower(): h for h in BRANDS}
    out = {}
    for r in rows:
        if r["inbound"] != "True":
            continue
        seen = companies.get(find(r["tweet_id"]))
        handle = seen.most_common(1)[0][0] if seen else None
        if handle is None:
            named = [
                lower[h.lower()] for h in re.findall(r"@(\w+)", r["text"]) if h.lower() in lower
            ]
            handle = named[0] if named else None
        if handle:
            out[r["tweet_id"]] = BRANDS[handle][0]
    return out


def to_mention(r: dict[str, str], titles: bool) -> Mention:
    at = datetime.strptime(r["created_at"], "%a %b %d %H:%M:%S %z %Y")
    text = r["text"]
    title = text[:60] if titles and int(r["tweet_id"]) % 2 == 0 else ""
    return Mention(
        id=f"twitter:{r['tweet_id']}",
        platform="twitter",
        source="twcs",
        url=f"https://twitter.com/i/web/status/{r['tweet_id']}",
        author=Author(name=r["author_id"], handle=f"@{r['author_id']}"),
        text=text,
        title=title,
        created_at=at,
        fetched_at=at,
        lang="en",
    )


def average_precision(ranked_labels: list[str]) -> float:
    """The mean of precision@k over the ranks k where a 'human' tweet sits: one figure for
    the whole order, steadier than a cut at 50 or 200 (a tie moved across a cut is one
    tweet there, a small step here)."""
    hits = total = 0.0
    for k, label in enumerate(ranked_labels, 1):
        if label == "human":
            hits += 1
            total += hits / k
    return total / hits if hits else 0.0


def pct(n: int, d: int) -> str:
    return f"{n}/{d} = {100 * n / d:.1f} %" if d else f"{n}/0"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--csv", type=Path, default=CSV)
    ap.add_argument("--show", type=int, default=0, help="print N examples of each kind")
    ap.add_argument("--no-titles", action="store_true", help="no feed-like titles")
    ap.add_argument("--set", default="dev", help="labelled set whose misranked tweets --show lists")
    ap.add_argument("--no-tone", action="store_true", help="rank without the VADER tone")
    args = ap.parse_args()
    if args.no_tone:
        sentiment.ENABLED = False
    if not args.csv.exists():
        print(f"skipped: {args.csv} is absent (real data lives in ../shared/data)")
        return 0

    rows = load_rows(args.csv)
    truth = conversation_brands(rows)
    inbound = [r for r in rows if r["inbound"] == "True"]
    mentions = sorted(
        (to_mention(r, not args.no_titles) for r in inbound), key=lambda m: (m.created_at, m.id)
    )
    pipeline = Pipeline(brand_configs())
    t = time.perf_counter()
    done = [pipeline.process(m) for m in mentions]
    elapsed = time.perf_counter() - t
    by_id = {m.id: m for m in done}
    native = {m.id: m.id.split(":", 1)[1] for m in done}
    print(
        f"{len(rows)} tweets, {len(done)} from customers, {len(truth)} with a known brand;"
        f" pipeline {1000 * elapsed / len(done):.2f} ms per mention"
    )

    # ---- brands
    predicted = sum(len(m.brands) for m in done if native[m.id] in truth)
    right = sum(truth[native[m.id]] in m.brands for m in done if native[m.id] in truth)
    found = right
    named = [m for m in done if native[m.id] in truth and "@" in m.text]
    lower = {h.lower() for h in BRANDS}
    in_text = [m for m in named if any(h.lower() in lower for h in re.findall(r"@(\w+)", m.text))]
    by_name = {name: handle.lower() for handle, (name, _) in BRANDS.items()}
    named_ok = sum(
        b == truth[native[m.id]] or f"@{by_name[b]}" in m.text.lower()
        for m in done
        if native[m.id] in truth
        for b in m.brands
    )
    print(f"brand precision  {pct(right, predicted)}  (a brand found is the conversation's)")
    print(
        f"brand precision  {pct(named_ok, predicted)}"
        "  (... or the text names that brand's support account)"
    )
    print(f"brand recall     {pct(found, len(truth))}  (anonymised handles hide many brands)")
    print(
        "brand recall where the text names a support handle "
        + pct(sum(truth[native[m.id]] in m.brands for m in in_text), len(in_text))
    )
    wrong = Counter(
        (b, truth[native[m.id]])
        for m in done
        if native[m.id] in truth
        for b in m.brands
        if b != truth[native[m.id]]
    )
    print(f"brands found outside the conversation, top: {wrong.most_common(8)}")

    # ---- grouping
    copies = [m for m in done if m.group_id != m.id]
    groups: dict[str, list[Mention]] = defaultdict(list)
    for m in done:
        groups[m.group_id].append(m)
    cross = [
        m
        for m in copies
        if truth.get(native[m.id]) != truth.get(native[m.group_id])
        or set(m.brands) != set(by_id[m.group_id].brands)
    ]
    norms = {m.id: grouping_norm(m.title, m.text) for m in done}
    failing = [m for m in copies if join_rule(norms[m.id], norms[m.group_id]) is None]
    short = [m for m in done if 0 < len(informative_tokens(norms[m.id])) < SHORT_TOKENS]
    swallowed = [
        m
        for m in short
        if m.group_id != m.id
        and norms[m.id] != norms[m.group_id]
        and len(norms[m.group_id]) > len(norms[m.id])
    ]
    # exact copies: same normal form, same conversation brand, within 72 h of the first
    by_norm: dict[tuple[str, str], list[Mention]] = defaultdict(list)
    for m in done:
        b = truth.get(native[m.id])
        if norms[m.id] and b:
            by_norm[(b, norms[m.id])].append(m)
    pairs = joined = 0
    for ms in by_norm.values():
        for a, b in pairwise(ms):
            if b.created_at - a.created_at <= WINDOW and set(a.brands) == set(b.brands):
                pairs += 1
                joined += a.group_id == b.group_id
    sizes = sorted((len(g) for g in groups.values()), reverse=True)
    print(f"groups {len(groups)}, copies {len(copies)}, largest groups {sizes[:5]}")
    print(f"cross-brand copies            {pct(len(cross), len(copies))}  target 0")
    print(f"copies failing rule vs leader {pct(len(failing), len(copies))}  target 0")
    print(f"short texts swallowed         {pct(len(swallowed), len(short))}  target < 2 %")
    print(f"exact copies (72 h) grouped   {pct(joined, pairs)}  target >= 95 %")
    if args.show:
        for name, items in (("cross", cross), ("failing", failing), ("swallowed", swallowed)):
            for m in items[: args.show]:
                leader = by_id[m.group_id]
                print(f"  {name}: {m.text[:60]!r} <- {leader.text[:60]!r}")

    # ---- ranking
    labels: dict[str, tuple[str, str]] = {}
    with LABELS.open(newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            labels[f"twitter:{r['tweet_id']}"] = (r["label"], r["set"])
    labelled = [m for m in done if m.id in labels]
    for name in ("dev", "test", "all"):
        chosen = [m for m in labelled if name == "all" or labels[m.id][1] == name]
        ranked = sorted(chosen, key=lambda m: (-m.priority, m.id))
        humans = sum(labels[m.id][0] == "human" for m in chosen)
        figures = []
        for k in (50, 100, 200):
            top = ranked[:k]
            figures.append(
                f"@{k} {sum(labels[m.id][0] == 'human' for m in top) / max(1, len(top)):.2f}"
            )
        print(
            f"ranking {name:4} ({len(chosen)} labelled, {humans} need a human):"
            f" precision {'  '.join(figures)}"
            f" (best possible @200 {min(1.0, humans / 200):.2f});"
            f" average precision {average_precision([labels[m.id][0] for m in ranked]):.3f}"
        )
    urgent = [m for m in labelled if m.priority >= URGENT_THRESHOLD]
    print(
        f"urgent among labelled: {len(urgent)}"
        f" ({sum(labels[m.id][0] == 'human' for m in urgent)} need a human)"
    )
    if args.show:
        for m in (m for m in urgent if labels[m.id][1] == args.set):
            print(f"  urgent {labels[m.id][0]:5} {m.priority:5.1f} {m.signals} {m.text[:70]!r}")
        chosen = [m for m in labelled if labels[m.id][1] == args.set]
        ranked = sorted(chosen, key=lambda m: (-m.priority, m.id))
        print(f"-- {args.set}: top 200 not 'human'")
        for m in ranked[:200]:
            if labels[m.id][0] != "human":
                print(f"  {labels[m.id][0]:5} {m.priority:5.1f} {m.signals} {m.text[:80]!r}")
        print(f"-- {args.set}: 'human' below 200")
        for m in ranked[200:]:
            if labels[m.id][0] == "human":
                print(f"  {m.priority:5.1f} {m.signals} {m.text[:90]!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
