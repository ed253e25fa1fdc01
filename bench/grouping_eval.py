"""Quality of near-duplicate grouping on a labelled set: pairwise precision/recall and B-cubed.

The stories (bench/data/grouping/stories.txt, original text, see the README there) are
expanded with the variations found in the wild - retweet prefix, another URL, truncation
with an ellipsis, added hashtags, a handle in front, a few words of quote, shouting,
accents dropped, an emoji - with a fixed seed, placed in time order with
`triage.grouping.group_all`, and scored against the story labels.

    .venv/bin/python bench/grouping_eval.py [--variants 4] [--seed 7] [--show-errors]

Targets (issue 4): pairwise precision >= 0.99, recall >= 0.93.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from triage.grouping import group_all
from triage.text import fold

STORIES = Path(__file__).resolve().parent / "data" / "grouping" / "stories.txt"
HANDLES = ["@marie_l", "@techdad", "@lyon_news", "@gadgetfan", "@consomag", "@bob@mastodon.social"]
TAGS = ["#lumio", "#fail", "#tech", "#sav", "#lampe", "#smarthome", "#rappel"]
QUOTES = ["So true.", "Wow.", "Exactement.", "This!", "Pas étonnant.", "Seen this?", "Ouch."]
EMOJI = ["😡", "🔥", "👀", "😂", "👍", "💡"]


def load_stories(path: Path = STORIES) -> list[list[str]]:
    """Stories as lists of texts: [original, hand-written copies...]."""
    stories: list[list[str]] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("= "):
            stories[-1].append(line[2:])
        else:
            stories.append([line])
    return stories


def _url(rng: random.Random) -> str:
    host = rng.choice(["https://t.co/", "https://bit.ly/", "https://lumio-news.example/a/"])
    return host + "".join(rng.choice("abcdefghijkmnpqrstuvwxyz23456789") for _ in range(8))


def variant(text: str, rng: random.Random) -> tuple[str, str]:
    """(kind, copy) - one realistic transformation (truncation only for long posts)."""
    words = text.split()
    kinds = ["rt", "url", "hashtags", "handle", "quote", "shout", "accents", "emoji", "rt+url"]
    if len(words) >= 14:
        kinds += ["truncate", "truncate", "rt+truncate"]
    kind = rng.choice(kinds)
    if kind == "rt":
        return kind, f"RT {rng.choice(HANDLES)}: {text}"
    if kind == "url":
        return kind, f"{text} {_url(rng)}"
    if kind == "rt+url":
        return kind, f"RT {rng.choice(HANDLES)}: {text} {_url(rng)}"
    if kind == "hashtags":
        return kind, f"{text} {' '.join(rng.sample(TAGS, rng.randint(1, 3)))}"
    if kind == "handle":
        return kind, f"{rng.choice(HANDLES)} {text}"
    if kind == "quote":
        return kind, f"{rng.choice(QUOTES)} {text}"
    if kind == "shout":
        return kind, text.upper()
    if kind == "accents":
        return kind, fold(text)
    if kind == "emoji":
        return kind, f"{text} {rng.choice(EMOJI)}"
    keep = max(8, int(len(words) * rng.uniform(0.55, 0.85)))
    cut = " ".join(words[:keep]) + rng.choice(["…", "...", " …"])
    return kind, (f"RT {rng.choice(HANDLES)}: {cut}" if kind == "rt+truncate" else cut)


def build_set(variants: int, seed: int) -> list[tuple[str, str, datetime, int, str]]:
    """(id, text, time, story label, kind) for every post, deterministic for a seed."""
    rng = random.Random(seed)
    start = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    posts = []
    for label, texts in enumerate(load_stories()):
        t0 = start + timedelta(minutes=37 * label)
        for j, text in enumerate(texts):
            kind = "original" if j == 0 else "hand"
            posts.append((f"s{label}-h{j}", text, t0 + timedelta(minutes=3 * j), label, kind))
        for k in range(variants):
            kind, copy = variant(rng.choice(texts), rng)
            at = t0 + timedelta(minutes=rng.randint(5, 48 * 60))
            posts.append((f"s{label}-v{k}", copy, at, label, kind))
    return posts


def scores(truth: dict[str, int], predicted: dict[str, str]) -> dict[str, float]:
    ids = sorted(truth)
    tp = fp = fn = 0
    for a, b in combinations(ids, 2):
        same_true = truth[a] == truth[b]
        same_pred = predicted[a] == predicted[b]
        tp += same_true and same_pred
        fp += same_pred and not same_true
        fn += same_true and not same_pred
    by_true: dict[int, set[str]] = defaultdict(set)
    by_pred: dict[str, set[str]] = defaultdict(set)
    for i in ids:
        by_true[truth[i]].add(i)
        by_pred[predicted[i]].add(i)
    bp = br = 0.0
    for i in ids:
        common = len(by_true[truth[i]] & by_pred[predicted[i]])
        bp += common / len(by_pred[predicted[i]])
        br += common / len(by_true[truth[i]])
    bp, br = bp / len(ids), br / len(ids)
    return {
        "pairs_precision": tp / (tp + fp) if tp + fp else 1.0,
        "pairs_recall": tp / (tp + fn) if tp + fn else 1.0,
        "bcubed_precision": bp,
        "bcubed_recall": br,
        "bcubed_f": 2 * bp * br / (bp + br),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--variants", type=int, default=4, help="generated copies per story")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--show-errors", action="store_true")
    args = ap.parse_args()
    posts = build_set(args.variants, args.seed)
    matches = group_all((pid, text, at) for pid, text, at, _, _ in posts)
    truth = {pid: label for pid, _, _, label, _ in posts}
    predicted = {pid: m.group_id for pid, m in matches.items()}
    s = scores(truth, predicted)
    stories = len(set(truth.values()))
    print(f"posts {len(posts)}, stories {stories}, groups found {len(set(predicted.values()))}")
    print(f"pairwise precision {s['pairs_precision']:.4f}  (target >= 0.99)")
    print(f"pairwise recall    {s['pairs_recall']:.4f}  (target >= 0.93)")
    print(
        f"B-cubed precision {s['bcubed_precision']:.4f} recall {s['bcubed_recall']:.4f}"
        f" F {s['bcubed_f']:.4f}"
    )
    leader_label = {pid: truth[m.group_id] for pid, m in matches.items()}
    missed = Counter(kind for pid, _, _, label, kind in posts if leader_label[pid] != label)
    split = Counter(
        kind for pid, _, _, label, kind in posts if predicted[pid] == pid and kind != "original"
    )
    print(f"joined a wrong story, by kind: {dict(missed) or 'none'}")
    print(f"copies left alone (own group), by kind: {dict(split) or 'none'}")
    if args.show_errors:
        texts = {pid: text for pid, text, *_ in posts}
        for pid, _, _, label, kind in posts:
            gid = predicted[pid]
            if (gid == pid and kind != "original") or truth[gid] != label:
                print(f"  {kind:12} {pid} -> {gid}: {texts[pid][:70]!r} | {texts[gid][:50]!r}")
    ok = s["pairs_precision"] >= 0.99 and s["pairs_recall"] >= 0.93
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
