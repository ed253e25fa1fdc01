"""[[rules]] and [people] in the configuration: read into Rules, every mistake refused
with its file and line, and never a reply."""

from __future__ import annotations

import pytest

from sources.config import ConfigError, parse_config
from triage.model import Status

HEAD = '[[brands]]\nname = "Lumio"\n[[teams]]\nname = "sav"\n'


def _rules(body: str):
    return parse_config(HEAD + body, "veille.toml")


def _error(body: str) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        _rules(body)
    return caught.value


def test_rules_are_read_in_order_with_their_actions():
    config = _rules(
        '[[rules]]\nname = "refund-fr"\nwhen = "brand:Lumio remboursement"\n'
        'tag = ["refund", "#fr"]\nassign = "ana"\nhand_off = { team = "sav", note = "SAV" }\n'
        'status = "open"\nsnooze = "2h"\npriority = 10\nalert = true\n'
        '[[rules]]\nname = "noise"\nwhen = "concours"\nstatus = "ignored"\n'
        "[people]\nvip_bump = 20\n"
    )
    first, second = config.rules
    assert first.name == "refund-fr" and first.tag == ("refund", "fr")
    assert first.assign == "ana" and first.hand_off == ("sav", "SAV")
    assert first.status is Status.OPEN and first.snooze == 7200 and first.priority == 10
    assert first.alert and second.name == "noise" and second.status is Status.IGNORED
    assert config.people is not None and config.people.vip_bump == 20


@pytest.mark.parametrize("key", ["reply", "template", "Reply"])
def test_a_rule_can_never_post_a_reply(key):
    error = _error(f'[[rules]]\nname = "r"\nwhen = "lumio"\n{key} = "Bonjour !"\n')
    assert "a rule can never post a reply" in str(error)
    assert error.line == 8 and error.path == "veille.toml"


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        ('when = "brand:Lumo"\ntag = "x"', 7, "did you mean Lumio?"),
        ('when = "is:urgnt"\ntag = "x"', 7, "unknown is:urgnt"),
        ('when = "\\"open quote"\ntag = "x"', 7, "never closed"),
        ('when = "lumio"\ntga = "x"', 8, "did you mean 'tag'?"),
        ('when = "lumio"', 5, "does nothing"),
        ('when = ""\ntag = "x"', 7, "would match every post"),
        ('when = "lumio"\nhand_off = "sax"', 8, "did you mean 'sav'?"),
        ('when = "lumio"\nsnooze = "2"', 8, "with its unit"),
        ('when = "lumio"\nstatus = "closed"', 8, "status"),
        ('when = "lumio"\npriority = 80', 8, "at most 50"),
        ('when = "lumio"\ntag = "two words"', 8, "not one word"),
    ],
)
def test_a_bad_rule_is_refused_with_its_line(body, line, words):
    error = _error(f'[[rules]]\nname = "r"\n{body}\n')
    assert words in str(error), str(error)
    assert error.line == line, str(error)
    assert str(error).startswith(f"veille.toml, line {line}: ")


def test_rule_names_are_single_words_and_unique():
    assert "one word" in str(_error('[[rules]]\nname = "a b"\nwhen = "x"\ntag = "t"\n'))
    twice = '[[rules]]\nname = "a"\nwhen = "x"\ntag = "t"\n'
    error = _error(twice + twice)
    assert "used twice" in str(error) and error.line == 10


def test_people_settings_are_checked():
    assert "at most 30" in str(_error("[people]\nvip_bump = 99\n"))
    assert "has no key" in str(_error("[people]\nvip = 1\n"))


def test_the_config_init_template_documents_working_rules_and_people():
    from sources.config_example import EXAMPLE

    out, on = [], False
    for line in EXAMPLE.splitlines():
        on = on or line.startswith(("# [[rules]]", "# [people]"))
        on = on and bool(line.strip())
        words = line.startswith(("# A rule", "# `veille"))
        out.append(line[2:] if on and line.startswith("# ") and not words else line)
    config = parse_config("\n".join(out))
    (rule,) = config.rules
    assert rule.name == "refund-fr" and rule.hand_off == ("service-client", "demande de remboursement")
    assert config.people is not None and config.people.vip_bump == 15
    assert "A rule never replies" in EXAMPLE
