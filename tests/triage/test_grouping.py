"""Near-duplicate grouping: the copies that join, the traps that must not, determinism,
incremental placement, the time window, and the explanation kept for each join."""

from __future__ import annotations

import random
from datetime import timedelta

from tests.triage.conftest import T0
from triage.grouping import Grouper, explain, group_all, join_rule, similarity
from triage.normalize import MAX_NORM_CHARS, grouping_norm, normalize

STORY = (
    "Ma lampe Lumio a pris feu cette nuit pendant la charge, j'ai une brûlure à la main "
    "et le service client ne répond pas"
)


def place_all(texts: list[str]) -> list[str]:
    g = Grouper()
    return [g.place(f"m{i}", t, T0 + timedelta(minutes=i)).group_id for i, t in enumerate(texts)]


def test_normalize_strips_rt_urls_handles_case_accents_punctuation() -> None:
    raw = "RT @bob@mastodon.social: Lumio BRÛLE !!! https://t.co/AbC @lumio #fail"
    assert normalize(raw) == "lumio brule fail"
    assert normalize("rt @a: RT @b: hello") == "hello"
    assert (
        normalize("the story is cut here and the last wo…") == "the story is cut here and the last"
    )


def test_copies_of_a_story_join_its_group() -> None:
    copies = [
        STORY,
        f"RT @marie: {STORY}",
        f"{STORY} https://bit.ly/x1",
        f"{STORY} #lumio #sav",
        f"@lumio {STORY}",
        STORY.upper(),
        " ".join(STORY.split()[:12]) + "…",  # truncated, 11 words after the cut word
        f"Incroyable. {STORY}",
    ]
    assert place_all(copies) == ["m0"] * len(copies)


def test_short_subset_texts_do_not_chain() -> None:
    """token_set_ratio gives 100 to every subset: short posts must not be merged by it."""
    texts = ["Lumio", "Lumio is great", "Love my Lumio", "Lumio lamp", "Lumio is great and cheap"]
    groups = place_all(texts)
    assert len(set(groups)) == len(texts)
    assert similarity(normalize("lumio"), normalize("lumio is great")) is None


def test_leader_check_stops_drift() -> None:
    """A~B and B~C but not A~C: C must not join A's group through B."""
    a = "lumio halo recall announced today for overheating batteries in desk lamps"
    b = a + " sold in france and belgium since june"
    c = "sold in france and belgium since june lumio halo recall announced today for overheating"
    assert similarity(normalize(a), normalize(b)) is not None
    assert similarity(normalize(b), normalize(c)) is not None
    assert similarity(normalize(a), normalize(c)) is None
    assert place_all([a, b, c]) == ["m0", "m0", "m2"]


def test_different_stories_on_the_same_topic_stay_apart() -> None:
    texts = [
        "My Lumio lamp stopped connecting to wifi after yesterday's firmware update",
        "My Lumio lamp stopped connecting to bluetooth after a week, support is useless",
        "Lumio customer service told me the warranty does not cover the cracked base",
    ]
    assert len(set(place_all(texts))) == 3


def test_window_limits_grouping() -> None:
    g = Grouper(window=timedelta(hours=72))
    g.place("a", STORY, T0)
    assert g.place("b", STORY, T0 + timedelta(hours=73)).group_id == "b"
    assert g.place("c", STORY, T0 + timedelta(hours=100)).group_id == "b"


def test_group_id_is_the_first_post_and_never_changes() -> None:
    g = Grouper()
    first = g.place("first", STORY, T0)
    assert first.rule == "new" and first.group_id == "first"
    for i in range(5):
        g.place(f"c{i}", f"RT @x{i}: {STORY}", T0 + timedelta(minutes=i + 1))
    assert g.group_of("first") == "first"
    again = g.place("c0", "something else entirely", T0)
    assert again.group_id == "first"  # placing a known id returns its first decision


def test_join_is_explained() -> None:
    g = Grouper()
    g.place("a", STORY, T0)
    m = g.place("b", STORY.replace("cette nuit", "hier soir"), T0 + timedelta(minutes=1))
    assert (m.rule, m.other_id, m.group_id) == ("ratio", "a", "a")
    assert m.score >= 85
    assert "copy of a (ratio" in m.describe()
    cut = g.place("c", " ".join(STORY.split()[:14]) + "…", T0 + timedelta(minutes=2))
    assert (cut.rule, cut.group_id) == ("prefix", "a")
    assert explain(STORY, f"RT @x: {STORY}") == "grouped: exact 100"
    assert explain("Lumio", "Lumio is great").startswith("not grouped: 1 informative words")
    assert explain(STORY, STORY.replace("brûlure", "coupure").replace("feu", "eau")).startswith(
        "grouped: ratio"
    )


def test_seeded_history_keeps_its_groups() -> None:
    g = Grouper()
    g.add_known("old-copy", STORY, T0, group_id="old-leader")
    assert g.place("new", f"RT @z: {STORY}", T0 + timedelta(hours=1)).group_id == "old-leader"


def test_deterministic_same_input_same_groups() -> None:
    rng = random.Random(3)
    words = ["lumio", "lampe", "feu", "wifi", "refund", "broken", "great", "app", "halo", "aura"]
    posts = []
    for i in range(300):
        text = " ".join(rng.choices(words, k=rng.randint(3, 14)))
        posts.append((f"p{i}", text, T0 + timedelta(minutes=rng.randint(0, 5000))))
    first = {k: m.group_id for k, m in group_all(posts).items()}
    shuffled = posts[:]
    rng.shuffle(shuffled)
    second = {k: m.group_id for k, m in group_all(shuffled).items()}
    assert first == second


