"""triage.people: handles compared as people write them, linking merges records, a CSV
list read row by row with each refusal on its line, VIPs ranked up within bounds."""

from __future__ import annotations

from datetime import timedelta

import pytest

from triage.model import Author, Mention, Reply, TriageState, utcnow
from triage.people import (
    People,
    PeopleSettings,
    add_note,
    handle_key,
    import_rows,
    link,
    parse_csv,
    record,
    set_tags,
    vip_bump,
)

NOW = utcnow()


def _post(n: int, handle: str, reach: int | None = None, priority: float = 50.0) -> Mention:
    return Mention(
        id=f"m:{n}", platform="mastodon", source="s", url="https://e.example",
        author=Author(name="x", handle=handle, reach=reach), text=f"post {n}",
        created_at=NOW - timedelta(minutes=n), fetched_at=NOW, priority=priority,
        group_id=f"m:{n}",
    )  # fmt: skip


def test_handles_are_compared_folded_without_the_at_sign():
    assert handle_key("  @Ána@Mastodon.Social ") == "ana@mastodon.social"
    assert handle_key("\x1b[31m@eve\x1b[0m") == "eve"
    for bad in ("", "@", "two words", "x" * 300):
        with pytest.raises(ValueError):
            handle_key(bad)


def test_linking_merges_two_records_into_one():
    people = set_tags(link(People(), ["@ana"], name="Ana"), "ana", ["vip"])
    people = add_note(people, "ana.bsky.social", "met at the fair", "camille", NOW)
    assert len(people.persons) == 2
    people = link(people, ["ana.bsky.social", "@ANA"])
    (ana,) = people.persons
    assert set(ana.handles) == {"ana", "ana.bsky.social"} and ana.name == "Ana"
    assert ana.tags == ("vip",) and ana.notes[0].text == "met at the fair"
    assert people.find("@Ana.bsky.social") is ana
    assert people.tagged("VIP") == frozenset({"ana", "ana.bsky.social"})
    assert People.from_json(people.to_json()).persons == people.persons


def test_a_csv_list_is_read_row_by_row_and_bad_rows_are_said_by_line():
    rows, errors = parse_csv(
        "Handles,Tags,Reach,Note\n"
        '@ana ana.bsky.social,"vip;journalist",12_300,"two\nlines"\n'
        ",vip,,\n"
        "@bob,two words?,x,\n"
        "@carol,,,,extra\n"
        "\n"
        "@dave,influencer,,\n"
    )
    assert [r.line for r in rows] == [2, 8]
    assert rows[0].handles == ("ana", "ana.bsky.social") and rows[0].reach == 12300
    assert rows[0].tags == ("vip", "journalist") and rows[0].note == "two lines"
    assert errors == [
        (4, "no handle"),
        (5, "reach 'x' is not a whole number"),
        (6, "5 cells where the header names 4"),
    ]


@pytest.mark.parametrize(
    ("text", "why"),
    [("", "the file is empty"), ("name,tags\n", "no 'handles' column"),
     ("handles,colour\n", "unknown column 'colour'")],
)  # fmt: skip
def test_a_csv_without_a_usable_header_is_refused_on_line_1(text, why):
    rows, errors = parse_csv(text)
    assert rows == [] and errors[0][0] == 1 and why in errors[0][1]


def test_importing_twice_adds_nothing_twice():
    rows, _ = parse_csv("handles,tags,note\n@ana,vip,hello\n")
    once = import_rows(People(), rows, "camille", NOW)
    twice = import_rows(once, rows, "camille", NOW)
    assert twice.persons == once.persons


def test_a_record_gathers_posts_across_handles_and_our_replies():
    people = link(People(), ["@ana", "ana.bsky.social"])
    person = people.find("ana")
    assert person is not None
    posts = [_post(1, "@ana", reach=100), _post(2, "ana.bsky.social", reach=900), _post(3, "@bob")]
    reply = Reply("k", "merci", "camille", NOW, mention_id="m:1")
    states = {"m:1": TriageState("m:1", replies=(reply,))}
    found = record(person, posts, lambda g: states.get(g, TriageState(g)))
    assert [m.id for m in found.mentions] == ["m:1", "m:2"]  # newest first
    assert found.reach == 900 and found.replies[0][1:] == ("camille", "pending", "merci")


def test_a_vip_is_ranked_up_within_bounds():
    people = set_tags(link(People(), ["@ana"]), "ana", ["vip"])
    up = vip_bump(_post(1, "@Ana", priority=50), people, None)
    assert up.priority == 65 and up.signals[-1] == "vip: ana +15"
    assert vip_bump(_post(1, "@ana", priority=95), people, None).priority == 100
    assert vip_bump(_post(1, "@ana"), people, PeopleSettings(vip_bump=0)).priority == 50
    assert vip_bump(_post(1, "@bob"), people, None).priority == 50
