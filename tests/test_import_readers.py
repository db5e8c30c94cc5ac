"""File → text: what the office may send, and the polite refusals."""

from __future__ import annotations

import io
import unicodedata

import pytest

from handlers.tasks.importers.errors import ImportRejected
from handlers.tasks.importers.readers import read_document

SAMPLE = "KẾT LUẬN\nGiám đốc Sở kết luận như sau:\n1. Văn phòng Sở báo cáo hàng tháng.\n"


def rejected(name: str, data: bytes, **kw) -> str:
    with pytest.raises(ImportRejected) as info:
        read_document(name, data, **kw)
    return info.value.message_vi


def cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: tone marks as combining bytes."""
    out = b""
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            tones = "".join(c for c in parts if c in "\u0300\u0301\u0303\u0309\u0323")
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
            out += base.encode("cp1258") + tones.encode("cp1258")
    return out


def test_text_encodings():
    assert read_document("a.txt", SAMPLE.encode("utf-8")) == SAMPLE
    assert read_document("a.txt", b"\xef\xbb\xbf" + SAMPLE.encode("utf-8")) == SAMPLE
    assert read_document("a.md", SAMPLE.encode("utf-16")) == SAMPLE
    assert read_document("a.txt", cp1258(SAMPLE)) == SAMPLE  # NFC after Windows-1258


def test_binary_text_rejected():
    assert "bảng mã" in rejected("a.txt", bytes(range(0, 256)) * 4)


def test_docx_paragraphs_and_tables_in_order():
    import docx

    document = docx.Document()
    document.add_paragraph("1. Văn phòng Sở tổng hợp.")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Chỉ tiêu", "Trên 50%"
    document.add_paragraph("2. Thanh tra Sở kiểm tra.")
    out = io.BytesIO()
    document.save(out)
    text = read_document("kl.docx", out.getvalue())
    assert text.splitlines() == ["1. Văn phòng Sở tổng hợp.", "Chỉ tiêu\tTrên 50%", "2. Thanh tra Sở kiểm tra."]


# -- acceptance 4 -------------------------------------------------------------------------
def test_corrupt_docx():
    data = b"PK\x03\x04" + b"\x00" * 200
    assert "bị hỏng" in rejected("ket_luan.docx", data)


def test_image_only_pdf():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig = plt.figure(figsize=(3, 3))
    fig.figimage(np.random.default_rng(1).random((100, 100)))
    out = io.BytesIO()
    fig.savefig(out, format="pdf")
    plt.close(fig)
    message = rejected("scan.pdf", out.getvalue())  # a scan goes to OCR; noise holds no letters
    assert "Không nhận dạng được chữ" in message or "nhận dạng chữ" in message


def test_too_large_file_mentions_limit():
    message = rejected("lon.pdf", b"%PDF-1.4\n" + b"0" * (30 * 1024 * 1024))
    assert "quá lớn" in message and "20 MB" in message


def test_exe_renamed_pdf():
    data = b"MZ\x90\x00" + b"\x00" * 500
    assert "không phải tệp PDF hợp lệ" in rejected("ket_luan.pdf", data)
    assert "chương trình" in rejected("setup.exe", data)


def test_empty_and_unsupported():
    assert "trống" in rejected("a.txt", b"")
    assert "trống" in rejected("a.txt", b"  \n ")
    assert "chưa hỗ trợ" in rejected("a.xyz", b"hello")
    assert ".docx" in rejected("cu.doc", b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    assert "không phải tệp PDF hợp lệ" in rejected("hong.pdf", b"%PDF-1.4 garbage")
