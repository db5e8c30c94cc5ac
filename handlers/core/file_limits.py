"""Size limits for every file format the bot opens, checked before parsing.

A 20 MB upload is small; what it unpacks to need not be. An .xlsx whose
sheet inflates to 1 GiB, or a PDF whose content stream inflates to 6 GB,
used to be handed straight to openpyxl or pdfminer, which allocate it all.
Every reader (task sheets, dossier exports, conclusions) now goes through
this one module first:

* **Zip containers (.xlsx, .docx)**: the declared uncompressed size of each
  member and of the whole archive, the number of members and the
  compression ratio are checked from the central directory, before any
  member is inflated. Python's zipfile never inflates a member beyond its
  declared size, so a lying directory cannot get around this.
* **Spreadsheet rows**: :func:`bounded_rows` stops a reader at a row count.
* **PDF**: while :func:`pdf_limits` is active, every stream pdfminer
  decodes is inflated with a ceiling per stream and per document (Flate,
  LZW and RunLength, chained filters included), the page count is checked
  before any page is read, and :func:`check_pdf_page` counts a page's
  glyphs with a layout-free pass before pdfplumber builds its (large:
  about 2 KB per character) objects.
* **Images**: Pillow reads only the header; pixel count and sides are
  checked, and Pillow's own ``MAX_IMAGE_PIXELS`` is set to the same bound.

The limits are generous for real documents (a 100,000-row dossier export
is a 109 MB sheet; a 19-page conclusion has a few thousand characters per
page) and keep the worst accepted file under about 300 MB of memory
(``benches/bench_file_bombs.py`` measures it). Every refusal is a
:class:`FileRefused` whose text is one Vietnamese line for the person.
"""

from __future__ import annotations

import functools

import contextvars
import io
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

MB = 1024 * 1024
T = TypeVar("T")


@dataclass(frozen=True)
class Limits:
    """The bounds; one instance (:data:`LIMITS`) is used everywhere."""

    zip_members: int = 2_000
    zip_total: int = 160 * MB  # all members of an archive, uncompressed
    zip_member: int = 160 * MB  # one worksheet (a 100,000-row export is ~109 MB)
    xlsx_shared_strings: int = 48 * MB  # openpyxl keeps every shared string in memory
    docx_document: int = 12 * MB  # python-docx builds one lxml tree of word/document.xml (~20× its size)
    zip_ratio: int = 200  # uncompressed / compressed, for members over 1 MB (real files: 5–20; bombs: ~1,000)
    sheet_rows: int = 150_000
    pdf_pages: int = 500
    pdf_stream: int = 16 * MB  # one decoded stream
    pdf_total: int = 160 * MB  # all streams decoded while reading one document
    pdf_page_glyphs: int = 40_000  # a dense A4 page has about 4,000
    image_pixels: int = 40_000_000
    image_side: int = 20_000


LIMITS = Limits()
#: A task list holds at most 20,000 rows of about ten short cells and is read whole: much smaller.
TASK_SHEET_LIMITS = Limits(zip_total=40 * MB, zip_member=40 * MB, xlsx_shared_strings=24 * MB)


class FileRefused(ValueError):
    """A file refused before parsing; ``str()`` is the Vietnamese line to show."""


def _mb(n: int) -> str:
    value = n / MB
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}".replace(".", ",")


# ------------------------------------------------------------------ dispatch

def check_file(name: str, data: bytes, limits: Limits = LIMITS) -> None:
    """Check ``data`` by what it is (its first bytes, not its name); raises :class:`FileRefused`."""
    if data[:4] == b"PK\x03\x04":
        check_zip(name, data, limits)
    elif data[:5] == b"%PDF-" or b"%PDF-" in data[:1024]:
        check_pdf(name, data, limits)
    elif data[:3] == b"\xff\xd8\xff" or data[:4] in (b"\x89PNG", b"GIF8") or data[:4] == b"RIFF":
        check_image(name, data, limits)


# ------------------------------------------------------------------ zip containers

