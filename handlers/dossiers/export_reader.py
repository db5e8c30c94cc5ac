"""Reading the province's dossier exports (Excel / CSV) into DossierRecords.

Every vendor of provincial dossier systems names the columns its own way and
puts title rows above the header, so the reader:

* finds the header row among the first rows by counting known column names
  (compared after :func:`handlers.text.fold`, with synonyms per field);
* reads dates in the forms the exports use (Excel dates, ``25/12/2026``,
  ``25/12/2026 14:30``, ``2026-12-25``, ``25-12-2026``, ``25.12.2026``);
* imports every valid row and reports each bad one with its row number (as the
  spreadsheet shows it) and a Vietnamese reason, so one typo never blocks a
  whole export;
* keeps the LAST row when a dossier code appears twice (exports list a dossier
  again after a status change) and reports the code.

A missing or unrecognised channel counts as "direct" (the one-stop desk),
and a missing status is inferred from the dates. No database here: the
caller upserts ``ImportResult.records`` by code, which is what makes
re-importing an export idempotent.

Datetimes are naive local time (Asia/Ho_Chi_Minh), as written in the exports.
"""

from __future__ import annotations

import codecs
import csv
import io
import operator
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from typing import IO, Any, Protocol

from handlers.core.file_limits import FileRefused, bounded_rows, check_file
from handlers.dossiers.figures import PROCESSING, RESOLVED, RETURNED, DossierRecord
from handlers.text.fold import fold

#: Rows scanned for the header (title blocks above it are usually < 10 rows).
HEADER_SCAN_ROWS = 40
#: Time given to a due date computed from processing days (end of office hours).
COMPUTED_DUE_TIME = time(17, 0)


class WorkingDayCalendar(Protocol):
    """Anything that can add working days (the scheduler's WorkCalendar does)."""

    def add_working_days(self, start: date, days: int) -> date | datetime: ...


@dataclass(frozen=True)
class RowError:
    row_number: int
    reason_vi: str


@dataclass
class ImportResult:
    records: list[DossierRecord] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    duplicates_in_file: list[str] = field(default_factory=list)
    #: every row number of each duplicated code, in file order (last one kept)
    duplicate_rows: dict[str, list[int]] = field(default_factory=dict)
    header_row: int | None = None
    #: field name → header text as found in the file
    columns: dict[str, str] = field(default_factory=dict)
    #: dossiers read, when a stream handed them on in batches instead of keeping ``records``
    kept: int | None = None

    def summary_vi(self, max_errors: int = 10) -> str:
        """A short reply for the office after an import."""
        count = len(self.records) if self.kept is None else self.kept
        parts = [f"Đã đọc {count:,} hồ sơ hợp lệ.".replace(",", ".")]
        if self.duplicates_in_file:
            parts.append(
                f"{len(self.duplicates_in_file)} mã hồ sơ xuất hiện nhiều lần trong tệp "
                f"(đã lấy dòng cuối): {', '.join(self.duplicates_in_file[:max_errors])}."
            )
        if self.errors:
            parts.append(f"{len(self.errors)} dòng không nhập được:")
            parts.extend(f"- {_row_label(e.row_number)}: {e.reason_vi}" for e in self.errors[:max_errors])
            if len(self.errors) > max_errors:
                parts.append(f"- … và {len(self.errors) - max_errors} dòng khác.")
        return "\n".join(parts)


def _row_label(n: int) -> str:
    return "Tệp" if n == 0 else f"Dòng {n}"


class _RowProblem(ValueError):
    """A row cannot be imported; the message is the Vietnamese reason."""


# ---------------------------------------------------------------- headers

# Field → synonyms (already folded), best first: when two columns match the
# same field, the one matching an earlier synonym wins.
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "code": ("ma ho so", "so ho so", "ma hs", "so hs", "ma so ho so", "ma ho so tthc", "so bien nhan", "ma bien nhan"),
    "procedure": ("ten thu tuc hanh chinh", "ten thu tuc", "ten tthc", "thu tuc hanh chinh", "thu tuc", "tthc", "ten dich vu cong"),
    "field": ("linh vuc", "ten linh vuc", "linh vuc tthc", "linh vuc giai quyet"),
    "unit": ("don vi xu ly", "co quan xu ly", "don vi giai quyet", "co quan giai quyet", "phong ban xu ly", "don vi chu tri", "don vi tiep nhan", "co quan tiep nhan", "don vi"),
    "received": ("ngay tiep nhan", "ngay gio tiep nhan", "thoi gian tiep nhan", "ngay nhan", "ngay nhan ho so", "ngay nop ho so", "ngay nop", "thoi gian nop"),
    "due": ("ngay hen tra", "ngay hen tra ket qua", "han xu ly", "han giai quyet", "ngay het han", "han tra ket qua", "ngay hen"),
    "original_due": ("ngay hen tra ban dau", "han xu ly ban dau", "han giai quyet ban dau", "han ban dau"),
    "resolved": ("ngay co ket qua", "ngay ket thuc xu ly", "ngay xu ly xong", "ngay giai quyet xong", "ngay hoan thanh", "ngay ket thuc", "thoi gian co ket qua", "ngay hoan thanh xu ly"),
    "returned": ("ngay tra ket qua", "ngay tra", "thoi gian tra ket qua", "ngay da tra ket qua", "ngay nhan ket qua"),
    "status": ("trang thai", "trang thai ho so", "tinh trang", "tinh trang xu ly", "tinh trang ho so", "trang thai xu ly"),
    "channel": ("hinh thuc nop", "hinh thuc nop ho so", "kenh", "kenh tiep nhan", "kenh nop", "hinh thuc tiep nhan", "phuong thuc nop", "nguon ho so"),
    "service_level": ("muc do", "muc do dvc", "muc do dich vu cong", "muc do dvctt", "muc do dich vu"),
    "apology": ("ngay xin loi", "phieu xin loi", "ngay phieu xin loi", "ngay gui phieu xin loi", "xin loi"),
    "new_due": ("ngay hen lai", "ngay hen tra lai", "hen lai", "ngay hen tra moi"),
    "postal_return": ("hinh thuc tra ket qua", "hinh thuc nhan ket qua", "tra ket qua qua bcci", "nhan ket qua qua buu chinh", "nhan ket qua qua bcci"),
    "stt": ("stt", "so thu tu", "tt"),
    "processing_days": ("so ngay giai quyet", "thoi han giai quyet", "so ngay xu ly", "thoi gian giai quyet"),
}
_SYNONYM_RANK = {syn: (fld, i) for fld, syns in _SYNONYMS.items() for i, syn in enumerate(syns)}
_PAREN = re.compile(r"\([^)]*\)|\[[^]]*\]")
_NON_WORD = re.compile(r"[^0-9a-z]+")
_NUMBERING_CELL = re.compile(r"^\(?\d{1,3}\)?$")


