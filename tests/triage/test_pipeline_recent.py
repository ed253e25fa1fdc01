"""A worker prepares one content once: the same post in several feeds gets the fields a
fresh preparation gives, and anything `fields` reads (title, text, language, reach) that
differs is prepared again."""

from __future__ import annotations

from dataclasses import replace

from tests.triage.conftest import T0
from triage import pipeline
from triage.config import BrandConfig
from triage.model import Author, Mention
from triage.pipeline import Preparer

BRANDS = [BrandConfig("Lumio", keywords=("lumio",), competitors=("Brightly",))]


def _m(mid: str, text: str, reach: int | None = None, lang: str | None = "en") -> Mention:
    return Mention(mid, "rss", "s", "", Author("a", reach=reach), text, T0, T0, lang=lang)


def test_the_same_content_is_prepared_once_and_alike():
    p = Preparer(BRANDS)
    text = "Lumio lamp caught FIRE, refund now!!! Brightly never did that"
    first = p.prepare_owned([_m("rss:a", text), _m("rss:b", text)])
    assert len(p._recent) == 1
    fresh = Preparer(BRANDS).fields(_m("rss:c", text))
    for m in first:
        assert {k: getattr(m, k) for k in fresh} == fresh


def test_what_fields_reads_is_the_key():
    p = Preparer(BRANDS)
    base = _m("rss:a", "Lumio support is the worst, still waiting")
    variants = [
        base,
        replace(base, title="Lumio"),
        replace(base, lang="fr"),
        replace(base, author=Author("a", reach=500_000)),
        replace(base, text=base.text + "!"),
    ]
    for m in variants:
        assert p.decided(m) == Preparer(BRANDS).fields(m)
    assert len(p._recent) == len(variants)
    assert p.decided(variants[3])["priority"] > p.decided(base)["priority"]  # reach counts


def test_what_is_remembered_is_bounded(monkeypatch):
    monkeypatch.setattr(pipeline, "RECENT", 3)
    p = Preparer(BRANDS)
    for i in range(10):
        p.decided(_m(f"rss:{i}", f"lumio post number {i}"))
    assert len(p._recent) == 3
