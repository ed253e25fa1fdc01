"""The tone reader's word memo stays small under hostile posts.

`veille watch` and the inbox run for weeks; a spam wave of posts each carrying one long
made-up "word" (base64, a pasted key, a run of letters) must not fill the memo with
kilobyte keys: tokens longer than any lexicon word are read but not remembered."""

from __future__ import annotations

import random
import string
import tracemalloc

from triage.sentiment import tone_of


def test_long_distinct_words_are_read_but_not_remembered() -> None:
    rng = random.Random(7)
    tone_of("a good start")  # VADER's tables loaded before measuring
    posts = [
        "terrible service " + "".join(rng.choices(string.ascii_letters, k=1500)) + " again"
        for _ in range(1500)
    ]
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tones = [tone_of(post) for post in posts]
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert all(t < -0.3 for t in tones)  # still read: "terrible service" is negative
    assert grown < 1_000_000, f"{grown:,} bytes kept for 1,500 posts read"


def test_short_words_still_read_the_same_twice() -> None:
    text = "The app is NOT good, honestly kind of awful"
    assert tone_of(text) == tone_of(text) < 0
