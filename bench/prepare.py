"""What preparing one mention costs (`Preparer.fields`), and that its decisions stay the same.

    env -u PYTHONDONTWRITEBYTECODE .venv/bin/python bench/prepare.py [--repeat 5]
        [--runs 2] [--sets zipf,onehost,tweets,real,hostile] [--baseline OTHER_CHECKOUT]
        [--instructions N]

`Preparer.fields` is what the parse workers of `veille fetch` run on every mention they
parse: brand matching, priority (lexicons, VADER's tone, the signals) and the normal form
grouping compares. The inputs, built once here and given unchanged to every child:
- `zipf`, `onehost`, `tweets`: every entry of bench/feedfarm.py's farms (200 feeds x 50
  entries, Zipf or one product's small vocabulary; 30 feeds x 500 real tweets), parsed
  by `sources.rss.parse_feed` as the workers parse them (distinct entries only);
- `real`: every row of ../shared/data/twcs-sample.csv (see its README) as a post, with
  the sample's 76 support accounts as brands, reach and language varied (skipped with a
  message when the file is absent);
- `hostile`: drawn posts of the lexicons' words mixed with markup, ANSI escapes, control
  characters, bidi overrides, emoji, typographic apostrophes, combining marks, non-Latin
  scripts, capitals, handles, links, phone numbers, and very long posts.

Each child (this checkout, and with `--baseline DIR` that checkout's code, in the same
run, alternating) builds a `Preparer`, warms it (VADER's tables), then times `fields` over
each set once as first seen (the figure that counts: a fetch sees new posts), then
`--repeat` times again (what memos of already-seen text make of it: a flattering figure,
printed apart), process CPU time, and writes every decision:
brands, keywords, priority, signals, the normal form with its blocking keys (as a set:
placing reads them so) and counts, and VADER's tone of the text priority reads. Prints
per set the median microseconds per mention, CPU seconds per round, the ratio to the
baseline, and every decision that differs from the baseline's (counted; 0 is the rule).
The machine's load is printed with the figures. `--instructions N` also counts, with
valgrind's cachegrind, the CPU instructions per mention of each side's first sight of N
posts spread over each set (a child with them, less one without): on a machine shared
with other work, a figure its load does not change.
"""

from __future__ import annotations

import argparse
import os
import pickle
import random
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SETS = ("zipf", "onehost", "tweets", "real", "hostile")

# One input: (title, text, lang, reach). The brands of a set: (name, keywords, handles).
Post = tuple[str, str, str | None, int | None]


def farm_posts(shape: str, folder: Path) -> tuple[list[Post], list[tuple[str, tuple, tuple]]]:
    """Every distinct entry of a feed farm, parsed as the poller's workers parse it."""
    from bench.feedfarm import build
    from sources.rss import parse_feed

    big = shape != "tweets"
    farm = build(shape, folder, 200 if big else 30, 50 if big else 500)
    if farm is None:
        return [], []
    posts: dict[str, Post] = {}
    for name in farm.names:
        got, _ = parse_feed((folder / name).read_bytes(), {}, f"http://x/{name}", name, "rss")
        for m in got:
            posts.setdefault(m.id, (m.title, m.text, m.lang, m.author.reach))
    return list(posts.values()), [(n, tuple(k), tuple(h)) for n, k, h in farm.brands]


def real_posts() -> tuple[list[Post], list[tuple[str, tuple, tuple]]]:
    """The real tweets sample, one post per row (reach and language varied)."""
    from bench.real_eval import CSV, brand_configs, load_rows

    if not CSV.exists():
        print(f"set real skipped: {CSV} is absent (real data lives in ../shared/data)")
        return [], []
    rows = load_rows(CSV)
    langs = (None, "en", "en-US", "fr")
    posts = [
        (r["text"][:60] if i % 7 == 0 else "", r["text"], langs[i % 4], (None, 50, 5000)[i % 3])
        for i, r in enumerate(rows)
    ]
    brands = [(b.name, tuple(b.keywords), tuple(b.handles)) for b in brand_configs()]
    return posts, brands


