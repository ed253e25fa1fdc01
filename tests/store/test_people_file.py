"""store.people: the people list is one file of the store, rewritten atomically under
the store lock; two processes changing it lose nothing; a damaged file is said in
words and never overwritten."""

from __future__ import annotations

import multiprocessing
import stat

import pytest

from store.errors import StoreError
from store.inbox import Inbox
from store.people import PeopleFile, people_file
from triage.people import link, set_tags


def _tag_many(root: str, prefix: str, n: int) -> None:
    people = PeopleFile(root)
    for i in range(n):
        people.update(lambda p, i=i: set_tags(link(p, [f"{prefix}{i}"]), f"{prefix}{i}", ["vip"]))


def test_two_processes_adding_people_lose_nothing(tmp_path):
    Inbox.open(tmp_path / "store", user="x").close()
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_tag_many, args=(str(tmp_path / "store"), p, 25)) for p in "ab"]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    people = PeopleFile(tmp_path / "store").load()
    assert len(people.persons) == 50 and len(people.tagged("vip")) == 50
    mode = stat.S_IMODE((tmp_path / "store" / "people.json").stat().st_mode)
    assert mode == 0o600  # private like the rest of the store


def test_a_damaged_people_file_is_said_and_left_as_it_is(tmp_path):
    Inbox.open(tmp_path / "store", user="x").close()
    path = tmp_path / "store" / "people.json"
    path.write_text('{"people": [{"handles": ')
    book = people_file(str(tmp_path / "store"))
    with pytest.raises(StoreError, match=r"people\.json is damaged"):
        book.load()
    with pytest.raises(StoreError):
        book.update(lambda p: link(p, ["@ana"]))
    assert path.read_text() == '{"people": [{"handles": '


def test_people_need_a_folder_store(tmp_path):
    with pytest.raises(StoreError, match="folder store"):
        people_file(str(tmp_path / "nowhere"))
