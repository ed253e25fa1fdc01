"""`veille tag ...` builds only cli.triage's parsers: the same help, errors and parse."""

from __future__ import annotations

import argparse

import pytest

from cli.main import COMMAND_MODULES, LEAN_COMMANDS, build_parser, command_word, modules_for


def _sub(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return action.choices[name]


def test_only_the_scripted_commands_take_the_lean_parser() -> None:
    assert modules_for(["tag", "twitter:1", "x"]) == ("cli.triage",)
    assert modules_for(["--store", "s", "--create", "--config=c", "undo"]) == ("cli.triage",)
    for argv in (["report"], [], ["--help"], ["--sto", "s", "tag"], ["--version"], ["fetch"]):
        assert modules_for(argv) == COMMAND_MODULES, argv
    assert command_word(["--store=s", "--create", "tag", "undo"]) == "tag"
    assert command_word(["--config", "tag", "undo"]) == "undo"  # "tag" is the config's name
    assert command_word(["--help", "tag"]) is None


@pytest.mark.parametrize("name", sorted(LEAN_COMMANDS))
def test_the_lean_parser_says_and_reads_the_same(name: str, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "70")
    full = build_parser()
    # cli.triage's parsers, and the one parser `veille NAME ...` builds (cli.main.main)
    for lean in (build_parser(("cli.triage",)), build_parser(("cli.triage",), only=name)):
        assert _sub(lean, name).format_help() == _sub(full, name).format_help()
        assert lean.format_usage() == full.format_usage()
        argv = [name, "--wait", "2", "twitter:1", "-spam", "ok"]
        assert vars(lean.parse_known_args(argv)[0]) == vars(full.parse_known_args(argv)[0])
        for bad in ([name, "--wait"], [name, "--wait", "x"], [name, "--nope", "1"]):
            assert _error(lean, bad) == _error(full, bad)


def _error(parser: argparse.ArgumentParser, argv: list[str]) -> tuple[str, object]:
    """What argparse says (and its exit code) for a bad command line."""
    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stderr(err), pytest.raises(SystemExit) as stop:
        parser.parse_args(argv)
    return err.getvalue(), stop.value.code


def test_a_scripted_action_builds_its_own_parser_only() -> None:
    lean = build_parser(("cli.triage",), only="tag")
    action = next(a for a in lean._actions if isinstance(a, argparse._SubParsersAction))
    assert list(action.choices) == ["tag"]