HOSTILE_BITS = (
    "[bold red]ALERT[/]", "[link=http://x]click[/link]", "\x1b[31mred\x1b[0m", "\x1b]52;c;QUJD\x07",
    "\x9b31m", "\x00\x07\x08\x7f", "\u202eevil\u202c", "\u2066iso\u2069", "\u200f", "\ufeff",
    "😡", "🔥🔥🔥", "👍🏽", "👨‍👩‍👧", "❤️", "☹", ":(", ":-)", "<3", "¨", "ﬁ", "Ｌｕｍｉｏ", "ＡＢＣＤ",
    "can’t", "won‘t", "don't", "n't", "isn't working", "never again", "not working",
    "Lumio", "LUMIO", "lümïö", "brîghtly", "@lumio", "#lumio", "#lumiogate", "@Brightly_help",
    "Лампа сломалась", "電池が切れた", "المصباح لا يعمل", "दीपक टूट गया", "램프가 고장났어요",
    "Ελλάδα ΣΣ ς", "straße", "İstanbul", "𝐋𝐮𝐦𝐢𝐨", "𐌰𐌱𐌲", "ᄀ\u1161\u11a8", "a\u0301\u0327", "𝟏𝟐𝟑",
    "٣ days", "3 days", "45minutes", "6 hours ago", "+33 6 12 34 56 78", "jo@ex.com", "__email__",
    "https://t.co/abc", "www.lumio.com/x", "RT @a:", "via @b", "...", "…", "!!!", "???", "?",
    "THIS IS NOT OK", "WHY WONT IT WORK", "kind of", "sort of", "the bomb", "no problem",
    "not resolved", "still haven't resolved", "fixed", "thank you", "love it", "but",
    "very", "extremely", "least", "without doubt", "never so good", "no good", "nor bad",
    "\t", "\n", "\r\n", "\u2028", "  ", "-", "_", "'", "\"", "&amp;", "<b>x</b>",
)  # fmt: skip


def hostile_posts(count: int = 3000) -> tuple[list[Post], list[tuple[str, tuple, tuple]]]:
    """Drawn posts: lexicon words and hostile fragments, short and very long."""
    from triage.lexicon import COMPLAINT, CRISIS, NEGATIVE, PRAISE, REQUEST

    words = [*CRISIS, *COMPLAINT, *NEGATIVE, *REQUEST, *PRAISE, *HOSTILE_BITS]
    rng = random.Random(20261130)
    seps = (" ", " ", " ", "\n", ", ", ". ", "! ", "? ", "", "-", "/")
    posts: list[Post] = []
    for i in range(count):
        n = rng.choice((1, 3, 8, 20, 40, 80)) if i % 50 else rng.choice((3000, 20000))
        parts = [rng.choice(words) + rng.choice(seps) for _ in range(n)]
        text = "".join(w.upper() if rng.random() < 0.1 else w for w in parts)
        title = "".join(rng.choice(words) + " " for _ in range(rng.choice((0, 0, 2, 6))))
        lang = rng.choice((None, "en", "fr", "ja", "EN"))
        posts.append((title, text, lang, rng.choice((None, 0, 999, 1000, 10**7))))
    brands = [
        ("Lumio", ("lumio", "lumio glow", "lumiovision"), ("@lumio",)),
        ("Brightly", ("brightly",), ("@brightly_help",)),
        ("Ampoulex", ("ampoulex",), ()),
    ]
    return posts, brands


