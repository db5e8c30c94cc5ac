"""Director's conclusion (Kết luận) → draft tasks for the office to confirm.

Pipeline: re-join wrapped lines (:mod:`layout`), read the header (number,
date, signer, title), build the numbering tree of the body (:mod:`outline`),
turn each leaf item of a task section into a task, then let the "Phân công"
paragraphs assign persons and units to the items they name.

Decisions (the contract in ``ConclusionDraft.to_json`` is what callers rely on):

* Units of a task are those named as the *subject* of a clause ("Giao Văn
  phòng Sở, …", "Thanh tra Sở và Chi cục … thực hiện"), not every unit the
  text mentions ("gửi hồ sơ về Chi cục …" names a recipient).
* Persons are kept by name and counted for their unit (known persons of the
  org file, else the unit in their title: "Chi cục trưởng Chi cục TĐC …",
  "… phụ trách Trung tâm Ứng dụng"). Deputy directors direct the work; the
  leadership unit (BGD) is a lead unit only when no other unit is named.
* ``all_units`` is true when the item or its assignment addresses every unit
  ("các phòng, đơn vị", "Thủ trưởng các phòng, đơn vị"); with named lead units
  it means "all other units support". Units are never expanded to a list.
* The date is the issue date ("Quảng Ngãi, ngày 27 tháng 5 năm 2021"). When
  the text has none (seed 000, extracted from a PDF without its header), the
  meeting date of the opening paragraph is used and a warning says so; its
  year also resolves "trước ngày 30/6".
* Background and evaluation sections ("Đánh giá kết quả", "Tồn tại, hạn chế",
  "Kết quả đạt được", …) produce no tasks.
"""

from __future__ import annotations

import bisect
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from handlers.tasks.importers import layout
from handlers.tasks.importers.ocr_repair import repair_ocr
from handlers.tasks.importers.restore import lacks_diacritics, restore
from handlers.tasks.importers.outline import VN_LETTERS, Node, OutlineBuilder
from handlers.tasks.importers.periods import (
    find_deadline,
    find_recurrence,
    find_target,
    has_explicit_date,
    is_ongoing,
)
from handlers.text.textkeys import aligned_key, ocr_key
from handlers.query.units import LEADERSHIP_CODE, Mention, UnitMatcher, matcher_for
from handlers.text.fold import fold
from models.org_file import OrgSpec, default_org

log = logging.getLogger(__name__)

