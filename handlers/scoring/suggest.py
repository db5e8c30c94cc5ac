"""Suggest which criterion a task feeds, from the task's own words.

When a conclusion is imported, its items say "nâng cao tỷ lệ hồ sơ trực
tuyến" but not "7.2.1". Each leaf lists Vietnamese keywords; a task whose
text contains them (as a phrase after folding, or word by word with small
OCR slips) is
proposed for that leaf. Longer keyword phrases weigh more than single words,
so "hồ sơ trực tuyến" beats a bare "trực tuyến". The officer confirms.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import fuzz

from handlers.scoring.framework import Framework
from handlers.text.fold import fold

TOKEN_MIN = 80.0  # fuzz.ratio a keyword word must reach against a text word (OCR slips)
_NON_WORD = re.compile(r"[^0-9a-z]+")


def _norm(text: str) -> str:
    """Fold and drop punctuation, so 'mức độ 3, 4' and 'muc do 3,4' compare equal."""
    return " ".join(_NON_WORD.sub(" ", fold(text)).split())


@lru_cache(maxsize=8)
def _keyword_index(framework: Framework) -> tuple[tuple[str, tuple[tuple[str, int], ...], str], ...]:
    """(code, ((keyword, weight), …), folded name) per leaf, computed once per framework."""
    index = []
    for leaf in framework.leaves():
        keywords = tuple(
            (k, len(k.split())) for k in dict.fromkeys(_norm(kw) for kw in leaf.keywords) if k
        )
        index.append((leaf.code, keywords, _norm(leaf.name)))
    return tuple(index)


def _token_similarity(token: str, words: set[str]) -> float:
    """Best similarity (0–1) of one keyword word to any word of the text.

    Short words (numbers, "so", "ho") must match exactly; longer ones may
    differ by an OCR slip ("chinh" / "chjnh").
    """
    if token in words:
        return 1.0
    if len(token) < 4:
        return 0.0
    best = max((fuzz.ratio(token, w) for w in words), default=0.0)
    return best / 100 if best >= TOKEN_MIN else 0.0


def _keyword_hit(keyword: str, text: str, words: set[str]) -> float:
    """1 for a verbatim (folded) occurrence; else the mean word similarity when
    every word of the keyword is found in the text; else 0."""
    if f" {keyword} " in f" {text} ":
        return 1.0
    sims = [_token_similarity(t, words) for t in keyword.split()]
    if not sims or min(sims) == 0.0:
        return 0.0
    return 0.9 * sum(sims) / len(sims)  # scattered words count a little less than a phrase


def suggest_criterion(
    task_text: str, framework: Framework, limit: int = 3, min_score: float = 25.0
) -> list[tuple[str, float]]:
    """Leaf codes the task likely feeds, best first, with a 0–100 score.

    Score: matched keyword weight (words per keyword × closeness) plus a small
    share for similarity to the criterion's name, squashed to 0–100. Ties are
    broken by code, so the answer is the same on every run.
    """
    text = _norm(task_text)
    if not text:
        return []
    words = set(text.split())
    scored = []
    for code, keywords, name in _keyword_index(framework):
        weight = sum(w * _keyword_hit(k, text, words) for k, w in keywords)
        if weight <= 0:
            continue
        weight += fuzz.token_set_ratio(name, text) / 100
        score = round(100 * weight / (weight + 3), 1)
        if score >= min_score:
            scored.append((code, score))
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored[:limit]
