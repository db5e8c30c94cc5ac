"""Importers: documents and spreadsheets → draft data for the office to confirm (no database)."""

from handlers.importers.conclusion import ConclusionDraft, DocInfo, TaskDraft, parse_conclusion
from handlers.importers.errors import ImportRejected
from handlers.importers.readers import read_document
from handlers.importers.task_sheet import RowError, SheetResult, TaskRow, read_task_sheet, write_task_sheet

__all__ = [
    "ConclusionDraft", "DocInfo", "ImportRejected", "RowError", "SheetResult", "TaskDraft", "TaskRow",
    "parse_conclusion", "read_document", "read_task_sheet", "write_task_sheet",
]
