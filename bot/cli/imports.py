"""Files in and out: conclusions, task lists, dossier exports (the same readers the chat uses)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from bot.cli.common import input_file, open_real, read_input, today, writable_file
from bot.cli.errors import CliError, _, one_line
from bot.cli.root import Root

TASK_SHEETS = (".xlsx", ".xlsm")
DOCUMENTS = (".txt", ".md", ".docx", ".doc", ".pdf")


def _count(n: int) -> str:
    """100.000, the Vietnamese way."""
    from handlers.text.i18n import fmt_number

    return fmt_number(n, 0)


def _suffix_is(path: Path, allowed: tuple[str, ...], advice: str) -> None:
    """Refuse a file of the wrong kind; ``advice`` (already translated) names the kind and what to do."""
    if path.suffix.lower() not in allowed:
        raise CliError(_("File {name} is not {advice}.").format(name=path.name, advice=advice))


def register(app: typer.Typer, root: Root) -> None:
    @app.command("import-conclusion")
    def import_conclusion(
        file: Annotated[Path, typer.Argument(help="Kết luận: .txt, .docx, .pdf (kể cả bản scan) hoặc ảnh chụp.")],
        dry_run: Annotated[bool, typer.Option("--dry-run", help="Chỉ đọc và in kết quả, không lưu.")] = False,
        as_json: Annotated[bool, typer.Option("--json", help="In kết quả dạng JSON (định dạng ổn định).")] = False,
        allow_unassigned: Annotated[bool, typer.Option(
            "--allow-unassigned", help="Vẫn lưu các mục chưa có đơn vị chủ trì (lưu là \"không giao\").")] = False,
    ) -> None:
        """Đọc Kết luận của Giám đốc Sở (bản scan, ảnh chụp được đọc bằng OCR) và tạo các nhiệm vụ."""
        from handlers.tasks.importers import parse_conclusion
        from handlers.tasks.importers.readers import read_with_ocr
        from handlers.tasks.review import flag_low_confidence, ocr_line, recurrence_label, unassigned_refs
        from handlers.tasks.store import content_hash, save_conclusion
        from handlers.text.i18n import fmt_date

        settings = root.load_settings()
        text, ocr = read_with_ocr(file.name, read_input(file, _("a Conclusion .docx, .pdf, .txt or a photo")),
                                  max_bytes=settings.max_file_mb * 1024 * 1024)
        draft = parse_conclusion(text)
        if ocr is not None:
            flag_low_confidence(draft, ocr.low_lines)
        if not draft.tasks:
            raise CliError(_("{name}: no tasks found — is this a Conclusion? If it is, use the .docx or .txt "
                             "copy (or a clearer scan) and run again.").format(name=file.name))
        # in --json mode stdout is the one JSON object; notes go to stderr
        if as_json:
            typer.echo(json.dumps(draft.to_json(), ensure_ascii=False, indent=None))
        else:
            typer.echo(_("Conclusion {number} — tasks: {count}").format(
                number=draft.doc.number or _("(no number)"), count=len(draft.tasks)))
            for t in draft.tasks:
                when = fmt_date(t.deadline) if t.deadline else (
                    recurrence_label(t.recurrence) if t.recurrence else _("no deadline"))
                who = ", ".join(t.lead_units) or (_("every unit") if t.all_units else "—")
                typer.echo(f"  [{t.ref}] {who} · {when} — {t.content[:90]}")
            for warning in draft.warnings:
                typer.echo("  " + _("Note: {warning}").format(warning=warning))
        if ocr is not None:
            typer.echo(ocr_line(ocr, draft), err=as_json)
        if dry_run:
            return
        unassigned = unassigned_refs(draft)
        if unassigned and not allow_unassigned:
            raise CliError(_("Not saved: item {refs} has no lead unit. Correct the document or assign it in the "
                             "chat, or run again with --allow-unassigned to save it unassigned.").format(
                refs=", ".join(unassigned)))
        for t in draft.tasks:
            if t.ref in unassigned:
                t.unassigned = True  # as "mục N: không giao" in the chat review
        db = open_real(root, settings)
        with db.factory() as session, session.begin():
            result = save_conclusion(session, draft, content_hash(text), file.name, today(settings))
        message = (_("This document was imported before; nothing changed.") if result.unchanged else
                   _("Saved: new tasks {created}, updated {updated}, dropped {removed}.").format(
                       created=len(result.created), updated=len(result.updated), removed=len(result.removed)))
        typer.echo(message, err=as_json)
        db.announce()

    @app.command("import-procedures")
    def import_procedures_command(file: Annotated[Path, typer.Argument(
            help="Danh mục TTHC công bố (.xlsx hoặc .csv): mã, tên, lĩnh vực, đơn vị, thời hạn, mức trực tuyến.")]) -> None:
        """Nhập danh mục thủ tục hành chính công bố; nhập lại chỉ cập nhật thay đổi."""
        from handlers.dossiers.procedures import import_procedures

        settings = root.load_settings()
        data = read_input(file, _("a procedure catalogue .xlsx or .csv"))
        if file.suffix.lower() in DOCUMENTS:
            raise CliError(_("File {name} is a document, not a procedure catalogue. Use an .xlsx or .csv table "
                             "(columns {columns}) and run again.").format(
                name=file.name, columns="Mã thủ tục, Tên thủ tục, Lĩnh vực…"))
        db = open_real(root, settings)
        with db.factory() as session, session.begin():
            result = import_procedures(session, file.name, data)
            if not result.total:
                reason = result.errors[0].reason if result.errors else _("no row could be read.")
                raise CliError(_("Could not import the procedure catalogue from {name}: {reason}").format(
                    name=file.name, reason=one_line(reason)))
        typer.echo(result.summary_vi(max_errors=50))
        db.announce()

    @app.command("import-tasks")
    def import_tasks(file: Annotated[Path, typer.Argument(
            help="Danh sách nhiệm vụ .xlsx (STT, Nội dung nhiệm vụ, Đơn vị chủ trì, …).")]) -> None:
        """Nhập danh sách nhiệm vụ từ Excel; dòng lỗi được báo theo số dòng."""
        from handlers.tasks.importers import read_task_sheet
        from handlers.tasks.store import save_task_rows


        settings = root.load_settings()
        data = read_input(file, _("an Excel .xlsx"))
        _suffix_is(file, TASK_SHEETS, _("an Excel spreadsheet (.xlsx). Open the file in Excel, save it as .xlsx "
                                        "and run again"))
        sheet = read_task_sheet(data)
        if not sheet.rows and sheet.errors:
            raise CliError(_("Could not read the task list from {name}: {reason}").format(
                name=file.name, reason=sheet.errors[0].reason))
        db = open_real(root, settings)
        with db.factory() as session, session.begin():
            saved = save_task_rows(session, sheet.rows, today(settings))
        n = _count
        typer.echo(_("{name}: new tasks {created}, updated {updated}, unchanged {unchanged}, "
                     "rows with errors {errors}.").format(
            name=file.name, created=n(saved.created), updated=n(saved.updated), unchanged=n(saved.unchanged),
            errors=n(len(sheet.errors))))
        for error in sheet.errors:
            typer.echo(f"  {error.reason}")
        db.announce()

    @app.command("export-tasks")
    def export_tasks(out: Annotated[Path, typer.Option("--out", help="Tệp .xlsx sẽ ghi.")] = Path("nhiem-vu.xlsx")) -> None:
        """Xuất danh sách nhiệm vụ ra Excel theo mẫu của Văn phòng."""
        from handlers.reporting.documents import task_list_xlsx

        settings = root.load_settings()
        writable_file(out, ".xlsx")
        db = open_real(root, settings)
        with db.factory() as session:
            n, data = task_list_xlsx(session)
        out.write_bytes(data)
        typer.echo(_("Tasks written to {path}: {count}.").format(count=_count(n), path=out))
        db.announce()

    @app.command("import-dossiers")
    def import_dossiers(file: Annotated[Path, typer.Argument(
            help="Tệp xuất từ hệ thống một cửa: .xlsx hoặc .csv.")]) -> None:
        """Nhập danh sách hồ sơ TTHC; nhập lại không tạo trùng, chỉ cập nhật thay đổi."""
        from handlers.display.format import calendar
        from handlers.dossiers.export_reader import ExportStream
        from handlers.dossiers.store import ExportAborted, UpsertStats, import_export, processing_days

        settings = root.load_settings()
        input_file(file, _("a dossier list .xlsx or .csv"))  # read as a stream: a CSV may be 350 MB
        if file.suffix.lower() in DOCUMENTS:
            raise CliError(_("File {name} is a document, not a dossier list. Export the dossier list from the "
                             "one-stop system as .xlsx or .csv and run again.").format(name=file.name))
        db = open_real(root, settings)
        try:
            with db.factory() as session, session.begin():
                stream = ExportStream(file.name, file, calendar=calendar(),
                                      processing_days=processing_days(session))
                result = stream.result
                if result.header_row is None:
                    reason = result.errors[0].reason_vi if result.errors else _("there is no header row.")
                    raise CliError(_("Could not import {name}: {reason}").format(name=file.name, reason=reason))
                stats = import_export(session, stream, ZoneInfo(settings.timezone))
        except ExportAborted:
            stats = UpsertStats()  # unreadable part-way: rolled back, nothing of the file saved
        n = _count
        typer.echo(_("{name}: new dossiers {added}, updated {updated}, unchanged {unchanged}, "
                     "rows with errors {errors}.").format(
            name=file.name, added=n(stats.added), updated=n(stats.updated), unchanged=n(stats.unchanged),
            errors=n(len(result.errors))))
        if result.errors or result.duplicates_in_file:
            typer.echo(result.summary_vi(max_errors=50))
        db.announce()
