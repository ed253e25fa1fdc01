"""Priority: a 0-100 score and its reasons ("signals"), so a person sees why it ranks high.

Additive and explainable on purpose: each rule adds points and says so. Crisis words
(danger, injury, lawsuit, boycott) weigh most, then complaints (refund, scam), negative
tone, a question waiting for an answer, the author's reach, a competitor comparison.
A plain forum question scores about 20; a polemic with crisis words passes the urgent
threshold (70). Words are matched folded (case and accents ignored) at the start of a
word, so "rembours" covers rembourser, remboursement, remboursez.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from triage.model import Mention
from triage.text import fold

URGENT_THRESHOLD = 70.0
urgent_threshold = URGENT_THRESHOLD
BASE = 10.0

# stem (folded) -> label shown in the signal
CRISIS: dict[str, str] = {
    "dangereu": "dangereux",
    "danger": "danger",
    "brulur": "brûlure",
    "brule": "brûlé",
    "incendi": "incendie",
    "pris feu": "feu",
    "prend feu": "feu",
    "explos": "explosion",
    "intoxi": "intoxication",
    "blesse": "blessé",
    "boycott": "boycott",
    "plainte": "plainte",
    "avocat": "avocat",
    "scandal": "scandale",
    "rappel conso": "rappel",
    "lawsuit": "lawsuit",
    "sue ": "sue",
    "injur": "injury",
    "burn": "burn",
    "fire ": "fire",
    "dangerous": "dangerous",
    "poison": "poison",
    "recall": "recall",
    "hazard": "hazard",
    "data breach": "data breach",
    "gonfl": "batterie gonflée",
    "swell": "swelling",
    "swollen": "swollen",
    "eclate": "éclaté",
    "surchauff": "surchauffe",
    "overheat": "overheating",
    "electrocut": "electrocution",
    "electrocu": "électrocution",
    "fuite de donnees": "fuite de données",
}
COMPLAINT: dict[str, str] = {
    "arnaque": "arnaque",
    "rembours": "remboursement",
    "escroc": "escroquerie",
    "sav ": "SAV",
    "en panne": "panne",
    "panne": "panne",
    "casse": "cassé",
    "defectu": "défectueux",
    "jamais recu": "jamais reçu",
    "inadmissible": "inadmissible",
    "honte": "honte",
    "scam": "scam",
    "refund": "refund",
    "broken": "broken",
    "faulty": "faulty",
    "never arrived": "never arrived",
    "never received": "never received",
    "complain": "complaint",
    "ripoff": "rip-off",
    "rip off": "rip-off",
    "fraud": "fraud",
    "disgrace": "disgrace",
    "unacceptable": "unacceptable",
    "ne repond pas": "sans réponse",
    "ne repond plus": "sans réponse",
    "toujours pas": "toujours pas",
    "pas livre": "pas livré",
    "grille": "grillé",
    "still waiting": "still waiting",
    "ignored": "ignored",
    "no reply": "no reply",
    "no answer": "no answer",
    "charged twice": "charged twice",
    "debite deux fois": "débité deux fois",
    "crash": "crash",
    "plante a ": "plante",
    "plante sans": "plante",
    "disconnect": "disconnects",
    "deconnect": "se déconnecte",
}
NEGATIVE: tuple[str, ...] = (
    "nul ",
    "nulle ",
    "decu",
    "decue",
    "deception",
    "horrible",
    "catastroph",
    "pire",
    "colere",
    "furieu",
    "degoute",
    "lamentable",
    "worst",
    "terrible",
    "awful",
    "angry",
    "disappoint",
    "useless",
    "hate",
    "furious",
    "never again",
    "plus jamais",
    "not impressed",
    "scary",
    "effrayant",
    "inquiet",
    "worried",
    "😡",
    "🤬",
    "👎",
)
QUESTION_STARTS = (
    "comment",
    "pourquoi",
    "quand",
    "est-ce",
    "est ce",
    "quelqu'un",
    "qui ",
    "how",
    "why",
    "when",
    "does",
    "is there",
    "can i",
    "anyone",
    "any idea",
)


def _alternatives(stems: Sequence[str]) -> str:
    """Stems match at the start of a word; a stem written with a trailing space ("sue ")
    must be the whole word. Longest first, so "dangereu" wins over "danger"."""
    ordered = sorted(stems, key=lambda s: len(s.strip()), reverse=True)
    return "|".join(re.escape(s.strip()) + (r"(?!\w)" if s.endswith(" ") else "") for s in ordered)


def _stem_regex(stems: Sequence[str]) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(" + _alternatives(stems) + r")")


_CRISIS = _stem_regex(list(CRISIS))
_COMPLAINT = _stem_regex(list(COMPLAINT))
_NEGATIVE = _stem_regex(NEGATIVE)
# Where any stem of any lexicon starts (zero-width, so every such place is found): one
# pass over the text instead of three, then each lexicon is tried at those few places.
_ANY_STEM_AT = re.compile(
    r"(?<!\w)(?="
    + "|".join(_alternatives(x) for x in (list(CRISIS), list(COMPLAINT), NEGATIVE))
    + ")"
)
_GATE = re.compile(r"#(\w+gate)(?!\w)")  # a "-gate" hashtag names a scandal
_CRISIS_LABELS = {k.strip(): v for k, v in CRISIS.items()}
_COMPLAINT_LABELS = {k.strip(): v for k, v in COMPLAINT.items()}


def _lexicon_hits(folded: str) -> tuple[list[str], list[str], bool]:
    """(crisis labels, complaint labels, negative tone?) of a folded text: what each
    lexicon's `finditer` finds (non-overlapping, leftmost first), in one scan."""
    places = [m.start() for m in _ANY_STEM_AT.finditer(folded)]
    if not places:
        return [], [], False
    found: list[list[str]] = []
    for rx, by_stem in ((_CRISIS, _CRISIS_LABELS), (_COMPLAINT, _COMPLAINT_LABELS)):
        labels: list[str] = []
        end = 0
        for at in places:
            if at >= end and (m := rx.match(folded, at)) is not None:
                labels.append(by_stem[m.group(1)])
                end = m.end()
        found.append(list(dict.fromkeys(labels)))
    negative = any(_NEGATIVE.match(folded, at) for at in places)
    return found[0], found[1], negative


