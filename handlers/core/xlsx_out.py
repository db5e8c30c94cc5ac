"""Every .xlsx the project writes is saved through here, so text never becomes a formula.

Imported dossiers and task sheets carry text the office did not write
(procedure names, task content, notes). openpyxl stores any string that
starts with ``=`` as a live formula, and spreadsheet programs treat text
starting with ``+``, ``-``, ``@``, a tab or a carriage return as the start
of one when the cell is edited: ``=HYPERLINK("http://…","Bấm vào đây")``
in an imported dossier would become a working link in the office's
statistics. :func:`workbook_bytes` writes every such cell as an explicit
string with Excel's "quote prefix" (the apostrophe Excel shows when text is
typed as ``'=…``): the value is unchanged, it reads back as the same text,
and no program evaluates it.
"""

from __future__ import annotations

import io

from openpyxl.workbook.workbook import Workbook

#: What a spreadsheet program may read as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def protect_text(workbook: Workbook) -> int:
    """Mark every formula-looking string cell as plain text; returns how many were marked."""
    marked = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if looks_like_formula(cell.value):
                    cell.data_type = "s"
                    cell.quotePrefix = True
                    marked += 1
    return marked


def workbook_bytes(workbook: Workbook) -> bytes:
    """The workbook as .xlsx bytes, text protected (see the module docstring)."""
    protect_text(workbook)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