# The child: runs under a checkout (PYTHONPATH), reads the inputs, times, writes decisions.
CHILD = r"""
import json, pickle, statistics, sys, time
from datetime import UTC, datetime
from triage.config import BrandConfig
from triage.model import Author, Mention
from triage.pipeline import Preparer
from triage import priority, sentiment

inputs, repeat, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(inputs, "rb") as f:
    sets = pickle.load(f)
at = datetime(2026, 11, 30, tzinfo=UTC)
figures, decisions = {}, {}
for name, (posts, brands) in sets.items():
    configs = [BrandConfig(name=n, keywords=k, handles=h) for n, k, h in brands]
    ms = [
        Mention(id=f"b:{i}", platform="rss", source="bench", url=f"https://x/{i}",
                author=Author(name="a", reach=reach), text=text, title=title, lang=lang,
                created_at=at, fetched_at=at)
        for i, (title, text, lang, reach) in enumerate(posts)
    ]
    prep = Preparer(configs)
    prep.warm()
    fields = prep.fields
    t0 = time.process_time()
    for m in ms:  # first sight of each post, as a `veille fetch` worker sees a feed
        fields(m)
    first = time.process_time() - t0
    if repeat < 0:  # counting instructions: the first sight only
        continue
    rounds = []
    for _ in range(repeat):
        t0 = time.process_time()
        for m in ms:
            fields(m)
        rounds.append(time.process_time() - t0)
    rows = []
    for m in ms:
        d = fields(m)
        p = d["prepared"]
        raw = f"{m.title}\n{m.text[:priority.MAX_SCANNED]}"
        rows.append((d["brands"], d["keywords"], d["priority"], d["signals"], p.norm,
                     tuple(sorted(p.keys)), p.counts, p.fingerprint,
                     sentiment.tone_of(raw[:priority.MAX_TONE], m.lang)))
    figures[name] = {"n": len(ms), "first": first, "rounds": rounds}
    decisions[name] = rows
with open(out, "wb") as f:
    pickle.dump(decisions, f)
print(json.dumps({"figures": figures, "cpu": time.process_time()}))
"""

FIELDS = ("brands", "keywords", "priority", "signals", "norm", "keys", "counts", "fp", "tone")


