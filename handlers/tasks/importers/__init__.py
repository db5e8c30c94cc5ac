"""Importers: documents and spreadsheets → draft data for the office to confirm (no database)."""

from handlers.tasks.importers.conclusion import ConclusionDraft, DocInfo, TaskDraft, parse_conclusion
from handlers.tasks.importers.errors import ImportRejected
from handlers.tasks.importers.readers import read_document, read_with_ocr
from handlers.tasks.importers.task_sheet import RowError, SheetResult, TaskRow, read_task_sheet, write_task_sheet

__all__ = [
    "ConclusionDraft", "DocInfo", "ImportRejected", "RowError", "SheetResult", "TaskDraft", "TaskRow",
    "parse_conclusion", "read_document", "read_task_sheet", "read_with_ocr", "write_task_sheet",
]
