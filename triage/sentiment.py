"""The tone of a post, from a maintained sentiment lexicon: VADER for English.

VADER (`vaderSentiment`, MIT, lexicon and rules inside the package, no download) scores
a text from -1 (most negative) to +1 and knows what word lists miss: negation ("not
good"), intensifiers, capitals, punctuation, emoticons and slang. Priority uses it next
to its own lexicons (`triage.lexicon`) and keeps both as signals; bench/real_eval.py
measures the ranking with it and without (`--no-tone`).

French: `vaderSentiment-fr` exists on PyPI but is unmaintained (2021, source only) and
depends on fuzzywuzzy (GPL); French tone comes from our own lexicons only.

Pure: the analyser is built once per process on first use (its lexicon is a data file of
the package, ~60 ms to load). A post in another language (by `lang`) gets 0.0.
"""

from __future__ import annotations

import re
import string
from functools import cache
from itertools import compress
from operator import itemgetter
from typing import Any

NEGATIVE_TONE = -0.5  # compound score at or below which a post reads as negative
ENABLED = True  # bench/real_eval.py --no-tone turns it off to measure what it adds


@cache
def _analyser() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


@cache
def _vader() -> Any:
    """VADER's module (its tables: boosters, negations, idioms, constants)."""
    from vaderSentiment import vaderSentiment

    return vaderSentiment


@cache
def _lexicon() -> frozenset[str]:
    return frozenset(_analyser().lexicon)


def _no_lexicon_word(text: str) -> bool:
    """True when VADER would find nothing to score: an ASCII text (no emoji, which VADER
    turns into words) none of whose tokens, whole or without their punctuation (VADER's own
    tokenising), is in its lexicon. Its compound is then exactly 0.0: only lexicon words
    carry valence, and the rules (negation, boosters, "but", punctuation) only scale them.
    Most posts without an emotional word skip VADER's ~1 ms per 400 characters."""
    if not text.isascii():
        return False
    lexicon = _lexicon()
    for token in text.lower().split():
        if token in lexicon or token.strip(string.punctuation) in lexicon:
            return False
    return True


def tone_of(text: str, lang: str | None = None) -> float:
    """VADER's compound score of an English (or unknown-language) text, else 0.0.
    Give it a bounded text: its rules cost more than linear time on long inputs."""
    if not ENABLED or not text or text.isspace() or (lang and not lang.lower().startswith("en")):
        return 0.0
    if _no_lexicon_word(text):
        return 0.0
    return _compound(text)


# ---------------------------------------------------------------- VADER, same scores, faster
#
# `polarity_scores` lowercases the whole token list three or four times for every lexicon
# word it meets (its negation and idiom checks) and rebuilds the text one character at a
# time for emoji: a 400-character post costs ~1 ms. `_compound` is the same algorithm with
# each token lowered once: every rule in the same order with the same arithmetic, VADER's
# own tables, and its final scoring called as it is. Two shortcuts more: what a token is
# (word, lowered, capitals, valence, rule word) is remembered across posts, and a lexicon
# word with no rule's word among the three before it (idiom words only where an idiom is
# written out) keeps its value without the rules' pass, which is most of them; "but" is
# VADER's loop on the non-zero values only. tests/triage/test_sentiment_fast.py and
# test_sentiment_rules_fast.py check that it equals VADER on drawn texts (every rule's
# words at every distance, capitals, punctuation, emoji, hostile text) and on the real
# tweets sample.


@cache
def _emoji_chars() -> frozenset[str]:
    """The characters VADER turns into words: its emoji lexicon's one-character keys (it
    reads a text one character at a time, so longer keys never match)."""
    return frozenset(e for e in _analyser().emojis if len(e) == 1)


_NON_ASCII = re.compile(r"[^\x00-\x7f]")  # what may be an emoji: hashed, the rest not


def _prepared(text: str) -> str:
    """VADER's text after emoji are replaced by their descriptions, stripped. VADER puts
    a space before a description unless it starts the text or follows a space."""
    if text.isascii() or _emoji_chars().isdisjoint(_NON_ASCII.findall(text)):  # (tested)
        return text.strip()
    emojis = _analyser().emojis
    out: list[str] = []
    for at, ch in enumerate(text):
        description = emojis.get(ch)
        if description is None:
            out.append(ch)
        else:
            out.append(description if at == 0 or text[at - 1] == " " else " " + description)
    return "".join(out).strip()


