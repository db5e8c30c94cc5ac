"""The small grammar: which words decide subject, status, mine, conclusion, percent.

Every rule is a regular expression over the canonical text from
normalise(); matched words are blanked ("consumed") when another rule could
misread them, e.g. "đang làm mất điểm" is a lost-points question, not
"đang làm" (in progress). Patterns are listed in priority order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .model import STATUSES_BY_SUBJECT


def blank(text: str, span: tuple[int, int]) -> str:
    """Replace a matched span by spaces, keeping every other offset unchanged."""
    start, end = span
    return text[:start] + " " * (end - start) + text[end:]


# ---------------------------------------------------------------- references and numbers

_CONCLUSION = re.compile(
    r"\b(?:thong bao\s+)?ket luan(?:\s+(?:so|sô))?\s*(?:#|:)?\s*(?P<n>\d{1,5})(?:\s*/\s*[a-z0-9\-/.]*)?"
    r"(?:\s+ngay\s+\d{1,2}\s*/\s*\d{1,2}(?:\s*/\s*\d{2,4})?)?"
    r"|\b(?P<m>\d{1,5})\s*/\s*(?:kl|tb)\b[a-z0-9\-/.]*(?:\s+ngay\s+\d{1,2}\s*/\s*\d{1,2}(?:\s*/\s*\d{2,4})?)?"
)
# Other document numbers ("59/KH-SKHCN", "123/QĐ-UBND") and their dates: never a period.
_DOCUMENT_NUMBER = re.compile(
    r"\b\d{1,5}\s*/\s*(?:\d{4}\s*/\s*)?[a-z][a-z0-9\-/.]*(?:\s+ngay\s+\d{1,2}\s*/\s*\d{1,2}(?:\s*/\s*\d{2,4})?)?"
)
_PERCENT = re.compile(r"(?<![\d.])(\d{1,3})(?:[.,]\d+)?\s*(?:%|phan tram)")


def find_conclusion(text: str) -> tuple[str | None, str]:
    m = _CONCLUSION.search(text)
    if not m:
        return None, text
    number = (m.group("n") or m.group("m")).lstrip("0") or "0"
    return number, blank(text, m.span())


def blank_document_numbers(text: str) -> str:
    for m in reversed(list(_DOCUMENT_NUMBER.finditer(text))):
        text = blank(text, m.span())
    return text


def find_percent(text: str) -> tuple[int | None, str]:
    m = _PERCENT.search(text)
    if not m:
        return None, text
    value = int(m.group(1))
    return (value if 0 <= value <= 100 else None), blank(text, m.span())


# ---------------------------------------------------------------- politeness and filler

_FILLER = re.compile(
    r"\b(?:cho\s+(?:minh|em|toi|e|t|chau|anh|chi)\s+(?:hoi|xem|biet|xin)(?:\s+(?:chut|voi|ti|thu))?"
    r"|cho\s+hoi|(?:ad|admin|bot|ban|anh|chi|em|oi)\s+oi|xin\s+chao|chao\s+(?:ban|bot|ad|admin|em|anh|chi)"
    r"|(?:minh|em|toi|e)\s+(?:can|muon|hoi|xin|nho)(?:\s+(?:hoi|xem|biet|tra cuu|kiem tra))?"
    r"|(?:xem|kiem tra|tra cuu|tong hop|liet ke|thong ke)\s+(?:giup|ho|dum)(?:\s+(?:minh|em|toi|e))?"
    r"|giup\s+(?:minh|em|toi|e)|lam on|vui long|nhe|nha|nhen|a|voi|nhi|vay|ha|di|ne|alo|hi|hello|hey)\b"
)
_QUESTION = re.compile(
    r"\b(?:nao|bao nhieu|gi|chua|khong|may|sao|the nao|ai|danh sach|liet ke|thong ke|xem|kiem tra"
    r"|tra cuu|co\s+\w+\s+khong|hoi)\b"
)


def strip_filler(text: str) -> str:
    return _FILLER.sub(lambda m: " " * len(m.group(0)), text)


def is_question(text: str) -> bool:
    return bool(_QUESTION.search(text))


# ---------------------------------------------------------------- help, greetings, progress

_HELP = re.compile(
    r"\b(?:huong dan|tro giup|help|start|(?:lam|giup|ho tro) (?:duoc|dc) (?:gi|nhung gi)|co the lam gi|biet lam gi"
    r"|hoi (?:duoc )?(?:gi|nhung gi)(?: duoc)?|cach (?:dung|su dung|hoi)|su dung (?:the nao|ra sao|bot)"
    r"|chuc nang|menu|danh sach lenh|cac lenh)\b"
)
# A report of one's own work: starts (after "báo cáo", pronouns, "nhiệm vụ 3")
# with "đã/vừa" + a completion or delivery verb.
_STATEMENT_LEAD = (
    r"(?:(?:xin\s+|kinh\s+)?bao cao|em|toi|minh|chung em|chung toi|anh|chi|e"
    r"|(?:phong|ben|don vi|bo phan)\s+(?:em|toi|minh|chung toi|chung em)"
    r"|(?:nhiem vu|viec|cong viec|noi dung|muc|diem|dau viec)(?:\s+so)?\s+\d+[a-z]?|\d+[a-z]?|[a-z]|roi)(?:\s+|$)"
)
_DONE_STATEMENT = re.compile(
    rf"(?:{_STATEMENT_LEAD})*(?:da\s+|vua\s+|moi\s+)?(?:lam\s+|thuc hien\s+)?(?:hoan thanh|xong|hoan tat)\b"
)
_DELIVERY_STATEMENT = re.compile(
    rf"(?:{_STATEMENT_LEAD})*(?:da|vua|moi)\s+(?:ban hanh|gui|trinh|nop|tham muu|to chuc|trien khai|cap nhat"
    r"|ky|phat hanh|hop|thuc hien|xay dung|hoan thien|chuyen|dang tai|bao cao)\b"
)
_PROGRESS_WORD = re.compile(r"\b(?:xong|hoan thanh|dat|duoc|tien do|thuc hien|lam|cap nhat|bao cao|da)\b")


@dataclass(frozen=True)
class Progress:
    percent: int | None
    why: str


def find_progress(text: str, percent: int | None, question: bool) -> Progress | None:
    """A statement of progress (not a question about it), with its percentage."""
    if question:
        return None
    head = text.strip()
    if percent is not None and _PROGRESS_WORD.search(text):
        return Progress(percent, "percentage in a statement")
    if _DONE_STATEMENT.match(head):
        return Progress(100 if percent is None else percent, "statement of completion")
    if _DELIVERY_STATEMENT.match(head):
        return Progress(percent, "statement of delivery")
    if percent is not None and re.fullmatch(r"[\s\d]*", text.replace("nhiem vu", "")):
        return Progress(percent, "bare percentage")
    return None


# ---------------------------------------------------------------- status

_STATUS_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "deducted",
        re.compile(
            r"\b(?:(?:bi\s+|lam\s+|dang lam\s+|dang bi\s+)?(?:tru|mat|thieu|giam)\s+(?:\d+\s+|bao nhieu\s+|may\s+)?diem"
            r"|diem\s+(?:bi\s+)?(?:tru|mat)|bi\s+tru|diem tru|khong dat diem)\b"
        ),
    ),
    (
        "due_soon",
        re.compile(
            r"\b(?:sap|gan|chuan bi)\s+(?:den|toi|het|qua|tre|dao)(?:\s+(?:han|hen))?\b"
            r"|\b(?<!da )(?:den|toi|het)\s+(?:han|hen)\b"
        ),
    ),
    (
        "overdue",
        re.compile(
            r"\b(?:qua|tre|vuot|tre qua|lo)\s+(?:han|hen|thoi han)\b|\bda het han\b|\b(?<!tu )cham(?!\s+(?:diem|nhat))\b"
            r"(?:\s+(?:tre|tien do|han))?|\btre\b(?!\s+(?:nhat|em|trung))"
        ),
    ),
    (
        "in_progress",
        re.compile(
            r"\b(?:chua|khong)\s+(?:hoan thanh|xong|hoan tat|lam xong|thuc hien xong)\b"
            r"|\bdang\s+(?:thuc hien|lam|trien khai|tien hanh|xu ly|giai quyet|thu ly)\b"
            r"|\b(?:ton dong|con ton|dang ton|backlog)\b"
        ),
    ),
    (
        "on_time",
        re.compile(r"\b(?:dung|truoc|som)\s+(?:han|hen|thoi han)\b"),
    ),
    ("done", re.compile(r"\b(?<!phai )(?<!can )(?:hoan thanh|xong|hoan tat)\b")),
    (
        "resolved",
        re.compile(
            r"\b(?:da|duoc)\s+(?:giai quyet|xu ly|tra|tra ket qua)\b|\b(?:giai quyet|xu ly)\s+xong\b"
            r"|\btra\s+(?:ket qua|kq)\b|\b(?<!chua )(?<!dang )giai quyet\b"
        ),
    ),
    (
        "online",
        re.compile(
            r"\b(?:truc tuyen|online|dich vu cong|qua mang|toan trinh|muc do [34]|dvc)\b"
        ),
    ),
    (
        "received",
        re.compile(
            r"\b(?:tiep nhan|nhan duoc|moi nhan|da nhan|nop|moi nop|(?<!xac )(?<!ca )(?<!ghi )nhan(?!\s+(?:vien|su|dan|xet|thuc|luc|dien)))\b"
        ),
    ),
)
# Which status wins when several appear, per subject.
_PRIORITY = ("deducted", "overdue", "due_soon", "in_progress", "done", "on_time", "resolved", "online", "received")


def find_statuses(text: str) -> tuple[dict[str, tuple[int, int]], str]:
    """All statuses mentioned, with the span of the words, in rule order."""
    found: dict[str, tuple[int, int]] = {}
    for status, pattern in _STATUS_RULES:
        m = pattern.search(text)
        if m:
            found[status] = m.span()
            text = blank(text, m.span())
    return found, text


def fit_status_to_subject(statuses: dict[str, tuple[int, int]], subject: str) -> str | None:
    """The one status reported: the highest-priority one that fits the subject.

    A word from another subject's vocabulary is translated where the meaning
    carries over ("hồ sơ đã xong" = resolved; "nhiệm vụ hoàn thành đúng hạn"
    = done) and dropped otherwise.
    """
    allowed = STATUSES_BY_SUBJECT.get(subject, frozenset())
    translated = {
        "dossier": {"done": "resolved"},
        "task": {"on_time": "done", "resolved": "done"},
    }.get(subject, {})
    for status in _PRIORITY:
        if status not in statuses:
            continue
        if subject == "dossier" and status == "in_progress":
            return None  # "đang xử lý" on a dossier: open, neither late nor resolved
        status = translated.get(status, status)
        if status in allowed:
            return status
    return None


# ---------------------------------------------------------------- subject nouns

_SUBJECT_NOUNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("dossier", re.compile(r"\b(?:ho so|tthc|thu tuc hanh chinh|thu tuc|dich vu cong)\b")),
    ("task", re.compile(r"\b(?:nhiem vu|cong viec|dau viec|task|(?<!lam )viec(?! lam)|chi dao)\b")),
    (
        "score",
        re.compile(
            r"\b(?:(?<!dia )(?<!thoi )diem(?!\s+[a-e]\b)|chi so|cchc|par index|par|tieu chi|xep hang|xep loai"
            r"|sipas|papi|pci|tu danh gia|tu cham)\b"
        ),
    ),
)
_DIGEST_STRONG = re.compile(r"\b(?:bao cao|tom tat|ban tin|tong hop)\s+(?:tuan|giao ban)\b|\bdigest\b|\bgiao ban\b")
_DIGEST_WEAK = re.compile(r"\b(?:tong hop|tom tat|tinh hinh|ban tin|bao cao tong hop)\b")
_TASK_WEAK = re.compile(r"\b(?:ket luan|kl)\b")


def find_subject_nouns(text: str) -> list[tuple[int, str]]:
    """(offset, subject) for each subject noun present, earliest first."""
    hits = []
    for subject, pattern in _SUBJECT_NOUNS:
        m = pattern.search(text)
        if m:
            hits.append((m.start(), subject))
    return sorted(hits)


def has_strong_digest(text: str) -> bool:
    return bool(_DIGEST_STRONG.search(text))


def has_weak_digest(text: str) -> bool:
    return bool(_DIGEST_WEAK.search(text))


def has_weak_task(text: str) -> bool:
    return bool(_TASK_WEAK.search(text))


def is_help(text: str) -> bool:
    return bool(_HELP.search(text))


# ---------------------------------------------------------------- mine

_ME = r"(?:minh|em|toi|chung toi|chung em|tui|e)"
_MINE = re.compile(
    rf"\b(?:cua\s+{_ME}"
    rf"|(?:phong|don vi|ben|bo phan|to|nhom|chi cuc|trung tam|van phong|thanh tra)\s+{_ME}"
    rf"|(?:giao cho|phan cho|danh cho)\s+(?:phong\s+|don vi\s+|ben\s+)?{_ME}"
    rf"|{_ME}\s+(?:duoc giao|phu trach|chu tri|dang giu|dang phu trach)"
    rf"|{_ME}\s+(?:co|con|con co|dang co)\s+(?:bao nhieu\s+|nhung\s+|may\s+|)(?:viec|nhiem vu|cong viec|ho so|dau viec)"
    rf"|(?:viec|nhiem vu|cong viec|ho so|dau viec)\s+{_ME})\b(?!\s+(?:han|hen|ngay|tuan|thang|nam|quy))"
)


# The whole Department, not the asker's unit: "toàn Sở", "cả Sở", "các phòng", "tất cả đơn vị".
_WHOLE = re.compile(
    r"\b(?:toan|ca|tat ca|toan bo)\s+(?:so|co quan|cac phong|cac don vi|don vi|phong)\b(?!\s+(?:khoa hoc|kh))"
    r"|\bcac\s+(?:phong|don vi|phong ban|phong don vi)\b(?!\s+(?:cua\s+)?(?:toi|minh|em))"
    r"|\bwhole department\b|\ball units\b"
)


def find_whole(text: str) -> tuple[bool, str]:
    m = _WHOLE.search(text)
    if not m:
        return False, text
    return True, blank(text, m.span())


def find_mine(text: str) -> tuple[bool, str]:
    m = _MINE.search(text)
    if not m:
        return False, text
    return True, blank(text, m.span())
