"""Checks on a draft reply before it goes out in public.

- the platform's length limit, counted the platform's way: Mastodon 500 characters
  (code points), Bluesky 300 graphemes (user-perceived characters: a family emoji or a
  flag is one), X 280. Graphemes are counted with the `regex` module's `\\X`, which
  follows Unicode's extended grapheme cluster rules; the standard library has none;
- template placeholders left unfilled (`{first_name}`);
- asking for personal data in public (e-mail, phone, address, order number, password,
  French and English): the advice is to move to private messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import regex

from triage.model import Mention
from triage.text import fold

LIMITS: dict[str, tuple[int, str]] = {
    "mastodon": (500, "characters"),
    "bluesky": (300, "graphemes"),
    "x": (280, "characters"),
    "twitter": (280, "characters"),
}
_GRAPHEME = regex.compile(r"\X")
_LINK = re.compile(r"https?://\S+")
_REMOTE_MENTION = re.compile(r"(?<!\w)(@\w+)@[\w.-]+\w")
_PLACEHOLDER = re.compile(
    r"\{[^{}\s]{1,40}\}|\{\{[^{}]{1,40}\}\}|\[(?:NAME|NOM|PRENOM|[A-Z_]{3,})\]"
)

_POSSESSIVE = r"(?:your|ur|votre|vos|ton|ta|tes)"
_ASK = r"(?:send|dm|give|share|provide|tell|confirm|need|envoy|donn|communiqu|indiqu|transmet|precis|besoin|pourri|pouvez|peux)"
_PRIVATE = re.compile(
    r"(?<!\w)(?:dm|mp|message prive|messages prives|en prive|private message|direct message"
    r"|privately|in private|par message)(?!\w)"
)
PERSONAL_DATA: dict[str, str] = {
    "e-mail address": r"e-?mail|adresse (?:e-?)?mail|courriel|mail",
    "phone number": r"phone(?: number)?|(?:numero de )?telephone|portable|mobile number|num(?:ero)? de tel",
    "postal address": r"(?:home |postal |street )?(?<!mail )address|adresse(?! (?:e-?)?mail)(?: postale)?",
    "order number": r"order (?:number|no|id|#)|(?:numero|n°|no|reference) de (?:votre |ta )?commande",
    "password": r"password|passcode|mot de passe|code secret",
    "card number": r"card number|credit card|numero de carte|carte bancaire",
}


@dataclass(frozen=True, slots=True)
class Problem:
    kind: str  # closed | length | placeholder | personal-data
    message: str

    def __str__(self) -> str:
        return self.message


def count_graphemes(text: str) -> int:
    return len(_GRAPHEME.findall(text))


def length_of(text: str, platform: str) -> tuple[int, int, str] | None:
    """(length, limit, unit) on platforms with a known limit, else None."""
    limit = LIMITS.get(platform.lower())
    if limit is None:
        return None
    n, unit = limit
    if unit == "graphemes":
        return count_graphemes(text), n, unit
    # Mastodon and X count every link as 23 characters; Mastodon counts a remote
    # mention "@user@instance" as "@user" only
    counted = _LINK.sub("x" * 23, text)
    if platform.lower() == "mastodon":
        counted = _REMOTE_MENTION.sub(r"\1", counted)
    return len(counted), n, unit


def unfilled_placeholders(text: str) -> list[str]:
    return list(dict.fromkeys(m.group(0) for m in _PLACEHOLDER.finditer(text)))


def personal_data_requests(text: str) -> list[str]:
    """Kinds of personal data the text asks for ("your e-mail", "votre numéro de commande")."""
    folded = fold(text)
    if _PRIVATE.search(folded):
        return []  # "send us your e-mail by DM" is the right way to ask
    found = []
    for kind, words in PERSONAL_DATA.items():
        near_possessive = rf"(?<!\w){_POSSESSIVE}\s+(?:\w+\s+){{0,2}}?(?:{words})(?!\w)"
        asked = rf"(?<!\w){_ASK}\w*\b[^.?!\n]{{0,40}}?(?<!\w)(?:{words})(?!\w)"
        if re.search(near_possessive, folded) or re.search(asked, folded):
            found.append(kind)
    return found


def replies_closed(mention: Mention) -> Problem | None:
    """The platform said this thread refuses replies (Bluesky threadgate, seen at poll)."""
    if not mention.extra.get("reply_disabled"):
        return None
    return Problem(
        "closed",
        f"this {mention.platform.capitalize()} thread does not accept replies (its author "
        "limited who can reply): hand it off or answer elsewhere",
    )


def check_reply(text: str, target: Mention | str) -> list[Problem]:
    """Problems with a draft reply to a mention (or for a platform name); [] when fine."""
    platform = target if isinstance(target, str) else target.platform
    problems = []
    closed = None if isinstance(target, str) else replies_closed(target)
    if closed is not None:
        problems.append(closed)
    measured = length_of(text, platform)
    if measured is not None and measured[0] > measured[1]:
        used, limit, unit = measured
        problems.append(
            Problem(
                "length", f"too long for {platform}: {used}/{limit} {unit} ({used - limit} over)"
            )
        )
    holes = unfilled_placeholders(text)
    if holes:
        problems.append(Problem("placeholder", f"placeholder not filled: {', '.join(holes)}"))
    asked = personal_data_requests(text)
    if asked:
        what = ", ".join(asked)
        problems.append(
            Problem(
                "personal-data",
                f"asks for personal data ({what}) in public: ask for it in a private message",
            )
        )
    return problems


_FIELD = re.compile(r"\{(\w+)\}")


def fill_template(text: str, **values: object) -> str:
    """Fill `{name}` placeholders; unknown ones stay visible so `check_reply` flags them.
    Other braces ("{}", "{ x }", a lone "{") are left as they are."""
    return _FIELD.sub(lambda m: str(values[m[1]]) if m[1] in values else m[0], text)
