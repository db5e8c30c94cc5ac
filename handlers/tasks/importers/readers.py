"""Uploaded file → plain text, refusing what we cannot read, politely.

The file comes from a chat attachment, so nothing about it is trusted: the
type is checked by its first bytes (an .exe renamed .pdf is not a PDF), sizes
are capped before anything is parsed, and what a file unpacks to (zip
members, PDF streams, pages, glyphs) is bounded by
``handlers/core/file_limits.py`` before and while it is parsed. Every refusal is an
:class:`ImportRejected` with a Vietnamese reason the office can act on.
"""

from __future__ import annotations

import io
import logging
import unicodedata
import zipfile
from pathlib import PurePath

from handlers.core.file_limits import FileRefused, check_file, check_pdf_page, check_pdf_pages, pdf_limits
from handlers.tasks.importers.errors import ImportRejected

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
TEXT_EXTENSIONS = {".txt", ".md", ".text"}
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".bmp"}
SUPPORTED = "Word (.docx), PDF (.pdf, kể cả bản quét), ảnh chụp (.jpg, .png) hoặc văn bản (.txt)"

_MAGIC = {
    b"%PDF-": "pdf",
    b"PK\x03\x04": "zip",
    b"MZ": "exe",
    b"\x7fELF": "exe",
    b"\xd0\xcf\x11\xe0": "ole",
    b"\x89PNG": "image",
    b"\xff\xd8\xff": "image",
    b"GIF8": "image",
    b"Rar!": "archive",
    b"7z\xbc\xaf": "archive",
    b"\x1f\x8b": "archive",
}


def sniff(data: bytes) -> str | None:
    """Kind of file by its magic bytes, or None (possibly text)."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf")
    for magic, kind in _MAGIC.items():
        if data.startswith(magic):
            return kind
    if b"%PDF-" in head[:1024]:  # some writers put junk before the header
        return "pdf"
    return None


def read_document(file_name: str, data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Text of a .txt/.md, .docx, .pdf (scanned too) or image file; raises ImportRejected otherwise."""
    return read_with_ocr(file_name, data, max_bytes)[0]


def read_with_ocr(file_name: str, data: bytes, max_bytes: int = DEFAULT_MAX_BYTES):
    """(text, OcrResult or None): the OCR result tells the review how sure the reading is."""
    name = PurePath(file_name or "").name or "tệp"
    ext = PurePath(name).suffix.lower()
    if len(data) > max_bytes:
        raise ImportRejected(
            f"Tệp {name} quá lớn ({_mb(len(data))} MB). Hệ thống chỉ nhận tệp tối đa {_mb(max_bytes)} MB; "
            "vui lòng gửi tệp nhỏ hơn."
        )
    if not data or not data.strip():
        raise ImportRejected(f"Tệp {name} trống, không có nội dung để đọc. Vui lòng kiểm tra lại tệp.")
    try:
        check_file(name, data)
    except FileRefused as exc:
        raise ImportRejected(str(exc)) from None
    kind = sniff(data)
    if kind == "image" and ext not in (".pdf", ".docx"):
        from handlers.tasks.importers.ocr import ocr_image_bytes

        result = ocr_image_bytes(name, data)
        return _normalise(result.text), result
    if kind in ("exe", "archive", "image"):
        if ext == ".pdf":
            raise ImportRejected(f"Tệp {name} không phải tệp PDF hợp lệ. Vui lòng gửi lại {SUPPORTED}.")
        if ext == ".docx":
            raise ImportRejected(f"Tệp {name} không phải tệp Word (.docx) hợp lệ. Vui lòng gửi lại {SUPPORTED}.")
        what = {"exe": "tệp chương trình", "archive": "tệp nén", "image": "tệp hình ảnh"}[kind]
        raise ImportRejected(f"Tệp {name} là {what}, không phải văn bản. Hệ thống chỉ nhận {SUPPORTED}.")
    if ext == ".pdf" or (kind == "pdf" and ext not in TEXT_EXTENSIONS):
        if kind != "pdf":
            raise ImportRejected(f"Tệp {name} không phải tệp PDF hợp lệ. Vui lòng gửi lại {SUPPORTED}.")
        text = _read_pdf(name, data)
        if text is None:  # a scan: pages are only images
            from handlers.tasks.importers.ocr import ocr_pdf_bytes

            result = ocr_pdf_bytes(name, data)
            return _normalise(result.text), result
        return _normalise(text), None
    if ext == ".docx" or (kind == "zip" and ext not in TEXT_EXTENSIONS):
        if kind != "zip":
            raise ImportRejected(f"Tệp {name} không phải tệp Word (.docx) hợp lệ. Vui lòng gửi lại {SUPPORTED}.")
        return _normalise(_read_docx(name, data)), None
    if ext == ".doc" or kind == "ole":
        raise ImportRejected(
            f"Tệp {name} là định dạng Word cũ (.doc). Vui lòng mở bằng Word, lưu thành .docx rồi gửi lại."
        )
    if ext in TEXT_EXTENSIONS or (ext == "" and kind is None):
        if kind is not None:
            raise ImportRejected(f"Tệp {name} không phải tệp văn bản (.txt) hợp lệ. Vui lòng gửi lại {SUPPORTED}.")
        return _normalise(_decode_text(name, data)), None
    raise ImportRejected(f"Hệ thống chưa hỗ trợ loại tệp {ext or 'này'} ({name}). Vui lòng gửi {SUPPORTED}.")