@lru_cache(maxsize=1024)
def _header_key(text: str) -> str:
    """'Ngày tiếp nhận (dd/mm/yyyy)*' → 'ngay tiep nhan'."""
    return _NON_WORD.sub(" ", _PAREN.sub(" ", fold(text))).strip()


def _match_header(text: str) -> tuple[str, int] | None:
    """(field, rank) for a header cell, or None when it is not a known column."""
    key = _header_key(text)
    if not key:
        return None
    if key in _SYNONYM_RANK:
        return _SYNONYM_RANK[key]
    # 'Ngày hẹn trả kết quả dự kiến' → the longest synonym it starts with.
    best: tuple[str, int] | None = None
    best_len = 0
    for syn, hit in _SYNONYM_RANK.items():
        if len(syn) > best_len and len(syn) >= 6 and key.startswith(syn + " "):
            best, best_len = (hit[0], hit[1] + 100), len(syn)
    return best


def _map_header(cells: Sequence[Any]) -> dict[str, int]:
    """Field → column index for one candidate header row."""
    chosen: dict[str, tuple[int, int]] = {}
    for idx, cell in enumerate(cells):
        if not isinstance(cell, str):
            continue
        hit = _match_header(cell)
        if hit is None:
            continue
        fld, rank = hit
        if fld not in chosen or rank < chosen[fld][0]:
            chosen[fld] = (rank, idx)
    return {fld: idx for fld, (_, idx) in chosen.items()}


# ---------------------------------------------------------------- values

_DMY = re.compile(r"(?<!\d)(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})(?!\d)")
_YMD = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_TIME = re.compile(r"(?<!\d)(\d{1,2})\s*[:hH]\s*(\d{2})(?:\s*:\s*(\d{2}))?(?!\d)")
_EXCEL_EPOCH = datetime(1899, 12, 30)
_DAYS = re.compile(r"^(\d{1,3})\s*(?:ngay(?: lam viec)?)?$")


