"""The one unit matcher: unit names as documents and people write them → unit codes.

Both the importers (conclusions, task sheets, corrections in the review) and
the question parser use this module, built from one alias table: the units of
the database when a session is at hand (so a unit the office renames or gives
a new alias reaches every reader at once, see :func:`org_for`), else the org
file. Two ways of reading sit on that table, because the texts differ:

* documents (:meth:`UnitMatcher.mentions`, :meth:`UnitMatcher.units_in`,
  :meth:`UnitMatcher.code_for`) — spans in long text, OCR slips, persons by title;
* questions (:meth:`UnitMatcher.find`) — a short message after the query
  normaliser, one typo forgiven in a long enough name, several units reported
  when they match equally well so the bot can ask which one.

Conclusions name units in full ("Chi cục Tiêu chuẩn Đo lường Chất lượng"), by
alias ("Chi cục TĐC"), without diacritics after OCR ("Chi cuc Tieu chuan Do
luong Chat luong") and with OCR letter slips ("Chat Iuong", "S0"). Matching
runs on :func:`ocr_key` (folded, same length as the text) so every mention
keeps its span in the original text; long names that are not found exactly
get a second, fuzzy pass with rapidfuzz.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from handlers.text.textkeys import ocr_key
from handlers.text.fold import fold
from models.org_file import OrgSpec, PersonSpec, UnitSpec, default_org

LEADERSHIP_CODE = "BGD"

# Aliases this generic name a unit only when not followed by another proper
# name: "Trung tâm Phục vụ hành chính công" or "Thanh tra tỉnh" are not ours.
_GENERIC = {"trung tam", "chi cuc", "thanh tra", "van phong", "lanh dao", "phong", "ban giam doc"}
_FOREIGN_NEXT = {"tinh", "huyen", "ubnd", "bo", "chinh", "nha", "thanh", "xa", "cac", "nhan"}

_ALL_UNITS = re.compile(
    r"(?:(?:pho )?(?:thu truong|truong|lanh dao) )?"
    r"(?:tat ca |toan the )?cac (?:phong(?: ban)?(?:,? (?:va )?(?:ban, )?(?:(?:truong|thu truong) )?(?:cac )?don vi)?"
    r"|don vi (?:truc thuoc|thuoc so|thuoc))"
    r"(?: (?:thuoc so|truc thuoc so|truc thuoc|chuyen mon|thuoc))?(?![a-z])"
)

_TITLE = re.compile(
    r"(?<![a-z])(?:(?:pho )?(?:giam doc(?: so)?|chi cuc truong|chanh thanh tra(?: so)?|chanh van phong(?: so)?"
    r"|truong phong|thu truong|truong|chu tich)|dong chi|ong|ba)\s*$"
)

SURNAMES = frozenset(
    fold(s)
    for s in (
        "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đào Đoàn Vương "
        "Trương Đinh Lâm Phùng Mai Tô Hà Tạ Cao Châu Lương Thái Kiều Quách La Lưu Triệu Từ "
        "Nghiêm Tăng Âu Mạc Hứa Khúc Lại Tống Văn Chu Doãn Kim Giang Thân Nông Lục Ông Viên Quang"
    ).split()
)


# Shorthand seen in the office's messages, by unit code (only used when the
# org file has that code). Folded, after the query normaliser has expanded "cc", "pgd".
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


@dataclass(frozen=True)
class Mention:
    """A unit, an "all units" phrase or a person found at [start, end)."""

    start: int
    end: int
    kind: str  # "unit" | "all" | "person"
    code: str | None  # unit code (for persons: their unit when known)
    text: str  # as written
    person: str | None = None


class UnitMatcher:
    """Unit/person lookup for one organisation; build once, reuse (cached)."""

    def __init__(self, org: OrgSpec) -> None:
        self.org = org
        self._key_code: dict[str, str] = {}
        self._key_written: dict[str, str] = {}  # key → the name as the org writes it (with diacritics)
        for unit in org.units:
            for name in (unit.name, unit.code, *unit.aliases):
                for key in _variants(ocr_key(name).strip()):
                    self._key_code.setdefault(key, unit.code)
                    self._key_written.setdefault(key, name)
        keys = sorted(self._key_code, key=len, reverse=True)
        self._regex = re.compile(
            r"(?<![a-z0-9])(?:" + "|".join(re.escape(k).replace(r"\ ", r"\s+") for k in keys) + r")(?![a-z0-9])"
        )
        self._fuzzy_keys = [(k, c) for k, c in self._key_code.items() if len(k) >= 15 and " " in k]
        self._persons = {fold(p.name): p for p in org.persons}
        self._question_index: tuple | None = None  # built on first question (needs the query normaliser)

    # -- units -------------------------------------------------------------
    def code_for(self, name: str) -> str | None:
        """The unit code for a whole cell/phrase (exact, then fuzzy), or None."""
        key = ocr_key(name).strip()
        key = re.sub(r"^(?:don vi|phong ban)\s*:?\s*", "", key)
        if key in self._key_code:
            return self._key_code[key]
        found = [m for m in self.units_in(name) if m.code]
        if len(found) == 1 and (found[0].end - found[0].start) >= 0.6 * len(name.strip()):
            return found[0].code
        if found:
            return None  # several units: the caller splits the phrase
        best = max(
            ((fuzz.ratio(key, k), c) for k, c in self._key_code.items() if len(k) >= 6),
            default=(0, None),
        )
        return best[1] if best[0] >= 88 else None

    def units_in(self, text: str) -> list[Mention]:
        """Unit mentions in ``text``, exact (folded/OCR) first, then fuzzy."""
        key = ocr_key(text)
        found: list[Mention] = []
        taken: list[tuple[int, int]] = []
        for m in self._regex.finditer(key):
            matched = re.sub(r"\s+", " ", m.group())
            if matched in _GENERIC and _foreign_after(text, m.end()):
                continue
            found.append(Mention(m.start(), m.end(), "unit", self._key_code[matched], text[m.start() : m.end()]))
            taken.append((m.start(), m.end()))
        found_codes = {f.code for f in found}
        for k, code in self._fuzzy_keys:
            if code in found_codes:
                continue
            al = fuzz.partial_ratio_alignment(k, key, score_cutoff=90)
            if al is None:
                continue
            start, end = _widen_to_words(key, al.dest_start, al.dest_end)
            if any(s < end and start < e for s, e in taken):
                continue
            found.append(Mention(start, end, "unit", code, text[start:end]))
            taken.append((start, end))
            found_codes.add(code)
        return sorted(found, key=lambda x: x.start)

    # -- questions ---------------------------------------------------------
    def _questions(self):
        """The alias table read as a message is read (the query normaliser), built once."""
        if self._question_index is None:
            from handlers.query.normalise import normalise  # the same reading as the message (same package)

            alias_to_code: dict[str, str] = {}
            for unit in self.org.units:
                for name in (unit.code, unit.name, *unit.aliases, *_EXTRA_ALIASES.get(unit.code, ())):
                    key = normalise(name).text
                    if key and key not in alias_to_code:
                        alias_to_code[key] = unit.code
            for person in self.org.persons:
                if person.unit and self.org.unit(person.unit):
                    alias_to_code.setdefault(normalise(person.name).text, person.unit)
            ordered = sorted(alias_to_code, key=len, reverse=True)
            exact = re.compile(r"\b(?:" + "|".join(re.escape(a) for a in ordered) + r")\b")
            # Typos are only forgiven in names long enough to be unmistakable.
            fuzzy_by_len: dict[int, list[str]] = {}
            for a in ordered:
                if len(a.replace(" ", "")) >= 5 or (" " not in a and len(a) >= 4):
                    fuzzy_by_len.setdefault(len(a), []).append(a)
            self._question_index = (alias_to_code, exact, fuzzy_by_len, max(len(a.split()) for a in ordered))
        return self._question_index

    def find(self, text: str) -> UnitMatch | None:
        """The first unit mentioned (exact first, then a one-typo match)."""
        alias_to_code, exact_regex, fuzzy_by_len, max_words = self._questions()
        text = _NOT_A_UNIT.sub(lambda m: " " * len(m.group(0)), text)
        exact = [m for m in exact_regex.finditer(text)]
        if exact:
            codes: list[str] = []
            for m in exact:
                code = alias_to_code[m.group(0)]
                if code not in codes:
                    codes.append(code)
            first = exact[0]
            return UnitMatch(tuple(codes), first.group(0), first.span(), False)
        return self._find_fuzzy(text, alias_to_code, fuzzy_by_len, max_words)

    def _find_fuzzy(self, text: str, alias_to_code: dict[str, str], fuzzy_by_len: dict[int, list[str]],
                    max_words: int) -> UnitMatch | None:
        words = [(m.group(0), m.start(), m.end()) for m in re.finditer(r"\S+", text)][:60]
        best: tuple[int, int, int] | None = None  # (start, end, distance)
        codes: list[str] = []
        for size in range(max_words, 0, -1):
            for i in range(len(words) - size + 1):
                window = " ".join(w for w, _, _ in words[i : i + size])
                if len(window) < 4 or not window[0].isalpha():
                    continue
                candidates = (
                    fuzzy_by_len.get(len(window) - 1, [])
                    + fuzzy_by_len.get(len(window), [])
                    + fuzzy_by_len.get(len(window) + 1, [])
                )
                for alias in candidates:
                    if OSA.distance(window, alias, score_cutoff=1) <= 1:
                        code = alias_to_code[alias]
                        if best is None:
                            best = (words[i][1], words[i + size - 1][2], 1)
                        if code not in codes:
                            codes.append(code)
            if codes:
                break
        if best is None:
            return None
        return UnitMatch(tuple(codes), text[best[0] : best[1]], (best[0], best[1]), True)

    def written(self, mention: Mention) -> str | None:
        """How the org file writes the name a mention matched ("Van phong So" → "Văn phòng Sở")."""
        key = re.sub(r"\s+", " ", ocr_key(mention.text).strip())
        return self._key_written.get(key)

    # -- everything --------------------------------------------------------
    def mentions(self, text: str) -> list[Mention]:
        """Units, "all units" phrases and titled persons, non-overlapping, in order."""
        key = ocr_key(text)
        units = self.units_in(text)
        alls = [Mention(m.start(), m.end(), "all", None, text[m.start() : m.end()]) for m in _ALL_UNITS.finditer(key)]
        persons = self._persons_in(text, key, units)
        taken = _Spans(persons)
        out: list[Mention] = list(persons)
        for m in alls + units + _unknown_units(text, key):
            if not taken.overlaps(m.start, m.end):
                taken.add(m.start, m.end)
                out.append(m)
        return sorted(out, key=lambda x: x.start)

    def _persons_in(self, text: str, key: str, units: list[Mention]) -> list[Mention]:
        out: list[Mention] = []
        starts = [u.start for u in units]  # units come sorted by start: bisect keeps this linear
        for start, end, name in _names(text, key):
            base = max(0, start - 90)
            title = _TITLE.search(key[base:start])
            near = units[bisect.bisect_left(starts, base) : bisect.bisect_left(starts, start)]
            inner = [u for u in near if u.end <= start and not key[u.end : start].strip()]
            if title is None and inner:
                # a unit name between title and person: "Chi cục trưởng Chi cục TĐC Phạm Thành Phương"
                title = _TITLE.search(key[base : inner[-1].start])
            else:
                inner = []
            known = self._persons.get(fold(name))
            if not title and not known:
                continue
            span_start = base + title.start() if title else start
            code = known.unit if known and known.unit else None
            if code is None and inner:
                code = inner[-1].code
            after = key[end : end + 12]
            if code is None and after.lstrip().startswith("phu trach"):
                follow = [u for u in units[bisect.bisect_right(starts, end) : bisect.bisect_right(starts, end + 15)]]
                if follow:
                    code = follow[0].code
            if code is None and title and "giam doc" in title.group() and (
                "so" in title.group().split() or not after.lstrip().startswith("phu trach")
            ):
                code = LEADERSHIP_CODE
            person = known.name if known else name
            out.append(Mention(span_start, end, "person", code, text[span_start:end], person=person))
        return out

    def person_spec(self, name: str) -> PersonSpec | None:
        return self._persons.get(fold(name))


_NAME_WORD = re.compile(r"[^\s,;.:()]+")
_UNIT_HEAD = re.compile(r"(?<![a-z])(?:phong|chi cuc|trung tam|quy|ban) (?=\S)")
_STOP = {
    "thuc", "chu", "phoi", "tham", "co", "trien", "xay", "ra", "dang", "day", "lam", "thuong",
    "khan", "chiu", "phai", "theo", "bao", "tong", "hoan", "kiem", "chi", "huong", "trinh", "nghien",
    "tiep", "tang", "va", "cung", "de", "trong", "tai", "ve", "voi", "nham", "duoc", "da", "se", "dam", "to",
}


def _unknown_units(text: str, key: str) -> list[Mention]:
    """"Phòng Tổ chức cán bộ", "Ban Quản lý …": unit-like names not in the org file."""
    out: list[Mention] = []
    for m in _UNIT_HEAD.finditer(key):
        if not text[m.end() : m.end() + 1].isupper():
            continue
        end = m.end()
        words = list(_NAME_WORD.finditer(text[m.end() : m.end() + 200]))[:7]  # bounded: linear overall
        for n, w in enumerate(words[:7]):
            gap = text[m.end() + (words[n - 1].end() if n else 0) : m.end() + w.start()]
            if n and gap != " ":
                break
            if n and not w.group()[:1].isupper() and key[m.end() + w.start() : m.end() + w.end()] in _STOP:
                break
            end = m.end() + w.end()
        out.append(Mention(m.start(), end, "unit", None, text[m.start() : end]))
    return out


class _Spans:
    """Non-overlapping taken spans, kept sorted: an overlap test costs log n."""

    def __init__(self, mentions: list[Mention]) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        for m in sorted(mentions, key=lambda x: x.start):
            self.add(m.start, m.end)

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self.starts, end)  # spans starting before ``end``
        return i > 0 and max(self.ends[max(0, i - 4) : i]) > start

    def add(self, start: int, end: int) -> None:
        i = bisect.bisect_left(self.starts, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)


def _variants(key: str) -> set[str]:
    """A key and its OCR look-alike with "m" read as "rn"."""
    out = {key}
    if "m" in key:
        out.add(key.replace("m", "rn"))
    return out


def _foreign_after(text: str, end: int) -> bool:
    nxt = re.match(r"\s*([^\s,;.:()]+)", text[end:])
    if not nxt:
        return False
    word = nxt.group(1)
    if fold(word) in {"so", "skhcn", "truong", "pho"}:
        return False
    return word[:1].isupper() or fold(word) in _FOREIGN_NEXT


def _widen_to_words(key: str, start: int, end: int) -> tuple[int, int]:
    while start > 0 and key[start - 1].isalnum():
        start -= 1
    while end < len(key) and key[end].isalnum():
        end += 1
    return start, end


_WORD = re.compile(r"[^\s,;.:()\"“”]+")


def _names(text: str, key: str):
    """Surname-led runs of 2–4 capitalised words: candidate person names."""
    words = list(_WORD.finditer(text))
    i = 0
    while i < len(words):
        w = words[i]
        if w.group()[:1].isupper() and key[w.start() : w.end()] in SURNAMES:
            j = i + 1
            while (
                j < len(words)
                and j - i < 4
                and words[j].group()[:1].isupper()
                and not words[j].group().isupper()
                and text[words[j - 1].end() : words[j].start()] == " "
            ):
                j += 1
            if j - i >= 2 and not any(words[k].group().isupper() and len(words[k].group()) > 1 for k in range(i, j)):
                yield w.start(), words[j - 1].end(), text[w.start() : words[j - 1].end()]
                i = j
                continue
        i += 1


@lru_cache(maxsize=8)
def matcher_for(org: OrgSpec) -> UnitMatcher:
    """Cached matcher: building the alternation regex costs more than a parse."""
    return UnitMatcher(org)


def org_for(session=None) -> OrgSpec:
    """The organisation as the office keeps it: the database's units when a
    session is given (names and aliases edited there reach every reader),
    else the org file. Persons and the Sở's own names come from the org file."""
    base = default_org()
    if session is None:
        return base
    from sqlalchemy import select

    from models.org import Unit

    rows = list(session.scalars(select(Unit).order_by(Unit.id)))
    if not rows:
        return base
    units = tuple(
        UnitSpec(code=u.code, name=u.name, kind=u.kind, aliases=tuple(u.aliases or ()),
                 short_name=(base.unit(u.code).short_name if base.unit(u.code) else None))
        for u in rows
    )
    if units == base.units:
        return base
    return OrgSpec(name=base.name, short_name=base.short_name, units=units, parent_name=base.parent_name,
                   place=base.place, persons=base.persons)