def _compound(text: str) -> float:
    """Exactly `polarity_scores(text)["compound"]` (VADER's `score_valence`, compound
    only: the positive, negative and neutral shares it also builds are never read)."""
    sentiments, text = _sentiments(text)
    if not sentiments:
        return 0.0
    analyser = _analyser()
    sum_s = float(sum(sentiments))
    if sum_s == 0:  # VADER adds punctuation emphasis to a signed sum only
        return round(_vader().normalize(sum_s), 4)
    punct_emph_amplifier = analyser._punctuation_emphasis(text)
    if sum_s > 0:
        sum_s += punct_emph_amplifier
    else:
        sum_s -= punct_emph_amplifier
    return float(round(_vader().normalize(sum_s), 4))


def _scores(text: str) -> dict[str, float]:
    """Exactly VADER's `polarity_scores(text)`."""
    sentiments, text = _sentiments(text)
    return dict(_analyser().score_valence(sentiments, text))


def _sentiments(text: str) -> tuple[list[float], str]:
    """VADER's per-word sentiments of `text`, and the text its scoring reads (emoji
    replaced by their descriptions)."""
    text = _prepared(text)
    tokens = text.split()
    cached = list(map(_TOKENS.get, tokens))  # every row is a non-empty tuple: true
    rows: list[Token] = (
        cached  # type: ignore[assignment]  # no None: all() said so
        if all(cached)
        else [row or _token(t) for row, t in zip(cached, tokens, strict=True)]
    )
    n = len(rows)
    # a word scores 0 unless it is in the lexicon, is not a booster and is not "kind of"
    sentiments: list[float] = [0] * n
    scored = list(compress(range(n), map(itemgetter(6), rows)))  # in the lexicon
    if not scored:
        return sentiments, text
    caps = sum(map(itemgetter(2), rows))
    cap_diff = 0 < n - caps < n
    lower = list(map(itemgetter(1), rows))
    # a word next to which no rule's word stands keeps its lexicon value (see below);
    # an idiom's words count only where one of VADER's idioms is written out whole
    at = 4 if _has_idiom(lower) else 5
    # where a rule's word stands (few places, often none): the lexicon words whose window
    # (the three words before, and two after when idioms count) holds one are marked
    ruled = list(compress(range(n), map(itemgetter(at), rows)))
    marked = _windows(ruled, n, 2 if at == 4 else 0) if ruled else None
    c_incr = _vader().C_INCR
    words: list[str] = []
    for i in scored:
        _, low, upper, valence, rule = rows[i][:5]
        assert valence is not None
        if rule and (low in _boosters() or (i < n - 1 and low == "kind" and lower[i + 1] == "of")):
            continue
        if marked is not None and marked[i]:
            words = words or [row[0] for row in rows]
            sentiments[i] = _valence(i, valence, words, lower, cap_diff, _analyser().lexicon)
            continue
        # no rule's word (booster, negation, "no", "least", "so", "this", an idiom's) among
        # the three words before it: VADER's rules leave the lexicon's value as it is,
        # capitals aside (its "+ 0.0" of no booster changes no value: no lexicon value is 0)
        if upper and cap_diff:
            valence = valence + c_incr if valence > 0 else valence - c_incr
        sentiments[i] = valence
    if "but" in lower:  # VADER's rule for "but" (a no-op without one)
        sentiments = _but_check(lower, sentiments)
    return sentiments, text


# what `_sentiments` keeps of each whitespace-separated token it has met: VADER's word
# (punctuation stripped unless 2 characters or fewer remain), lowered, whether it is in
# capitals, its lexicon valence (None: not in the lexicon), whether a rule reads it
# (idiom words included), whether a rule other than the idioms' reads it, and whether
# it has a valence (is in the lexicon)
Token = tuple[str, str, bool, float | None, bool, bool, bool]
_TOKENS: dict[str, Token] = {}
_MAX_TOKENS = 200_000  # forgotten all at once beyond this (hostile texts: unbounded words)
# longer tokens (links, base64, a hostile post's one 2,000-character "word") are read but
# not remembered: no lexicon word is that long, they rarely come back, and 200,000 of them
# held three copies of up to 2,000 characters each (~1.2 GB in a long `veille watch`)
_MAX_REMEMBERED = 40


def _token(token: str) -> Token:
    if len(_TOKENS) >= _MAX_TOKENS:
        _TOKENS.clear()
    rule_words, lexicon, idiom_words = _token_tables()
    word = token if len(stripped := token.strip(string.punctuation)) <= 2 else stripped
    low = word.lower()
    near = low in rule_words or "n't" in low  # any word with "n't" is a negation
    valence = lexicon.get(low)
    row = (word, low, word.isupper(), valence, near or low in idiom_words, near, valence is not None)
    if len(token) <= _MAX_REMEMBERED:
        _TOKENS[token] = row
    return row