def parse_datetime(value: Any) -> datetime | None:
    """A cell → naive local datetime; None when empty; ValueError when unreadable.

    Day-first like Vietnamese documents; ISO ``yyyy-mm-dd`` is also read. The
    time may come before or after the date (some exports write ``14:30
    25/12/2026``). Seconds are rounded to whole seconds so a value read back
    from Excel's floating-point dates compares equal.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return _whole_seconds(value.replace(tzinfo=None))
    if isinstance(value, date):
        return datetime.combine(value, time())
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000 <= value <= 80000:  # an Excel serial date the file did not format
            return _whole_seconds(_EXCEL_EPOCH + timedelta(days=float(value)))
        raise ValueError(str(value))
    text = str(value).strip()
    if not text:
        return None
    m = _DMY.search(text)
    if m:
        d, mo, y = int(m[1]), int(m[2]), int(m[3])
    else:
        m = _YMD.search(text)
        if not m:
            raise ValueError(text)
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
    rest = text[: m.start()] + " " + text[m.end() :]
    t = _TIME.search(rest)
    hh, mm, ss = (int(t[1]), int(t[2]), int(t[3] or 0)) if t else (0, 0, 0)
    try:
        return datetime(y, mo, d, hh, mm, ss)
    except ValueError as exc:
        raise ValueError(text) from exc


def _whole_seconds(dt: datetime) -> datetime:
    if dt.microsecond:
        dt = dt.replace(microsecond=0) + timedelta(seconds=1 if dt.microsecond >= 500_000 else 0)
    return dt


# Status words, folded; matched exactly first, then by the longest phrase contained.
_STATUS_WORDS: dict[str, int] = {
    "moi dang ky": 1, "moi": 1, "cho tiep nhan": 1, "dang ky moi": 1,
    "duoc tiep nhan": 2, "da tiep nhan": 2, "tiep nhan": 2, "moi tiep nhan": 2,
    "khong duoc tiep nhan": 3, "khong tiep nhan": 3, "tu choi tiep nhan": 3, "tu choi": 3, "tra lai ho so": 3, "tra lai": 3,
    "dang xu ly": 4, "dang giai quyet": 4, "cho xu ly": 4, "dang thu ly": 4, "chuyen xu ly": 4, "cho phe duyet": 4,
    "yeu cau bo sung": 5, "cho bo sung": 5, "bo sung ho so": 5, "bo sung": 5, "yeu cau bo sung ho so": 5,
    "yeu cau nghia vu tai chinh": 6, "nghia vu tai chinh": 6, "cho thuc hien nghia vu tai chinh": 6,
    "cong dan rut ho so": 7, "rut ho so": 7, "xin rut": 7, "da rut": 7, "rut": 7, "to chuc rut ho so": 7,
    "dung xu ly": 8, "tam dung": 8, "dung": 8,
    "da xu ly xong": 9, "xu ly xong": 9, "da co ket qua": 9, "cho tra ket qua": 9, "da giai quyet": 9, "hoan thanh": 9, "da xu ly": 9,
    "da tra ket qua": 10, "tra ket qua": 10, "da tra": 10, "da hoan thanh": 10, "ket thuc": 10,
}
_STATUS_BY_LENGTH = sorted(_STATUS_WORDS.items(), key=lambda kv: -len(kv[0]))
_LEADING_CODE = re.compile(r"^\s*(\d{1,2})(?:\s*[-.:)]\s*|\s*$)")


@lru_cache(maxsize=512)
def parse_status(text: str) -> int | None:
    """'10', '7 - Công dân rút hồ sơ', 'Đã trả kết quả' → national code (None if unknown)."""
    m = _LEADING_CODE.match(text)
    if m and 1 <= int(m[1]) <= 10:
        return int(m[1])
    key = _NON_WORD.sub(" ", fold(text)).strip()
    if key in _STATUS_WORDS:
        return _STATUS_WORDS[key]
    padded = f" {key} "
    for words, code in _STATUS_BY_LENGTH:
        if f" {words} " in padded:
            return code
    return None


@lru_cache(maxsize=256)
def parse_channel(text: str) -> str | None:
    """'Trực tuyến' / 'qua mạng' / 'BCCI' / '2' → 'online' | 'direct' | 'postal'."""
    key = _NON_WORD.sub(" ", fold(text)).strip()
    if key in ("1", "2", "3"):
        return {"1": "direct", "2": "online", "3": "postal"}[key]
    if any(w in key for w in ("buu chinh", "bcci", "buu dien", "buu cuc")):
        return "postal"
    if any(w in key for w in ("truc tuyen", "qua mang", "online", "dich vu cong", "dvc", "muc do", "toan trinh", "mot phan", "internet")):
        return "online"
    if any(w in key for w in ("truc tiep", "mot cua", "tai quay", "bo phan tiep nhan")):
        return "direct"
    return None


@lru_cache(maxsize=256)
def parse_service_level(text: str) -> str | None:
    """'Toàn trình' / 'Mức độ 4' → 'toàn trình'; 'Một phần' / 'Mức độ 3' → 'một phần'."""
    key = _NON_WORD.sub(" ", fold(text)).strip()
    if "toan trinh" in key or key.endswith("4"):
        return "toàn trình"
    if "mot phan" in key or key.endswith("3"):
        return "một phần"
    return None


@lru_cache(maxsize=256)
def _truthy_postal(text: str) -> bool:
    key = fold(text)
    return any(w in key for w in ("buu chinh", "bcci", "buu dien")) or key in ("x", "co", "1", "yes")


class UnitResolver:
    """Unit names as written in exports → unit codes, via the org file's aliases.

    Exact folded match on code, name or alias first; otherwise the longest
    alias (≥ 6 letters, to avoid 'VP' hitting inside words) contained in the
    text as whole words. Unknown units give None — not an error.
    """

    def __init__(self, units: Iterable[Any] | None = None) -> None:
        if units is None:
            from models.org_file import default_org

            units = default_org().units
        self._exact: dict[str, str] = {}
        self._contained: list[tuple[str, str]] = []
        for u in units:
            for name in (u.code, u.name, *u.aliases):
                key = _NON_WORD.sub(" ", fold(name)).strip()
                self._exact.setdefault(key, u.code)
                if len(key) >= 6:
                    self._contained.append((f" {key} ", u.code))
        self._contained.sort(key=lambda kv: -len(kv[0]))
        self._cache: dict[str, str | None] = {}

    def __call__(self, text: str) -> str | None:
        if text not in self._cache:
            self._cache[text] = self._resolve(text)
        return self._cache[text]

    def _resolve(self, text: str) -> str | None:
        key = _NON_WORD.sub(" ", fold(text)).strip()
        if key in self._exact:
            return self._exact[key]
        padded = f" {key} "
        return next((code for alias, code in self._contained if alias in padded), None)


# ---------------------------------------------------------------- file formats


def _rows_xlsx(data: bytes) -> Iterator[Iterator[tuple[int, Sequence[Any]]]]:
    """One row iterator per worksheet (row numbers as Excel shows them)."""
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        for ws in wb.worksheets:
            ws.reset_dimensions()  # some exporters write wrong <dimension> tags
            yield enumerate(ws.iter_rows(values_only=True), start=1)
    finally:
        wb.close()


def _rows_xls(data: bytes) -> Iterator[Iterator[tuple[int, Sequence[Any]]]]:
    try:
        import xlrd  # type: ignore[import-not-found]
    except ImportError as exc:
        raise _RowProblem(
            "Tệp .xls (Excel 97-2003) chưa đọc được trên máy chủ này. Đề nghị mở tệp "
            "bằng Excel và lưu lại dưới dạng .xlsx (Excel Workbook) hoặc .csv rồi gửi lại."
        ) from exc
    book = xlrd.open_workbook(file_contents=data)

    def convert(cell: Any) -> Any:
        if cell.ctype == xlrd.XL_CELL_DATE:
            return xlrd.xldate_as_datetime(cell.value, book.datemode)
        return cell.value if cell.ctype != xlrd.XL_CELL_EMPTY else None

    for sheet in book.sheets():
        yield (
            (i + 1, [convert(c) for c in sheet.row(i)]) for i in range(sheet.nrows)
        )


class _HtmlTable(HTMLParser):
    """Rows of the first table of an HTML page saved as '.xls' (a common export)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _decode_text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1258", errors="replace")
    return unicodedata.normalize("NFC", text)