def _mb(n: int) -> str:
    value = n / (1024 * 1024)
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}".replace(".", ",")


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ImportRejected("Tệp không có nội dung chữ để đọc. Vui lòng kiểm tra lại tệp.")
    return text


# -- plain text -----------------------------------------------------------------------
def _decode_text(name: str, data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, then Windows-1258; else refuse."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in data:
        for encoding in ("utf-8-sig", "utf-8"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
        try:
            text = data.decode("cp1258")
        except UnicodeDecodeError:
            text = ""
        if text and _looks_like_text(text):
            return text
    raise ImportRejected(
        f"Không đọc được bảng mã chữ của tệp {name}. Vui lòng lưu tệp với bảng mã Unicode (UTF-8) rồi gửi lại."
    )


def _looks_like_text(text: str) -> bool:
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f")
    letters = sum(1 for ch in text if ch.isalpha())
    return controls == 0 and letters >= 0.5 * len(text.replace(" ", "").replace("\n", "") or "x")


# -- Word -------------------------------------------------------------------------------
def _read_docx(name: str, data: bytes) -> str:
    corrupt = f"Tệp Word {name} bị hỏng hoặc không đúng định dạng .docx, không mở được. Vui lòng lưu lại tệp rồi gửi lại."
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if "word/document.xml" not in {i.filename for i in infos}:
                raise ImportRejected(corrupt)
        import docx  # local import: python-docx is only needed for this path

        document = docx.Document(io.BytesIO(data))
    except ImportRejected:
        raise
    except Exception as exc:  # zipfile.BadZipFile, KeyError, lxml errors …
        log.info("docx rejected: %s", exc)
        raise ImportRejected(corrupt) from exc
    return "\n".join(_docx_blocks(document))


def _docx_blocks(document) -> list[str]:
    """Paragraphs and table rows in document order (rows as tab-separated cells)."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    out: list[str] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            out.append(Paragraph(child, document).text)
        elif tag == "tbl":
            for row in Table(child, document).rows:
                cells: list[str] = []
                for cell in row.cells:
                    text = " ".join(p.text for p in cell.paragraphs).strip()
                    if not cells or cells[-1] != text:  # merged cells repeat
                        cells.append(text)
                out.append("\t".join(cells) if len(cells) > 1 else (cells[0] if cells else ""))
    return out


# -- PDF -----------------------------------------------------------------------------------
def _read_pdf(name: str, data: bytes) -> str | None:
    """The text layer, or None when the PDF has none (a scan, read by OCR instead)."""
    import pdfplumber  # local import: heavy, only needed here

    pages: list[str] = []
    try:
        with pdf_limits(name), pdfplumber.open(io.BytesIO(data)) as pdf:
            check_pdf_pages(name, len(pdf.pages))
            for number, page in enumerate(pdf.pages, start=1):
                check_pdf_page(name, number, pdf, page)  # glyphs counted before layout objects are built
                pages.append(page.extract_text() or "")
                page.close()  # pdfplumber caches every character of a page otherwise
    except FileRefused as exc:
        raise ImportRejected(str(exc)) from None
    except Exception as exc:
        log.info("pdf rejected: %s", exc)
        raise ImportRejected(f"Tệp {name} không phải tệp PDF hợp lệ hoặc đã bị hỏng. Vui lòng gửi lại tệp khác.") from exc
    text = "\n".join(pages)
    if sum(ch.isalnum() for ch in text) < 20:
        return None
    return text
