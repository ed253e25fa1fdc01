"""The one sanitising boundary: whatever makes a Mention (a source, the store loading an
old record, an import), every string field comes out clean and bounded."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import orjson

from triage.model import Author, Mention
from triage.text import TEXT_LIMIT, bound, escape_json_controls, json_safe_dumps

NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
HOSTILE = "\x1b[2J\x1b]52;c;ZXZpbA==\x07\x9b31m\u202e\u2066\ud800\x00\x7f\u2028"
UNSAFE = {"\x1b", "\x07", "\x9b", "\u202e", "\u2066", "\ud800", "\x00", "\x7f", "\u2028", "\r"}


def hostile_mention(**changes) -> Mention:
    fields = dict(
        id=f"rss:guid{HOSTILE}",
        platform="rss",
        source=f"forum{HOSTILE}",
        url=f"https://f.example/{HOSTILE}",
        author=Author(
            name=f"Ana{HOSTILE}\nLima", handle=f"@ana{HOSTILE}", url=f"https://a/{HOSTILE}"
        ),
        text=f"Lumio{HOSTILE} broken\r\nrefund",
        title=f"Title{HOSTILE}\nsecond line",
        created_at=NOW,
        fetched_at=NOW,
        lang=f"fr{HOSTILE}",
        parent_id=f"rss:p{HOSTILE}",
        thread_id=f"rss:t{HOSTILE}",
        extra={"feed": f"https://f.example/feed{HOSTILE}", "n": 3},
    )
    fields.update(changes)
    return Mention(**fields)


def strings(m: Mention) -> list[str]:
    data = m.to_json()
    keys = ("id", "platform", "source", "url", "text", "title", "lang", "parent_id")
    return [
        *(data[k] for k in (*keys, "thread_id", "group_id")),
        *(data["author"][k] for k in ("name", "handle", "url")),
        data["extra"]["feed"],
    ]


def test_every_string_field_is_clean_whatever_made_the_mention():
    made = hostile_mention()
    loaded = Mention.from_json(
        {**made.to_json(), "id": f"rss:old{HOSTILE}", "url": f"https://old/{HOSTILE}"}
    )
    for m in (made, loaded):
        for value in strings(m):
            assert not (set(value) & UNSAFE), repr(value)
    assert made.id.strip() == "rss:guid"  # the escape sequences go whole
    assert made.title == "Title  second line"  # one-line fields stay on one line
    assert made.text == "Lumio\n broken\nrefund"  # texts keep line breaks (U+2028 is one)
    assert made.author.name == "Ana  Lima" and made.lang == "fr "
    assert made.group_id == made.id


def test_cleaning_twice_changes_nothing():
    once = hostile_mention()
    twice = Mention.from_json(once.to_json())
    assert twice.to_json() == once.to_json()


def test_a_megabyte_text_is_stored_cut_with_a_marker_saying_so():
    m = hostile_mention(text="Lumio " * 200_000, title="T" * 50_000)
    assert len(m.text) == TEXT_LIMIT
    assert m.text.endswith("[…cut: 1,200,000 characters in all]")
    assert len(m.title) <= 1000 and "cut" in m.title
    assert Mention.from_json(m.to_json()).text == m.text  # bounded once, stable after
    assert bound("short") == "short"


def test_json_output_escapes_what_json_leaves_raw():
    data = {"text": "a\x9bb\u202ec\x7fd\u2028e\x1bf", "n": 1}
    for dumped in (orjson.dumps(data).decode(), json.dumps(data, ensure_ascii=False)):
        safe = escape_json_controls(dumped)
        assert not set(safe) & {"\x9b", "\u202e", "\x7f", "\u2028", "\x1b"}
        assert json.loads(safe) == data  # the same data, escaped
    assert json.loads(json_safe_dumps(data, indent=2)) == data