def _rows_html(data: bytes) -> Iterator[Iterator[tuple[int, Sequence[Any]]]]:
    parser = _HtmlTable()
    parser.feed(_decode_text(data))
    yield enumerate(parser.rows, start=1)


def _is_utf8(chunks: Iterable[bytes]) -> bool:
    """Whether the bytes are UTF-8, checked a megabyte at a time (no full copy as text)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in chunks:
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _byte_chunks(data: bytes) -> Iterator[bytes]:
    for start in range(0, len(data), 1 << 20):
        yield data[start:start + (1 << 20)]


def _file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            yield chunk


def _head(path: Path, size: int) -> bytes:
    with path.open("rb") as f:
        return f.read(size)


def _utf8_lines(data: bytes) -> Iterator[str]:
    """The lines of UTF-8 ``data``, decoded one at a time (ends kept).

    A million-row export is ~350 MB of bytes; decoding it whole and wrapping it
    in a StringIO held two more copies (up to 4 bytes a character), most of
    the import's memory. Splitting at the byte ``\\n`` is safe in UTF-8, and NFC
    never joins characters across a line end, so each line is normalised alone.
    """
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    size = len(data)
    while start < size:
        end = data.find(b"\n", start)
        end = size if end < 0 else end + 1
        yield unicodedata.normalize("NFC", data[start:end].decode("utf-8"))
        start = end


def _utf8_file_lines(path: Path) -> Iterator[str]:
    """The same lines as :func:`_utf8_lines`, read from disk as they are needed."""
    with path.open("rb") as f:
        for number, raw in enumerate(f):
            if number == 0:
                raw = raw.removeprefix(codecs.BOM_UTF8)
                if not raw:
                    continue
            yield unicodedata.normalize("NFC", raw.decode("utf-8"))


def _open_text(path: Path, encoding: str) -> IO[str]:
    """The file decoded as :func:`_decode_text` decodes bytes (only Windows-1258 replaces errors)."""
    errors = "replace" if encoding == "cp1258" else "strict"
    return io.TextIOWrapper(path.open("rb"), encoding=encoding, errors=errors, newline="")


def _text_file_lines(path: Path, encoding: str) -> Iterator[str]:
    """Lines of a UTF-16 / Windows-1258 / old-Mac file, as the whole-text reading gives them."""
    with _open_text(path, encoding) as f:
        for line in f:
            yield unicodedata.normalize("NFC", line)


def _file_encoding(path: Path, head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    return "utf-8-sig" if _is_utf8(_file_chunks(path)) else "cp1258"


def _rows_csv(source: bytes | Path) -> Iterator[Iterator[tuple[int, Sequence[Any]]]]:
    """Rows of a CSV, with the delimiter that best reveals a header row.

    ``source`` is the file's bytes (a chat upload) or its path (the command
    line), which is read a line at a time and never held whole.
    """
    head_bytes = source[:20000] if isinstance(source, bytes) else _head(source, 20000)
    old_mac = b"\r" in head_bytes and b"\n" not in head_bytes  # lines end in CR alone
    utf16 = head_bytes.startswith((b"\xff\xfe", b"\xfe\xff"))
    lines: Iterable[str]
    if isinstance(source, bytes):
        if old_mac or utf16 or not _is_utf8(_byte_chunks(source)):
            text = _decode_text(source)
            head_text, lines = text[:20000], io.StringIO(text, newline="")
        else:  # the usual case: read line by line
            head_text = unicodedata.normalize("NFC", head_bytes.decode("utf-8-sig", errors="ignore"))
            lines = _utf8_lines(source)
    else:
        encoding = _file_encoding(source, head_bytes)
        if old_mac or encoding != "utf-8-sig":
            head_text = "".join(_head_text(source, encoding))
            lines = _text_file_lines(source, encoding)
        else:
            head_text = unicodedata.normalize("NFC", head_bytes.decode("utf-8-sig", errors="ignore"))
            lines = _utf8_file_lines(source)
    head = head_text.splitlines()[:HEADER_SCAN_ROWS]
    best, best_score = ",", -1
    for delim in (",", ";", "\t", "|"):
        rows = list(csv.reader(head, delimiter=delim))
        score = max((len(_map_header(r)) for r in rows), default=0)
        if score > best_score:
            best, best_score = delim, score
    yield enumerate(csv.reader(lines, delimiter=best), start=1)


def _head_text(path: Path, encoding: str) -> Iterator[str]:
    """The first 20,000 characters of a decoded file (what the delimiter is chosen from)."""
    with _open_text(path, encoding) as f:
        yield unicodedata.normalize("NFC", f.read(20000))


_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _plain_csv(file_name: str, head: bytes) -> bool:
    """Whether :func:`_open_sheets` would read these first bytes as a CSV with no check needing the
    rest of the file: only then is a file on disk streamed instead of read whole."""
    sniff = head[:2048].lstrip().lower()
    return not (
        head[:4] in (b"PK\x03\x04", b"RIFF") or b"%PDF-" in head[:1024]
        or head.startswith((b"\xff\xd8\xff", b"\x89PNG", b"GIF8", b"MZ", _OLE))
        or sniff.startswith((b"<html", b"<!doctype", b"<table", b"<?xml")) or b"<table" in sniff
        or file_name.lower().endswith((".xlsx", ".xlsm", ".xls"))
        or (b"\x00" in head[:4096] and not head.startswith((b"\xff\xfe", b"\xfe\xff")))
    )


def _sheets(file_name: str, data: bytes) -> Iterator[Iterator[tuple[int, Sequence[Any]]]]:
    """The row iterators of a file's sheets (the procedure catalogue reads them too)."""
    return _open_sheets(file_name, data)[0]