_BODY_START = re.compile(r"(?:ket luan|chi dao|y kien chi dao|thong bao)(?: [a-z]+){0,3} nhu sau\s*:?\s*$|ket luan\s*:\s*$")
_BACKGROUND = (
    "danh gia", "ket qua", "nhung ket qua", "ton tai", "han che", "tinh hinh", "nguyen nhan", "kho khan",
    "uu diem", "nhung mat", "bai hoc", "mat dat duoc", "diem so", "thu hang", "xep hang", "chi so dat duoc",
    "ve ket qua", "cong tac da thuc hien", "nhung viec da lam",
)
# a heading that assigns work holds tasks even when it also names results ("Kết quả và nhiệm vụ …")
_ASSIGNING_HEADING = re.compile(r"nhiem vu|giai phap|(?<![a-z])giao(?![a-z])|to chuc thuc hien|de nghi|phan cong|yeu cau|chi dao")
_ASSIGNMENT = re.compile(r"^(?:phan cong|to chuc thuc hien\s*:?$|trach nhiem thuc hien|giao nhiem vu\s*:)")
_URGENT = re.compile(r"(?<![a-z])khan truong(?![a-z])")
_PROVINCE_ASSIGNED = re.compile(r"nhiem vu (?:duoc |do )?(?:chu tich )?(?:ubnd|uy ban nhan dan) tinh giao")
_FOLLOW_UP = re.compile(r"lam dau moi|theo doi,? don doc|don doc,? theo doi")
_CLOSING = re.compile(r"^(?:tren day la|noi nhan|nhan duoc (?:van ban|cong van) nay)")
# In a province letter the Sở itself and other agencies are the subjects.
_OUR_DEPARTMENT = re.compile(r"(?<![a-z])so (?:khoa hoc (?:va |& ?)?cong nghe|kh ?& ?cn|khcn)(?![a-z])")
_AGENCY = re.compile(
    r"(?<![a-z])(?:(?:ubnd|uy ban nhan dan) (?:cac huyen, thi xa, thanh pho|cac huyen, thi xa|tinh)"
    r"|van phong (?:ubnd|uy ban nhan dan) tinh|cong an tinh|bo chi huy quan su tinh)(?![a-z])"
)
_AGENCY_HEAD = re.compile(r"(?<![a-z])(?:so|bo|ban|cuc) (?=\S)")
_BOUNDARY = re.compile(r"[.;:,()\n]")
_LEAD_IN = re.compile(
    r"^[\s\-–+•]*(?:(?:giao(?: cho)?|de nghi|yeu cau|dong thoi|phoi hop(?: voi)?|don vi (?:chu tri|phoi hop)(?: tham muu)?"
    r"|(?:to chuc, )?ca nhan chu tri(?: tham muu)?)\s*:?\s*)*"
    r"(?:(?:pho\s+)?(?:thu truong|truong|chanh|lanh dao|giam doc)\s+)?$"
)
_GAP = re.compile(
    r"^[\s,&/\-–]*(?:(?:va|cung|voi|cung voi)\s+)?(?:(?:pho\s+)?(?:thu truong|truong|chanh|lanh dao|giam doc)\s+)?$"
)
_MAX_GAP = 60  # "…, và Trưởng " between two subjects of one chain
_MAX_LEAD_IN = 160  # "Giao cho Thủ trưởng " before a subject
_MAX_SENTENCE = 400  # how far back "chủ trì"/"phối hợp" can govern a subject
_POINTS = re.compile(
    r"(?:tai|noi dung|thuc hien|cac)\s+(?:cac\s+)?(?:noi dung\s+)?(?:tai\s+)?(?:diem|muc|khoan)\s+"
    r"((?:[a-z0-9]{1,2}\s*(?:,|;|va|-|–|den)\s*)*[a-z0-9]{1,2})(?![a-z0-9])"
)


@dataclass
class DocInfo:
    number: str | None = None
    date: date | None = None
    signer: str | None = None
    title: str | None = None


@dataclass
class TaskDraft:
    """One proposed task; the office confirms or edits it before saving."""

    ref: str
    content: str
    lead_units: list[str] = field(default_factory=list)
    support_units: list[str] = field(default_factory=list)
    all_units: bool = False
    persons: list[str] = field(default_factory=list)
    deadline: date | None = None
    recurrence: str | None = None
    target: str | None = None
    urgent: bool = False  # "khẩn trương"
    origin: str = "internal"  # "ubnd": assigned by the province (scored separately in the index)
    unassigned: bool = False  # the office confirmed "không giao" for an item that names no unit
    low_confidence: bool = False  # read from OCR lines the engine was unsure of

    def to_json(self) -> dict:
        return {
            "ref": self.ref,
            "content": self.content,
            "lead_units": list(self.lead_units),
            "support_units": list(self.support_units),
            "all_units": self.all_units,
            "persons": list(self.persons),
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "recurrence": self.recurrence,
            "target": self.target,
            "urgent": self.urgent,
            "origin": self.origin,
            "unassigned": self.unassigned,
            "low_confidence": self.low_confidence,
        }

    @property
    def needs_unit(self) -> bool:
        """Names nobody and the office has not confirmed "không giao": cannot be saved yet."""
        return not (self.lead_units or self.all_units or self.unassigned)


@dataclass
class ConclusionDraft:
    doc: DocInfo
    tasks: list[TaskDraft] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # for the office, not part of the JSON contract

    def to_json(self) -> dict:
        return {
            "doc": {
                "number": self.doc.number,
                "date": self.doc.date.isoformat() if self.doc.date else None,
                "signer": self.doc.signer,
                "title": self.doc.title,
            },
            "tasks": [t.to_json() for t in self.tasks],
        }


@dataclass
class Assignment:
    """Who does it and when, as one clause or "Phân công" paragraph says."""

    lead: list[str] = field(default_factory=list)
    support: list[str] = field(default_factory=list)
    all_units: bool = False
    persons: list[str] = field(default_factory=list)
    deadline: date | None = None
    recurrence: str | None = None

    def names_anyone(self) -> bool:
        return bool(self.lead or self.support or self.all_units or self.persons)


