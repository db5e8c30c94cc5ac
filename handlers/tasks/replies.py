"""What a person typed back to the bot: progress, done, extension, approve, refuse, thanks, question, note.

The contract (``ask --reply --explain`` prints it) is one object per message::

    {"intent": I, "percent": P, "until": D}

* ``progress`` — a new percentage (``percent`` a number; "80,5%" → 80.5);
* ``done`` — finished (``percent`` 100); "100%" and "xong 100%" are done;
* ``extension`` — asks for more time; ``until`` the proposed date (ISO) or
  null when only a span was given ("thêm 5 ngày", "tuần sau"): the bot then
  asks for the date. A percentage next to the request is dropped (null);
* ``approve`` / ``refuse`` — a leader's answer to a request (``until`` stays
  null even when a date is mentioned);
* ``thanks`` — an acknowledgement without content ("ok em", "dạ vâng", "👍");
* ``question`` — to be answered, not filed (the question parser decides);
* ``note`` — an update without a percentage;
* ``unclear`` — malformed or ambiguous ("xong 8o%", "-5%", "180%", a bare
  "80"): the bot asks back and changes nothing.

Pure: no database, no clock. Rules run in a fixed order — a leader's answer,
an extension request, a malformed figure, a question, a percentage, a
completion, an acknowledgement, a note — because that order is what makes
"không đồng ý, sao trễ vậy?" a refusal and "xong 80% nhưng xin thêm 1 tuần"
an extension. Typed words are folded and one-letter slips corrected against
the words below before any rule runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from rapidfuzz.distance import OSA

from handlers.query.lexicon import COMMON_WORDS
from handlers.text.dates import aligned_fold, read_date

INTENTS = ("progress", "done", "extension", "approve", "refuse", "thanks", "question", "note", "unclear")

# Shorthand people type on phones (folded) → words the rules are written for.
_SHORTHAND = {
    "ko": "khong", "k": "khong", "kh": "khong", "hok": "khong", "hem": "khong", "k0": "khong", "khg": "khong",
    "dc": "duoc", "dk": "duoc", "đc": "duoc", "r": "roi", "rui": "roi", "e": "em", "a": "anh", "c": "chi",
    "ht": "hoan thanh", "htanh": "hoan thanh", "xog": "xong", "xon": "xong", "sog": "xong",
    "gh": "gia han", "giahan": "gia han", "ok": "ok", "oke": "ok", "okie": "ok", "okela": "ok", "okay": "ok",
    "oki": "ok", "uk": "ok", "uh": "u", "um": "u", "vang": "vang", "v": "vang", "tks": "cam on", "thanks": "cam on",
    "thank": "cam on", "thx": "cam on", "ty": "cam on", "camon": "cam on", "cmon": "cam on", "cm": "cam on",
    "dy": "dong y", "dongy": "dong y", "nv": "nhiem vu", "cv": "cong viec", "bc": "bao cao", "tgian": "thoi gian",
    "tg": "thoi gian", "pt": "phan tram", "hs": "ho so", "ns": "noi", "j": "gi", "bn": "bao nhieu",
    "mik": "minh", "mk": "minh", "ntn": "the nao", "vs": "voi", "ng": "nguoi", "cx": "cung",
}

# Folded words the rules read: a token one letter away from exactly one of
# them (and not itself a word here) is corrected ("hoanf" → "hoan", "xongg" → "xong").
_VOCAB = frozenset(
    """
    xong hoan thanh tat da roi duoc dat tien do phan tram chua khong sap gan mot cap nhat
    gia han xin them thoi gian ngay tuan thang nam lui doi keo dai hoan cho den het cuoi dau
    dong y duyet chap thuan nhat tri tu choi dung dieu chinh de nghi kinh mong
    cam on vang ok nhan ro biet anh chi em minh toi chung ban lanh dao
    sao bao nhieu nao gi the nhu viec nhiem vu cong ho so diem cchc qua tre
    dang trinh ky gui nop ban trien khai thuc hien hop phoi voi chuyen done finished completed
    thong tin danh sach mai kia chu nhat bot admin nhe nha
    """.split()
)

_EMOJI_THANKS = re.compile("[\U0001F44D\U0001F44C\U0001F64F\u2764\U0001F60A\U0001F600\U0001F642\U0001F970\U0001F917\u263A\U0001F44F\U0001F495\U0001F339\U0001F490]")
_EMOJI_ANY = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F\u200D]")

# A percentage as typed: optional sign, a number with a decimal comma or dot, then % or "phần trăm".
_PERCENT = re.compile(r"(?<![\w.,])([-+−–]?)\s*(\d{1,4}(?:[.,]\d{1,2})?)\s*(?:%|phan tram\b|pt\b)")
# A number glued to letters before a percent sign: "8o%", "8O%", "l00%", "50o%".
_MALFORMED_PERCENT = re.compile(r"(?<![a-z])(?:\d+[a-z]+\d*|[a-z]+\d+[a-z]*)\s*%|%\s*%|\d+\s*%\s*\d+\s*%(?=\s*$)")
_BARE_NUMBER = re.compile(r"^\s*[-+]?\d{1,4}(?:[.,]\d+)?\s*[.!]*\s*$")
# Words that make a lone number a figure of something else: "thêm 5 ngày", "3 văn bản".
_DONE = re.compile(
    r"\b(?:(?:da|vua|moi)\s+)?(?:lam\s+|thuc hien\s+|giai quyet\s+|trien khai\s+)?(?:xong|hoan thanh|hoan tat|done|finished|completed)\b"
)
_NOT_DONE = re.compile(
    r"\b(?:chua|khong|sap|gan|chuan bi|se|du kien|mot phan|1 phan|phan lon|co gang|mong|hy vong|hi vong|truoc khi)\s+"
    r"(?:(?:\w+\s+){0,2})(?:xong|hoan thanh|hoan tat)\b"
    r"|\b(?:xong|hoan thanh|hoan tat)\s+(?:mot phan|1 phan|phan lon|buoc|giai doan|du thao|ban)\b"
    r"|\b(?:xong|hoan thanh|hoan tat)\s+(?:\w+\s+){0,4}(?:chua|khong)\s*$"
    r"|\bdang\s+(?:\w+\s+){0,2}(?:hoan thanh|hoan thien)\b"
)

_LEADER_LEAD = r"^(?:(?:vang|ok|da|u|uh|anh|chi|toi|minh|em)\s+){0,3}"
_APPROVE = re.compile(
    _LEADER_LEAD + r"(?:dong y|dong y cho|duyet|chap thuan|nhat tri|ok duyet|cho phep|ok dong y|thong nhat|approve|approved)\b"
    r"|\b(?:dong y|duyet|chap thuan|nhat tri|thong nhat|cho phep)\s+(?:cho\s+)?(?:\w+\s+){0,3}(?:gia han|lui han|keo dai|dieu chinh han)\b"
    r"|^(?:ok|vang|u|da)(?:\s+(?:anh|chi|em|toi|minh))?\s+(?:duyet|cho gia han|gia han)\b"
)
_REFUSE = re.compile(
    _LEADER_LEAD + r"(?:khong|chua)\s+(?:the\s+)?(?:dong y|duyet|c?h?ap thuan|nhat tri|dong y duoc|cho phep|cho gia han|gia han|chap nhan)\b"
    r"|" + _LEADER_LEAD + r"(?:tu choi|bac|reject|rejected|refuse|refused|khong duoc|ko duoc)\b"
    r"|\b(?:khong|chua)\s+(?:the\s+)?(?:dong y|duyet|chap thuan|cho phep|chap nhan)\s+(?:\w+\s+){0,3}(?:gia han|lui han|keo dai|de nghi)\b"
    r"|\btu choi\s+(?:\w+\s+){0,3}(?:gia han|de nghi|yeu cau)\b"
)
# A request, not an answer: "xin/đề nghị/mong … đồng ý" reads as asking.
_ASKING = re.compile(r"\b(?:xin|de nghi|kinh de nghi|mong|kinh mong|nho|kinh trinh|trinh)\b")

_EXTENSION = re.compile(
    r"\b(?:gia han|gian han|lui han|doi han|dich han|ket han|extend|extension)\b"
    r"|\b(?:xin|cho|de nghi|can|mong)\s+(?:\w+\s+){0,3}(?:them|lui|doi|keo dai|dieu chinh)\s+(?:\w+\s+){0,2}"
    r"(?:thoi gian|thoi han|han|ngay|tuan|thang|\d+|mot|hai|ba|bon|nam)\b"
    r"|\b(?:keo dai|dieu chinh|lui|doi|dich)\s+(?:\w+\s+){0,2}(?:thoi han|han chot|han|deadline|thoi gian)\b"
    r"|\b(?:xin|de nghi|cho)\s+(?:\w+\s+){0,2}(?:lui|hoan|cham)\s+(?:lai\s+)?(?:den|toi|sang|qua)\b"
    r"|\b(?:xin|de nghi|cho|mong)\s+(?:\w+\s+){0,3}(?:nop|bao cao|hoan thanh|xong|gui)\s+(?:\w+\s+){0,2}(?:cham|tre|muon)\s+(?:hon\s+)?(?:den|toi|sang|qua|\d)"
    r"|\bthem\s+(?:\d+|mot|hai|ba|bon|nam|vai)\s+(?:ngay|tuan|thang)\b"
)

_QUESTION_WORDS = re.compile(
    r"\b(?:bao nhieu|bao gio|khi nao|luc nao|the nao|ra sao|tai sao|vi sao|o dau|nhu the nao|lam sao|co phai"
    r"|nhung (?:viec|nhiem vu|ho so)|(?:viec|nhiem vu|ho so|phong|don vi) nao|nao (?:con|chua|qua|tre|sap)"
    r"|liet ke|danh sach|thong ke|cho (?:toi|minh|em|anh|chi) (?:biet|xem|hoi)|hoi chut|con may|may (?:viec|nhiem vu|ho so))\b"
    r"|\b(?:chua|khong|ha|a|nhi|khong a|chua a|chua vay|khong vay)\s*$"
    r"|\b(?:gi|nao|sao|may|ai)\s*(?:vay|the|a|ha|nhi)?\s*$"
)
# A note that ends in "chưa"/"không" is a question only if it asks about something.
_NEGATION_INSIDE = re.compile(r"\b(?:chua|khong)\b(?=\s+\w)")
# A line that starts with what is asked about reads as a question: "việc quá hạn của Chi cục".
_NOUN_FIRST = re.compile(r"^(?:cac\s+)?(?:viec|nhiem vu|cong viec|ho so|diem|chi so|thong ke|so lieu|tinh hinh|danh sach)\b")
_STATEMENT_END = re.compile(r"\b(?:da|roi|dang|van|vua|moi|xong)\b.*\b(?:chua|khong)\s*$")

_THANKS_WORDS = frozenset(
    """
    ok vang da u uh um cam on bot ad admin nhieu rat a anh chi em minh toi ban nhe nha a ah oh nhan duoc roi ro biet
    thanks thank you cam on xin chao ok nha nhe a an ay sep lanh dao dong chi kinh gui ha hi hihi hehe
    the ay vay oki tot qua hay good great noted ghi nhan nhan dc da nhan thong tin tin nhan la
    """.split()
)
_THANKS_CORE = re.compile(
    r"\b(?:ok|cam on|thanks|thank you|vang|da|noted|ghi nhan|nhan duoc|da nhan|ro roi|da ro|biet roi|hihi|u)\b"
)
_WORD = re.compile(r"[a-z]+|\d+")


#: Why a figure was not taken: the person is asked again, and nothing changes.
MALFORMED, OUT_OF_RANGE = "malformed percentage", "percentage out of range"


@dataclass(frozen=True)
class ReplyIntent:
    """One understood reply; ``why`` says which rule decided (for --explain)."""

    intent: str
    percent: float | int | None = None
    until: date | None = None
    why: tuple[str, ...] = field(default_factory=tuple)

    @property
    def bad_figure(self) -> bool:
        """A percentage was written but cannot be trusted ("8o%", "-5%", "180%")."""
        return self.intent == "unclear" and bool(self.why) and self.why[0] in (MALFORMED, OUT_OF_RANGE)

    def to_json(self) -> dict[str, Any]:
        """The contract object: exactly intent, percent, until."""
        return {"intent": self.intent, "percent": self.percent, "until": self.until.isoformat() if self.until else None}

    def explained(self) -> dict[str, Any]:
        """The contract object plus the rules that decided it (contract keys first)."""
        return {**self.to_json(), "matched": list(self.why)}


def parse_replies(lines: list[str], now: datetime) -> list[dict[str, Any]]:
    """``ask --reply --batch FILE``: one contract object per line, in order (blank lines included)."""
    return [parse_reply(line.rstrip("\n"), now).to_json() for line in lines]


def _number(text: str) -> float | int:
    value = float(text.replace(",", "."))
    return int(value) if value.is_integer() else value


@lru_cache(maxsize=4096)
def _fix(token: str) -> str:
    """Shorthand expansion, Telex leftovers and one-letter slips, for one folded token."""
    if token in _SHORTHAND:
        return _SHORTHAND[token]
    if token in _VOCAB or token in COMMON_WORDS or not token.isalpha() or len(token) < 3:
        return token
    if token[-1] in "jfsrxw" and token[:-1] in _VOCAB:  # Telex tone key left at the end: "xongf"
        return token[:-1]
    hits = [w for w in _VOCAB if len(w) >= 3 and abs(len(w) - len(token)) <= 1 and OSA.distance(token, w, score_cutoff=1) <= 1]
    return hits[0] if len(hits) == 1 else token


def folded(text: str) -> str:
    """Folded text with only letters, digits, spaces and the signs a figure or date needs."""
    key = aligned_fold(text[:1000])
    key = re.sub(r"[^a-z0-9%,./\-+−–\s]", " ", key)
    return re.sub(r"(?<!\d)[,.]|[,.](?!\d)", " ", key)


# Two-word phrases the rules hinge on: a slip in one word is forgiven when the
# other is right ("hàn thành" → "hoàn thành", "nhtấ trí" → "nhất trí").
_PHRASES = (("hoan", "thanh"), ("nhat", "tri"), ("cam", "on"), ("ghi", "nhan"), ("bao", "cao"), ("dong", "y"),
            ("gia", "han"), ("thong", "tin"), ("nhan", "duoc"), ("chap", "thuan"), ("tien", "do"), ("tuan", "sau"))


def _near(word: str, target: str) -> bool:
    return word == target or (len(target) >= 3 and OSA.distance(word, target, score_cutoff=1) <= 1)


def canonical(key: str) -> str:
    """Shorthand expanded and slips corrected, word by word ("xong80%" → "xong 80%")."""
    key = re.sub(r"(?<=[a-z]{2})(?=\d)", " ", key)
    words = [_fix(t) if t.isalpha() else t for t in key.split()]
    for i in range(len(words) - 1):
        a, b = words[i], words[i + 1]
        for first, second in _PHRASES:
            if (a == first) != (b == second) and _near(a, first) and _near(b, second):
                words[i], words[i + 1] = first, second
                break
    return " ".join(words)


_POLITE_HEAD = re.compile(
    r"^(?:(?:da|vang|thua)\s+)*(?:(?:kinh\s+)?(?:gui|thua|chao|bao cao)|em\s+(?:xin\s+)?(?:chao|bao cao|kinh gui))\s+"
    r"(?:(?:anh|chi|lanh dao|van phong|so|sep|ban|giam doc|pho giam doc|dong chi|bot|ad|admin)\s*)+"
)
_POLITE_TAIL = re.compile(
    r"\s*(?:(?:em|toi|minh)\s+)?(?:xin\s+)?(?:tran trong\s+)?(?:cam on|kinh mong\s+(?:\w+\s+){0,3}quan tam)"
    r"(?:\s+(?:anh|chi|nhieu|a|lanh dao|nhe|rat))*\s*$"
)
_STRONG_QUESTION = re.compile(r"^(?:cho\s+(?:em|minh|toi|anh|chi|e)\s+hoi|hoi\s+chut|lam sao|lam the nao|tai sao|vi sao|bao gio|khi nao|o dau)\b|\b(?:da|duoc)\s+gia han\s+(?:\w+\s+){0,2}chua\b")


def strip_polite(key: str) -> str:
    """The message without its greeting and closing ("Dạ kính gửi anh, … Em xin cảm ơn ạ."), if anything is left."""
    inner = _POLITE_TAIL.sub("", _POLITE_HEAD.sub("", key)).strip()
    return inner or key


def _is_question(text: str, key: str, now: datetime) -> bool:
    """A question mark, an asking word, or what the question parser reads as a question about data."""
    if "?" in text or "？" in text:
        return True
    if _QUESTION_WORDS.search(key) and not _STATEMENT_END.search(key):
        return True
    from handlers.query import parse
    from handlers.query.grammar import is_question as query_words

    q = parse(text, now)
    if q.subject not in {"task", "dossier", "score", "digest", "help"} or _STATEMENT_END.search(key):
        return False
    # "chưa"/"không" before a verb is a negation ("chưa xong, đang chờ ký"), not a question word.
    asked = _NEGATION_INSIDE.sub(" ", q.normalised)
    statement = re.search(r"\b(?:da|vua|moi|dang|roi)\b", key)
    if q.subject in {"digest", "help"} and not statement:
        return True
    return query_words(asked) or (not statement and bool(_NOUN_FIRST.match(key)))


def _is_thanks(text: str, key: str) -> bool:
    """Only acknowledgement words, pronouns and friendly emoji; nothing to file."""
    words = _WORD.findall(key)
    if not words:
        return bool(_EMOJI_THANKS.search(text))
    if len(words) > 12 or any(w.isdigit() for w in words):
        return False
    if not all(w in _THANKS_WORDS for w in words):
        return False
    return bool(_THANKS_CORE.search(key)) or bool(_EMOJI_THANKS.search(text))


def read_percent(text: str) -> tuple[float | int | None, bool]:
    """(the percentage, malformed?) of a progress message: "80,5%" → (80.5, False);
    "8o%", "-5%", "180%" → (None, True); no percentage → (None, False)."""
    raw_key = folded(text)
    if _MALFORMED_PERCENT.search(raw_key):
        return None, True
    found = list(_PERCENT.finditer(canonical(raw_key)))
    if not found:
        return None, False
    for m in found:
        if m.group(1) in ("-", "−", "–") or _number(m.group(2)) > 100:
            return None, True
    return _number(found[-1].group(2)), False


def parse_reply(text: str, now: datetime) -> ReplyIntent:
    """Understand one reply; never raises (an internal error is "unclear")."""
    try:
        return _parse(text if isinstance(text, str) else str(text), now)
    except Exception as exc:  # noqa: BLE001 - a chat message must never crash the bot
        return ReplyIntent("unclear", why=(f"parser error: {type(exc).__name__}",))


def _parse(text: str, now: datetime) -> ReplyIntent:
    raw_key = folded(text)
    plain = strip_polite(canonical(raw_key))
    today = now.date()
    if not plain and not _EMOJI_ANY.search(text):
        return ReplyIntent("unclear", why=("empty",))

    # 1. A leader's answer to a request (dates in it are not proposals).
    asking = _ASKING.search(plain)
    if _REFUSE.search(plain) and not (asking and asking.start() < _REFUSE.search(plain).start()):
        return ReplyIntent("refuse", why=("refusal words",))
    if _APPROVE.search(plain) and not (asking and asking.start() < _APPROVE.search(plain).start()):
        return ReplyIntent("approve", why=("approval words",))

    if _STRONG_QUESTION.search(plain):
        return ReplyIntent("question", why=("asks about a request",))

    # 2. A request for more time, with the proposed date if one is given.
    if _EXTENSION.search(plain):
        found = read_date(plain, today)
        return ReplyIntent("extension", None, found.value if found else None,
                           why=("extension words", f"date ← {found.rule}" if found else "no end date"))

    # 3. A figure that cannot be trusted changes nothing.
    if _MALFORMED_PERCENT.search(raw_key):
        return ReplyIntent("unclear", why=(MALFORMED,))
    percents = list(_PERCENT.finditer(plain))
    for m in percents:
        if m.group(1) in ("-", "−", "–") or _number(m.group(2)) > 100:
            return ReplyIntent("unclear", why=(OUT_OF_RANGE,))
    if _BARE_NUMBER.match(plain):
        return ReplyIntent("unclear", why=("bare number",))

    # 4. A question is answered, not filed (a figure with no question mark is a report).
    if (not percents or "?" in text or "bao nhieu" in plain) and _is_question(text, plain, now):
        return ReplyIntent("question", why=("question",))

    # 5. A percentage: the last one written is the new figure ("từ 50% lên 80%"); 100 is done.
    if percents:
        value = _number(percents[-1].group(2))
        if value == 100:
            if _NOT_DONE.search(plain) or re.search(r"\b(?:chua|khong)\s+(?:dat\s+|duoc\s+)?100", plain):
                return ReplyIntent("note", why=("100% negated",))
            return ReplyIntent("done", 100, why=("100%",))
        return ReplyIntent("progress", value, why=("percentage",))

    # 6. Completion in words.
    if _DONE.search(plain) and not _NOT_DONE.search(plain):
        return ReplyIntent("done", 100, why=("completion words",))

    # 7. Acknowledgement only.
    if _is_thanks(text, plain):
        return ReplyIntent("thanks", why=("acknowledgement",))

    # 8. Anything with words is a note; a scrap is unclear.
    words = [w for w in _WORD.findall(plain) if not w.isdigit()]
    if len(words) >= 2 or (len(words) == 1 and len(words[0]) >= 6):
        return ReplyIntent("note", why=("text without a percentage",))
    return ReplyIntent("unclear", why=("too short to file",))
