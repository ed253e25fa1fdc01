"""Mastodon, Hacker News, Bluesky and Reddit connectors against a loopback server that
answers in each platform's documented shapes (written here from the API docs)."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import pytest

from sources.base import SourceError
from sources.bluesky import BlueskySource
from sources.hackernews import HackerNewsSource
from sources.http import make_client
from sources.mastodon import MastodonSource
from sources.registry import build_source
from triage.config import SourceConfig
from triage.model import Author, Mention

from .conftest import Reply

JSON = {"Content-Type": "application/json; charset=utf-8"}


def status(
    sid: str, text: str, *, uri: str = "", reblog: dict | None = None, reply_to: str | None = None
) -> dict:
    return {
        "id": sid,
        "created_at": "2026-11-22T08:00:00.000Z",
        "in_reply_to_id": reply_to,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": "public",
        "language": "fr",
        "uri": uri or f"https://mastodon.example/users/lea/statuses/{sid}",
        "url": f"https://mastodon.example/@lea/{sid}",
        "content": text,
        "reblog": reblog,
        "account": {
            "id": "1",
            "username": "lea",
            "acct": "lea@mastodon.example",
            "display_name": "Léa \u202eevil",
            "url": "https://mastodon.example/@lea",
            "followers_count": 1234,
        },
    }


async def test_mastodon_tag_timeline_pages_with_min_id_and_notes_the_rate_limit(server):
    first = [status("110", "<p>La lampe <a href='#'>#lumio</a> &amp; l&#39;appli</p>")]
    server.route("/api/v1/timelines/tag/lumio", Reply(200, JSON, orjson.dumps(first)))
    source = MastodonSource("masto", server.url, ("lumio",))
    async with make_client() as client:
        result = await source.poll(client, {})
        [m] = result.mentions
        assert m.text == "La lampe #lumio & l'appli"
        assert m.author.handle == "@lea@mastodon.example" and m.author.reach == 1234
        assert "\u202e" not in m.author.name
        assert m.id == "mastodon:https://mastodon.example/users/lea/statuses/110"
        assert m.lang == "fr"
        assert result.cursor == {"lumio": "110"}

        # next poll: min_id from the cursor; the server says the budget is spent
        newer = [status(str(i), f"<p>post {i}</p>") for i in range(151, 111, -1)]
        server.routes["/api/v1/timelines/tag/lumio"] = Reply(
            200,
            {
                **JSON,
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": "2099-01-01T00:00:00.000Z",
                "Link": f'<{server.url}/api/v1/timelines/tag/lumio?min_id=151>; rel="prev"',
            },
            orjson.dumps(newer),
        )
        result = await source.poll(client, result.cursor)
    assert "min_id=110" in server.requests[-1].path
    assert len(result.mentions) == 40 and result.cursor == {"lumio": "151"}
    assert result.retry_after and result.retry_after > 3600  # honoured: no further page


async def test_mastodon_full_text_search_with_a_token_resumes_after_the_newest(server):
    def search(seen):
        if seen.headers.get("authorization") != "Bearer s3cret":
            return Reply(401, JSON, b'{"error":"The access token is invalid"}')
        found = [status("205", "<p>Ma \x1b[31mLumio</p>"), status("201", "<p>lumio ok</p>")]
        return Reply(200, JSON, orjson.dumps({"accounts": [], "statuses": found, "hashtags": []}))

    server.route("/api/v2/search", search)
    source = MastodonSource("m", server.url, (), token="s3cret", query="lumio lamp")
    async with make_client() as client:
        result = await source.poll(client, {})
        assert [m.native_id.rsplit("/", 1)[1] for m in result.mentions] == ["205", "201"]
        assert result.mentions[0].text == "Ma Lumio"
        assert result.cursor == {"search:lumio lamp": "205"}
        await source.poll(client, result.cursor)
        sent = server.requests[-1].path
        assert "type=statuses" in sent and "min_id=205" in sent and "q=lumio+lamp" in sent

        anonymous = MastodonSource("m", server.url, (), query="lumio")
        with pytest.raises(SourceError, match="needs an access token"):
            await anonymous.poll(client, {})


def test_mastodon_search_without_a_token_is_a_config_error(tmp_path):
    from sources.config import ConfigError, load_config

    path = tmp_path / "c.toml"
    path.write_text(
        '[[sources]]\nname = "m"\nkind = "mastodon"\ninstance = "https://m.example"\n'
        'query = "lumio"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="needs an access token"):
        load_config(path)
    path.write_text(path.read_text() + 'token_env = "VEILLE_MASTODON_TOKEN"\n', encoding="utf-8")
    assert load_config(path).sources[0].query == "lumio"


async def test_mastodon_a_reply_polled_with_its_parent_names_it(server):
    parent = status("50", "<p>Lumio question</p>")
    answer = status("51", "<p>Lumio answer</p>", reply_to="50")
    server.route("/api/v1/timelines/tag/lumio", Reply(200, JSON, orjson.dumps([answer, parent])))
    async with make_client() as client:
        source = MastodonSource("m", server.url, ("lumio",))
        reply, question = (await source.poll(client, {})).mentions
    assert (
        reply.parent_id == question.id == "mastodon:https://mastodon.example/users/lea/statuses/50"
    )
    assert reply.extra["in_reply_to_id"] == "50" and question.parent_id is None


async def test_mastodon_boosts_seen_on_two_servers_are_one_mention(server):
    original = status("9", "<p>Lumio!</p>", uri="https://origin.example/statuses/9")
    server.route(
        "/api/v1/timelines/tag/lumio",
        Reply(200, JSON, orjson.dumps([original, status("77", "", reblog=original)])),
    )
    async with make_client() as client:
        result = await MastodonSource("m", server.url, ("lumio",)).poll(client, {})
    assert [m.id for m in result.mentions] == ["mastodon:https://origin.example/statuses/9"]


async def test_mastodon_thread_context_and_invalid_json(server):
    server.route(
        "/api/v1/statuses/110/context",
        Reply(
            200,
            JSON,
            orjson.dumps(
                {
                    "ancestors": [status("100", "<p>question</p>")],
                    "descendants": [
                        status("120", "<p>answer</p>", reply_to="110"),
                        status("130", "<p>thanks</p>", reply_to="120"),
                    ],
                }
            ),
        ),
    )
    server.route(
        "/api/v1/timelines/tag/lumio",
        Reply(200, JSON, orjson.dumps([status("110", "<p>me</p>", reply_to="100")])),
    )
    source = MastodonSource("m", server.url, ("lumio",))
    async with make_client() as client:
        [m] = (await source.poll(client, {})).mentions
        assert m.parent_id is None  # its parent (local id 100) was not in the answer
        thread = await source.thread(client, m)
        assert [t.text for t in thread] == ["question", "me", "answer", "thanks"]
        ids = [t.id for t in thread]
        assert [t.parent_id for t in thread] == [None, ids[0], ids[1], ids[2]]
        assert {t.thread_id for t in thread} == {ids[0]}
        assert m.parent_id is None  # the stored mention is not changed behind the store's back
        server.routes["/api/v1/timelines/tag/lumio"] = Reply(200, JSON, b"{not json")
        with pytest.raises(SourceError, match="not valid JSON"):
            await source.poll(client, {})


async def test_hackernews_search_by_date_uses_the_cursor_and_reads_the_item_tree(server):
    hits = {
        "hits": [
            {
                "objectID": "4242",
                "author": "pg_fan",
                "created_at_i": 1795000000,
                "comment_text": "Lumio&#x27;s lamp <i>bricked</i> itself \x1b[31m",
                "story_id": 4200,
                "parent_id": 4200,
                "story_title": "Show HN: Lumio",
            }
        ]
    }
    server.route("/api/v1/search_by_date", Reply(200, JSON, orjson.dumps(hits)))
    tree = {
        "id": 4200,
        "title": "Show HN: Lumio",
        "author": "maker",
        "created_at_i": 1794990000,
        "children": [
            {
                "id": 4242,
                "author": "pg_fan",
                "text": "<p>bricked</p>",
                "parent_id": 4200,
                "children": [],
            }
        ],
    }
    server.route("/api/v1/items/4200", Reply(200, JSON, orjson.dumps(tree)))
    source = HackerNewsSource("hn", "lumio", base_url=server.url)
    async with make_client() as client:
        result = await source.poll(client, {})
        [m] = result.mentions
        assert m.text == "Lumio's lamp bricked itself"
        assert m.parent_id == "hackernews:4200" and m.thread_id == "hackernews:4200"
        assert m.url == "https://news.ycombinator.com/item?id=4242"
        assert result.cursor == {"since": 1795000000}
        await source.poll(client, result.cursor)
        assert "created_at_i%3E%3D1795000000" in server.requests[-1].path
        thread = await source.thread(client, m)
    assert [t.id for t in thread] == ["hackernews:4200", "hackernews:4242"]


def post(rkey: str, text: str, reply_to: str | None = None) -> dict:
    record = {
        "$type": "app.bsky.feed.post",
        "text": text,
        "createdAt": "2026-11-22T08:00:00Z",
        "langs": ["en"],
    }
    if reply_to:
        ref = {"uri": reply_to, "cid": "bafy"}
        record["reply"] = {"root": ref, "parent": ref}
    return {
        "uri": f"at://did:plc:abc/app.bsky.feed.post/{rkey}",
        "cid": "bafy" + rkey,
        "author": {"did": "did:plc:abc", "handle": "sam.bsky.social", "displayName": "Sam"},
        "record": record,
        "indexedAt": f"2026-11-22T08:00:0{rkey[-1]}Z",
    }


async def test_bluesky_logs_in_once_refreshes_an_expired_session_and_reads_threads(server):
    logins = []

    def create(seen):
        logins.append(orjson.loads(seen.body))
        return Reply(
            200, JSON, orjson.dumps({"accessJwt": "A1", "refreshJwt": "R1", "did": "did:plc:me"})
        )

    server.route("/xrpc/com.atproto.server.createSession", create)
    server.route(
        "/xrpc/com.atproto.server.refreshSession",
        Reply(200, JSON, orjson.dumps({"accessJwt": "A2", "refreshJwt": "R2"})),
    )

    searches = []

    def search(seen):
        searches.append(seen.headers.get("authorization"))
        if len(searches) == 2:  # the second poll: the access token has expired
            return Reply(400, JSON, orjson.dumps({"error": "ExpiredToken", "message": "expired"}))
        found = post("k1", "Lumio \u202eis great")
        if len(searches) == 3:  # meanwhile the author limited who can reply (threadgate)
            found["viewer"] = {"replyDisabled": True}
        return Reply(200, JSON, orjson.dumps({"posts": [found]}))

    server.route("/xrpc/app.bsky.feed.searchPosts", search)
    source = BlueskySource(
        "bsky",
        "lumio",
        handle="me.bsky.social",
        password="app-pass",
        service=server.url,
        public_service=server.url,
    )
    async with make_client() as client:
        first = await source.poll(client, {})
        second = await source.poll(client, first.cursor)
    [m] = first.mentions
    assert m.text == "Lumio is great" and m.author.handle == "@sam.bsky.social"
    assert "reply_disabled" not in m.extra
    assert second.mentions[0].extra["reply_disabled"] is True  # viewer.replyDisabled
    assert m.url == "https://bsky.app/profile/sam.bsky.social/post/k1"
    assert len(logins) == 1 and logins[0]["identifier"] == "me.bsky.social"
    assert [m.id for m in second.mentions] == [m.id]
    assert searches == ["Bearer A1", "Bearer A1", "Bearer A2"]

    server.route(
        "/xrpc/app.bsky.feed.getPostThread",
        Reply(
            200,
            JSON,
            orjson.dumps(
                {
                    "thread": {
                        "post": post("k1", "Lumio is great"),
                        "parent": {"post": post("k0", "anyone?")},
                        "replies": [{"post": post("k2", "yes", reply_to=m.extra["uri"])}],
                    }
                }
            ),
        ),
    )
    async with make_client() as client:
        thread = await source.thread(client, m)
    assert [t.text for t in thread] == ["anyone?", "Lumio is great", "yes"]
    assert thread[2].parent_id == m.id


async def test_bluesky_without_credentials_says_what_to_configure(server):
    async with make_client() as client:
        with pytest.raises(SourceError, match="app password"):
            await BlueskySource("b", "lumio", service=server.url).poll(client, {})


async def test_reddit_search_feed_is_built_from_the_query(server):
    atom = (
        "<?xml version='1.0' encoding='UTF-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
        "<title>lumio - reddit.com: search results</title>"
        "<entry><author><name>/u/night_owl</name><uri>https://www.reddit.com/user/night_owl</uri></author>"
        "<content type='html'>&lt;div class='md'&gt;&lt;p&gt;My Lumio died&lt;/p&gt;&lt;/div&gt;</content>"
        "<id>t3_1abcde</id><link href='https://www.reddit.com/r/lamps/comments/1abcde/lumio/'/>"
        "<updated>2026-11-22T08:00:00+00:00</updated><title>Lumio died after update</title></entry></feed>"
    )
    server.route("/search.rss", Reply(200, {"Content-Type": "application/atom+xml"}, atom))
    config = SourceConfig(
        name="r", kind="reddit", query="lumio lamp", options={"base_url": server.url}
    )
    async with make_client() as client:
        result = await build_source(config).poll(client, {})
    assert server.requests[-1].path == "/search.rss?q=lumio%20lamp&sort=new"
    [m] = result.mentions
    assert m.id == "reddit:t3_1abcde" and m.platform == "reddit"
    assert m.text == "My Lumio died" and m.author.name == "/u/night_owl"


def _listing(*things: dict) -> dict:
    return {"kind": "Listing", "data": {"after": None, "children": list(things)}}


def _comment(cid: str, parent: str, body: str, at: int, *replies: dict) -> dict:
    return {
        "kind": "t1",
        "data": {
            "name": f"t1_{cid}",
            "id": cid,
            "parent_id": parent,
            "author": "lamp_fan",
            "body": body,
            "created_utc": at,
            "permalink": f"/r/lamps/comments/1abcde/lumio/{cid}/",
            "subreddit": "lamps",
            "replies": _listing(*replies) if replies else "",
        },
    }


async def test_reddit_thread_reads_the_post_and_every_comment_oldest_first(server):
    post_listing = _listing(
        {
            "kind": "t3",
            "data": {
                "name": "t3_1abcde",
                "title": "Lumio died after update",
                "selftext": "My Lumio died",
                "author": "night_owl",
                "created_utc": 1795334400,
                "permalink": "/r/lamps/comments/1abcde/lumio/",
                "subreddit": "lamps",
            },
        }
    )
    comments = _listing(
        _comment(
            "c1", "t3_1abcde", "Same here \x1b[31m[bold]angry[/bold]", 1795334500,
            _comment("c3", "t1_c1", "Support fixed mine", 1795334900),
        ),
        _comment("c2", "t3_1abcde", "Did you reset it?", 1795334700),
        {"kind": "more", "data": {"count": 12, "children": ["c9", "c10"]}},
    )  # fmt: skip
    server.route(
        "/r/lamps/comments/1abcde/lumio.json",
        Reply(200, JSON, orjson.dumps([post_listing, comments])),
    )
    source = build_source(
        SourceConfig(name="r", kind="reddit", query="lumio", options={"base_url": server.url})
    )
    stored = Mention(
        id="reddit:t3_1abcde", platform="reddit", source="r",
        url="https://www.reddit.com/r/lamps/comments/1abcde/lumio/",
        author=Author(name="/u/night_owl"), text="My Lumio died",
        created_at=datetime(2026, 11, 22, 8, tzinfo=UTC),
        fetched_at=datetime(2026, 11, 22, 8, tzinfo=UTC),
    )  # fmt: skip
    async with make_client() as client:
        thread = await source.thread(client, stored)
    assert "raw_json=1" in server.requests[-1].path
    assert [m.id for m in thread] == [
        "reddit:t3_1abcde", "reddit:t1_c1", "reddit:t1_c2", "reddit:t1_c3",
    ]  # fmt: skip
    assert thread[0].title == "Lumio died after update" and thread[0].parent_id is None
    assert thread[1].text == "Same here [bold]angry[/bold]"  # escapes gone, markup kept as text
    assert thread[3].parent_id == "reddit:t1_c1" and thread[2].parent_id == "reddit:t3_1abcde"
    assert {m.thread_id for m in thread} == {"reddit:t3_1abcde"}
    assert thread[1].author.name == "/u/lamp_fan" and thread[1].created_at.tzinfo is UTC

    server.routes["/r/lamps/comments/1abcde/lumio.json"] = Reply(
        403, {"Content-Type": "text/html"}, b"<html>blocked</html>"
    )
    async with make_client() as client:
        with pytest.raises(SourceError, match="anonymous access to its JSON is closed"):
            await source.thread(client, stored)
    server.routes["/r/lamps/comments/1abcde/lumio.json"] = Reply(200, JSON, b"[{oops")
    async with make_client() as client:
        with pytest.raises(SourceError, match="not valid JSON"):
            await source.thread(client, stored)
