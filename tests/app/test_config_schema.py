"""`veille config check` against the typos users make: each one refused with the file,
the line and what was meant, never a silent default."""

from __future__ import annotations

import pytest

from cli.main import main
from sources.config import KEY_ACTIONS, ConfigError, load_config

BASE = """\
user = "camille"

[[brands]]
name = "Lumio"
keywords = ["lumio"]

[[sources]]
name = "feed"
kind = "rss"
url = "https://x.example/feed.xml"
every = "5m"
"""

# (what is wrong, the file's text, the line, words the message must hold)
MISTAKES = [
    ("evrey", BASE.replace('every = "5m"', 'evrey = "5m"'), 11, ["evrey", "did you mean 'every'"]),
    ("[wacth]", BASE + '\n[wacth]\nbell = true\n', 13, ["wacth", "did you mean 'watch'"]),
    ("quiet_hour", BASE + '\n[watch]\nbell = true\nquiet_hour = "22:00-07:00"\n', 15,
     ["quiet_hour", "did you mean 'quiet_hours'"]),
    ("22h-7h", BASE + '\n[watch]\nquiet_hours = "22h-7h"\n', 14, ["HH:MM-HH:MM", "22h-7h"]),
    ("sla_warning = 15", BASE + '\n[watch]\nsla_warning = 15\n', 14, ["sla_warning", '"15m"']),
    ("{auteur}", BASE + '\n[[templates]]\nname = "ack"\ntext = "Bonjour {auteur} !"\n', 15,
     ["{auteur}", "did you mean {author}"]),
    ("unknown key id", BASE + '\n[keys]\n"inbox.dnoe" = "x"\n', 14, ["inbox.dnoe", "inbox.done"]),
    ("q shadowed", BASE + '\n[keys]\n"inbox.done" = "q"\n', 14, ["'q'", "quits"]),
    ("escape shadowed", BASE + '\n[keys]\n"list.down" = "j,escape"\n', 14, ["escape"]),
    ("keyword table", BASE.replace('["lumio"]', '["lumio", { phrase = "lumio glow", fuzy = false }]'),
     5, ["fuzy", "did you mean 'fuzzy'"]),
    ("kind", BASE.replace('kind = "rss"', 'kind = "rs"'), 9, ["did you mean 'rss'"]),
    ("sla unit", BASE + '\n[sla]\nurgent = "1 hour"\n', 14, ["[sla] urgent", "1 hour"]),
    ("smtp port", BASE + '\n[smtp]\nport = 99999\n', 14, ["[smtp] port", "at most 65535"]),
    ("top level", 'usr = "x"\n' + BASE, 1, ["did you mean 'user'"]),
    ("a view's filter", BASE + '\n[views]\nbad = "status:nope"\n', 14, ["[views] bad", "nope"]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "line", "words"), [m[1:] for m in MISTAKES],
                         ids=[m[0] for m in MISTAKES])  # fmt: skip
def test_config_check_refuses_each_mistake_with_file_and_line(tmp_path, capsys, text, line, words):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    assert main(["--config", str(path), "config", "check"]) == 1
    err = capsys.readouterr().err
    assert f"{path}, line {line}:" in err
    for word in words:
        assert word in err
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.line == line


def test_the_whole_file_in_one_schema(tmp_path, monkeypatch):
    monkeypatch.setenv("VEILLE_STORE", "")
    path = tmp_path / "config.toml"
    path.write_text(
        BASE.replace(
            '["lumio"]',
            '["lumio", { phrase = "lumio desk", fuzzy = false }, { phrase = "lumière" }]',
        )
        + '\n[watch]\nquiet_hours = "22:30-07:00"\nsla_warning = "20m"\nbell = true\n'
        '\n[smtp]\nhost = "mail.example"\nport = 2525\npassword_env = "VEILLE_SMTP"\n'
        '\n[keys]\n"inbox.done" = "x"\n\n[views]\nangry = "tag:angry"\nmine = "is:mine"\n'
        '\n[store]\npath = "/srv/veille"\n',
        encoding="utf-8",
    )
    config = load_config(path)
    brand = config.brands[0]
    assert brand.keywords == ("lumio", "lumio desk", "lumière")
    assert brand.exact_keywords == ("lumio desk",)
    assert config.watch.sla_warning == 1200 and config.watch.bell
    assert config.watch.quiet_hours is not None and config.watch.quiet_hours[0].minute == 30
    assert config.smtp.port == 2525 and config.smtp.password_env == "VEILLE_SMTP"
    assert config.keys == {"inbox.done": "x"}
    assert config.views == (("angry", "tag:angry"), ("mine", "is:mine"))
    assert config.store.path == "/srv/veille"


def test_key_action_ids_are_the_tuis_binding_ids():
    from tui.app import VeilleApp
    from tui.screens.dashboard import DashboardScreen
    from tui.screens.help import HelpScreen
    from tui.screens.inbox import InboxScreen
    from tui.screens.modals import ChoiceScreen, ConfirmScreen, PromptScreen
    from tui.widgets.mention_list import MentionList
    from tui.widgets.person_pane import PersonPane
    from tui.widgets.reply_editor import ReplyEditor

    owners = (VeilleApp, InboxScreen, MentionList, ReplyEditor, DashboardScreen, HelpScreen,
              ChoiceScreen, ConfirmScreen, PromptScreen, PersonPane)  # fmt: skip
    ids = {b.id for owner in owners for b in owner.BINDINGS if getattr(b, "id", None)}
    assert ids == set(KEY_ACTIONS)