@cache
def _token_tables() -> tuple[frozenset[str], dict[str, float], frozenset[str]]:
    """What `_token` reads, in one call: rule words, VADER's lexicon, idiom words."""
    return _rule_words(), _analyser().lexicon, _idiom_words()


@cache
def _boosters() -> dict[str, float]:
    return dict(_vader().BOOSTER_DICT)


@cache
def _rule_words() -> frozenset[str]:
    """The lowered words a rule of VADER's reads before a lexicon word, idioms aside:
    boosters and dampeners, negations, "no" (and its "or"/"nor"), "least", "never so",
    "so", "this", "without doubt", "kind of" ("but" is read after, for the whole text)."""
    v = _vader()
    rules = {"no", "or", "nor", "least", "never", "so", "this", "without", "doubt", "kind"}
    return frozenset({*v.BOOSTER_DICT, *v.NEGATE, *rules})


@cache
def _idioms() -> tuple[str, ...]:
    """VADER's idioms (and phrase boosters) of several words, padded with spaces."""
    v = _vader()
    return tuple(f" {p} " for p in [*v.SPECIAL_CASES, *v.BOOSTER_DICT] if " " in p)


def _windows(ruled: list[int], n: int, after: int) -> bytearray:
    """Per word of `n`, 1 where one of the `ruled` places is among the three words before
    it or the word itself, or among the `after` words after it: the words whose VADER
    rules can change their value (`any(rows[i - 3 : i + 1 + after])`, for all at once)."""
    marked = bytearray(n)
    for at in ruled:
        start = max(0, at - after)
        end = min(n, at + 4)
        marked[start:end] = b"\x01" * (end - start)
    return marked


def _has_idiom(lower: list[str]) -> bool:
    """Whether one of VADER's idioms of several words is written out in `lower` (its
    idiom check compares runs of these words with them: without one it changes nothing).
    No word holds a space, so a run of words is an idiom where its words joined are."""
    if _idiom_keys().isdisjoint(lower):
        return False  # each idiom needs its key word: most texts have none
    present = set(lower)
    # an idiom is written out only where all its words are: most texts have none whole
    maybe = [idiom for idiom, words in _idiom_sets() if words <= present]
    if not maybe:
        return False
    joined = f" {' '.join(lower)} "
    return any(idiom in joined for idiom in maybe)


@cache
def _idiom_keys() -> frozenset[str]:
    """One word of each idiom (its longest, so rarely "the" or "of"): an idiom can be
    written out only where its key word is."""
    return frozenset(max(idiom.split(), key=len) for idiom in _idioms())


@cache
def _idiom_sets() -> tuple[tuple[str, frozenset[str]], ...]:
    """Each of `_idioms()` with the set of its words."""
    return tuple((idiom, frozenset(idiom.split())) for idiom in _idioms())


def _but_check(lower: list[str], sentiments: list[float]) -> list[float]:
    """VADER's `_but_check` (quirks kept: a value's place is where it first occurs in the
    list as it changes), on the non-zero values only: a zero stays zero whatever it is
    multiplied by, and no non-zero value is ever found at a zero's place."""
    bi = lower.index("but")
    places = [at for at, sentiment in enumerate(sentiments) if sentiment]
    values = [sentiments[at] for at in places]
    for sentiment in values:  # VADER's loop: the list changes under it, at or before here
        si = values.index(sentiment)
        if places[si] < bi:
            values[si] = sentiment * 0.5
        elif places[si] > bi:
            values[si] = sentiment * 1.5
    for at, value in zip(places, values, strict=True):
        sentiments[at] = value
    return sentiments


