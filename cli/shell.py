"""`veille init` (make a store on purpose) and `veille completion bash|zsh`.

Completion is a script generated from the parser itself (subcommands and their options),
printed for the user to source: no extra dependency and no Python start on each TAB
(argcomplete runs the program on every completion, ~150 ms here).
"""

from __future__ import annotations

import argparse
import sys

from cli.common import EXIT_REFUSED, EXIT_USAGE, ConfigError, runtime, say

_BASH = """# veille completion (bash): eval "$(veille completion bash)"
_veille() {
    local cur cmd i
    cur="${COMP_WORDS[COMP_CWORD]}"
    cmd=""
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${COMP_WORDS[i]}" in
            -*) ;;
            *) cmd="${COMP_WORDS[i]}"; break ;;
        esac
    done
    case "$cmd" in
%(cases)s
        *) COMPREPLY=($(compgen -W "%(top)s" -- "$cur")) ;;
    esac
}
complete -o default -F _veille veille
"""
_ZSH_HEAD = '# veille completion (zsh): eval "$(veille completion zsh)"\n' + (
    "autoload -U +X bashcompinit && bashcompinit\n"
)


def _options(parser: argparse.ArgumentParser) -> list[str]:
    return sorted(
        o
        for a in parser._actions
        for o in a.option_strings
        if o.startswith("--") and a.help != argparse.SUPPRESS
    )


def completion_script(parser: argparse.ArgumentParser, shell: str) -> str:
    """The script for `shell` (bash or zsh, which loads bash's through bashcompinit)."""
    subs: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            subs = dict(action.choices)
    cases = []
    for name, sub in sorted(subs.items()):
        nested = [
            n for a in sub._actions if isinstance(a, argparse._SubParsersAction) for n in a.choices
        ]
        words = " ".join([*nested, *_options(sub)])
        cases.append(f'        {name}) COMPREPLY=($(compgen -W "{words}" -- "$cur")) ;;')
    top = " ".join([*sorted(subs), *_options(parser)])
    script = _BASH % {"cases": "\n".join(cases), "top": top}
    return _ZSH_HEAD + script if shell == "zsh" else script


def cmd_completion(args: argparse.Namespace) -> int:
    from cli.main import build_parser

    sys.stdout.write(completion_script(build_parser(), args.shell))
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    """Create the store (the one place a new store is made on purpose, with --create)."""
    from store.errors import StoreError

    try:
        rt = runtime(args, required=False)
    except ConfigError as exc:
        say("veille init", exc)
        return EXIT_USAGE
    path = rt.store_path
    existed = path.exists()
    try:
        with rt.open_store(pipeline=False, create=True):
            pass
    except (StoreError, OSError) as exc:
        say("veille init", exc)
        return EXIT_REFUSED
    print(f"veille: {'store already there' if existed else 'new store'} at {path}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "init",
        help="create the store (at --store, $VEILLE_STORE or the default folder)",
        description="Create an empty store. Other commands refuse a --store that does not "
        "exist (a typo would otherwise start an empty inbox) unless given --create.",
    )
    p.set_defaults(func=cmd_init)
    p = sub.add_parser(
        "completion",
        help="print a shell completion script (bash or zsh)",
        description='Add to ~/.bashrc: eval "$(veille completion bash)"; '
        'to ~/.zshrc: eval "$(veille completion zsh)".',
    )
    p.add_argument("shell", choices=("bash", "zsh"))
    p.set_defaults(func=cmd_completion)