def test_empty_and_emoji_only_texts_stay_alone() -> None:
    assert place_all(["", "🔥🔥🔥", "🔥🔥🔥", "https://t.co/x"]) == ["m0", "m1", "m2", "m3"]


def test_prune_forgets_old_posts_but_keeps_live_groups() -> None:
    g = Grouper(window=timedelta(hours=72))
    g.place("old", "an old story about the lumio halo that nobody repeats any more", T0)
    g.place("lead", STORY, T0 + timedelta(hours=10))
    g.place("copy", f"RT @x: {STORY}", T0 + timedelta(hours=200))  # outside the window: new
    g.place("copy2", f"RT @y: {STORY} !", T0 + timedelta(hours=201))
    dropped = g.prune(T0 + timedelta(hours=100))
    assert dropped == 2 and len(g) == 2
    assert g.group_of("old") is None and g.group_of("copy2") == "copy"
    assert g.place("copy3", STORY, T0 + timedelta(hours=202)).group_id == "copy"


# ---- issue 12: what real mentions showed


def test_posts_of_different_brands_never_share_a_group() -> None:
    g = Grouper()
    assert g.place("a", "thank you!", T0, brands=("Lumio",)).group_id == "a"
    assert g.place("b", "thank you!", T0 + timedelta(minutes=1), brands=("Brightly",)).rule == "new"
    assert (
        g.place("c", "Thank you !!", T0 + timedelta(minutes=2), brands=("Lumio",)).group_id == "a"
    )
    assert g.place("d", STORY, T0, brands=("Lumio",)).group_id == "d"
    other = g.place("e", f"RT @x: {STORY}", T0 + timedelta(minutes=3), brands=("Lumio", "Ikea"))
    assert other.rule == "new"  # another set of brands is another story, even word for word
    assert g.place("f", STORY, T0 + timedelta(minutes=4), brands=("Ikea", "Lumio")).group_id == "e"


def test_a_short_reply_is_never_swallowed_by_a_long_complaint() -> None:
    complaint = (
        "@lumio has the worst account manager I have ever dealt with, three weeks without an"
        " answer about my invoice. I will now take my 70 flights to @Brightly, thank you"
    )
    reply = "@lumio I will! Thank you!"
    g = Grouper()
    g.place("complaint", complaint, T0, brands=("Lumio",))
    assert g.place("reply", reply, T0 + timedelta(minutes=1), brands=("Lumio",)).rule == "new"
    # even as a feed item titled with its own first 60 characters (every word twice)
    assert grouping_norm(reply[:60], reply) == normalize(reply)
    assert grouping_norm(complaint[:60], complaint) == normalize(complaint)
    assert join_rule(normalize(reply), normalize(complaint)) is None


def test_short_replies_group_only_as_exact_copies_within_the_window() -> None:
    g = Grouper()
    g.place("a", "@lumio sent you a DM", T0, brands=("Lumio",))
    assert g.place(
        "b", "@Lumio Sent you a DM!", T0 + timedelta(hours=1), brands=("Lumio",)
    ).rule == ("exact")
    near = g.place("c", "@lumio just sent you a DM", T0 + timedelta(hours=2), brands=("Lumio",))
    assert near.rule == "new"  # close, but short: only an exact copy joins
    late = g.place("d", "@lumio sent you a DM", T0 + timedelta(hours=80), brands=("Lumio",))
    assert late.rule == "new"


def test_a_title_is_dropped_when_it_is_the_beginning_of_the_text() -> None:
    text = "Lumio recalls the Halo desk lamp after reports of batteries overheating in France"
    assert grouping_norm(text[:60], text) == normalize(text)  # cut mid-word
    assert grouping_norm(text[:40] + "…", text) == normalize(text)
    assert grouping_norm(text, text) == normalize(text)
    assert grouping_norm("Lumio rappelle ses lampes", "Un rappel massif.") == (
        "lumio rappelle ses lampes un rappel massif"
    )
    assert grouping_norm(text, text[:30] + "…") == normalize(text)  # text cut, title whole


def test_every_copy_passes_the_rule_against_its_leader() -> None:
    rng = random.Random(5)
    words = ["lumio", "lamp", "refund", "broken", "wifi", "thanks", "great", "the", "my", "app"]
    posts = [
        (f"p{i}", " ".join(rng.choices(words, k=rng.randint(1, 16))), T0 + timedelta(minutes=i))
        for i in range(400)
    ]
    placed = group_all(posts)
    text = {pid: t for pid, t, _ in posts}
    copies = [(pid, m.group_id) for pid, m in placed.items() if m.group_id != pid]
    assert copies  # the set has copies to check
    for pid, leader in copies:
        assert join_rule(grouping_norm("", text[pid]), grouping_norm("", text[leader])), pid


def test_two_one_megabyte_texts_are_grouped_on_their_beginning() -> None:
    """Grouping compares a bounded part of each text: two 1 MB posts that share their first
    pages are one story, two that differ from the start are two (and both take ms)."""
    rng = random.Random(1)
    vocab = [f"w{i}ord" for i in range(5000)]
    body = " ".join(rng.choices(vocab, k=200_000))  # ~1.3 MB
    assert len(body) > 1_000_000
    tail = " ".join(rng.choices(vocab, k=200_000))
    g = Grouper()
    g.place("a", body, T0)
    copy = g.place("b", body[:600_000] + " " + tail, T0 + timedelta(minutes=1))
    assert (copy.rule, copy.group_id) == ("exact", "a")  # equal on what is compared
    other = g.place("c", tail, T0 + timedelta(minutes=2))
    assert other.rule == "new"
    assert len(grouping_norm("", body)) <= MAX_NORM_CHARS
