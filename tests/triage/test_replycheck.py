"""Reply checks: platform limits (graphemes on Bluesky), placeholders, personal data."""

from __future__ import annotations

import pytest

from tests.triage.conftest import make_mention
from triage.replycheck import check_reply, count_graphemes, fill_template


def kinds(text: str, target="mastodon") -> list[str]:
    return [p.kind for p in check_reply(text, target)]


def test_limits_per_platform() -> None:
    assert kinds("a" * 500) == []
    assert [str(p) for p in check_reply("a" * 501, "mastodon")] == [
        "too long for mastodon: 501/500 characters (1 over)"
    ]
    assert kinds("a" * 281, "x") == ["length"]
    assert kinds("a" * 10_000, "rss") == []  # no known limit


def test_bluesky_counts_graphemes_not_code_points() -> None:
    family = "👨‍👩‍👧‍👦"  # 7 code points, one grapheme
    assert count_graphemes(family + "🇫🇷" + "é") == 3
    assert kinds(family * 300, "bluesky") == []
    assert kinds(family * 301, "bluesky") == ["length"]
    assert kinds("e\u0301" * 300, "bluesky") == []  # combining accents


def test_target_can_be_a_mention() -> None:
    assert kinds("a" * 301, make_mention(1, "x", platform="bluesky")) == ["length"]


def test_unfilled_placeholders() -> None:
    problems = check_reply("Bonjour {prenom}, merci {{agent}}", "mastodon")
    assert [str(p) for p in problems] == ["placeholder not filled: {prenom}, {{agent}}"]
    assert kinds("Merci pour votre retour {} :)") == []


@pytest.mark.parametrize(
    "text",
    [
        "Pouvez-vous nous donner votre numéro de commande ?",
        "Merci de nous indiquer votre adresse mail",
        "Quel est votre numéro de téléphone ?",
        "Could you send us your email address?",
        "Please share your order number here",
        "Reply with your password so we can check",
        "Donnez-nous votre mot de passe",
        "What's your phone number?",
        "Envoyez votre adresse postale",
    ],
)
def test_personal_data_requests_are_flagged_with_advice(text: str) -> None:
    problems = check_reply(text, "mastodon")
    assert [p.kind for p in problems] == ["personal-data"]
    assert "private message" in str(problems[0])


@pytest.mark.parametrize(
    "text",
    [
        "Merci pour votre retour, nous regardons ça !",
        "Thanks for your order, enjoy the lamp!",
        "Votre commande est partie ce matin",
        "Envoyez-nous votre numéro de commande en message privé",
        "Please DM us your email and we'll sort it out",
    ],
)
def test_harmless_replies_pass(text: str) -> None:
    assert kinds(text) == []


def test_fill_template_leaves_unknown_placeholders_visible() -> None:
    assert fill_template("Hi {name}, ref {ref} {}", name="Ana") == "Hi Ana, ref {ref} {}"
    assert fill_template("lone { brace") == "lone { brace"
    assert kinds(fill_template("Hi {name}")) == ["placeholder"]


def test_links_count_23_and_remote_handles_count_as_local_on_mastodon() -> None:
    long_link = "https://example.org/" + "a" * 400
    assert kinds("b" * 470 + " " + long_link) == []  # 470 + 1 + 23 <= 500
    assert kinds("b" * 480 + " " + long_link) == ["length"]
    assert kinds("@camille@very-long-instance-name.example " + "b" * 490) == []
    assert kinds("b" * 250 + " " + long_link, "x") == []


def test_a_thread_that_refuses_replies_is_a_problem_before_any_word():
    from dataclasses import replace

    from tests.triage.conftest import make_mention

    open_post = make_mention(1, "Lumio?", platform="bluesky")
    gated = replace(open_post, extra={"reply_disabled": True})
    assert [p.kind for p in check_reply("Merci !", gated)] == ["closed"]
    assert "does not accept replies" in str(check_reply("", gated)[0])
    assert check_reply("Merci !", open_post) == []