def _valence(
    i: int,
    valence: float,
    words: list[str],
    lower: list[str],
    cap_diff: bool,
    lexicon: dict[str, float],
) -> float:
    """VADER's `sentiment_valence` for the lexicon word at `i` (`lower` = words lowered)."""
    v = _vader()
    n_scalar, c_incr, scalar_inc_dec = v.N_SCALAR, v.C_INCR, v.scalar_inc_dec
    boosters = v.BOOSTER_DICT
    n = len(words)
    low = lower[i]
    if low == "no" and i != n - 1 and lower[i + 1] in lexicon:
        valence = 0.0
    if (
        (i > 0 and lower[i - 1] == "no")
        or (i > 1 and lower[i - 2] == "no")
        or (i > 2 and lower[i - 3] == "no" and lower[i - 1] in ["or", "nor"])
    ):
        valence = lexicon[low] * n_scalar
    if words[i].isupper() and cap_diff:
        if valence > 0:
            valence += c_incr
        else:
            valence -= c_incr
    for start_i in range(0, 3):
        if i > start_i and lower[i - (start_i + 1)] not in lexicon:
            j = i - (start_i + 1)
            # VADER's scalar_inc_dec is 0.0 for a word that is no booster
            s = scalar_inc_dec(words[j], valence, cap_diff) if lower[j] in boosters else 0.0
            if start_i == 1 and s != 0:
                s = s * 0.95
            if start_i == 2 and s != 0:
                s = s * 0.9
            valence = valence + s
            valence = _negation_check(valence, lower, start_i, i)
            if start_i == 2:
                valence = _idioms_check(valence, lower, i)
    # "least" as a negation
    if i > 1 and lower[i - 1] not in lexicon and lower[i - 1] == "least":
        if lower[i - 2] != "at" and lower[i - 2] != "very":
            valence = valence * n_scalar
    elif i > 0 and lower[i - 1] not in lexicon and lower[i - 1] == "least":
        valence = valence * n_scalar
    return valence


@cache
def _idiom_words() -> frozenset[str]:
    """The words of the phrases VADER's idiom check compares word pairs and triples with
    (single-word entries never equal two joined words)."""
    v = _vader()
    phrases = [*v.SPECIAL_CASES, *v.BOOSTER_DICT]
    return frozenset(w for p in phrases if " " in p for w in p.split())


@cache
def _negate() -> frozenset[str]:
    return frozenset(_vader().NEGATE)


def _negated(word: str) -> bool:
    """VADER's `negated([word])` for a word already lowered once (it lowers again)."""
    word = word.lower()
    return word in _negate() or "n't" in word


def _negation_check(valence: float, lower: list[str], start_i: int, i: int) -> float:
    """VADER's `_negation_check` on the lowered words."""
    n_scalar = _vader().N_SCALAR
    if start_i == 0 and _negated(lower[i - 1]):
        valence = valence * n_scalar
    if start_i == 1:
        if lower[i - 2] == "never" and (lower[i - 1] == "so" or lower[i - 1] == "this"):
            valence = valence * 1.25
        elif lower[i - 2] == "without" and lower[i - 1] == "doubt":
            pass
        elif _negated(lower[i - 2]):
            valence = valence * n_scalar
    if start_i == 2:
        if (lower[i - 3] == "never" and (lower[i - 2] == "so" or lower[i - 2] == "this")) or (
            lower[i - 1] == "so" or lower[i - 1] == "this"
        ):
            valence = valence * 1.25
        elif lower[i - 3] == "without" and (lower[i - 2] == "doubt" or lower[i - 1] == "doubt"):
            pass
        elif _negated(lower[i - 3]):
            valence = valence * n_scalar
    return valence


def _idioms_check(valence: float, lower: list[str], i: int) -> float:
    """VADER's `_special_idioms_check` on the lowered words."""
    if _idiom_words().isdisjoint(lower[i - 3 : i + 3]):
        return valence  # every phrase it looks for has a word among these
    v = _vader()
    boosters, special = v.BOOSTER_DICT, v.SPECIAL_CASES
    onezero = f"{lower[i - 1]} {lower[i]}"
    twoonezero = f"{lower[i - 2]} {lower[i - 1]} {lower[i]}"
    twoone = f"{lower[i - 2]} {lower[i - 1]}"
    threetwoone = f"{lower[i - 3]} {lower[i - 2]} {lower[i - 1]}"
    threetwo = f"{lower[i - 3]} {lower[i - 2]}"
    for seq in (onezero, twoonezero, twoone, threetwoone, threetwo):
        if seq in special:
            valence = special[seq]
            break
    if len(lower) - 1 > i:
        zeroone = f"{lower[i]} {lower[i + 1]}"
        if zeroone in special:
            valence = special[zeroone]
    if len(lower) - 1 > i + 1:
        zeroonetwo = f"{lower[i]} {lower[i + 1]} {lower[i + 2]}"
        if zeroonetwo in special:
            valence = special[zeroonetwo]
    for n_gram in (threetwoone, threetwo, twoone):
        if n_gram in boosters:
            valence = valence + boosters[n_gram]
    return valence
