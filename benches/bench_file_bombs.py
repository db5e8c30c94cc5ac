"""Peak memory of the file readers on bombs and on the worst files the limits allow.

Each case runs in a fresh Python process (so its peak RSS is its own) and
prints: what it read, what the reader answered, wall time and peak RSS.
The target (issue 12) is a peak RSS of at most 300 MB for any file the
limits in ``handlers/core/file_limits.py`` accept, and a quick refusal for
bombs.

    python benches/bench_file_bombs.py            # all cases
    python benches/bench_file_bombs.py xlsx_bomb  # one case
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MB = 1024 * 1024


def _sheet_with_long_cells(total: int) -> bytes:
    """A task-list workbook whose sheet XML is ``total`` bytes of varied 30,000-character cells
    (compressible like real text, so it passes the ratio check and reaches the reader)."""
    import io
    import random
    import zipfile

    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["STT", "Nội dung nhiệm vụ", "Đơn vị chủ trì", "Thời hạn"])
    buf = io.BytesIO()
    wb.save(buf)
    rng = random.Random(2)
    words = "giao van phong so chu tri thuc hien nhiem vu cai cach hanh chinh don vi phoi hop thoi han".split()
    head = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns='
            '"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            '<row r="1"><c r="A1" t="inlineStr"><is><t>STT</t></is></c><c r="B1" t="inlineStr"><is><t>'
            'Nội dung nhiệm vụ</t></is></c><c r="C1" t="inlineStr"><is><t>Đơn vị chủ trì</t></is></c></row>')
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(info.filename, src.read(info))
                continue
            with dst.open("xl/worksheets/sheet1.xml", "w", force_zip64=False) as sheet:
                sheet.write(head.encode())
                size = len(head)
                while size < total - 40_000:
                    cells = []
                    for _ in range(3):
                        text = " ".join(rng.choice(words) + str(rng.randint(0, 99)) for _ in range(3_000))[:30_000]
                        cells.append(f'<c t="inlineStr"><is><t>{text}</t></is></c>')
                    row = ("<row>" + "".join(cells) + "</row>").encode()
                    sheet.write(row)
                    size += len(row)
                sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def _docx(document_xml_bytes: int) -> bytes:
    """A .docx whose document.xml is about ``document_xml_bytes`` long (many short paragraphs)."""
    import io

    import docx

    d = docx.Document()
    d.add_paragraph("KẾT LUẬN")
    buf = io.BytesIO()
    d.save(buf)
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    xml = src.read("word/document.xml")
    import random

    rng = random.Random(1)
    words = "giao văn phòng sở chủ trì thực hiện nhiệm vụ cải cách hành chính đơn vị phối hợp thời hạn".split()
    parts, size = [], len(xml)
    while size < document_xml_bytes:
        text = " ".join(rng.choice(words) for _ in range(12)) + f" {rng.randint(1, 10**6)}."
        para = f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>".encode()
        parts.append(para)
        size += len(para)
    body_end = xml.rindex(b"<w:sectPr")
    filler = b"".join(parts)
    xml = xml[:body_end] + filler + xml[body_end:]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, xml if info.filename == "word/document.xml" else src.read(info))
    return out.getvalue()


def build(case: str) -> tuple[str, bytes]:
    from tests.fakes import bombs

    if case == "xlsx_bomb":
        return "bomb.xlsx", bombs.xlsx_bomb()
    if case == "pdf_bomb":
        return "bomb.pdf", bombs.pdf_bomb(6 * 1024 * MB)
    if case == "dossier_rows_at_limit":
        from datetime import date

        from handlers.demo.dossier_samples import generate_dossiers, write_export_xlsx

        return "export.xlsx", write_export_xlsx(generate_dossiers(145_000, date(2025, 1, 1), date(2026, 6, 30), seed=1))
    if case == "task_sheet_long_cells_at_limit":
        return "tasks.xlsx", _sheet_with_long_cells(39 * MB)
    if case == "docx_at_limit":
        return "kl.docx", _docx(11 * MB)
    if case == "pdf_pages_at_glyph_limit":
        return "kl.pdf", bombs.text_pdf(39_000, pages=3)
    if case == "pdf_page_over_glyph_limit":
        return "kl.pdf", bombs.text_pdf(60_000, pages=1)
    raise SystemExit(f"unknown case {case}")


def run_case(case: str) -> dict:
    """In this (fresh) process: build the file, read it with the reader that takes it, report."""
    import resource

    from handlers.dossiers.export_reader import read_dossier_export
    from handlers.tasks.importers.errors import ImportRejected
    from handlers.tasks.importers.readers import read_document
    from handlers.tasks.importers.task_sheet import read_task_sheet

    name, data = build(case)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    try:
        if name.endswith(".xlsx") and case.startswith("dossier"):
            result = read_dossier_export(name, data)
            answer = f"{len(result.records):,} dossiers, {len(result.errors)} errors" + (
                f": {result.errors[0].reason_vi[:90]}" if result.errors else "")
        elif name.endswith(".xlsx"):
            sheet = read_task_sheet(data)
            answer = f"{len(sheet.rows):,} task rows, {len(sheet.errors)} errors"
        else:
            answer = f"{len(read_document(name, data)):,} characters of text"
    except ImportRejected as exc:
        answer = "refused: " + str(exc)[:110]
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"case": case, "file_mb": round(len(data) / MB, 2), "answer": answer, "seconds": round(seconds, 2),
            "peak_rss_mb": round(peak), "rss_before_read_mb": round(base)}


CASES = ["xlsx_bomb", "pdf_bomb", "pdf_page_over_glyph_limit", "pdf_pages_at_glyph_limit", "docx_at_limit",
         "task_sheet_long_cells_at_limit", "dossier_rows_at_limit"]


def main(cases: list[str]) -> None:
    print(f"{'case':34} {'file':>8} {'time':>8} {'peak RSS':>9}  answer")
    for case in cases:
        out = subprocess.run([sys.executable, __file__, "--child", case], capture_output=True, text=True, cwd=ROOT)
        if out.returncode != 0:
            print(f"{case:34} FAILED\n{out.stderr[-2000:]}")
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{case:34} {r['file_mb']:6.2f}MB {r['seconds']:7.2f}s {r['peak_rss_mb']:6d} MB  {r['answer']}")
    print("(peak RSS includes building the test file in the same process; target ≤ 300 MB)")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        print(json.dumps(run_case(sys.argv[2])))
    else:
        main(sys.argv[1:] or CASES)
