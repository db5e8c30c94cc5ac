"""From a raw phone message to one canonical folded string the rules read.

Users type with or without diacritics, glue words ("hoso", "t11"), use
shorthand ("hs qh") and slip a letter ("nhiem vj", "thnag"). All of that is
undone here, once, so the grammar can be written for clean folded text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA

from handlers.text.fold import fold

from .lexicon import ABBREVIATIONS, COMMON_WORDS, ENGLISH_PHRASES, ENGLISH_WORDS, KEYWORDS, MONTH_WORDS, PHRASES

MAX_CHARS = 500  # longer messages are cut: keeps every parse bounded in time

_NOT_KEPT = re.compile(r"[^a-z0-9%/.\-\s]")
_LONE_DOT = re.compile(r"(?<!\d)\.|\.(?!\d)")
_LONE_DASH = re.compile(r"(?<![a-z0-9])-|-(?![a-z0-9])")
_GLUED = re.compile(r"^(thang|thg|th|t|quy|q|nam|kl|nv|tuan)(\d{1,4}(?:/\d{2,4})?)$")
_GLUED_PREFIX = {"thg": "thang", "th": "thang", "t": "thang", "q": "quy", "kl": "ket luan", "nv": "nhiem vu"}
_MONTH_WORD = re.compile(
    r"\bthang (muoi mot|muoi hai|muoi|gieng|chap|mot|hai|ba|tu|nam|bay|tam|chin)\b(?! ngay)"
)

# Shorthand that only means one thing next to a given word.
_CONTEXT_EXPANSION = {"dang th": "dang thuc hien", "cua t": "cua toi", "cua e": "cua em", "thg": "thang", "th": "thang"}
_CONTEXT_SHORTHAND = re.compile(r"\bdang th\b|\bcua [te]\b|\bthg?\b(?=\s+\d)|\bthg\b(?=\s+(?:nay|truoc|sau|toi)\b)")


@dataclass(frozen=True)
class Normalised:
    """The canonical text, whether it looked like a question, and what was changed."""

    text: str
    question: bool
    notes: tuple[str, ...]


def normalise(raw: str) -> Normalised:
    """Fold, clean, expand shorthand and fix one-letter typos."""
    cut = raw[:MAX_CHARS]
    question = "?" in cut
    folded = fold(cut)
    folded = _NOT_KEPT.sub(" ", folded)
    folded = _LONE_DOT.sub(" ", folded)
    folded = _LONE_DASH.sub(" ", folded)
    notes: list[str] = []
    folded = translate_english(folded, notes)
    words: list[str] = []
    for token in folded.split():
        for piece in _unglue(token):
            fixed = _fix_token(piece)
            if fixed != piece:
                notes.append(f"{piece}→{fixed}")
            words.append(fixed)
    text = _fix_in_context(" ".join(words), notes)
    text = _MONTH_WORD.sub(lambda m: f"thang {MONTH_WORDS[m.group(1)]}", text)
    text = _CONTEXT_SHORTHAND.sub(lambda m: _CONTEXT_EXPANSION[m.group(0)], text)
    return Normalised(text=text, question=question, notes=tuple(notes))


_ENGLISH = re.compile(r"\b(?:" + "|".join(re.escape(p) for p, _ in ENGLISH_PHRASES) + r")\b")
_ENGLISH_MAP = dict(ENGLISH_PHRASES)
_VIETNAMESE_ONLY = frozenset({"viec", "ho", "so", "nhiem", "vu", "han", "thang", "nay", "qua", "tre", "cua", "diem"})


def translate_english(folded: str, notes: list[str]) -> str:
    """An English question ("overdue tasks", "late dossiers this month") in the words the grammar reads.

    Only a message made mostly of English words is translated, so the
    English loan words Vietnamese messages use ("online", "help", "task")
    keep working as before.
    """
    words = [w for w in folded.split() if w.isalpha()]
    if not words or any(w in _VIETNAMESE_ONLY for w in words):
        return folded
    english = sum(1 for w in words if w in ENGLISH_WORDS)
    if english * 2 < len(words) or english < 2 and len(words) > 1:
        return folded
    notes.append("english")
    return " ".join(_ENGLISH.sub(lambda m: _ENGLISH_MAP[m.group(0)], folded).split())


def _unglue(token: str) -> list[str]:
    """Split "t11", "q3", "kl664" into a word and its number."""
    m = _GLUED.match(token)
    if not m:
        return [token]
    prefix = _GLUED_PREFIX.get(m.group(1), m.group(1))
    return [prefix, m.group(2)]


_TELEX_TAIL = "sfrxj"  # tone keys an IME left at the end of a word: "viecj", "hanf"
_KNOWN = KEYWORDS | COMMON_WORDS


def _known(token: str) -> str | None:
    """The token itself (or its expansion) when it is a word the parser knows."""
    if token in ABBREVIATIONS:
        return ABBREVIATIONS[token]
    return token if token in _KNOWN else None


@lru_cache(maxsize=4096)
def _fix_token(token: str) -> str:
    """Expand shorthand, undo a doubled letter or a Telex leftover, split glued syllables, correct one slip.

    Cached: the same few hundred words come back in every message.
    """
    if token in ABBREVIATIONS:
        return ABBREVIATIONS[token]
    if token in KEYWORDS or token in COMMON_WORDS or not token.isalpha():
        return token
    for i in range(len(token) - 1):  # a doubled letter: "nhiemm", "hnnay", "ttthc"
        if token[i] == token[i + 1]:
            known = _known(token[:i] + token[i + 1:])
            if known:
                return known
    if len(token) >= 3 and token[-1] in _TELEX_TAIL:  # "chuax", "ttrar", "viecj"
        base = token[:-1]
        known = _known(base) or _known(re.sub(r"(aa|ee|oo|dd|ii|uu)", lambda m: m.group(0)[0], base))
        if known:
            return known
    split = _split_glued_syllables(token)
    if split:
        return split
    if len(token) >= 3:
        corrected = _nearest_keyword(token)
        if corrected:
            return corrected
    return token


def _split_glued_syllables(token: str) -> str | None:
    """"hoso" → "ho so", "trehan" → "tre han" when both halves are keywords."""
    for i in range(2, len(token) - 1):
        left, right = token[:i], token[i:]
        if left in KEYWORDS and right in KEYWORDS:
            return f"{left} {right}"
    return None


_CORRECTABLE = tuple(sorted(w for w in KEYWORDS if len(w) >= 4))


def _slip_cost(token: str, word: str) -> float:
    """How likely ``token`` is ``word`` mistyped: a dropped, doubled or swapped letter
    (what thumbs do) costs 1; a wrong letter 1.5."""
    return 1.5 if len(token) == len(word) and sorted(token) != sorted(word) else 1.0


def _nearest_keyword(token: str) -> str | None:
    """The keyword one edit (substitution, deletion, insertion or swap) away, most likely slip first.

    Only tokens of three letters or more are tried against keywords of four
    or more, and a tie between two keywords of the same cost corrects
    nothing, so short real words are never rewritten into something the
    user did not type.
    """
    hits = [w for w in _CORRECTABLE if abs(len(w) - len(token)) <= 1 and OSA.distance(token, w, score_cutoff=1) <= 1]
    if not hits:
        return None
    costs = sorted((_slip_cost(token, w), w) for w in hits)
    if len(costs) > 1 and costs[0][0] == costs[1][0]:
        return None
    return costs[0][1]


# For a neighbour, the words that make a known term with it: (w, next) and (prev, w).
def _neighbours(phrases) -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    before: dict[str, frozenset[str]] = {}
    after: dict[str, frozenset[str]] = {}
    for a, b in phrases:
        before[b] = before.get(b, frozenset()) | {a}
        after[a] = after.get(a, frozenset()) | {b}
    return before, after


_BEFORE, _AFTER = _neighbours(PHRASES)


@lru_cache(maxsize=8192)
def _context_fix(prev: str | None, word: str, nxt: str | None) -> str | None:
    """The one word, a slip away from ``word``, that makes a known term with a neighbour."""
    if (prev, word) in PHRASES or (word, nxt) in PHRASES:
        return None
    candidates = (_BEFORE.get(nxt, frozenset()) if nxt else frozenset()) | (_AFTER.get(prev, frozenset()) if prev else frozenset())
    # A real word ("cho", "tang") is only taken for a dropped letter ("tang nay" → "thang nay"),
    # never for a changed one ("cho so" stays "chờ số", not "chỉ số").
    lengths = (len(word) + 1,) if word in _KNOWN else (len(word) - 1, len(word), len(word) + 1)
    fixes = {w for w in candidates if w != word and len(w) >= 3 and len(w) in lengths
             and OSA.distance(word, w, score_cutoff=1) <= 1}
    return fixes.pop() if len(fixes) == 1 else None


def _slot(word: str) -> str:
    """A neighbour as the terms see it: any number is "#" ("tháng 5", "6 tháng")."""
    return "#" if word.isdigit() else word


def _fix_in_context(text: str, notes: list[str]) -> str:
    """Correct a word one slip away from forming a known two-word term with a neighbour.

    Runs after word-by-word correction, so it also catches slips that made
    another real word ("tang nay" → "thang nay"). A word already part of a
    term, a number, or a word with two candidate fixes is left alone.
    """
    words = text.split()
    for i, word in enumerate(words):
        if not word.isalpha() or len(word) < 3:
            continue
        prev = _slot(words[i - 1]) if i > 0 else None
        nxt = _slot(words[i + 1]) if i + 1 < len(words) else None
        fixed = _context_fix(prev, word, nxt)
        if fixed:
            notes.append(f"{word}→{fixed}")
            words[i] = fixed
    return " ".join(words)