# -- public entry point -----------------------------------------------------------------
def parse_conclusion(text: str, org: OrgSpec | None = None, *, strict: bool = False) -> ConclusionDraft:
    """Parse a conclusion; never raises (an unreadable text gives no tasks and a warning).

    ``strict`` lets a crash through: the property tests use it, so a parser
    that fails on some input fails the test instead of hiding behind the
    safety net the office relies on.
    """
    if strict:
        return _Parser(text or "", org or default_org()).parse()
    try:
        return _Parser(text or "", org or default_org()).parse()
    except Exception:  # the office must always get a draft to correct, never a crash
        log.exception("conclusion parser failed")
        return ConclusionDraft(DocInfo(), [], ["Không phân tích được văn bản; vui lòng nhập nhiệm vụ thủ công."])


class _Parser:
    def __init__(self, text: str, org: OrgSpec) -> None:
        self.text = repair_ocr(text)
        self.matcher: UnitMatcher = matcher_for(org)
        self.warnings: list[str] = []
        self.year: int | None = None
        self.doc_date: date | None = None
        self.tasks: list[tuple[Node, TaskDraft]] = []
        self.assignments: list[tuple[Node, Node]] = []  # (assignment node, scope node)
        self.bullet_tasks = 0
        self.directive = False  # a letter of UBND tỉnh assigning work to the Sở
        self.stripped = lacks_diacritics(self.text[:5000])  # read without diacritics (OCR without the vie model)
        self.header_lines: list[str] = []
        self.department = org.short_name or "Sở KH&CN"

    def parse(self) -> ConclusionDraft:
        paras = layout.paragraphs(self.text)
        title, after_title = layout.find_title(paras)
        body_start = self._body_start(paras, after_title)
        doc = self._doc_info(paras, body_start, title)
        self.directive = layout.is_province_letter(self.header_lines, doc.number)
        if self.directive and not doc.title:
            doc.title = layout.find_subject_line(self.header_lines)
        self.year = doc.date.year if doc.date else _common_year(self.text)
        self.doc_date = doc.date
        root = self._outline(paras[body_start:])
        self._collect(root, Assignment())
        self._apply_assignments()
        tasks = [_finish(t) for _, t in self.tasks]
        if self.directive:
            for t in tasks:
                t.origin = "ubnd"  # "UBND tỉnh giao": scored separately in the index
        return ConclusionDraft(doc, tasks, self.warnings)

    # -- header ------------------------------------------------------------------
    def _body_start(self, paras: list[layout.Paragraph], after_title: int) -> int:
        for i in range(after_title, len(paras)):
            if _BODY_START.search(fold(paras[i].text)):
                return i + 1
        for i in range(after_title, len(paras)):
            if layout.MARKER.match(paras[i].text) and not paras[i].text.startswith(("-", "–", "+", "•")):
                return i
        return len(paras)

    def _doc_info(self, paras: list[layout.Paragraph], body_start: int, title: str | None) -> DocInfo:
        lines = [layout.clean_line(x)[0] for x in self.text.splitlines()]
        lines = [x for x in lines if x]
        header = lines[:40]
        if body_start < len(paras):
            marker = aligned_key(paras[body_start].text[:30])
            cut = next((i for i, x in enumerate(lines) if aligned_key(x[:30]) == marker), None)
            header = lines[: min(cut, 40)] if cut else header
        self.header_lines = header
        issued = layout.find_issue_date(header)
        if issued is None:
            issued = layout.find_meeting_date([p.text for p in paras[:body_start]])
            if issued is not None:
                self.warnings.append(
                    f"Văn bản không ghi ngày ban hành; tạm lấy ngày họp {issued:%d/%m/%Y}, vui lòng kiểm tra."
                )
        return DocInfo(layout.find_number(header), issued, layout.find_signer(lines[-40:]), title)

    # -- body ----------------------------------------------------------------------
    def _outline(self, paras: list[layout.Paragraph]) -> Node:
        builder = OutlineBuilder()
        for p in paras:
            key = fold(p.text)
            if _CLOSING.match(key) or (len(key) < 60 and layout._SIGN_TITLE.search(key)):
                break
            node = None if p.table else builder.add_item(p.text)
            if node is not None:
                if p.text.rstrip().endswith("./."):
                    break
                continue
            if re.match(r"^phan cong\b", key) and len(builder.stack) > 1:
                builder.add_assignment(p.text)
            else:
                builder.add_text(p.text)
            if p.text.rstrip().endswith("./.") and not p.table:
                break  # the closing sentence still belongs to the item it ends
        return builder.root

    def _collect(self, node: Node, inherited: Assignment) -> None:
        bullets_are_tasks = node.kind == "root"
        for child in node.children:
            if child.kind == "bullet" and not bullets_are_tasks:
                continue
            key = fold(child.text)
            if _is_background(key):
                continue
            closing_part = node.kind == "root" and child.kind == "roman" and not _points(" ".join(child.extra))
            if child.kind == "assign" or (_ASSIGNMENT.match(key) and not closing_part):
                self.assignments.append((child, node))
                continue
            numbered = [c for c in child.children if c.kind != "bullet"]
            if numbered:
                self._collect(child, _inherit(self._analyse(child.text), inherited))
            else:
                self.tasks.append((child, self._task(child, inherited)))

    def _task(self, node: Node, inherited: Assignment) -> TaskDraft:
        lines = [node.text, *node.extra, *_bullet_lines(node)]
        content = "\n".join(x for x in lines if x).strip()
        if self.stripped:
            content = restore(content, self.matcher)  # the office reads "Văn phòng Sở", not "Van phong So"
        own = _inherit(self._analyse(content), inherited)
        if not node.ref:
            self.bullet_tasks += 1
        ref = node.ref or f"-{self.bullet_tasks}"
        return TaskDraft(
            ref=ref,
            content=content,
            lead_units=own.lead,
            support_units=own.support,
            all_units=own.all_units,
            persons=own.persons,
            deadline=own.deadline,
            recurrence=own.recurrence,
            target=find_target(content),
            urgent=bool(_URGENT.search(aligned_key(content))),
            origin="ubnd" if _PROVINCE_ASSIGNED.search(fold(content)) else "internal",
        )

    def _analyse(self, text: str, default_role: str = "lead") -> Assignment:
        """Subjects, deadline and rhythm of one item or assignment text."""
        out = Assignment()
        plain = re.sub(r"\([^()]*\)", lambda m: " " * len(m.group()), text)
        mentions = self.matcher.mentions(plain)
        if self.directive:
            mentions = self._with_agencies(plain, mentions)
        for role, chain in _subject_chains(plain, mentions, default_role):
            target = out.lead if role == "lead" else out.support
            for m in chain:
                if m.kind == "all":
                    out.all_units = True
                elif m.kind == "person":
                    _add(out.persons, m.person)
                    if m.code:
                        _add(target, m.code)
                else:
                    _add(target, m.code or m.text)
        out.recurrence = find_recurrence(text)
        ongoing = is_ongoing(text)
        if not (ongoing or out.recurrence) or has_explicit_date(text):
            out.deadline = find_deadline(text, self.year, self.doc_date)
        return out

    def _with_agencies(self, text: str, mentions: list[Mention]) -> list[Mention]:
        """Add the Sở itself and other agencies a province letter names as subjects."""
        key = ocr_key(text)
        extra = [Mention(m.start(), m.end(), "unit", None, self.department) for m in _OUR_DEPARTMENT.finditer(key)]
        extra += [Mention(m.start(), m.end(), "unit", None, text[m.start() : m.end()]) for m in _AGENCY.finditer(key)]
        for m in _AGENCY_HEAD.finditer(key):
            end = _capitalised_run(text, m.end())
            if end > m.end():
                extra.append(Mention(m.start(), end, "unit", None, text[m.start() : end]))
        out: list[Mention] = []
        for m in sorted(extra, key=lambda x: (x.start, -(x.end - x.start))):
            if not any(m.start < o.end and o.start < m.end for o in out):
                out.append(m)
        out += [m for m in mentions if not any(m.start < o.end and o.start < m.end for o in out)]
        return sorted(out, key=lambda x: x.start)

    # -- "Phân công" -------------------------------------------------------------------
    def _apply_assignments(self) -> None:
        """Each "Phân công" applies to the tasks of its scope outside any assignment.

        Tasks are indexed once by their ancestors, so this is linear in
        (tasks × depth) rather than (assignments × tasks).
        """
        assign_ids = {id(a) for a, _ in self.assignments}
        by_ancestor: dict[int, list[tuple[Node, TaskDraft]]] = {}
        for n, t in self.tasks:
            chain = []
            node: Node | None = n
            while node is not None:
                chain.append(id(node))
                node = node.parent
            if assign_ids.intersection(chain):
                continue
            for ancestor in chain:
                by_ancestor.setdefault(ancestor, []).append((n, t))
        for assign_node, scope in self.assignments:
            self._assign(assign_node, by_ancestor.get(id(scope), []), "lead")

    def _assign(self, node: Node, scope_tasks: list[tuple[Node, TaskDraft]], role: str) -> None:
        texts = [part for text in (node.text, *node.extra) for part in re.split(r"(?<=[;.])\s+", text)]
        named = False
        for text in texts:
            a = self._analyse(text, role)
            if not a.names_anyone():
                continue
            named = True
            points = _points(text)
            targets = [t for n, t in scope_tasks if not points or n.label in points]
            follows_up = bool(_FOLLOW_UP.search(fold(text)))
            for task in targets:
                if follows_up and task.all_units and not task.lead_units:
                    # "Giao Văn phòng Sở làm đầu mối, theo dõi, đôn đốc": every unit does the
                    # work, the named unit only follows up — it supports, it does not lead
                    a = Assignment(support=a.lead + a.support, persons=a.persons,
                                   deadline=a.deadline, recurrence=a.recurrence)
                _merge(task, a)
        key = fold(node.text)
        child_role = role
        if not named:
            if "phoi hop" in key:
                child_role = "support"
            elif "chu tri" in key:
                child_role = "lead"
        for child in node.children:
            self._assign(child, scope_tasks, child_role)


