"""A deterministic model of what OCR does to a Vietnamese conclusion.

The tests and benchmarks need "the same document as a bad scan gives it":
diacritics lost and the usual Tesseract slips on Vietnamese print — a digit
for a vowel with a hat ("Chi c6c", "Thuc hi3n" is rarer; "0"/"6" for o-vowels
is the common one), "P" for "Đ" at the start of a word, "rn" for "m",
"1" for "l", and a stray accent on a letter that had none. :func:`ocr_noise`
applies them with a seeded generator, so a test run is repeatable;
:mod:`handlers.tasks.importers.ocr_repair` undoes what can be undone.
"""

from __future__ import annotations

import random
import re

from handlers.text.fold import strip_diacritics

_WORD = re.compile(r"[^\W\d_]{3,}")
_STRAY = {"a": "á", "e": "è", "i": "ì", "o": "ò", "u": "ú", "y": "ý"}
_O_VOWELS = set("ôốồổỗộơớờởỡợÔỐỒỔỖỘƠỚỜỞỠỢ")


def ocr_noise(text: str, seed: int = 15, rate: float = 0.08) -> str:
    """``text`` without diacritics and with about ``rate`` of its words garbled."""
    rng = random.Random(seed)
    # Đ read as P at a word start (before the marks are gone), o-vowels with a hat as 0/6
    chars = list(text)
    for i, ch in enumerate(chars):
        if ch in "Đđ" and (i == 0 or not chars[i - 1].isalpha()) and rng.random() < 0.5:
            chars[i] = "P" if ch == "Đ" else "p"
        elif ch in _O_VOWELS and 0 < i < len(chars) - 1 and chars[i - 1].isalpha() and chars[i + 1].isalpha() \
                and rng.random() < rate:
            chars[i] = rng.choice("06")
    plain = strip_diacritics("".join(chars))

    def garble(m: re.Match) -> str:
        word = m.group()
        if rng.random() >= rate:
            return word
        kind = rng.randrange(4)
        if kind == 0 and "m" in word:
            return word.replace("m", "rn", 1)
        if kind == 1 and "l" in word[1:-1]:
            i = word.index("l", 1)
            return word[:i] + "1" + word[i + 1 :] if i < len(word) - 1 else word
        if kind == 2 and "o" in word[1:-1]:
            i = word.index("o", 1)
            return word[:i] + "0" + word[i + 1 :] if i < len(word) - 1 else word
        vowels = [i for i, ch in enumerate(word) if ch in _STRAY]
        if vowels:
            i = rng.choice(vowels)
            return word[:i] + _STRAY[word[i]] + word[i + 1 :]
        return word

    return _WORD.sub(garble, plain)