def _open_sheets(file_name: str, source: bytes | Path) -> tuple[Iterator[Iterator[tuple[int, Sequence[Any]]]], bool]:
    """Pick the reader by content first (exports lie about extensions), then name.

    Also says whether the rows are streamed from disk (a CSV given by path):
    those are not bounded in number, since memory no longer grows with them.
    """
    if isinstance(source, Path):
        if _plain_csv(file_name, _head(source, 8192)):
            return _rows_csv(source), True
        source = source.read_bytes()
    data = source
    name = file_name.lower()
    not_a_sheet = _RowProblem(
        f"Tệp {file_name} không phải bảng tính Excel hoặc CSV. Đề nghị xuất danh sách hồ sơ "
        "từ hệ thống ra tệp .xlsx hoặc .csv rồi gửi lại."
    )
    check_file(file_name, data)  # unpacked sizes bounded before any parser runs
    if data[:4] == b"PK\x03\x04" and zipfile.is_zipfile(io.BytesIO(data)):
        if "xl/workbook.xml" not in zipfile.ZipFile(io.BytesIO(data)).namelist():
            raise not_a_sheet  # a .docx or another zip sent by mistake
        return _rows_xlsx(data), False
    if data[:5] == b"%PDF-" or data.startswith((b"\xff\xd8\xff", b"\x89PNG", b"GIF8", b"MZ")):
        raise not_a_sheet  # a PDF, a photo or a program: never read its bytes as column headers
    if data[:8] == _OLE:
        return _rows_xls(data), False
    sniff = data[:2048].lstrip().lower()
    if sniff.startswith((b"<html", b"<!doctype", b"<table", b"<?xml")) or b"<table" in sniff:
        return _rows_html(data), False
    if name.endswith((".xlsx", ".xlsm", ".xls")):
        raise _RowProblem("Tệp không phải bảng tính Excel hợp lệ. Đề nghị xuất lại tệp .xlsx hoặc .csv.")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise not_a_sheet  # binary content that is no spreadsheet (UTF-16 text has a BOM)
    return _rows_csv(data), False


# ---------------------------------------------------------------- reading


def _is_blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _text(cell: Any) -> str | None:
    if _is_blank(cell):
        return None
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return unicodedata.normalize("NFC", str(cell)).strip()


def _find_header(
    rows: Iterator[tuple[int, Sequence[Any]]],
) -> tuple[int | None, dict[str, int], list[str]]:
    """Scan the first rows for the header row, consuming them from ``rows``.

    Returns (row number, field → column, []) when found, else (None, {}, the
    labels of the most header-like row) for the error message.
    """
    best: tuple[int, list[str]] = (-1, [])
    for scanned, (row_no, cells) in enumerate(rows, start=1):
        mapping = _map_header(cells)
        if "code" in mapping and len(mapping) >= 2:
            return row_no, mapping, []
        labels = [" ".join(c.split()) for c in cells if isinstance(c, str) and c.strip()]
        score = len(mapping) * 100 + len(labels)
        if labels and score > best[0]:
            best = (score, labels)
        if scanned >= HEADER_SCAN_ROWS:
            break
    return None, {}, best[1]


class SeenCodes:
    """Every dossier code read so far from one file, for the duplicate report.

    A dict of a million codes costs ~130 MB; here each code is a 64-bit hash
    in a sorted numpy array with its slot number (the order it was first
    read) and first row: ~16 bytes a code. A hash collision (odds ~1 in 30
    million for a million codes) would only list a code as repeated; which
    row is saved never depends on it (the upsert is by the code itself).
    """

    def __init__(self) -> None:
        import numpy as np

        self._np = np
        self._keys = np.empty(0, np.int64)
        self._slots = np.empty(0, np.int64)
        self._first_row = np.empty(0, np.int64)

    def __len__(self) -> int:
        return len(self._keys)

    def first_row(self, slot: int) -> int:
        return int(self._first_row[slot])

    def add(self, codes: Sequence[str], rows: Sequence[int]) -> tuple[list[int], list[int]]:
        """(slot of each code, indexes of the codes already seen), adding the new ones.

        ``codes`` are distinct; ``rows`` are their first rows in this batch.
        """
        np = self._np
        hashes = np.fromiter((hash(c) for c in codes), np.int64, len(codes))
        n = len(self._keys)
        pos = np.searchsorted(self._keys, hashes)
        found = np.zeros(len(hashes), bool)
        if n:
            inside = pos < n
            found[inside] = self._keys[pos[inside]] == hashes[inside]
        slots = np.empty(len(hashes), np.int64)
        slots[found] = self._slots[pos[found]]
        new = np.flatnonzero(~found)
        first = len(self._first_row)
        new_slots = np.arange(first, first + len(new), dtype=np.int64)
        slots[new] = new_slots
        self._first_row = np.concatenate([self._first_row, np.asarray(rows, np.int64)[new]])
        order = np.argsort(hashes[new], kind="stable")
        fresh = hashes[new][order]
        at = np.searchsorted(self._keys, fresh)
        self._keys = np.insert(self._keys, at, fresh)
        self._slots = np.insert(self._slots, at, new_slots[order])
        return slots.tolist(), np.flatnonzero(found).tolist()