# -- helpers -------------------------------------------------------------------------------
def _add(items: list[str], value: str | None) -> None:
    if value and value not in items:
        items.append(value)


def _inherit(own: Assignment, parent: Assignment) -> Assignment:
    if not own.names_anyone():
        own.lead, own.support = list(parent.lead), list(parent.support)
        own.all_units, own.persons = parent.all_units, list(parent.persons)
    own.deadline = own.deadline or parent.deadline
    own.recurrence = own.recurrence or parent.recurrence
    return own


def _merge(task: TaskDraft, a: Assignment) -> None:
    task.lead_units = a.lead + [u for u in task.lead_units if u not in a.lead]
    for u in a.support:
        _add(task.support_units, u)
    task.all_units = task.all_units or a.all_units
    for p in a.persons:
        _add(task.persons, p)
    task.deadline = task.deadline or a.deadline
    task.recurrence = task.recurrence or a.recurrence


def _finish(task: TaskDraft) -> TaskDraft:
    """Leadership directs rather than leads; supporting units exclude lead units."""
    for units in (task.lead_units, task.support_units):
        if LEADERSHIP_CODE in units and (len(units) > 1 or task.all_units or units is task.support_units):
            units.remove(LEADERSHIP_CODE)
    if not task.lead_units and LEADERSHIP_CODE in task.support_units:
        task.support_units.remove(LEADERSHIP_CODE)
    task.support_units = [u for u in task.support_units if u not in task.lead_units]
    return task