def is_question(text: str) -> bool:
    return _is_question_folded(fold(text))


def _is_question_folded(folded: str) -> bool:
    folded = folded.strip()
    return "?" in folded or folded.startswith(QUESTION_STARTS)


def format_reach(reach: int) -> str:
    if reach >= 1_000_000:
        return f"{reach / 1_000_000:.1f}M".replace(".0M", "M")
    if reach >= 1000:
        return f"{reach // 1000}k"
    return str(reach)


def score_mention(
    mention: Mention,
    comparison: bool = False,
    *,
    folded: tuple[str, str] | None = None,
) -> tuple[float, tuple[str, ...]]:
    """(priority 0-100, signals) for one mention, from its text, author and brands.
    `folded` is (fold(title), fold(text)) when the caller has them already."""
    title_folded, text_folded = folded or (fold(mention.title), fold(mention.text))
    folded_all = f" {title_folded}\n{text_folded} "  # = fold(title + "\n" + text), padded
    score = BASE
    signals: list[str] = []
    crisis, complaint, negative = _lexicon_hits(folded_all)
    crisis += [f"#{tag}" for tag in dict.fromkeys(_GATE.findall(folded_all))]  # #lumiogate
    if crisis:
        score += 35 + 10 * (len(crisis) - 1)
        signals += [f"crisis: {w}" for w in crisis]
    if complaint:
        score += 20 + 5 * (len(complaint) - 1)
        signals += [f"complaint: {w}" for w in complaint]
    if negative or mention.text.count("!") >= 3:
        score += 10
        signals.append("negative tone")
    if _is_question_folded(text_folded):
        score += 8
        signals.append("question")
    reach = mention.author.reach
    if reach and reach >= 1000:
        score += min(25.0, 5 * math.log10(reach / 100))
        signals.append(f"reach: {format_reach(reach)}")
    if comparison:
        score += 8
        signals.append("competitor comparison")
    return round(min(score, 100.0), 1), tuple(signals)


def is_urgent(priority: float, threshold: float = URGENT_THRESHOLD) -> bool:
    return priority >= threshold


def group_priority(
    mentions: Sequence[Mention], now: datetime, window: timedelta = timedelta(hours=1)
) -> tuple[float, tuple[str, ...]]:
    """A group's priority: its strongest copy, plus growth when the story snowballs
    (at least 5 copies within the last `window`), plus a little for sheer size."""
    if not mentions:
        return 0.0, ()
    top = max(mentions, key=lambda m: (m.priority, m.id))
    score = top.priority
    signals = list(dict.fromkeys(s for m in mentions for s in m.signals))
    recent = sum(1 for m in mentions if now - window <= m.created_at <= now)
    if recent >= 5:
        score += min(30.0, 3.0 * recent)
        hours = window.total_seconds() / 3600
        signals.insert(0, f"growing: +{recent} in {hours:g} h")
    elif len(mentions) >= 10:
        score += min(10.0, len(mentions) / 5)
        signals.append(f"copies: {len(mentions)}")
    return round(min(score, 100.0), 1), tuple(signals)
