"""Report documents built from dossier figures: the statistics workbook and the
PAR report draft (.docx). Pure functions returning bytes; no database."""

from handlers.reporting.layout import STAT_COLUMNS, StatColumn
from handlers.reporting.report_docx import ReportData, TaskSummary, build_internal_annex, write_report_docx
from handlers.reporting.stats_xlsx import write_stats_xlsx

__all__ = [
    "STAT_COLUMNS",
    "ReportData",
    "StatColumn",
    "TaskSummary",
    "build_internal_annex",
    "write_report_docx",
    "write_stats_xlsx",
]