def _capitalised_run(text: str, start: int) -> int:
    """End of "Nội vụ", "Tài chính", "Giáo dục và Đào tạo": a capitalised name (lower-case words after the first)."""
    end = start
    for n, w in enumerate(re.finditer(r"[^\s,;.:()]+", text[start : start + 80])):
        word = w.group()
        if n == 0 and not word[:1].isupper():
            return start
        if n and text[start + w.start() - 1] != " ":
            break
        if n and fold(word) in ("va", "&"):
            following = re.match(r"\s*(\S)", text[start + w.end() : start + w.end() + 3])
            if following and following.group(1).isupper():
                continue  # "Sở Giáo dục và Đào tạo"
            break
        if n and (fold(word) in ("chu", "phoi", "thuc", "tham", "bao", "trien", "to", "khan", "lien", "co", "giao", "de")):
            break
        if n >= 4:
            break
        end = start + w.end()
    return end


def _is_background(key: str) -> bool:
    """An evaluation part (results, strengths, shortcomings, scores): no tasks under it."""
    key = re.sub(r"^ve\s+", "", key)
    return key.startswith(_BACKGROUND) and not _ASSIGNING_HEADING.search(key[:80])


def _inside(node: Node, ancestor: Node) -> bool:
    while node is not None:
        if node is ancestor:
            return True
        node = node.parent
    return False


