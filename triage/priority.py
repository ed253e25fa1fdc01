"""Priority: a 0-100 score and its reasons ("signals"), so a person sees why it ranks high.

Additive and explainable on purpose: each rule adds points and says so, in the words of
`triage.lexicon` (French and English, written from real customer posts). A crisis
(danger, injury, lawsuit, recall, poisoning, fire, scandal) is urgent on its own: the
1 h SLA and one alert. Below it these add up, and words alone never reach the urgent
threshold:
- complaint shapes ("on hold", "no callback", "never again", "refund", a thing "not
  working", a service "not done": "haven't received", "wasn't told"); a second shape
  counts almost as much as the first, a generic shape alone (a negated verb, a bare
  duration) less, as it is often a how-to question;
- negative tone: words, capitals and VADER's score for English (`triage.sentiment`);
  anger that a word (or capitals) and VADER both show weighs more than one complaint;
- beside a complaint or anger: a customer already waiting on the company ("called
  twice", "3 days ago", "still") and a problem told at length ("detailed account");
- a request for help, personal data posted in public, the author's reach, a competitor
  comparison.
A question is shown but adds only to a post with nothing wrong in it (a plain question
can wait; it ranks above thanks). Thanks and praise with nothing wrong rank at the
bottom, and so does a problem said to be solved (unless negated: "still haven't
resolved"). A stem matches folded text (case and accents ignored) at the start of a
word, so "rembours" covers rembourser, remboursement, remboursez. Only a post's first
`MAX_SCANNED` characters are read: the cost is bounded whatever its size.

Measured on hand-labelled real tweets by bench/real_eval.py (see the figures there).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from itertools import islice

from triage.lexicon import COMPLAINT, CRISIS, NEGATIVE, PRAISE, REQUEST
from triage.lexicon_scan import Scan
from triage.lexicon_scan import alternatives as _alternatives
from triage.lexicon_scan import trie as _trie
from triage.model import Mention
from triage.sentiment import NEGATIVE_TONE, tone_of
from triage.text import fold

URGENT_THRESHOLD = 70.0
POSITIVE_TONE = 0.5  # VADER compound from which capitals are joy, not anger
urgent_threshold = URGENT_THRESHOLD
BASE = 10.0
# Points per rule (weights set on the dev half of bench/data/real, checked on the test half)
COMPLAINT_FIRST = 20.0  # one complaint shape
COMPLAINT_GENERIC = 14.0  # when the only shapes are the generic ones (a negated verb, a duration)
COMPLAINT_MORE = 10.0  # each further distinct shape: two shapes are far surer than one
TONE_SURE = 28.0  # a negative word (or capitals, "!!!") and VADER agree: anger is a complaint
TONE_ONE = 10.0  # only one of them
QUESTION_ALONE = 6.0  # a plain question can wait, but before thanks; nothing on a complaint
WAITING = 6.0  # a problem the customer has already chased, or lived with for a while
DETAILED = 6.0  # a problem told at length (the customer took the time to explain)
SOLVED = 5.0  # a problem said to be solved ranks at most BASE + this, below a plain question
DETAILED_WORDS = 20  # words (handles and links aside) from which an account is detailed

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


def _stem_regex(stems: Sequence[str]) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(" + _alternatives(stems) + r")")


# the lexicons, in the order `_lexicon_hits` reports them
LEXICONS: tuple[dict[str, str], ...] = (
    CRISIS,
    COMPLAINT,
    {s: s.strip() for s in NEGATIVE},
    REQUEST,
    PRAISE,
)
_REGEXES = tuple(_stem_regex(list(lex)) for lex in LEXICONS)
_LABELS = tuple({k.strip(): v for k, v in lex.items()} for lex in LEXICONS)
_CRISIS, _COMPLAINT, _NEGATIVE = _REGEXES[:3]
# Where any stem of any lexicon starts, as a trie (`_trie`): the plain rule's places.
_ANY_STEM_AT = re.compile(r"(?<!\w)(?=" + _trie([s for lex in LEXICONS for s in lex]) + ")")
_GATE = re.compile(r"#(\w+gate)(?!\w)")  # a "-gate" hashtag names a scandal
_SHOUT = re.compile(r"\b[A-Z]{4,}\b(?:\W+\b[A-Z]{2,}\b){2,}")  # THREE WORDS OR MORE IN CAPITALS
# an e-mail address (the corpus masks them as __email__) or a phone number posted in public
_PERSONAL = re.compile(
    r"__email__|[\w.+-]+@[\w-]+\.[\w.]+|(?<![\w#/])\+?\d(?:[ .-]?\d){8,13}(?![\w/])"
)
# the same, one branch at a time: an address needs one address character before its "@"
# (searched from the "@" on: the pattern above backtracks over every word)
_EMAIL_AT = re.compile(r"[\w.+-]@[\w-]+\.[\w.]+")
_PHONE = re.compile(r"(?<![\w#/])\+?\d(?:[ .-]?\d){8,13}(?![\w/])")
# The same searches, each begun by a literal or a digit, so that `re` skips in C to the
# few places where one can start (a leading look-behind made it try every character):
# "@" with its address character looked behind; nine digits, which a phone number needs
# (found first; the number is searched from one character before them)
_EMAIL_FROM_AT = re.compile(r"@(?<=[\w.+-]@)[\w-]+\.[\w.]+")
_NINE_DIGITS = re.compile(r"\d(?:[ .-]?\d){8}")


def _personal(raw: str) -> bool:
    """`_PERSONAL.search(raw) is not None`, faster."""
    return (
        "__email__" in raw
        or ("@" in raw and _EMAIL_FROM_AT.search(raw) is not None)
        or (
            (m := _NINE_DIGITS.search(raw)) is not None
            and _PHONE.search(raw, max(0, m.start() - 1)) is not None
        )
    )


# What a pattern cannot match without (each pattern then scans only texts that have it):
# every negation `_NOT` knows contains one of these, a duration or a phone number a digit.
_NEGATION_PARTS = ("not", "nt", "n't", "never")
_DIGIT = re.compile(r"\d")


def _may_negate(text: str) -> bool:
    """False only when `_NOT` (so `_BROKEN`, `_NOT_DONE`) cannot match in `text`."""
    return any(part in text for part in _NEGATION_PARTS)


def _negations(text: str, places: list[int] | None = None) -> list[int]:
    """Where a negation `_NOT` reads starts in `text` (none without a negation part);
    `places`: `_places(text)`, which holds them all."""
    if not _may_negate(text):
        return []
    if places is not None:
        return [at for at in places if _NOT_AT.match(text, at) is not None]
    return [m.start() for m in _NOT_AT.finditer(text)]


def _waited(text: str, places: list[int]) -> list[str]:
    """`_WAITED.findall(text)`, tried only at `places` (`_places(text)`, which holds
    every place where a waiting word starts): the same leftmost, non-overlapping words."""
    found: list[str] = []
    end = 0
    for at in places:
        if at >= end and (m := _WAITED.match(text, at)) is not None:
            found.append(m.group())
            end = m.end()
    return found


def _denies(shape: re.Pattern[str], text: str, negations: list[int]) -> bool:
    """`shape.search(text) is not None` for `_BROKEN` or `_NOT_DONE`, whose matches can
    only start at `negations` (= `_negations(text)`)."""
    return any(shape.match(text, at) is not None for at in negations)


def _shouts(text: str) -> bool:
    """`_SHOUT.search(text) is not None`: its pattern (which tries every place) runs only
    on texts with four capitals in a row (`_CAPITALS`), found in C: the UTF-8 bytes
    with A-Z made "A" and every other byte a space hold "AAAA" (a character beyond
    ASCII is bytes >= 128 only, so it is never taken for a capital)."""
    return (
        b"AAAA" in text.encode(errors="surrogatepass").translate(_CAPITALS_ONLY)
        and _SHOUT.search(text) is not None
    )


_CAPITALS = re.compile(r"[A-Z]{4}")  # what `_SHOUT` cannot match without
_CAPITALS_ONLY = bytes(65 if 65 <= c <= 90 else 32 for c in range(256))


def _has_digit(text: str) -> bool:
    """False only when no pattern needing a digit (`\\d`) can match in `text`."""
    return _DIGIT.search(text) is not None


_NO_PROBLEM = re.compile(r"(?<!\w)(?:no|not a|any) problems?(?!\w)")
_NEGATIONS = (
    r"(?:not|isn'?t|aren'?t|won'?t|wont|doesn'?t|didn'?t|don'?t|dont|can'?t|cant|cannot"
    r"|never|couldn'?t|wouldn'?t|wasn'?t|haven'?t|hasn'?t|weren'?t)"
)
# a negation, then up to two words before the verb it denies
_NOT = r"(?<!\w)" + _NEGATIONS + r"\s+(?:\w+\s+){0,2}?"
# where a match of `_NOT` (so of `_BROKEN` or `_NOT_DONE`) can start: found in one pass,
# then both patterns are tried at those few places only (instead of two searches that
# each try every negation at every place of the text)
_NOT_AT = re.compile(r"(?<!\w)(?=" + _NEGATIONS + r"\s)")
# a thing that does not do what it should: "won't even open", "isn't syncing", "cant log in"
_BROKEN = re.compile(
    _NOT + r"(?:work|load|open|sync|connect|download|upload|show|turn|charge|play|stream|update"
    r"|install|log|sign|access|reach|get through|find|fix|print|book|check|let)"
)
# a service the customer did not get: "haven't received", "wasn't told", "never picked me up"
_NOT_DONE = re.compile(
    _NOT + r"(?:respond|answer|arrive|deliver|ship|refund|help|call|contact|told|tell|give|gave"
    r"|send|sent|pick|receiv|repl|process|credit|honou?r|return|email)"
)
# how long it has lasted: "6 hours", "45minutes", "3 weeks"
_UNITS = r"(?:hours?|hrs?|days?|weeks?|wks?|months?|minutes?|mins?|heures?|jours?|semaines?|mois)"
_DURATION = re.compile(r"(?<![\w.])\d+\s*" + _UNITS + r"(?!\w)(?! of)")
# the same, begun by its first digit (`re` skips to digits in C; the look-behind moved
# after it): it matches where `_DURATION` does
_DURATION_FROM_DIGIT = re.compile(r"\d(?<![\w.]\d)\d*\s*" + _UNITS + r"(?!\w)(?! of)")
_WORD = re.compile(r"[^\W\d_]{2,}")  # a word of letters (not a number, not "a")
_HANDLE_OR_LINK = re.compile(r"[@#]\w+|https?://\S+")
# the same, begun by one of its first characters (`re` skips to them in C)
_HANDLE_OR_LINK_FAST = re.compile(r"[@#h](?:(?<=[@#])\w+|(?<=h)ttps?://\S+)")
# what says a problem has been going on, or chased already (read only beside a complaint)
_WAITED_WORDS = (
    r"\d+\s*" + _UNITS + r"|ago|since|yesterday|last (?:week|night|month|time)"
    r"|all (?:day|week|weekend)|this morning|still|again|already|anymore|tried|trying|called"
    r"|calling|contacted|emailed|dm'?d|dmed|messaged|spoke to|spoken to|talked to|told me"
    r"|was told|been told|twice|several times|numerous|multiple"
    # French (folded: no accents)
    r"|depuis|deja|encore|toujours|hier|relance|rappele|appele|contacte|plusieurs fois"
    r"|deux fois|trois fois"
)
_WAITED = re.compile(r"(?<!\w)(?:" + _WAITED_WORDS + r")(?!\w)")
# Where a stem, a negation or a waiting word may start, in ONE pass over the text: a scan
# of a post costs ~20 us whatever the pattern (most of it is trying each place), and the
# three start at a word's start. One trie (`_trie`) of the stems and of the words the
# other two begin with: the places where one of them starts, and a few more (a negation
# or a waiting word is only begun there). Each is then matched at these places only
# (`_lexicon_hits`, `_negations`, `_waited`), which finds what its own scan would.
_BEGINS = (
    # every way `_NEGATIONS` begins
    "not", "isn", "aren", "won", "doesn", "didn", "don", "can", "never", "couldn",
    "wouldn", "wasn", "haven", "hasn", "weren",
    # every way `_WAITED_WORDS` begins (a duration with its number)
    *"0123456789", "ago", "since", "yesterday", "last ", "all day", "all week", "this morning",
    "still", "again", "already", "anymore", "tried", "trying", "called", "calling",
    "contacted", "emailed", "dm", "messaged", "spoke", "talked to", "told me", "was told",
    "been told", "twice", "several times", "numerous", "multiple", "depuis", "deja",
    "encore", "toujours", "hier", "relance", "rappele", "appele", "contacte",
    "plusieurs fois", "deux fois", "trois fois",
)  # fmt: skip
_PLACES = re.compile(r"(?<!\w)(?=" + _trie([*(s for lex in LEXICONS for s in lex), *_BEGINS]) + ")")
# All of it in one pass (`triage.lexicon_scan`): what score_mention reads. `_places` and
# the per-pattern functions above stay as the plain rules it is tested against.
_SCAN = Scan(
    LEXICONS,
    _BEGINS,
    _NEGATIONS + r"\s",
    [p.pattern.removeprefix("(?<!\\w)") for p in (_BROKEN, _NOT_DONE)],
    r"(?:" + _WAITED_WORDS + r")(?!\w)",
)
# a resolution word that says it is not done yet: negated, hoped for, asked for
_NOT_SOLVED = re.compile(
    r"(?<!\w)(?:not|never|no|none|nothing|yet|\w+n'?t|to be|be|get|getting|when|if|will|until"
    r"|unless)(?:\s+\w+){0,3}?\s+(?:resolved|solved|sorted|fixed|working now|worked)(?!\w)"
    r"|(?<!\w)worked on(?!\w)"  # "worked on my draft": the verb, not a fix
)
# generic shapes (a negated verb, a bare duration): alone they are often a how-to question
# ("can't find the option", "doesn't show my music"); beside another shape they count fully
_GENERIC = {"not working", "not done", "waiting time"}
MAX_SCANNED = 20_000  # characters of a post read for words: the cost stays linear and small
MAX_TONE = 2_000  # characters given to the sentiment lexicon (its rules look back and ahead)


def _places(folded: str) -> list[int]:
    """Where a stem, a negation or a waiting word may start (`_PLACES`), in order."""
    return [m.start() for m in _PLACES.finditer(folded)]


def _lexicon_hits(folded: str, places: list[int] | None = None) -> list[list[str]]:
    """The labels each lexicon of `LEXICONS` finds in a folded text (what each one's
    own `finditer` finds: non-overlapping, leftmost first, deduplicated), in one scan
    (`places`: where any stem starts, or more places, in order: `_places(folded)`)."""
    if places is None:
        places = [m.start() for m in _ANY_STEM_AT.finditer(folded)]
    else:  # where a stem starts (its trie: cheaper than each lexicon's alternatives)
        places = [at for at in places if _ANY_STEM_AT.match(folded, at) is not None]
    found: list[list[str]] = []
    for rx, by_stem in zip(_REGEXES, _LABELS, strict=True):
        labels: list[str] = []
        end = 0
        for at in places:
            if at >= end and (m := rx.match(folded, at)) is not None:
                labels.append(by_stem[m.group(1)])
                end = m.end()
        found.append(list(dict.fromkeys(labels)))
    return found


def _words(text: str) -> int:
    """Words a person wrote in the first 2,000 characters: handles, tags, links left out."""
    return len(_WORD.findall(_without_handles(text[:2000])))


def _without_handles(text: str) -> str:
    """`text` with handles, tags and links made spaces (only where one can be: each
    needs an "@", a "#" or "http")."""
    if "@" in text or "#" in text or "http" in text:
        return _HANDLE_OR_LINK_FAST.sub(" ", text)
    return text


# ASCII letters kept, every other ASCII character a space: a run of `_WORD` is a run of
# letters of this (`[^\W\d_]` is a letter; in ASCII, a-z and A-Z)
_ASCII_LETTERS = bytes(c if chr(c).isalpha() else 32 for c in range(128)) + bytes(range(128, 256))


def _detailed(text: str) -> bool:
    """`_words(text) >= DETAILED_WORDS`, without listing every word of a long post: past
    a few hundred characters it stops at the DETAILED_WORDS-th."""
    head = _without_handles(text[:2000])
    if head.isascii():  # most posts: the runs of letters by a bytes.translate and a split
        runs = head.encode("ascii").translate(_ASCII_LETTERS).split()
        if len(runs) < DETAILED_WORDS:
            return False
        return len(runs) - sum(map((1).__eq__, map(len, runs))) >= DETAILED_WORDS
    if len(head) < 400:
        return len(_WORD.findall(head)) >= DETAILED_WORDS
    return next(islice(_WORD.finditer(head), DETAILED_WORDS - 1, None), None) is not None


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
    `folded` is (fold(title), fold(text)) when the caller has them already.

    A crisis (danger, harm, law, scandal) is urgent by itself: at least
    `URGENT_THRESHOLD` + 5, so its group gets the 1 h SLA and one alert. Complaint
    shapes, negative tone, a request for help and a question add up below that (a
    complaint alone never pages anyone; reach or a snowballing group may). Thanks and
    praise with nothing wrong rank at the bottom. Every rule that counts is a signal."""
    title_folded, text_folded = folded or (fold(mention.title), fold(mention.text))
    # = fold(title + "\n" + text), padded; only its beginning is read (bounded cost)
    folded_all = f" {title_folded[:MAX_SCANNED]}\n{text_folded[:MAX_SCANNED]} "
    if "\u2019" in folded_all or "\u2018" in folded_all:  # typographic apostrophes
        folded_all = folded_all.replace("\u2019", "'").replace("\u2018", "'")
    found = _SCAN.read(folded_all)  # lexicons, denials, waiting words: one pass
    crisis, complaint, negative, request, praise = found.lexicons
    if "problem" in complaint and _NO_PROBLEM.search(folded_all):
        complaint.remove("problem")  # "no problem", "not a problem"
    for denied, label in zip(found.denials, ("not working", "not done"), strict=True):
        if denied and label not in complaint:
            complaint.append(label)
    if "waiting time" not in complaint and _DURATION_FROM_DIGIT.search(folded_all) is not None:
        complaint.append("waiting time")
    crisis += [f"#{tag}" for tag in dict.fromkeys(_GATE.findall(folded_all))]  # #lumiogate
    raw = f"{mention.title}\n{mention.text[:MAX_SCANNED]}"
    signals: list[str] = []
    score = BASE
    if complaint:
        first = COMPLAINT_FIRST if set(complaint) - _GENERIC else COMPLAINT_GENERIC
        score += min(44.0, first + COMPLAINT_MORE * (len(complaint) - 1))
        signals += [f"complaint: {w}" for w in complaint]
    tone = tone_of(raw[:MAX_TONE], mention.lang)
    # capitals are anger, not "THANK YOU!!! YOU ARE THE BEST"
    shouting = _shouts(raw) and not (praise and tone >= POSITIVE_TONE)
    exclaiming = bool(complaint) and (raw.count("!") >= 3 or "???" in raw)
    toned = bool(negative or shouting or exclaiming or tone <= NEGATIVE_TONE)
    if toned:
        both = shouting or (tone <= NEGATIVE_TONE and (negative or exclaiming))
        score += TONE_SURE if both else TONE_ONE
        why = list(negative[:3])
        if tone <= NEGATIVE_TONE:
            why.append(f"tone {tone:+.2f}")
        if shouting:
            why.append("shouting")
        elif exclaiming:
            why.append("!!!")
        signals.append("negative tone: " + ", ".join(why))
    wants_help = "asks for help" in request
    if wants_help:
        score += 8
        signals.append("asks for help")
    pressing = [w for w in request if w != "asks for help"]
    if pressing and (complaint or wants_help):
        score += 6
        signals += [f"time: {w}" for w in pressing]
    if _is_question_folded(text_folded[:MAX_SCANNED]):
        if not complaint and not toned:
            score += QUESTION_ALONE
        signals.append("question")
    if complaint or toned:
        # the customer is waiting on the company: tried, called, "3 days", "still", "again"
        waited = list(dict.fromkeys(found.waited))
        if waited:
            score += WAITING
            signals.append("customer waiting: " + ", ".join(waited[:3]))
    if (complaint or toned or wants_help) and _detailed(mention.text):
        score += DETAILED
        signals.append("detailed account")
    if _personal(raw):
        score += 12
        signals.append("personal data in public")
    score = min(score, URGENT_THRESHOLD - 6)  # words alone: never urgent without a crisis
    if "solved" in praise and _NOT_SOLVED.search(folded_all):
        praise.remove("solved")  # "still haven't resolved", "expected to be resolved"
    calm = not (negative or shouting or exclaiming) and tone >= 0
    if praise and calm and not crisis:
        if complaint and "solved" in praise:
            score = min(score, BASE + SOLVED)
            signals.append("but: " + ", ".join(praise))
        elif complaint:
            score -= 10 if len(complaint) > 1 else 15
            signals.append("but: " + ", ".join(praise))
        else:
            score = BASE - 5
            signals = list(praise)
    if crisis:
        score = max(score, URGENT_THRESHOLD + 5) + 5 * (len(crisis) - 1)
        signals = [f"crisis: {w}" for w in crisis] + signals
    reach = mention.author.reach
    if reach and reach >= 1000:
        score += min(25.0, 5 * math.log10(reach / 100))
        signals.append(f"reach: {format_reach(reach)}")
    if comparison:
        score += 8
        signals.append("competitor comparison")
    return round(min(score, 100.0), 1), tuple(dict.fromkeys(signals))


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
