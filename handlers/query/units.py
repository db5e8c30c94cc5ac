"""Unit names as people write them → unit codes from the org file.

The org chart is data (models/defaults/org.yaml), so the matcher is built
from an OrgSpec: codes, names and aliases, folded, plus the shorthand the
office uses on phones. Exact matches win; otherwise a single one-edit typo
in a name of five letters or more is forgiven. When two different units
match equally well, all are reported so the bot can ask which one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA

from models.org_file import OrgSpec

from .normalise import normalise

# Shorthand seen in the office's messages, by unit code (only used when the
# org file has that code). Folded, after normalise() has expanded "cc", "pgd".
_EXTRA_ALIASES: dict[str, tuple[str, ...]] = {
    "BGD": ("pho giam doc", "pho giam doc so", "ban giam doc so", "giam doc", "ban lanh dao", "lanh dao so"),
    "VP": ("van phong so", "vp so"),
    "TTRA": ("thanh tra so",),
    "QLKH": ("phong quan ly khoa hoc", "quan ly kh"),
    "QLCN": ("phong quan ly cong nghe", "quan ly cn", "phong cn", "qlcn ttcn"),
    "KHTC": ("phong ke hoach tai chinh", "ke hoach - tai chinh", "kh tc", "phong tai chinh"),
    "TDC": ("chi cuc tdc", "chi cuc tieu chuan do luong", "tieu chuan do luong chat luong", "cuc tdc"),
    "TTUD": ("trung tam ung dung", "trung tam ttud", "tt ung dung", "trung tam dich vu"),
}

# Phrases that contain a unit word but do not name a unit: the department
# itself, and the Director as the author of conclusions or the one who assigns.
_NOT_A_UNIT = re.compile(
    r"\bso\s+(?:khoa hoc va cong nghe|khoa hoc cong nghe|kh cn|khcn)\b|\bskh\s?cn\b|\bkh cn\b"
    r"|\b(?:ket luan|thong bao)(?:\s+cua)?\s+(?:ban\s+)?(?:giam doc|lanh dao)(?:\s+so)?\b"
    r"|\b(?:ban\s+)?(?:giam doc|lanh dao)(?:\s+so)?\s+(?:da\s+)?(?:giao|chi dao|ket luan|yeu cau)\b"
    r"|\blanh dao\s+(?:phong|don vi|chi cuc|trung tam|van phong)\b"
)


@dataclass(frozen=True)
class UnitMatch:
    codes: tuple[str, ...]
    written: str
    span: tuple[int, int]
    fuzzy: bool


class UnitMatcher:
    """Finds unit mentions in canonical (folded, expanded) text."""

    def __init__(self, org: OrgSpec) -> None:
        self._alias_to_code: dict[str, str] = {}
        for unit in org.units:
            names = (unit.code, unit.name, *unit.aliases, *_EXTRA_ALIASES.get(unit.code, ()))
            for name in names:
                key = _canonical(name)
                if key and key not in self._alias_to_code:
                    self._alias_to_code[key] = unit.code
        for person in org.persons:
            if person.unit and org.unit(person.unit):
                self._alias_to_code.setdefault(_canonical(person.name), person.unit)
        ordered = sorted(self._alias_to_code, key=len, reverse=True)
        self._exact = re.compile(r"\b(?:" + "|".join(re.escape(a) for a in ordered) + r")\b")
        # Typos are only forgiven in names long enough to be unmistakable.
        self._fuzzy_by_len: dict[int, list[str]] = {}
        for a in ordered:
            if len(a.replace(" ", "")) >= 5 or (" " not in a and len(a) >= 4):
                self._fuzzy_by_len.setdefault(len(a), []).append(a)
        self._max_words = max(len(a.split()) for a in ordered)

    def find(self, text: str) -> UnitMatch | None:
        """The first unit mentioned (exact first, then a one-typo match)."""
        text = _NOT_A_UNIT.sub(lambda m: " " * len(m.group(0)), text)
        exact = [m for m in self._exact.finditer(text)]
        if exact:
            codes: list[str] = []
            for m in exact:
                code = self._alias_to_code[m.group(0)]
                if code not in codes:
                    codes.append(code)
            first = exact[0]
            return UnitMatch(tuple(codes), first.group(0), first.span(), False)
        return self._find_fuzzy(text)

    def _find_fuzzy(self, text: str) -> UnitMatch | None:
        words = [(m.group(0), m.start(), m.end()) for m in re.finditer(r"\S+", text)][:60]
        best: tuple[int, int, int] | None = None  # (start, end, distance)
        codes: list[str] = []
        for size in range(self._max_words, 0, -1):
            for i in range(len(words) - size + 1):
                window = " ".join(w for w, _, _ in words[i : i + size])
                if len(window) < 4 or not window[0].isalpha():
                    continue
                candidates = (
                    self._fuzzy_by_len.get(len(window) - 1, [])
                    + self._fuzzy_by_len.get(len(window), [])
                    + self._fuzzy_by_len.get(len(window) + 1, [])
                )
                for alias in candidates:
                    if OSA.distance(window, alias, score_cutoff=1) <= 1:
                        code = self._alias_to_code[alias]
                        if best is None:
                            best = (words[i][1], words[i + size - 1][2], 1)
                        if code not in codes:
                            codes.append(code)
            if codes:
                break
        if best is None:
            return None
        return UnitMatch(tuple(codes), text[best[0] : best[1]], (best[0], best[1]), True)


def _canonical(name: str) -> str:
    """Read a name exactly as a message is read, so both sides compare equal."""
    return normalise(name).text


@lru_cache(maxsize=8)
def matcher_for(org: OrgSpec) -> UnitMatcher:
    """One matcher per org file, built once (building compiles a large regex)."""
    return UnitMatcher(org)