def check_zip(name: str, data: bytes, limits: Limits = LIMITS) -> None:
    """Declared sizes, member count and ratios of an .xlsx/.docx, before any member is inflated."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not readable as a zip: the reader gives its own "damaged file" answer
    too_big = FileRefused(
        f"Tệp {name} quá lớn khi giải nén nên không đọc được (giới hạn {_mb(limits.zip_total)} MB dữ liệu). "
        "Vui lòng chia thành nhiều tệp nhỏ hơn hoặc xóa bớt các trang tính không cần thiết rồi gửi lại.")
    if len(infos) > limits.zip_members:
        raise FileRefused(f"Tệp {name} có quá nhiều thành phần ({len(infos)}), không phải tệp Office thông thường. "
                          "Vui lòng lưu lại tệp bằng Excel hoặc Word rồi gửi lại.")
    if sum(i.file_size for i in infos) > limits.zip_total:
        raise too_big
    for info in infos:
        if info.file_size > limits.zip_member:
            raise too_big
        if info.file_size > MB and info.file_size > limits.zip_ratio * max(info.compress_size, 1):
            raise FileRefused(f"Tệp {name} có nội dung nén bất thường (một phần giải nén ra "
                              f"{_mb(info.file_size)} MB) nên không được mở. Vui lòng lưu lại tệp bằng Excel hoặc "
                              "Word rồi gửi lại.")
        member = info.filename.lower()
        if member == "xl/sharedstrings.xml" and info.file_size > limits.xlsx_shared_strings:
            raise too_big
        if member == "word/document.xml" and info.file_size > limits.docx_document:
            raise FileRefused(f"Văn bản {name} quá dài để đọc (phần nội dung giải nén vượt "
                              f"{_mb(limits.docx_document)} MB). Vui lòng gửi văn bản ngắn hơn hoặc tách thành "
                              "nhiều tệp.")


def bounded_rows(rows: Iterable[T], name: str, max_rows: int | None = None) -> Iterator[T]:
    """``rows``, refusing the file once more than ``max_rows`` have been read."""
    limit = LIMITS.sheet_rows if max_rows is None else max_rows
    for count, row in enumerate(rows, start=1):
        if count > limit:
            raise FileRefused(f"Tệp {name} có hơn {limit:,} dòng".replace(",", ".")
                              + ", vượt giới hạn một lần nhập. Vui lòng chia thành nhiều tệp nhỏ hơn rồi gửi lại.")
        yield row


# ------------------------------------------------------------------ images

def check_image(name: str, data: bytes, limits: Limits = LIMITS) -> None:
    """Pixel count and sides from the header only (no pixel is decoded)."""
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = limits.image_pixels
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
    except Image.DecompressionBombError as exc:
        raise FileRefused(f"Ảnh {name} có kích thước quá lớn. Vui lòng gửi ảnh nhỏ hơn.") from exc
    except Exception:  # noqa: BLE001 - unreadable: the reader decides what to say
        return
    if width * height > limits.image_pixels or max(width, height) > limits.image_side:
        raise FileRefused(f"Ảnh {name} có kích thước quá lớn ({width}×{height} điểm ảnh). "
                          "Vui lòng chụp hoặc lưu lại ảnh với độ phân giải thấp hơn rồi gửi lại.")


# ------------------------------------------------------------------ PDF

@dataclass
class _PdfBudget:
    name: str
    limits: Limits
    used: int = 0

    def take(self, n: int) -> None:
        self.used += n
        if self.used > self.limits.pdf_total:
            raise FileRefused(_pdf_bomb(self.name, self.limits))


_budget: contextvars.ContextVar[_PdfBudget | None] = contextvars.ContextVar("pdf_budget", default=None)


def _pdf_bomb(name: str, limits: Limits) -> str:
    return (f"Tệp PDF {name} chứa dữ liệu nén bất thường (giải nén ra quá lớn) nên không được mở. "
            "Vui lòng in lại thành PDF từ Word hoặc gửi bản Word (.docx).")


def check_pdf(name: str, data: bytes, limits: Limits = LIMITS) -> None:
    """What can be told from the raw bytes: the declared page count (``/Count``)."""
    import re

    counts = [int(m) for m in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d{1,9})", data[:50 * MB])]
    counts += [int(m) for m in re.findall(rb"/Count\s+(\d{1,9})[^>]*?/Type\s*/Pages\b", data[:50 * MB])]
    if counts and max(counts) > limits.pdf_pages:
        raise _too_many_pages(name, max(counts), limits)


def _too_many_pages(name: str, pages: int, limits: Limits) -> FileRefused:
    return FileRefused(f"Tệp PDF {name} có {pages} trang, vượt giới hạn {limits.pdf_pages} trang. "
                       "Vui lòng chỉ gửi phần văn bản cần nhập.")


@contextmanager
def pdf_limits(name: str, limits: Limits = LIMITS) -> Iterator[None]:
    """Bound every stream pdfminer decodes inside this block (this thread or task only)."""
    _install_pdfminer_bounds()
    token = _budget.set(_PdfBudget(name, limits))
    try:
        yield
    finally:
        _budget.reset(token)


def check_pdf_pages(name: str, page_count: int, limits: Limits = LIMITS) -> None:
    if page_count > limits.pdf_pages:
        raise _too_many_pages(name, page_count, limits)


def check_pdf_page(name: str, number: int, pdf, page, limits: Limits = LIMITS) -> None:
    """Count the glyphs ``page`` draws (Form XObjects included) without building layout objects."""
    from pdfminer.pdfdevice import PDFDevice
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager

    class _Enough(Exception):
        pass

    class _Counter(PDFDevice):
        count = 0

        def render_string(self, textstate, seq, ncs, graphicstate) -> None:  # noqa: ANN001
            self.count += sum(len(obj) for obj in seq if isinstance(obj, (bytes, str)))
            if self.count > limits.pdf_page_glyphs:
                raise _Enough

    resources = PDFResourceManager(caching=True)
    counter = _Counter(resources)
    try:
        PDFPageInterpreter(resources, counter).process_page(page.page_obj)
    except _Enough:
        raise FileRefused(f"Trang {number} của tệp PDF {name} có quá nhiều ký tự (hơn "
                          f"{limits.pdf_page_glyphs:,}".replace(",", ".") + ") nên không đọc được. "
                          "Vui lòng gửi bản Word (.docx) của văn bản.") from None


def _bounded_inflate(data: bytes) -> bytes:
    """zlib.decompress with the per-stream ceiling and the document budget."""
    budget = _budget.get()
    if budget is None:
        return zlib.decompress(data)
    limit = budget.limits.pdf_stream
    inflater = zlib.decompressobj()
    out = inflater.decompress(data, limit + 1)
    if len(out) > limit:
        raise FileRefused(_pdf_bomb(budget.name, budget.limits))
    budget.take(len(out))
    return out


def _bounded(decoder, original):
    """Wrap a whole-buffer decoder (LZW, RunLength) so its output counts against the budget."""
    def decode(data: bytes) -> bytes:
        budget = _budget.get()
        if budget is None:
            return original(data)
        out = decoder(data, budget.limits.pdf_stream + 1)
        if len(out) > budget.limits.pdf_stream:
            raise FileRefused(_pdf_bomb(budget.name, budget.limits))
        budget.take(len(out))
        return out
    return decode


def _lzw_bounded(data: bytes, limit: int) -> bytes:
    from pdfminer.lzw import LZWDecoder

    out = bytearray()
    for chunk in LZWDecoder(io.BytesIO(data)).run():
        out += chunk
        if len(out) > limit:
            break
    return bytes(out)


def _rl_bounded(data: bytes, limit: int) -> bytes:
    out = bytearray()
    i, n = 0, len(data)
    while i < n and len(out) <= limit:
        length = data[i]
        i += 1
        if length == 128:
            break
        if length < 128:
            out += data[i:i + length + 1]
            i += length + 1
        elif i < n:
            out += bytes([data[i]]) * (257 - length)
            i += 1
    return bytes(out)


class _BoundedZlib:
    """Stands in for the ``zlib`` module inside pdfminer.pdftypes: ``decompress`` is bounded."""

    error = zlib.error
    decompressobj = staticmethod(zlib.decompressobj)
    decompress = staticmethod(_bounded_inflate)


@functools.cache
def _install_pdfminer_bounds() -> None:
    """Point pdfminer's stream decoding at the bounded decoders (once per process).

    pdfminer offers no size limit of its own; its ``PDFStream.decode`` looks
    up ``zlib``, ``lzwdecode`` and ``rldecode`` in its module, so replacing
    those three names bounds every filter chain. Outside :func:`pdf_limits`
    the replacements behave exactly like the originals.
    """
    from pdfminer import pdftypes

    pdftypes.zlib = _BoundedZlib  # type: ignore[assignment]
    pdftypes.lzwdecode = _bounded(_lzw_bounded, pdftypes.lzwdecode)  # type: ignore[assignment]
    pdftypes.rldecode = _bounded(_rl_bounded, pdftypes.rldecode)  # type: ignore[assignment]
