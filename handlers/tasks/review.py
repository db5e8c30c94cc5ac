"""Files the office sends to the bot: a conclusion to review, a task list,
or a dossier export.

A conclusion is never saved blindly: the bot shows what it found, the office
may correct an item by replying ("mục 3: chủ trì Văn phòng, hạn 30/6/2026"),
then saves all. Spreadsheets are saved at once, with a per-row error list.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from handlers.core.context import Ctx
from handlers.people import permissions
from handlers.dossiers.store import processing_days, upsert_dossiers
from handlers.dossiers.export_reader import read_dossier_export
from handlers.display.format import calendar, short
from handlers.core.inputs import MAX_YEARS_AHEAD, beyond_horizon
from handlers.text.i18n import _, fmt_date, fmt_percent
from handlers.tasks.importers.conclusion import ConclusionDraft, DocInfo, TaskDraft, parse_conclusion
from handlers.tasks.importers.errors import ImportRejected
from handlers.tasks.importers.periods import find_deadline
from handlers.tasks.importers.readers import read_with_ocr
from handlers.text.dates import read_date
from handlers.tasks.importers.task_sheet import read_task_sheet
from handlers.query.units import matcher_for, org_for
from handlers.core.messages import Button, Reply
from handlers.core.state import get_state, set_state
from handlers.tasks.store import (
    VersionDiff, content_hash, diff_conclusion, find_conclusion, save_conclusion, save_task_rows, suggested_criterion,
)
from models.org_file import default_org

DOCUMENTS = (".txt", ".md", ".docx", ".pdf")
IMAGES = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp")
SHEETS = (".xlsx", ".xlsm", ".xls", ".csv")
STATE_KEY = "import_draft"
PAGE = 10


def may_import(ctx: Ctx) -> bool:
    return permissions.may_import(ctx.person)


def handle_file(ctx: Ctx) -> list[Reply]:
    """ATTACHMENTS fallback: a file that is not evidence for a reminder."""
    att = ctx.msg.attachment
    assert att is not None
    if not may_import(ctx):
        return [Reply(_("Only the Department Office can import documents. To attach evidence to a task, reply to its reminder with the file."))]
    name = (att.file_name or "").lower()
    limit = ctx.settings.max_file_mb * 1024 * 1024
    if (att.size or len(att.data or b"")) > limit:
        return [Reply(_("The file is larger than {mb} MB. Please send a smaller file.").format(mb=ctx.settings.max_file_mb))]
    try:
        if name.endswith(SHEETS):
            return [import_sheet(ctx, att.file_name, att.data or b"")]
        if name.endswith(DOCUMENTS + IMAGES) or att.mime_type in ("application/pdf", "text/plain") \
                or (att.mime_type or "").startswith("image/"):
            return [review_conclusion(ctx, att.file_name or "anh-chup.jpg", att.data or b"")]
    except ImportRejected as exc:
        ctx.audit("import_rejected", f"{att.file_name}: {exc}")
        return [Reply(str(exc))]
    ctx.audit("import_rejected", att.file_name)
    return [Reply(_("I cannot read this type of file. Please send a conclusion as .docx, .pdf, .txt or a photo (.jpg, .png), or a list as .xlsx or .csv."))]


# ----------------------------------------------------------------- spreadsheets


def import_sheet(ctx: Ctx, file_name: str, data: bytes) -> Reply:
    """A procedure catalogue, a dossier export or a task list, decided by the header row."""
    from handlers.dossiers.procedures import import_procedures, looks_like_catalogue

    if looks_like_catalogue(file_name, data):
        catalogue = import_procedures(ctx.session, file_name, data)
        ctx.audit("import_procedures", f"{file_name}: +{catalogue.added} ~{catalogue.updated} !{len(catalogue.errors)}")
        return Reply(catalogue.summary_vi())
    dossiers = read_dossier_export(file_name, data, calendar=calendar(), processing_days=processing_days(ctx.session))
    if dossiers.header_row is not None:
        stats = upsert_dossiers(ctx.session, dossiers.records, ctx.tz)
        ctx.audit("import_dossiers", f"{file_name}: +{stats.added} ~{stats.updated} ={stats.unchanged} !{len(dossiers.errors)}")
        lines = [_("Dossier list {file}: {added} new, {updated} updated, {same} unchanged.").format(
            file=file_name, added=stats.added, updated=stats.updated, same=stats.unchanged)]
        if dossiers.errors:
            lines.append(dossiers.summary_vi(max_errors=10))
        return Reply("\n".join(lines))
    sheet = read_task_sheet(data, org_for(ctx.session))
    if not sheet.rows and sheet.errors:
        return Reply("\n".join([_("I could not read a task list from {file}:").format(file=file_name)]
                               + [e.reason for e in sheet.errors[:10]]))
    saved = save_task_rows(ctx.session, sheet.rows, ctx.today)
    ctx.audit("import_tasks", f"{file_name}: +{saved.created} ~{saved.updated} !{len(sheet.errors)}")
    lines = [_("Task list {file}: {created} new, {updated} updated, {same} unchanged.").format(
        file=file_name, created=saved.created, updated=saved.updated, same=saved.unchanged)]
    if sheet.errors:
        lines.append(_("Rows not imported ({n}):").format(n=len(sheet.errors)))
        lines += [f"• {e.reason}" for e in sheet.errors[:10]]
    return Reply("\n".join(lines))


# ----------------------------------------------------------------- conclusions


def draft_from_json(data: dict) -> ConclusionDraft:
    doc = data["doc"]
    info = DocInfo(doc.get("number"), date.fromisoformat(doc["date"]) if doc.get("date") else None,
                   doc.get("signer"), doc.get("title"))
    tasks = [TaskDraft(**{**t, "deadline": date.fromisoformat(t["deadline"]) if t.get("deadline") else None})
             for t in data["tasks"]]
    return ConclusionDraft(info, tasks)


def review_conclusion(ctx: Ctx, file_name: str, data: bytes) -> Reply:
    text, ocr = read_with_ocr(file_name, data, max_bytes=ctx.settings.max_file_mb * 1024 * 1024)
    draft = parse_conclusion(text, org_for(ctx.session))
    if ocr is not None:
        flag_low_confidence(draft, ocr.low_lines)
    digest = content_hash(text)
    existing, identical = find_conclusion(ctx.session, draft, digest)
    if identical:
        ctx.audit("import_duplicate", file_name)
        return Reply(_("This document ({label}) was already imported; nothing has changed.").format(label=existing.label))
    if not draft.tasks:
        return Reply(_("I found no tasks in {file}. Please check that it is a Director's conclusion.").format(file=file_name))
    if existing is not None:
        _keep_chosen_units(draft, existing)
    criteria = {t.ref: code for t in draft.tasks if (code := suggested_criterion(t.content))}
    ocr_note = ocr_line(ocr, draft) if ocr is not None else None
    set_state(ctx, STATE_KEY, {"file": file_name, "hash": digest, "draft": draft.to_json(), "criteria": criteria,
                               "ocr": ocr_note})
    ctx.audit("import_review", f"{file_name}: {len(draft.tasks)} tasks" + (f", OCR {ocr.confidence:.0f}%" if ocr else ""))
    diff = diff_conclusion(existing, draft) if existing else None
    reply = summary_reply(ctx, draft, existing_label=existing.label if existing else None, diff=diff)
    if ocr_note:
        head, _sep, rest = reply.text.partition("\n")
        reply = Reply(f"{head}\n{ocr_note}\n{rest}", reply.buttons)
    return reply


def flag_low_confidence(draft: ConclusionDraft, low_lines: list[str]) -> None:
    """Mark the items whose text holds a line the OCR engine was unsure of."""
    from handlers.text.fold import fold

    from handlers.tasks.importers.ocr_repair import repair_ocr

    # read the line as the parser read it: repaired, without its numbering ("2. ", "a) ")
    keys = [re.sub(r"^\S{1,5}[.)]\s+", "", fold(repair_ocr(line))) for line in low_lines]
    keys = [k for k in keys if len(k) > 8]
    for task in draft.tasks:
        content = fold(task.content)
        task.low_confidence = any(k in content for k in keys)


def ocr_line(ocr, draft: ConclusionDraft) -> str:
    unsure = [t.ref for t in draft.tasks if t.low_confidence]
    line = _("Read from an image (OCR), confidence {percent}.").format(percent=fmt_percent(ocr.confidence / 100, digits=0))
    if unsure:
        line += " " + _("Please check items {refs}: some of their words were hard to read.").format(refs=", ".join(unsure))
    else:
        line += " " + _("Please check names and dates against the paper copy.")
    return line


def _keep_chosen_units(draft: ConclusionDraft, existing) -> None:
    """A newer version keeps the unit the office chose for an item the text leaves without one."""
    stored = {t.ref: t for t in existing.tasks}
    for t in draft.tasks:
        old = stored.get(t.ref)
        if t.needs_unit and old is not None:
            t.lead_units = [u.code for u in old.lead_units]
            t.unassigned = not t.lead_units


def _doc_header(draft: ConclusionDraft) -> str:
    doc = draft.doc
    parts = [doc.number or _("(no number)")]
    if doc.date:
        parts.append(_("dated {date}").format(date=fmt_date(doc.date)))
    if doc.signer:
        parts.append(_("signed by {name}").format(name=doc.signer))
    head = "*" + _("Conclusion") + " " + ", ".join(parts) + "*"
    return head + (f"\n{short(doc.title, 160)}" if doc.title else "")


def recurrence_label(value: str) -> str:
    labels = {"weekly": _("weekly"), "monthly": _("monthly"), "quarterly": _("quarterly"), "yearly": _("yearly")}
    return labels.get(value, value)


def _task_line(n: int, t: TaskDraft) -> str:
    """One item as the office checks it: every lead, the supporting units, the deadline, flags."""
    if t.lead_units:
        who = " + ".join(t.lead_units)
    elif t.all_units:
        who = _("all units")
    elif t.unassigned:
        who = _("not assigned (confirmed)")
    else:
        who = "⚠ " + _("no unit: choose one")
    if t.support_units:
        who += " (" + _("support: {units}").format(units=", ".join(t.support_units)) + ")"
    elif t.all_units and t.lead_units:
        who += " (" + _("support: all units") + ")"
    when = fmt_date(t.deadline) if t.deadline else (recurrence_label(t.recurrence) if t.recurrence else _("no deadline"))
    flags = (" · " + _("urgent") if t.urgent else "") + (" · " + _("assigned by the province") if t.origin == "ubnd" else "")
    flags += " · ⚠ " + _("unsure OCR, please check") if t.low_confidence else ""
    return f"{n}. [{t.ref}] {who} · {when}{flags} — {short(t.content, 80)}"


def unassigned_refs(draft: ConclusionDraft) -> list[str]:
    return [t.ref for t in draft.tasks if t.needs_unit]


def _needs_unit_line(draft: ConclusionDraft) -> str | None:
    refs = unassigned_refs(draft)
    if not refs:
        return None
    return _("Items {refs} name no unit. Reply \"mục {ref}: chủ trì Văn phòng\" to assign one, or \"mục {ref}: không giao\" to save it without a unit.").format(
        refs=", ".join(refs), ref=refs[0])


def headless_units_line(ctx: Ctx, draft: ConclusionDraft) -> str | None:
    """Lead units that have no registered head: their reminders go to the office instead."""
    from handlers.people.recipients import Directory
    from models.org import Unit
    from sqlalchemy import select

    codes = list(dict.fromkeys(c for t in draft.tasks for c in t.lead_units))
    if any(t.all_units and not t.lead_units for t in draft.tasks):
        codes += [u for u in ctx.session.scalars(select(Unit.code)) if u not in codes]
    units = {u.code: u for u in ctx.session.scalars(select(Unit).where(Unit.code.in_(codes)))} if codes else {}
    people = Directory.load(ctx.session)
    missing = [units[c].name for c in codes if c in units and not people.heads.get(units[c].id)]
    if not missing:
        return None
    return _("No head is registered yet for: {units}. Their reminders will go to the Department Office until a head joins (/moi).").format(
        units=", ".join(missing))


def _diff_lines(diff: VersionDiff) -> list[str]:
    if diff.empty:
        return [_("The tasks are the same as in the stored version.")]
    lines = []
    if diff.added:
        lines.append(_("New items: {refs}").format(refs=", ".join(diff.added)))
    for ref, changes in list(diff.changed.items())[:PAGE]:
        lines.append(_("Item {ref} changed: {changes}").format(ref=ref, changes="; ".join(changes)))
    if diff.removed:
        lines.append(_("Items no longer in the document (will be withdrawn): {refs}").format(refs=", ".join(diff.removed)))
    return lines


def _review_buttons() -> list[list[Button]]:
    return [[Button(_("Save all"), "imp:save"), Button(_("View item by item"), "imp:view:0")], [Button(_("Cancel"), "imp:cancel")]]


def summary_reply(ctx: Ctx, draft: ConclusionDraft, existing_label: str | None = None,
                  diff: VersionDiff | None = None) -> Reply:
    lines = [_doc_header(draft), _("Tasks found: {n}").format(n=len(draft.tasks))]
    lines += [_task_line(n, t) for n, t in enumerate(draft.tasks[:PAGE], start=1)]
    if len(draft.tasks) > PAGE:
        lines.append(_("…and {n} more (View item by item).").format(n=len(draft.tasks) - PAGE))
    if existing_label:
        lines.append(_("This is a new version of {label}: saving updates its tasks.").format(label=existing_label))
        if diff is not None:
            lines += _diff_lines(diff)
    for extra in (_needs_unit_line(draft), headless_units_line(ctx, draft)):
        if extra:
            lines.append(extra)
    lines.append(_("To correct an item, reply e.g. \"mục 3: chủ trì Văn phòng, hạn 30/6/2026\". Then press Save all."))
    return Reply("\n".join(lines), _review_buttons())


def on_button(ctx: Ctx, arg: str) -> list[Reply]:
    if not may_import(ctx):
        return [Reply(_("Only the Department Office can import documents. To attach evidence to a task, reply to its reminder with the file."))]
    pending = get_state(ctx, STATE_KEY)
    if not pending:
        return [Reply(_("There is no document waiting for review. Please send the file again."))]
    action, _sep, rest = arg.partition(":")
    if action == "cancel":
        set_state(ctx, STATE_KEY, None)
        ctx.audit("import_cancelled", pending["file"])
        return [Reply(_("Import cancelled; nothing was saved."))]
    draft = draft_from_json(pending["draft"])
    if action == "view":
        return [item_reply(draft, int(rest) if rest.isdigit() else 0, pending.get("criteria"))]
    if action == "save":
        missing = _needs_unit_line(draft)
        if missing:
            return [Reply(_("Not saved yet.") + " " + missing, _review_buttons())]
        result = save_conclusion(ctx.session, draft, pending["hash"], pending["file"], ctx.today,
                                 criteria=pending.get("criteria") or {})
        set_state(ctx, STATE_KEY, None)
        ctx.audit("import_saved", f"{pending['file']}: +{len(result.created)} ~{len(result.updated)} -{len(result.removed)}")
        if result.unchanged:
            return [Reply(_("This document was already imported; nothing has changed."))]
        text = _("Saved: {created} new tasks, {updated} updated, {removed} withdrawn. Reminders will be sent before each deadline.").format(
            created=len(result.created), updated=len(result.updated), removed=len(result.removed))
        return [Reply(text)]
    return [Reply(_("This button is no longer valid. Please start again."))]


def item_reply(draft: ConclusionDraft, index: int, criteria: dict[str, str] | None = None) -> Reply:
    index = max(0, min(index, len(draft.tasks) - 1))
    t = draft.tasks[index]
    lines = [
        _("Item {n}/{total} — {ref}").format(n=index + 1, total=len(draft.tasks), ref=t.ref),
        t.content,
        _("Lead: {units}").format(units=", ".join(t.lead_units) or "—"),
        _("Support: {units}").format(units=", ".join(t.support_units) or ("—" if not t.all_units else _("all units"))),
    ]
    if t.persons:
        lines.append(_("Persons: {names}").format(names=", ".join(t.persons)))
    lines.append(_("Deadline: {date}").format(date=fmt_date(t.deadline) if t.deadline else "—"))
    if t.urgent:
        lines.append(_("Urgent (\"khẩn trương\")"))
    if t.needs_unit:
        lines.append("⚠ " + _("No unit: reply \"mục {ref}: chủ trì …\" or \"mục {ref}: không giao\".").format(ref=t.ref))
    if t.recurrence:
        lines.append(_("Recurrence: {value}").format(value=recurrence_label(t.recurrence)))
    if t.target:
        lines.append(_("Target: {value}").format(value=t.target))
    code = (criteria or {}).get(t.ref)
    lines.append(_("Index criterion: {code}").format(code=code) if code else _("Index criterion: none (reply \"mục {ref}: tiêu chí 3.3.1\" to link one)").format(ref=t.ref))
    nav = []
    if index > 0:
        nav.append(Button("◀", f"imp:view:{index - 1}"))
    if index < len(draft.tasks) - 1:
        nav.append(Button("▶", f"imp:view:{index + 1}"))
    return Reply("\n".join(lines), ([nav] if nav else []) + _review_buttons())


_CORRECTION = re.compile(r"^\s*m[uụ]c\s+([\w.()]+)\s*[:\-]\s*(.+)$", re.IGNORECASE | re.DOTALL)


def handle_correction(ctx: Ctx) -> list[Reply]:
    """Free text: "mục 3: chủ trì Văn phòng, phối hợp Thanh tra, hạn 30/6/2026"."""
    if ctx.person is None or not may_import(ctx):
        return []
    pending = get_state(ctx, STATE_KEY)
    match = _CORRECTION.match(ctx.msg.text or "")
    if not pending or not match:
        return []
    draft = draft_from_json(pending["draft"])
    ref, changes = match.group(1).strip("."), match.group(2)
    index = next((i for i, t in enumerate(draft.tasks) if t.ref == ref), None)
    if index is None and ref.isdigit() and 1 <= int(ref) <= len(draft.tasks):
        index = int(ref) - 1
    if index is None:
        return [Reply(_("There is no item {ref} in this document. Items: {refs}.").format(
            ref=ref, refs=", ".join(t.ref for t in draft.tasks[:20])))]
    criteria = dict(pending.get("criteria") or {})
    updated, problems = apply_correction(draft.tasks[index], changes, ctx.today, criteria, org_for(ctx.session))
    if problems:
        return [Reply(_("I could not apply the correction: {problems}. Example: \"mục 3: chủ trì Văn phòng, hạn 30/6/2026\".").format(problems="; ".join(problems)))]
    draft.tasks[index] = updated
    set_state(ctx, STATE_KEY, {**pending, "draft": draft.to_json(), "criteria": criteria})
    ctx.audit("import_corrected", f"{pending['file']} {updated.ref}")
    lines = [_("Item {ref} corrected.").format(ref=updated.ref), _task_line(index + 1, updated)]
    if updated.deadline and updated.deadline < ctx.today and updated.deadline != draft_from_json(pending["draft"]).tasks[index].deadline:
        lines.append("⚠ " + _("The deadline {date} is already past. If that is not intended, send the correct date.").format(
            date=fmt_date(updated.deadline)))
    return [Reply("\n".join(lines), _review_buttons())]


def apply_correction(task: TaskDraft, changes: str, today: date,
                     criteria: dict[str, str], org=None) -> tuple[TaskDraft, list[str]]:
    """Apply "chủ trì …, phối hợp …, hạn …, tiêu chí …, khẩn, không giao" to one draft item;
    ``criteria`` (ref → sub-criterion code) is updated in place.

    A date without a year ("hạn 4/12") is the next such day from ``today``:
    the office corrects for the future, not for the document's year.
    """
    from handlers.text.fold import fold

    matcher = matcher_for(org or default_org())
    problems: list[str] = []
    keys = r"ch[uủ]\s*tr[iì]|ph[oố]i\s*h[oợ]p|h[aạ]n|ti[eê]u\s*ch[ií]|kh[aẩ]n|kh[oô]ng\s*(?:giao|kh[aẩ]n)"
    for part in re.split(rf"[;,](?=\s*(?:{keys})\b)", changes, flags=re.IGNORECASE):
        key = fold(part)
        if key.startswith(("chu tri", "phoi hop")):
            codes = [m.code for m in matcher.units_in(part) if m.code]
            if not codes:
                problems.append(_("unit not recognised in \"{text}\"").format(text=part.strip()))
            elif key.startswith("chu tri"):
                task = replace(task, lead_units=list(dict.fromkeys(codes)), unassigned=False)
            else:
                task = replace(task, support_units=list(dict.fromkeys(codes)))
        elif key.startswith("khong giao"):
            task = replace(task, lead_units=[], unassigned=True)
        elif key.startswith("khong khan"):
            task = replace(task, urgent=False)
        elif key.startswith("khan"):
            task = replace(task, urgent=True)
        elif key.startswith("han"):
            when = re.sub(r"^\s*h\S*n\s*:?\s*", "", part.strip())
            deadline = correction_date(when, today)
            if deadline is None:
                problems.append(_("date not recognised in \"{text}\"").format(text=part.strip()))
            elif beyond_horizon(deadline, today):
                problems.append(_("the date {date} is more than {years} years ahead").format(
                    date=fmt_date(deadline), years=MAX_YEARS_AHEAD))
            else:
                task = replace(task, deadline=deadline)
        elif key.startswith("tieu chi"):
            code = re.search(r"\d+(?:\.\d+)*", part)
            if code is None or not _criterion_exists(code.group(0)):
                problems.append(_("no index criterion \"{text}\"").format(text=part.strip()))
            else:
                criteria[task.ref] = code.group(0)
        elif key:
            problems.append(_("\"{text}\" is not understood (use: chủ trì …, phối hợp …, hạn …, tiêu chí …)").format(text=part.strip()))
    return task, problems


def correction_date(when: str, today: date) -> date | None:
    """"4/12" → the next 4 December from ``today``; "4/12/2026", "quý IV/2026", "trong năm 2026" as written."""
    typed = read_date(when, today)
    if typed is not None:
        return typed.value
    return find_deadline(f"trước ngày {when}", today.year) or find_deadline(when, today.year)


def _criterion_exists(code: str) -> bool:
    from handlers.scoring.assessments import framework_for
    from settings import get_settings

    return framework_for(get_settings()).find(code) is not None