@dataclass
class DossierBatch:
    """Up to a batch of dossiers, one record per code (the batch's last row of it)."""

    records: list[DossierRecord]
    #: for each record, its code's slot in :class:`SeenCodes` (stable for the whole file)
    slots: list[int]
    #: indexes of the records whose code an earlier batch already had (its later row wins)
    repeats: list[int]


#: Dossiers handed on at a time: big enough for fast bulk SQL, small enough to stay a few MB.
BATCH_ROWS = 10_000


class ExportStream:
    """An export read a batch at a time (see :meth:`batches`).

    A ten-year export is a million rows and 350 MB: neither the file (given by
    path) nor its records are held whole. ``result`` has the header, the
    columns and each bad row as soon as they are read; the duplicate report
    and ``kept`` are complete once :meth:`batches` is exhausted. A later row
    of a code wins, across batches too: the consumer saves batches in order.
    """

    def __init__(
        self,
        file_name: str,
        source: bytes | Path,
        *,
        calendar: WorkingDayCalendar | None = None,
        processing_days: Mapping[str, int] | None = None,
        unit_resolver: UnitResolver | None = None,
        batch_size: int = BATCH_ROWS,
    ) -> None:
        self.file_name = file_name
        self.batch_size = batch_size
        self.result = ImportResult()
        self.seen = SeenCodes()
        #: the file stopped being readable part-way (the reason is the last error, row 0)
        self.aborted = False
        self._rows: Iterator[tuple[int, Sequence[Any]]] | None = None
        self._sheets: Iterator[Any] | None = None
        self._reader: _RowReader | None = None
        self._dups: dict[str, list[int]] = {}
        self._open(source, calendar, processing_days, unit_resolver)

    def _open(self, source: bytes | Path, calendar: WorkingDayCalendar | None,
              processing_days: Mapping[str, int] | None, unit_resolver: UnitResolver | None) -> None:
        result, file_name = self.result, self.file_name
        try:
            sheets, streamed = _open_sheets(file_name, source)
            found_labels: list[str] = []
            for rows in sheets:
                header_row, mapping, labels = _find_header(rows)
                if header_row is None:
                    found_labels = found_labels or labels
                    continue
                result.header_row = header_row
                self._reader = _RowReader(mapping, calendar, processing_days, unit_resolver or UnitResolver())
                self._rows = rows if streamed else bounded_rows(rows, file_name)
                self._sheets = sheets
                return
        except (_RowProblem, FileRefused) as exc:
            result.errors.append(RowError(0, str(exc)))
            return
        except (zipfile.BadZipFile, KeyError, OSError, csv.Error) as exc:
            result.errors.append(RowError(0, _damaged(file_name, exc)))
            return
        shown = ", ".join(found_labels[:20]) if found_labels else "(không có)"
        result.errors.append(
            RowError(
                0,
                "Không tìm thấy cột Mã hồ sơ (hoặc Số hồ sơ, Mã HS) trong tệp. "
                f"Các tiêu đề cột tìm thấy: {shown}.",
            )
        )

    def batches(self) -> Iterator[DossierBatch]:
        """The valid rows, a batch at a time; bad rows go to ``result.errors``."""
        if self._rows is None or self._reader is None:
            return
        self.result.columns = {}
        reader, errors = self._reader, self.result.errors
        pending: dict[str, DossierRecord] = {}
        first: dict[str, int] = {}
        again: dict[str, list[int]] = {}
        try:
            for row_no, cells in self._rows:
                if reader.is_empty(cells):
                    continue
                try:
                    rec = reader.record(cells)
                except _RowProblem as exc:
                    errors.append(RowError(row_no, str(exc)))
                    continue
                code = rec.code
                if code in pending:
                    del pending[code]  # re-insert so the order follows the kept row
                    again.setdefault(code, []).append(row_no)
                else:
                    first[code] = row_no
                pending[code] = rec
                if len(pending) >= self.batch_size:
                    yield self._batch(pending, first, again)
                    pending, first, again = {}, {}, {}
            if pending:
                yield self._batch(pending, first, again)
        except FileRefused as exc:
            self._abort(str(exc))
        except (zipfile.BadZipFile, KeyError, OSError, csv.Error) as exc:
            self._abort(_damaged(self.file_name, exc))
        finally:
            self._close()
        if not self.aborted:
            dups = sorted(self._dups.items(), key=lambda kv: kv[1][0])  # in the order codes first appear
            self.result.duplicate_rows = dict(dups)
            self.result.duplicates_in_file = list(self.result.duplicate_rows)
            self.result.kept = len(self.seen)

    def _batch(self, pending: dict[str, DossierRecord], first: dict[str, int],
               again: dict[str, list[int]]) -> DossierBatch:
        codes = list(pending)
        slots, repeats = self.seen.add(codes, [first[c] for c in codes])
        for i in repeats:  # a code an earlier batch had: its rows so far, then these
            code = codes[i]
            rows = self._dups.get(code)
            if rows is None:
                rows = self._dups[code] = [self.seen.first_row(slots[i])]
            rows.append(first[code])
            rows.extend(again.get(code, ()))
        for code, more in again.items():
            if code not in self._dups:
                self._dups[code] = [first[code], *more]
        return DossierBatch(list(pending.values()), slots, repeats)

    def _abort(self, reason: str) -> None:
        """As before streaming: a file unreadable part-way imports nothing, with its reason."""
        self.aborted = True
        self.result.errors.append(RowError(0, reason))
        self.result.kept = 0

    def _close(self) -> None:
        close = getattr(self._sheets, "close", None)
        if close is not None:
            close()  # an .xlsx workbook is closed by its generator's cleanup
        self._rows = self._sheets = None


