"""From raw extracted text to logical paragraphs and header fields.

Text pulled from a PDF breaks every printed line ("…mỗi phòng, đơn vị đăng ký
và triển khai\n\ntổ chức thực hiện…"); markdown exports wrap headings in ``##``
and ``**``. Parsing the numbering needs whole paragraphs, so wrapped lines are
re-joined first: a line continues the previous one unless it starts a numbered
item, follows a finished sentence, or is separated by more blank lines than the
document's usual wrap gap.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

from handlers.text.textkeys import aligned_key, clean_spaces
from handlers.query.units import SURNAMES
from handlers.text.fold import fold, nfc

MARKER = re.compile(r"^(?:[IVXL]{1,7}[.)]|\d{1,2}[.)]|[a-zđ][).]|\(\d{1,2}\)|\([a-zđ]\))\s|^[-–+•]\s*\S")
_MD_HEADING = re.compile(r"^#{1,6}\s*")
_TAGS = re.compile(r"</?[a-zA-Z][^>]*>")
_EMPH = re.compile(r"^[*_]+|[*_]+$")
_SENTENCE_END = re.compile(r"[.:;!?]\s*$|\./\.\s*$")


@dataclass
class Paragraph:
    text: str
    heading: bool = False  # a markdown/bold heading line: never joined with neighbours
    table: bool = False  # a row of a table (cells separated by " | ")


def clean_line(line: str) -> tuple[str, bool, bool]:
    """Strip markdown/HTML decoration; report (text, is_heading, is_table_row)."""
    raw = nfc(line).replace("\xa0", " ").rstrip()
    table = "\t" in raw.strip()
    heading = bool(_MD_HEADING.match(raw.lstrip()))
    text = _TAGS.sub("", _MD_HEADING.sub("", raw.strip()))
    if table:
        cells = [clean_spaces(_EMPH.sub("", c.strip())) for c in text.split("\t")]
        return " | ".join(c for c in cells if c), False, True
    stripped = text.strip()
    bold = len(stripped) > 4 and stripped.startswith("**") and stripped.rstrip(".:").endswith("**")
    text = _EMPH.sub("", stripped).strip()
    text = _EMPH.sub("", text).strip()
    return clean_spaces(text), heading or bold, False


def paragraphs(text: str) -> list[Paragraph]:
    """Re-join wrapped lines into paragraphs (see module docstring)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    items: list[tuple[int, str, bool, bool]] = []  # (blank lines before, text, heading, table)
    gap = 0
    for line in lines:
        cleaned, heading, table = clean_line(line)
        if not cleaned:
            gap += 1
            continue
        items.append((gap, cleaned, heading, table))
        gap = 0
    gaps = Counter(g for g, *_ in items[1:])
    wrap_gap = min((g for g, n in gaps.items() if n == max(gaps.values())), default=0)
    out: list[Paragraph] = []
    parts: list[list[str]] = []  # lines of each paragraph, joined once at the end (linear)
    for gap, line, heading, table in items:
        prev = out[-1] if out else None
        new = (
            prev is None
            or gap > wrap_gap
            or heading
            or table
            or prev.heading
            or prev.table
            or bool(MARKER.match(line))
            or (_SENTENCE_END.search(parts[-1][-1][-8:]) is not None and not line[:1].islower())
            or (_is_caps_heading(parts[-1][-1]) and not _is_caps_heading(line))
        )
        if new:
            out.append(Paragraph(line, heading, table))
            parts.append([line])
        else:
            parts[-1].append(line)
    for paragraph, lines in zip(out, parts):
        paragraph.text = " ".join(lines)
    return out


def _is_caps_heading(line: str) -> bool:
    """"III. NHIỆM VỤ, GIẢI PHÁP": a line in capitals is a heading, never wrapped into its text."""
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 6 and all(c.isupper() for c in letters)


# -- header fields --------------------------------------------------------------
_NUMBER = re.compile(r"^so\s*[:.]?\s*(\d[\d\s]*/\s*[^\s,;]+)")
_ISSUE_DATE = re.compile(r"ngay\s+(\d{1,2})\s+thang\s+(\d{1,2})\s+nam\s+(\d{4})")
_NUMERIC_DATE = re.compile(r"ngay\s+(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})")
_SIGN_TITLE = re.compile(
    r"(?:^|\s)(?:(?:kt|tl|tuq|q)\.?\s*)?(?:(?:pho\s+)?(?:giam doc(?:\s+so)?|chu tich|chanh van phong)\s*)+$"
)


def find_number(header_lines: list[str]) -> str | None:
    """"Số: 664/KL-SKH&CN" → "664/KL-SKH&CN"; a blank number ("Số: /KL-SKHCN") → None."""
    for line in header_lines:
        m = _NUMBER.match(aligned_key(line))
        if m:
            return re.sub(r"\s+", "", line[m.start(1) : m.end(1)]).rstrip(".")
    return None