def _bullet_lines(node: Node, depth: int = 0) -> list[str]:
    out: list[str] = []
    for child in node.children:
        if child.kind == "bullet":
            out.append("  " * depth + "- " + " ".join([child.text, *child.extra]).strip())
            out.extend(_bullet_lines(child, depth + 1))
    return out


def _subject_chains(text: str, mentions: list[Mention], default_role: str) -> list[tuple[str, list[Mention]]]:
    """Runs of mentions that open a clause: the ones the clause assigns work to.

    Clause and sentence boundaries are found once and looked up by bisection,
    and the text before a mention is read only as far back as a lead-in can
    reach, so a huge unpunctuated paragraph costs linear time.
    """
    key = ocr_key(text)
    newlines = [i + 1 for i, ch in enumerate(text) if ch == "\n"]  # the key turns them into spaces
    clause_ends = sorted([b.end() for b in _BOUNDARY.finditer(key)] + newlines)
    sentence_ends = sorted([b.end() for b in re.finditer(r"[.;]", key)] + newlines)
    chains: list[tuple[str, list[Mention]]] = []
    current: list[Mention] | None = None
    previous_end: int | None = None
    for m in mentions:
        if current and m.start - current[-1].end <= _MAX_GAP and _GAP.match(key[current[-1].end : m.start]):
            current.append(m)
            continue
        current = None
        i = bisect.bisect_right(clause_ends, m.start)
        boundary = clause_ends[i - 1] if i else 0
        if previous_end is not None and previous_end > boundary:
            boundary = previous_end  # "UBND các huyện, thị xã, thành phố phối hợp với Sở …"
        if m.start - boundary <= _MAX_LEAD_IN and _LEAD_IN.match(key[boundary : m.start]):
            current = [m]
            j = bisect.bisect_right(sentence_ends, m.start)
            sentence = max(sentence_ends[j - 1] if j else 0, m.start - _MAX_SENTENCE)
            before = key[sentence : m.start]
            after = key[m.end : m.end + 40]
            role = default_role
            if "phoi hop" in before:
                role = "support"
            elif "chu tri" in before:
                role = "lead"
            elif re.match(r"\s*phoi hop(?! voi)", after) and default_role == "lead":
                role = "support"
            chains.append((role, current))
        previous_end = m.end
    return chains


def _points(text: str) -> set[str]:
    """Labels named by "các nội dung tại điểm a, b, c, d, đ, e" (d,d → d,đ after OCR)."""
    plain = re.sub(r"\([^()]*\)", lambda m: " " * len(m.group()), text)
    m = _POINTS.search(aligned_key(plain))
    if not m:
        return set()
    tokens = re.findall(r"[a-zđ0-9]+|đến|den|-|–", plain[m.start(1) : m.end(1)].lower())
    labels: list[str] = []
    pending_range = False
    for tok in tokens:
        if tok in ("và", "va"):
            continue
        if tok in ("đến", "den", "-", "–"):
            pending_range = True
            continue
        if (tok == "d" and labels and labels[-1] == "d") or tok == "p":  # "đ" after OCR: d, d or p
            tok = "đ"
        if pending_range and labels and labels[-1] in VN_LETTERS and tok in VN_LETTERS:
            labels.extend(VN_LETTERS[VN_LETTERS.index(labels[-1]) + 1 : VN_LETTERS.index(tok) + 1])
        elif pending_range and labels and labels[-1].isdigit() and tok.isdigit():
            labels.extend(str(i) for i in range(int(labels[-1]) + 1, int(tok) + 1))
        else:
            labels.append(tok)
        pending_range = False
    return set(labels)


def _common_year(text: str) -> int | None:
    years = Counter(int(y) for y in re.findall(r"(?<!\d)(20\d\d)(?!\d)", text))
    return years.most_common(1)[0][0] if years else None