def _damaged(file_name: str, exc: BaseException) -> str:
    return f"Không đọc được tệp {file_name} (tệp bị hỏng hoặc sai định dạng: {exc})."


def read_dossier_export(
    file_name: str,
    data: bytes,
    *,
    calendar: WorkingDayCalendar | None = None,
    processing_days: Mapping[str, int] | None = None,
    unit_resolver: UnitResolver | None = None,
) -> ImportResult:
    """Read an export into records plus a per-row error list (see module doc).

    ``processing_days`` (procedure name → working days) and ``calendar`` fill
    in a missing appointment date: ``calendar.add_working_days(received_date,
    n)``, at 17:00 when the calendar returns a bare date. For files too large
    to hold their records, :class:`ExportStream` hands them on in batches.
    """
    stream = ExportStream(file_name, data, calendar=calendar, processing_days=processing_days,
                          unit_resolver=unit_resolver)
    by_code: dict[str, DossierRecord] = {}
    for batch in stream.batches():
        for rec in batch.records:
            if rec.code in by_code:
                del by_code[rec.code]  # the order follows the kept (last) row
            by_code[rec.code] = rec
    result = stream.result
    result.records = [] if stream.aborted else list(by_code.values())
    result.kept = None
    return result


_DATE_LABELS = {
    "received": "Ngày tiếp nhận",
    "due": "Ngày hẹn trả",
    "original_due": "Ngày hẹn trả ban đầu",
    "resolved": "Ngày có kết quả",
    "returned": "Ngày trả kết quả",
    "new_due": "Ngày hẹn lại",
    "apology": "Ngày xin lỗi",
}


#: ``dd/mm/yyyy`` and `` HH:MM`` as the provincial system writes every date: each
#: distinct day and minute is parsed once (see :meth:`_RowReader.when`).
_CANONICAL = re.compile(r"[0-9]{2}/[0-9]{2}/[0-9]{4} [0-9]{2}:[0-9]{2}")
_DAYS_SEEN: dict[str, datetime] = {}
_MINUTES_SEEN: dict[str, timedelta] = {}
#: Distinct cell texts remembered (units, procedures, statuses repeat; codes are never kept).
_TEXTS_KEPT = 20_000


def _clean(value: Any) -> str | None:
    """A cell as text: NFC, spaces collapsed; None when blank."""
    raw = _text(value)
    return " ".join(raw.split()) if raw is not None else None