def _date(d: str, m: str, y: str) -> date | None:
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        return None


def find_issue_date(header_lines: list[str]) -> date | None:
    """The "Quảng Ngãi, ngày 27 tháng 5 năm 2021" line of the header."""
    for line in header_lines:
        key = aligned_key(line)
        for regex in (_ISSUE_DATE, _NUMERIC_DATE):
            m = regex.search(key)
            prefix = key[: m.start()].strip() if m else ""
            suffix = key[m.end() :].strip(" .") if m else ""
            if m and len(line) < 90 and (not prefix or prefix.endswith(",")) and not suffix:
                return _date(*m.groups())
    return None


def find_meeting_date(preamble: list[str]) -> date | None:
    """Fallback date: the meeting day the preamble opens with ("Ngày 18/5/2021, …")."""
    for text in preamble:
        m = re.match(r"ngay\s+(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})", aligned_key(text))
        if m:
            return _date(*m.groups())
    for text in preamble:
        key = aligned_key(text)
        m = _NUMERIC_DATE.search(key) or _ISSUE_DATE.search(key)
        if m:
            return _date(*m.groups())
    return None


def find_signer(lines: list[str]) -> str | None:
    """The name under the last "GIÁM ĐỐC" / "KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC" line."""
    cleaned = [clean_line(line)[0] for line in lines]
    cleaned = [c for c in cleaned if c]
    sign_at = None
    for i in range(len(cleaned) - 1, -1, -1):
        key = aligned_key(cleaned[i]).strip()
        if _SIGN_TITLE.search(key) and len(key) < 90:
            sign_at = i
            break
    if sign_at is None:
        return None
    for line in cleaned[sign_at + 1 : sign_at + 8]:
        if _SIGN_TITLE.search(aligned_key(line).strip()):
            continue
        name = _trailing_name(line)
        if name:
            return name
    return None


def _trailing_name(line: str) -> str | None:
    words = re.findall(r"[^\s,;.:()]+", line)
    for n in (4, 3, 2, 5):
        if len(words) < n:
            continue
        tail = words[-n:]
        if fold(tail[0]) in SURNAMES and all(w[:1].isupper() and not any(ch.isdigit() for ch in w) for w in tail):
            name = " ".join(tail)
            return name.title() if name.isupper() else name
    return None


_ISSUER = re.compile(r"^(?:uy ban nhan dan|ubnd)(?: tinh)?\b|^van phong (?:uy ban nhan dan|ubnd)")
_DEPARTMENT_ISSUER = re.compile(r"^so [a-z]")


def is_province_letter(header_lines: list[str], number: str | None) -> bool:
    """A letter or notice of UBND tỉnh / Văn phòng UBND tỉnh (not a Sở under its name).

    The issuer block opens the header: "ỦY BAN NHÂN DÂN / TỈNH QUẢNG NGÃI"
    alone is the province; followed by "SỞ KHOA HỌC …" it is only the parent
    line of a department's document. "Số: 4125/UBND-KGVX" settles it too.
    """
    if number and re.search(r"/(?:[A-ZĐ]{1,4}-)?(?:UBND|VPUB|VP-UBND)", number):
        return True
    top = [fold(x) for x in header_lines[:4]]
    return any(_ISSUER.match(x) for x in top) and not any(_DEPARTMENT_ISSUER.match(x) for x in top)


def find_subject_line(header_lines: list[str]) -> str | None:
    """The "V/v triển khai …" line of an official letter (công văn): its title."""
    for line in header_lines[:15]:
        m = re.match(r"^\s*v\s*/\s*v\s*:?\s*", aligned_key(line))
        if m:
            return line[m.end() :].strip()
    return None


def find_title(paras: list[Paragraph]) -> tuple[str | None, int]:
    """("Kết luận của Giám đốc Sở …", index after the title) or (None, 0).

    The "KẾT LUẬN" heading is followed by its subject, on the same paragraph
    (PDF text) or on the next, bold one (markdown); both read as one title.
    """
    for i, p in enumerate(paras[:25]):
        key = fold(p.text)
        m = re.match(r"^(?:thong bao\s+)?ket luan\b\s*:?\s*", key)
        if not m:
            continue
        head_words = len(m.group().split())
        words = p.text.split()
        head = " ".join(words[:head_words]).lower().capitalize()
        rest = " ".join(words[head_words:])
        end = i + 1
        if not rest and end < len(paras):
            nxt = paras[end]
            if nxt.heading or fold(nxt.text).startswith(("cua ", "ve ", "tai ")):
                rest, end = nxt.text, end + 1
        if not rest:
            return None, end
        return f"{head} {rest[:1].lower()}{rest[1:]}", end
    return None, 0
