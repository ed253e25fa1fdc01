"""The sources' records on PostgreSQL read in one query (`Poller.health()`, each round of
`veille watch`): each record as `load` reads it alone, whichever node wrote it."""

from __future__ import annotations

from datetime import timedelta

from app.dbhealth import DatabaseHealth
from sources.health import SourceHealth
from triage.model import utcnow


def test_health_of_every_source_in_one_read_is_each_record_as_loaded_alone(tmp_path, pg_url):
    writer = DatabaseHealth(pg_url, tmp_path / "a")  # another node
    reader = DatabaseHealth(pg_url, tmp_path / "b")
    now = utcnow()
    polled = SourceHealth(name="blog", kind="rss", last_ok=now, next_poll=now + timedelta(hours=1))
    polled.cursor = {"etag": 'W/"42"', "seen": ["a", "b"]}
    writer.save(polled)
    failing = SourceHealth(name="forum", kind="rss", last_error="the server answered 503")
    writer.save(failing)
    writer.blobs.put(writer._key("torn"), b'{"name": "torn", "last_ok": ')  # a damaged row
    asked = [("blog", "rss"), ("forum", "rss"), ("torn", "rss"), ("never", "mastodon")]

    taken = []  # the connections the read takes from the pool (each one a round trip)
    connection = reader.blobs.connection
    reader.blobs.connection = lambda: taken.append(1) or connection()  # type: ignore[method-assign]
    many = reader.load_many(asked)
    assert len(taken) == 1
    reader.blobs.connection = connection  # type: ignore[method-assign]

    alone = [reader.load(name, kind) for name, kind in asked]
    assert [r.to_json() for r in many] == [r.to_json() for r in alone]
    assert [r.problem for r in many] == [r.problem for r in alone]
    blog, forum, torn, never = many
    assert blog.cursor == {"etag": 'W/"42"', "seen": ["a", "b"]} and blog.last_ok == now
    assert forum.last_error == "the server answered 503"
    assert torn.problem and "record unreadable" in torn.problem
    assert never.name == "never" and never.kind == "mastodon" and never.last_ok is None

    polled.last_ok = now + timedelta(minutes=5)  # the other node polls again: seen at once
    writer.save(polled)
    assert reader.load_many(asked[:1])[0].last_ok == now + timedelta(minutes=5)
    assert reader.load_many([]) == []
