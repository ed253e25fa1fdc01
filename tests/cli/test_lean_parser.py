"""`veille tag ...` builds only cli.triage's parsers: the same help, errors and parse."""

from __future__ import annotations

import argparse

import pytest

from cli.main import COMMAND_MODULES, LEAN_COMMANDS, build_parser, modules_for


def _sub(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return action.choices[name]


def test_only_the_scripted_commands_take_the_lean_parser() -> None:
    assert modules_for(["tag", "twitter:1", "x"]) == ("cli.triage",)
    assert modules_for(["--store", "s", "--create", "--config=c", "undo"]) == ("cli.triage",)
    for argv in (["report"], [], ["--help"], ["--sto", "s", "tag"], ["--version"], ["fetch"]):
        assert modules_for(argv) == COMMAND_MODULES, argv


@pytest.mark.parametrize("name", sorted(LEAN_COMMANDS))
def test_the_lean_parser_says_and_reads_the_same(name: str, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "70")
    lean, full = build_parser(("cli.triage",)), build_parser()
    assert _sub(lean, name).format_help() == _sub(full, name).format_help()
    assert lean.format_usage() == full.format_usage()
    argv = [name, "--wait", "2", "twitter:1", "-spam", "ok"]
    assert vars(lean.parse_known_args(argv)[0]) == vars(full.parse_known_args(argv)[0])
