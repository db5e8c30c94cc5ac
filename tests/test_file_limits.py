"""Files are bounded before they are parsed: bombs are refused with one Vietnamese line.

The memory figures (peak RSS on the worst accepted files) are measured by
benches/bench_file_bombs.py, not here.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pytest

from handlers.core.file_limits import LIMITS, FileRefused, Limits, bounded_rows, check_image, check_zip
from handlers.core.messages import Attachment
from handlers.dossiers.export_reader import read_dossier_export
from handlers.tasks.importers.errors import ImportRejected
from handlers.tasks.importers.readers import read_document
from handlers.tasks.importers.task_sheet import read_task_sheet
from models.db import transaction
from tests import factories as f
from tests.conftest import Chat, text_of
from tests.fakes.bombs import GIB, pdf_bomb, text_pdf, xlsx_bomb


@pytest.fixture(scope="module")
def xlsx_1gib() -> bytes:
    data = xlsx_bomb(GIB, checksum=False)  # the CRC would cost a second and is never reached
    assert len(data) < 2 * 1024 * 1024  # ~1 MB on the wire …
    with zipfile.ZipFile(io.BytesIO(data)) as z:  # … a 1 GiB sheet once opened
        assert z.getinfo("xl/worksheets/sheet1.xml").file_size > 0.99 * GIB
    return data


def test_an_xlsx_bomb_is_refused_by_both_spreadsheet_readers(xlsx_1gib):
    with pytest.raises(ImportRejected, match="quá lớn khi giải nén"):
        read_task_sheet(xlsx_1gib)
    result = read_dossier_export("ds.xlsx", xlsx_1gib)
    assert result.records == [] and "quá lớn khi giải nén" in result.errors[0].reason_vi


def test_a_pdf_bomb_is_refused():
    bomb = pdf_bomb(64 * 1024 * 1024)  # one stream inflating 1,000-fold, past the 16 MB ceiling
    assert len(bomb) < 1024 * 1024
    with pytest.raises(ImportRejected, match="dữ liệu nén bất thường"):
        read_document("ket_luan.pdf", bomb)


def test_a_pdf_page_with_too_many_characters_is_refused_a_normal_one_read():
    with pytest.raises(ImportRejected, match="Trang 1 .* quá nhiều ký tự"):
        read_document("kl.pdf", text_pdf(LIMITS.pdf_page_glyphs + 5_000))
    assert "Van phong So chu tri" in read_document("kl.pdf", text_pdf(3_000, pages=2))


def test_a_pdf_declaring_too_many_pages_is_refused_before_reading():
    data = text_pdf(100).replace(b"/Count 1", b"/Count 90000")
    with pytest.raises(ImportRejected, match="90000 trang"):
        read_document("kl.pdf", data)


def test_a_docx_whose_text_part_unpacks_too_large_is_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document>" + "".join(f"<w:p>{i}</w:p>" for i in range(20_000)) + "</w:document>")
    with pytest.raises(FileRefused, match="quá dài"):
        check_zip("kl.docx", buf.getvalue(), Limits(docx_document=100_000))


def _png_header(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = struct.pack(">I", len(ihdr)) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    end = struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND"))
    return b"\x89PNG\r\n\x1a\n" + chunk + end


def test_an_image_with_too_many_pixels_is_refused_from_its_header():
    with pytest.raises(FileRefused, match="kích thước quá lớn"):
        check_image("anh.png", _png_header(60_000, 60_000))
    check_image("anh.png", _png_header(1200, 900))  # an ordinary photo passes


def test_rows_are_bounded():
    assert list(bounded_rows(range(3), "a.csv", max_rows=3)) == [0, 1, 2]
    with pytest.raises(FileRefused, match="hơn 3 dòng"):
        list(bounded_rows(range(4), "a.csv", max_rows=3))


def test_the_office_sending_an_xlsx_bomb_gets_one_clear_line(core, factory, xlsx_1gib):
    with transaction(factory) as s:
        f.person(s, "lan", role="admin", unit_code="VP")
    answer = text_of(Chat(core, "lan").say(attachment=Attachment("danh_sach.xlsx", data=xlsx_1gib)))
    assert "quá lớn khi giải nén" in answer and "chia thành nhiều tệp" in answer
