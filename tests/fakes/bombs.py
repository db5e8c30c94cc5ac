"""Decompression bombs, built in well under a second, for tests and benches.

A deflate stream that is fully flushed after each chunk restarts with an
empty dictionary, so compressing a chunk once and repeating those bytes N
times is a valid stream for the chunk repeated N times: a 1 GiB worksheet
costs one megabyte of compression work, and the CRC is computed honestly
so the archives are valid, merely huge once opened.
"""

from __future__ import annotations

import io
import struct
import zlib

from openpyxl import Workbook

GIB = 1024 ** 3


def _deflate_repeated(head: bytes, chunk: bytes, times: int, tail: bytes, *, raw: bool,
                      checksum: bool = True) -> tuple[bytes, int, int]:
    """(compressed, crc32, uncompressed size) of head + chunk×times + tail.

    ``checksum=False`` skips the checksum over the whole (1 GiB) output, which
    is most of the build time; it only matters to a reader that inflates
    everything, which is exactly what must never happen.
    """
    wbits = -15 if raw else 15
    parts = []
    c = zlib.compressobj(9, zlib.DEFLATED, wbits)
    parts.append(c.compress(head) + c.flush(zlib.Z_FULL_FLUSH))
    segment = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    parts.append(segment * times)
    parts.append(c.compress(tail) + c.flush())
    body = b"".join(parts)
    crc = zlib.crc32(head)
    adler = zlib.adler32(head)
    for _ in range(times if checksum else 0):
        if raw:
            crc = zlib.crc32(chunk, crc)
        else:
            adler = zlib.adler32(chunk, adler)
    crc = zlib.crc32(tail, crc)
    size = len(head) + len(chunk) * times + len(tail)
    if not raw:  # zlib container: the trailer must carry the Adler-32 of everything
        adler = zlib.adler32(tail, adler)
        body = body[:-4] + struct.pack(">I", adler)
    return body, crc, size


def _zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip of pre-deflated members: (name, raw deflate data, crc32, uncompressed size)."""
    out = io.BytesIO()
    central = []
    for name, data, crc, size in members:
        offset = out.tell()
        encoded = name.encode()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size,
                              len(encoded), 0) + encoded + data)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(data), size,
                                   len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    start = out.tell()
    for entry in central:
        out.write(entry)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), out.tell() - start, start, 0))
    return out.getvalue()


def xlsx_bomb(uncompressed: int = GIB, *, checksum: bool = True) -> bytes:
    """A valid workbook whose only sheet inflates to about ``uncompressed`` bytes."""
    wb = Workbook()
    wb.active["A1"] = "Nội dung nhiệm vụ"
    buf = io.BytesIO()
    wb.save(buf)
    import zipfile

    members = []
    with zipfile.ZipFile(buf) as real:
        for info in real.infolist():
            data = real.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                head = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns='
                        b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
                # One megabyte-long cell per row: deflate's best case, about 1,000 to 1.
                chunk = b'<row r="2"><c r="A2" t="inlineStr"><is><t>' + b"A" * (1024 * 1024) + b"</t></is></c></row>"
                body, crc, size = _deflate_repeated(head, chunk, max(1, uncompressed // len(chunk)),
                                                    b"</sheetData></worksheet>", raw=True, checksum=checksum)
                members.append((info.filename, body, crc, size))
            else:
                c = zlib.compressobj(9, zlib.DEFLATED, -15)
                members.append((info.filename, c.compress(data) + c.flush(), zlib.crc32(data), len(data)))
    return _zip(members)


def pdf_with_content(content_stream: bytes, *, pages: int = 1) -> bytes:
    """A minimal valid PDF whose pages all draw ``content_stream`` (already a full stream object body)."""
    return _pdf([content_stream] * pages)


def _pdf(streams: list[bytes]) -> bytes:
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"", b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for stream in streams:
        page_no, content_no = len(objs) + 1, len(objs) + 2
        kids.append(f"{page_no} 0 R")
        objs.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
                    f"/Contents {content_no} 0 R >>".encode())
        objs.append(stream)
    objs[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(streams)} >>".encode()
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, obj in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(f"{n} 0 obj\n".encode() + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def flate_stream(data_head: bytes, chunk: bytes, times: int, tail: bytes) -> bytes:
    """A FlateDecode stream object body for head + chunk×times + tail."""
    body, _crc, _size = _deflate_repeated(data_head, chunk, times, tail, raw=False)
    return b"<< /Filter /FlateDecode /Length " + str(len(body)).encode() + b" >>\nstream\n" + body + b"\nendstream"


def plain_stream(data: bytes) -> bytes:
    return b"<< /Length " + str(len(data)).encode() + b" >>\nstream\n" + data + b"\nendstream"


def pdf_bomb(uncompressed: int = GIB) -> bytes:
    """A one-page PDF whose content stream inflates to about ``uncompressed`` bytes."""
    chunk = b" " * (1024 * 1024)  # blanks: valid content-stream whitespace, compressed about 1,000 to 1
    return pdf_with_content(flate_stream(b"BT /F1 12 Tf 72 720 Td (Ket luan) Tj ET\n", chunk,
                                         max(1, uncompressed // len(chunk)), b""))


def text_pdf(chars_per_page: int, pages: int = 1) -> bytes:
    """Pages that each draw ``chars_per_page`` characters of real text, Flate-compressed."""
    line = "Giao Van phong So chu tri thuc hien nhiem vu cai cach hanh chinh. "
    streams = []
    for _ in range(pages):
        rows, y, total = [], 800, 0
        while total < chars_per_page:
            text = (line * 2)[:90]
            rows.append(f"BT /F1 6 Tf 20 {y} Td ({text}) Tj ET")
            total += len(text)
            y = y - 7 if y > 20 else 800
        content = "\n".join(rows).encode()
        c = zlib.compress(content, 9)
        streams.append(b"<< /Filter /FlateDecode /Length " + str(len(c)).encode() + b" >>\nstream\n" + c
                       + b"\nendstream")
    return _pdf(streams)