def run_child(checkout: Path, inputs: Path, repeat: int, out: Path) -> dict:
    import json

    env = {**os.environ, "PYTHONPATH": str(checkout)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    args = [sys.executable, "-c", CHILD, str(inputs), str(repeat), str(out)]
    done = subprocess.run(args, capture_output=True, text=True, env=env, cwd=checkout)
    if done.returncode:
        print(done.stderr[-3000:])
        raise SystemExit(1)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def count_instructions(checkout: Path, inputs: Path, out: Path) -> int:
    """CPU instructions of a child that only prepares the posts of `inputs` once, first
    sight (valgrind's cachegrind, no cache simulation): a figure the machine's load does
    not change."""
    env = {**os.environ, "PYTHONPATH": str(checkout), "PYTHONHASHSEED": "0"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    args = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
            sys.executable, "-c", CHILD, str(inputs), "-1", str(out)]  # fmt: skip
    done = subprocess.run(args, capture_output=True, text=True, env=env, cwd=checkout)
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if done.returncode or found is None:
        print(done.stderr[-3000:])
        raise SystemExit(1)
    return int(found.group(1).replace(",", ""))


def instructions(sides: dict[str, Path], sets: dict, sample: int, work: Path) -> None:
    """Per set and side: instructions per mention on first sight of `sample` posts spread
    over the set (a child with them, less a child with none: imports, VADER's tables)."""
    print(
        f"instructions per mention, first sight of {sample} posts a set (valgrind cachegrind; "
        "load-independent)"
    )
    print(f"{'set':9s} " + " ".join(f"{side:>12s}" for side in sides) + "  ratio")
    for name, (posts, brands) in sets.items():
        step = max(1, len(posts) // sample)
        chosen = posts[::step][:sample]
        per: dict[str, float] = {}
        for side, checkout in sides.items():
            counts = []
            for some in (chosen, []):
                inputs = work / f"count-{name}.pickle"
                inputs.write_bytes(pickle.dumps({name: (some, brands)}))
                counts.append(count_instructions(checkout, inputs, work / "count-out.pickle"))
            per[side] = (counts[0] - counts[1]) / len(chosen)
        line = f"{name:9s} " + " ".join(f"{per[side]:12,.0f}" for side in sides)
        if "baseline" in per:
            line += f"  {per['now'] / per['baseline']:.3f}"
        print(line)


def compare(name: str, posts: list[Post], ours: list, theirs: list, show: int = 5) -> int:
    """Print the decisions that differ from the baseline's; how many mentions differ."""
    differ = 0
    for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        if a != b:
            differ += 1
            if differ <= show:
                which = [f for f, x, y in zip(FIELDS, a, b, strict=True) if x != y]
                print(f"  DIFFERS {name} #{i} in {', '.join(which)}: {posts[i][1][:80]!r}")
                for f, x, y in zip(FIELDS, a, b, strict=True):
                    if x != y:
                        print(
                            f"    {f}: now {str(x)[:150]!r}\n    {' ' * len(f)}  was {str(y)[:150]!r}"
                        )
    return differ


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed rounds per set and run")
    parser.add_argument("--runs", type=int, default=2, help="child runs per checkout")
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--baseline", type=Path, help="another checkout, timed in the same run")
    parser.add_argument(
        "--instructions",
        type=int,
        metavar="N",
        help="also count CPU instructions of the first sight of N posts a set (valgrind)",
    )
    args = parser.parse_args()
    names = [s.strip() for s in args.sets.split(",") if s.strip()]
    with tempfile.TemporaryDirectory(prefix="bench-prepare-") as tmp:
        work = Path(tmp)
        sets = {}
        for name in names:
            if name in ("zipf", "onehost", "tweets"):
                posts, brands = farm_posts(name, work / name)
            elif name == "real":
                posts, brands = real_posts()
            elif name == "hostile":
                posts, brands = hostile_posts()
            else:
                raise SystemExit(f"unknown set {name!r}; known: {', '.join(SETS)}")
            if posts:
                sets[name] = (posts, brands)
        inputs = work / "inputs.pickle"
        inputs.write_bytes(pickle.dumps(sets))
        sides = {"now": ROOT}
        if args.baseline:
            sides["baseline"] = args.baseline.resolve()
        rounds: dict[str, dict[str, list[float]]] = {s: {n: [] for n in sets} for s in sides}
        firsts: dict[str, dict[str, list[float]]] = {s: {n: [] for n in sets} for s in sides}
        decisions: dict[str, dict] = {}
        load_before = os.getloadavg()
        for run in range(args.runs):
            order = list(sides) if run % 2 == 0 else list(reversed(sides))
            for side in order:
                out = work / f"{side}.pickle"
                got = run_child(sides[side], inputs, args.repeat, out)
                for n, fig in got["figures"].items():
                    rounds[side][n] += [r / fig["n"] * 1e6 for r in fig["rounds"]]
                    firsts[side][n].append(fig["first"] / fig["n"] * 1e6)
                decisions[side] = pickle.loads(out.read_bytes())
        load_after = os.getloadavg()
        if args.instructions:
            instructions(sides, sets, args.instructions, work)
    print(
        f"Preparer.fields per mention (process CPU, median of {args.runs} runs): `first` is "
        f"each post's first sight in a fresh process (what `veille fetch` pays: the figure "
        f"that counts), `again` the same posts {args.repeat} more times (what memos of seen "
        f"text make of it); load {load_before[0]:.2f} before, {load_after[0]:.2f} after"
    )
    head = f"{'set':9s} {'mentions':>8s} {'first us':>8s} {'again us':>8s}"
    if args.baseline:
        head += f" {'base first':>10s} {'base again':>10s} {'ratio first':>11s} {'again':>6s}"
        head += f" {'differ':>6s}"
    print(head)
    total_differ = 0
    for n, (posts, _) in sets.items():
        first = statistics.median(firsts["now"][n])
        now = statistics.median(rounds["now"][n])
        line = f"{n:9s} {len(posts):8d} {first:8.1f} {now:8.1f}"
        if args.baseline:
            base_first = statistics.median(firsts["baseline"][n])
            base = statistics.median(rounds["baseline"][n])
            differ = compare(n, posts, decisions["now"][n], decisions["baseline"][n])
            total_differ += differ
            line += f" {base_first:10.1f} {base:10.1f} {first / base_first:11.2f}"
            line += f" {now / base:6.2f} {differ:6d}"
        print(line)
    if args.baseline:
        print(
            f"decisions differing from the baseline: {total_differ} (fields: {', '.join(FIELDS)})"
        )


if __name__ == "__main__":
    main()
