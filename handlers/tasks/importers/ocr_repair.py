"""Undo the OCR slips that can be undone before a conclusion is parsed.

Tesseract on Vietnamese print reads "Đ" as "P" ("Pơn vị", "Giám pốc"), "m" as
"rn" ("kiern tra"), an o-vowel with a hat as "0"/"6" ("d6c", "c0ng"), "l" as
"1" or "I" ("Chat Iuong") and "I." of a section as "l." or "1.". None of these
is ever right in Vietnamese (no Vietnamese word starts with "p" + vowel or holds
"rn" or a digit), so the repair is applied to every text — a clean document
comes out unchanged — and the office sees the repaired words in the review.
Diacritics that were lost stay lost: every matcher compares folded text.
"""

from __future__ import annotations

import re

_L = r"[^\W\d_]"  # any letter
_P_FOR_D = re.compile(rf"(?<!{_L})([Pp])(?=[aeiouyàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ])")
_DIGIT_IN_WORD = re.compile(rf"(?<={_L})[0-9|](?={_L})|(?<={_L}{_L})[016|](?!\w)|(?<!\w)[016|](?={_L}{_L})")
_P_FOR_D_UPPER = re.compile(rf"(?<!{_L})P(?=[AEIOUYƠÔƯĂÂÊ][A-ZĐƠÔƯĂÂÊ]*(?!{_L}))")
_ACRONYMS_P = ("PAR", "PAPI", "PIN", "POS", "PA")
_P_ITEM = re.compile(r"^(\s*)p\)", re.M)  # the item "đ)" printed as "p)"
_RN = re.compile(r"rn", re.IGNORECASE)
_I_FOR_L = re.compile(rf"(?<!{_L})I(?=[uoaey]{_L}*)")
_ROMAN_SLIP = re.compile(r"^(\s*(?:#+\s*)?(?:\*+)?)([IVXl1|i!¡íìĩ]{1,5})(\.\s+(?:\*+)?[A-ZĐ])", re.M)
_NUMBER_COMMA = re.compile(r"^(\s*\d{1,2}),(\s+[A-ZĐÀ-Ỹ])", re.M)  # "5, Thanh tra" is "5. Thanh tra"
_CLOSING_SLIP = re.compile(r"\./[,;:]\s*$", re.M)  # "./," is the closing "./."
_KEEP_RN = ("internet", "govern", "modern", "intern", "corner", "learn", "turn", "return")
_WORD = re.compile(rf"{_L}*rn{_L}*", re.IGNORECASE)
_DIGIT_LETTER = {"0": "o", "6": "o", "1": "l", "|": "l"}


def repair_ocr(text: str) -> str:
    """``text`` with the OCR slips above corrected (same text when there are none)."""
    text = _ROMAN_SLIP.sub(_roman, text)
    text = _NUMBER_COMMA.sub(r"\1.\2", text)
    text = _CLOSING_SLIP.sub("./.", text)
    text = _DIGIT_IN_WORD.sub(lambda m: _digit(m, text), text)
    text = _P_FOR_D.sub(lambda m: "Đ" if m.group(1) == "P" else "đ", text)
    text = _P_FOR_D_UPPER.sub(lambda m: _upper_p(m, text), text)
    text = _P_ITEM.sub(r"\1đ)", text)
    text = _WORD.sub(_rn, text)
    return _I_FOR_L.sub("l", text)


def _digit(m: re.Match, text: str) -> str:
    ch = m.group()
    letter = _DIGIT_LETTER.get(ch)
    if letter is None:
        return ch
    before, after = text[m.start() - 1 : m.start()], text[m.end() : m.end() + 1]
    if before.isupper() and after.isupper():
        return letter.upper()  # "GIAM D6C"
    # keep codes such as "QĐ1" or "SKHCN2": a digit at the edge of a capitalised code is not a slip
    around = text[max(0, m.start() - 2) : m.end() + 2]
    if any(c.isupper() for c in around) and not any(c.islower() for c in around):
        return ch
    return letter


def _upper_p(m: re.Match, text: str) -> str:
    word = re.match(r"\w+", text[m.start() :]).group()
    return "P" if word in _ACRONYMS_P else "Đ"


def _rn(m: re.Match) -> str:
    word = m.group()
    if word.lower().startswith(_KEEP_RN) or word.isupper():
        return word
    return _RN.sub(lambda r: "M" if r.group()[0].isupper() else "m", word)


def _roman(m: re.Match) -> str:
    numeral = m.group(2)
    if numeral.isdigit() or not any(c in "IVXl|!¡íìĩ" for c in numeral) or set(numeral) <= set("1") or numeral == "i":
        return m.group()
    return m.group(1) + re.sub(r"[l1|i!¡íìĩ]", "I", numeral) + m.group(3)
