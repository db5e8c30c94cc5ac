"""Put diacritics back where the words are known, for the office's eyes.

A scan read without the Vietnamese model, or an old text file, has no
diacritics: "Giao Van phong So chu tri, phoi hop voi Chi cuc …". Parsing
does not need them (everything is matched on folded text), but the office
reads the review and the saved task titles. Unit names are put back as the
org file writes them, and the administrative phrases the parser itself keys
on are put back from a short list; every other word is left as read.
"""

from __future__ import annotations

import re

from handlers.text.fold import strip_diacritics
from handlers.query.units import UnitMatcher

_PHRASES = [
    "Giám đốc Sở", "Phó Giám đốc Sở", "Giám đốc", "chủ trì", "phối hợp", "phối hợp với", "trước ngày", "trong năm",
    "trong quý", "hàng tháng", "hàng quý", "hàng năm", "định kỳ", "thường xuyên", "khẩn trương", "báo cáo",
    "hoàn thành", "thực hiện", "triển khai", "tham mưu", "nhiệm vụ", "giải pháp", "các phòng, đơn vị", "đơn vị",
    "cải cách hành chính", "thủ tục hành chính", "kế hoạch", "kết quả", "tổ chức", "kiểm tra", "rà soát",
    "xây dựng", "đề xuất", "theo dõi", "đôn đốc", "thuộc Sở", "UBND tỉnh", "Chủ tịch", "đảm bảo", "chất lượng",
    "tiến độ", "quy định", "công chức, viên chức", "công nghệ", "khoa học", "doanh nghiệp", "hồ sơ", "tuyên truyền",
]
_BY_KEY = {strip_diacritics(p).lower(): p for p in sorted(_PHRASES, key=len)}
_PHRASE_RE = re.compile(r"(?<![^\W\d_])(?:" + "|".join(re.escape(k) for k in sorted(_BY_KEY, key=len, reverse=True))
                        + r")(?![^\W\d_])", re.IGNORECASE)


def lacks_diacritics(text: str) -> bool:
    letters = sum(ch.isalpha() for ch in text)
    return letters >= 20 and strip_diacritics(text) == text


def restore(text: str, matcher: UnitMatcher) -> str:
    """``text`` with known unit names and phrases written with their diacritics."""
    if not lacks_diacritics(text):
        return text
    out: list[str] = []
    pos = 0
    for m in matcher.units_in(text):
        written = matcher.written(m)
        if written and len(written) > 3 and not written.isupper():
            out.append(_phrases(text[pos : m.start]))
            out.append(written[:1].upper() + written[1:] if m.text[:1].isupper() else written)
            pos = m.end
    out.append(_phrases(text[pos:]))
    return "".join(out)


def _phrases(text: str) -> str:
    def put_back(m: re.Match) -> str:
        phrase = _BY_KEY[m.group().lower()]
        if m.group().isupper() and len(m.group()) > 3:
            return phrase.upper()
        if m.group()[:1].isupper() and phrase[:1].islower():
            return phrase[:1].upper() + phrase[1:]
        return phrase

    return _PHRASE_RE.sub(put_back, text)
