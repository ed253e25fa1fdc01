"""`Pipeline.process` returns its placed copy without running `Mention.__init__` again
(`triage.pipeline.placed_copy`, issue 16): the copy must equal what
`dataclasses.replace` built, field by field, for clean and hostile mentions alike."""

from __future__ import annotations

from dataclasses import fields, replace

from tests.triage.conftest import make_mention
from triage.model import Author, Mention
from triage.pipeline import Pipeline, placed_copy

HOSTILE = "Lumio \x1b]52;c;ZXZpbA==\x07 lampe\u202e grillée\r\n\x9b31m" + "x" * 40_000


def _hostile(n: int) -> Mention:
    return Mention(
        id=f"rss:\x1b[2J{n}",
        platform="rss",
        source="feed\tname",
        url="https://example.test/\n" + "u" * 3_000,
        author=Author(name="Ev\x1bil", handle="@x\u202e", url="", reach=10**6),
        text=HOSTILE,
        title="Lumio\u2028recall " + "t" * 2_000,
        created_at=make_mention(1, "").created_at,
        fetched_at=make_mention(1, "").created_at,
        lang="en\x00",
        extra={"feed": "http://x/\x1b", "n": 3},
    )


def _same(a: Mention, b: Mention) -> None:
    for f in fields(Mention):
        assert getattr(a, f.name) == getattr(b, f.name), f.name


def test_placed_copy_equals_replace() -> None:
    for m in (make_mention(1, "Lumio lamp broke"), _hostile(2)):
        extra = {**m.extra, "grouped": {"rule": "exact", "score": 100.0, "with": m.id}}
        fast = placed_copy(m, "mastodon:9", extra)
        _same(fast, replace(m, group_id="mastodon:9", extra=extra, prepared=None))
        assert fast is not m and fast.prepared is None and m.group_id == m.id


def test_process_gives_what_replace_gave(brands) -> None:
    posts = [
        make_mention(i, f"Lumio lamp caught fire again, refund please {i % 3}", minutes=i)
        for i in range(12)
    ] + [_hostile(20), _hostile(21)]
    p = Pipeline(brands)
    for m in posts:
        got = p.process(m)
        assert got.prepared is None
        expected = replace(got, group_id=got.group_id, extra=dict(got.extra))  # __init__ again
        _same(got, expected)
        assert got == expected
    assert len({p.grouper.group_of(m.id) for m in posts}) < len(posts)  # some joined