class _RowReader:
    """Turns one row's cells into a DossierRecord, or raises _RowProblem.

    It runs once per row of a million-row export, so cells are fetched by
    precomputed index, repeated texts are cleaned once, and dates written
    ``dd/mm/yyyy HH:MM`` are assembled from a parsed day plus a parsed minute;
    anything else goes through :func:`parse_datetime` as before.
    """

    _FIELDS = ("code", "procedure", "field", "unit", "received", "due", "original_due", "resolved", "returned",
               "status", "channel", "service_level", "apology", "new_due", "postal_return", "processing_days")

    def __init__(
        self,
        mapping: dict[str, int],
        calendar: WorkingDayCalendar | None,
        processing_days: Mapping[str, int] | None,
        units: UnitResolver,
    ) -> None:
        self.m = mapping
        self.calendar = calendar
        self.days = {fold(k): v for k, v in (processing_days or {}).items()}
        self.units = units
        self._stt = mapping.get("stt")
        self._code = mapping["code"]
        self._where = [(i, mapping[f]) for i, f in enumerate(self._FIELDS) if f in mapping]
        # A CSV row is a list as wide as the header: one C call picks every field, a
        # missing column reading the None appended at the end (index -1).
        self._width = max(mapping.values()) + 1
        self._pick = operator.itemgetter(*(mapping.get(f, -1) for f in self._FIELDS))
        self._texts: dict[str, str | None] = {}

    def cell(self, cells: Sequence[Any], name: str) -> Any:
        idx = self.m.get(name)
        return cells[idx] if idx is not None and idx < len(cells) else None

    def is_empty(self, cells: Sequence[Any]) -> bool:
        """Blank rows, and rows of column numbers '(1) (2) (3)' under a header."""
        code = cells[self._code] if self._code < len(cells) else None
        if code.__class__ is str and self._code != self._stt:
            stripped = code.strip()
            if stripped and not _NUMBERING_CELL.match(stripped):
                return False  # a value that is no column number: neither blank nor a numbering row
        values = [c for i, c in enumerate(cells) if i != self._stt and not _is_blank(c)]
        if not values:
            return True
        return len(values) > 2 and all(_NUMBERING_CELL.match(str(v).strip()) for v in values)

    def _values(self, cells: Sequence[Any]) -> Sequence[Any]:
        """The row's cells in the order of ``_FIELDS`` (None where the column is missing)."""
        if cells.__class__ is list and len(cells) >= self._width:
            cells.append(None)  # type: ignore[attr-defined]
            return self._pick(cells)  # type: ignore[no-any-return]
        out: list[Any] = [None] * len(self._FIELDS)
        n = len(cells)
        for i, idx in self._where:
            if idx < n:
                out[i] = cells[idx]
        return out

    def text(self, value: Any) -> str | None:
        """A repeated cell (unit, procedure, status…) cleaned once."""
        if value.__class__ is not str:  # None, or a number/date an .xlsx cell holds
            return None if value is None else _clean(value)
        cleaned = self._texts.get(value, _clean)
        if cleaned is _clean:
            cleaned = _clean(value)
            if len(self._texts) < _TEXTS_KEPT:
                self._texts[value] = cleaned
        return cleaned  # type: ignore[return-value]

    def when(self, value: Any, name: str) -> datetime | None:
        if not value and (value is None or value == ""):
            return None  # an empty cell (a CSV gives "")
        if value.__class__ is str and len(value) == 16:
            day = _DAYS_SEEN.get(value[:10])
            if day is not None:
                minute = _MINUTES_SEEN.get(value[10:])
                if minute is not None:
                    return day + minute
        try:
            parsed = parse_datetime(value)
        except ValueError:
            label = _DATE_LABELS[name]
            raise _RowProblem(f"{label} không đọc được: «{_text(value)}».") from None
        if parsed is not None and value.__class__ is str and _CANONICAL.fullmatch(value):
            # Both halves proved valid by this parse: remember them for the next rows.
            if len(_DAYS_SEEN) < 100_000:
                _DAYS_SEEN.setdefault(value[:10], parsed.replace(hour=0, minute=0))
            _MINUTES_SEEN.setdefault(value[10:], timedelta(hours=parsed.hour, minutes=parsed.minute))
        return parsed

    def apology(self, value: Any) -> datetime | None:
        """A date, or a letter reference containing one ('Số 12/PXL ngày 20/02/2026')."""
        try:
            return self.when(value, "apology")
        except _RowProblem:
            return None  # "Có" without a date: not provably in time

    def record(self, cells: Sequence[Any]) -> DossierRecord:
        (code_v, procedure_v, field_v, unit_v, received_v, due_v, original_v, resolved_v, returned_v,
         status_v, channel_v, level_v, apology_v, new_due_v, postal_v, _days) = self._values(cells)
        if code_v.__class__ is str:  # never kept: every code is different
            code = " ".join(unicodedata.normalize("NFC", code_v).split())
        else:
            code = _clean(code_v)
        if not code:
            raise _RowProblem("Thiếu mã hồ sơ.")
        received = self.when(received_v, "received")
        if received is None:
            raise _RowProblem("Thiếu ngày tiếp nhận.")
        procedure = self.text(procedure_v)
        due = self.when(due_v, "due") or self._computed_due(cells, procedure, received)
        original = self.when(original_v, "original_due")
        new_due = self.when(new_due_v, "new_due")
        if new_due is not None and original is None and due is not None:
            # The export shows the first appointment and the apology's new one.
            original, due = due, new_due
        for label, value in (("Ngày hẹn trả", original or due), ("Ngày hẹn lại", new_due)):
            if value is not None and value.date() < received.date():
                raise _RowProblem(
                    f"{label} ({value:%d/%m/%Y}) trước ngày tiếp nhận ({received:%d/%m/%Y})."
                )
        resolved = self.when(resolved_v, "resolved")
        returned = self.when(returned_v, "returned")
        status = self._status(status_v, resolved, returned)
        unit_text = self.text(unit_v)
        channel_text = self.text(channel_v)
        level_text = self.text(level_v)
        postal_text = self.text(postal_v)
        return DossierRecord(
            code=code,
            procedure=procedure,
            field=self.text(field_v),
            unit=self.units(unit_text) if unit_text else None,
            received_at=received,
            due_at=due,
            original_due_at=original,
            resolved_at=resolved,
            returned_at=returned,
            status=status,
            channel=(parse_channel(channel_text) if channel_text else None) or "direct",
            service_level=parse_service_level(level_text) if level_text else None,
            apology_at=self.apology(apology_v),
            new_due_at=new_due,
            postal_return=_truthy_postal(postal_text) if postal_text else False,
        )

    def _status(self, value: Any, resolved: datetime | None, returned: datetime | None) -> int:
        raw = self.text(value)
        if raw is None:
            # No status column/value: the dates tell what happened.
            if returned is not None:
                return RETURNED
            return RESOLVED if resolved is not None else PROCESSING
        status = parse_status(raw)
        if status is None:
            raise _RowProblem(f"Trạng thái không xác định: «{raw}».")
        if status in (RESOLVED, RETURNED) and resolved is None and returned is None:
            raise _RowProblem(f"Trạng thái «{raw}» nhưng thiếu ngày có kết quả / ngày trả kết quả.")
        return status

    def _computed_due(self, cells: Sequence[Any], procedure: str | None, received: datetime) -> datetime | None:
        """Appointment from the procedure's working days when the export has none."""
        if self.calendar is None:
            return None
        days: int | None = None
        raw_days = self.cell(cells, "processing_days")
        if isinstance(raw_days, (int, float)) and not isinstance(raw_days, bool):
            days = int(raw_days)
        elif isinstance(raw_days, str) and (m := _DAYS.match(fold(raw_days))):
            days = int(m[1])
        if days is None and procedure:
            days = self.days.get(fold(procedure))
        if days is None:
            return None
        due = self.calendar.add_working_days(received.date(), days)
        if isinstance(due, datetime):
            return due.replace(tzinfo=None)
        return datetime.combine(due, COMPUTED_DUE_TIME)


__all__ = [
    "BATCH_ROWS",
    "DossierBatch",
    "ExportStream",
    "ImportResult",
    "RowError",
    "UnitResolver",
    "WorkingDayCalendar",
    "parse_channel",
    "parse_datetime",
    "parse_service_level",
    "parse_status",
    "read_dossier_export",
]
