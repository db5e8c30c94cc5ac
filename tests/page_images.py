"""Print a text as page images, the way a scanner or a phone would see the paper.

Used by the OCR tests: A4 pages at 120 dpi (11-point text), DejaVu Sans (it has every
Vietnamese letter), markdown decoration removed, long paragraphs wrapped.
"""

from __future__ import annotations

import io
import textwrap

from PIL import Image, ImageDraw, ImageFont

from handlers.tasks.importers.layout import clean_line

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
PAGE = (1000, 1414)  # A4 at 120 dpi: enough for Tesseract, and half the pixels of 150 dpi
MARGIN = 70
SIZE = 17
LEADING = 25
WRAP = 92


def printed_lines(text: str) -> list[str]:
    lines: list[str] = []
    for raw in text.splitlines():
        line = clean_line(raw)[0].replace(" | ", "   ")
        if not line:
            continue
        lines.extend(textwrap.wrap(line, WRAP) or [""])
    return lines


def pages(text: str, rotate: float = 0.0) -> list[Image.Image]:
    font = ImageFont.truetype(FONT, SIZE)
    lines = printed_lines(text)
    per_page = (PAGE[1] - 2 * MARGIN) // LEADING
    out = []
    for start in range(0, len(lines), per_page):
        page = Image.new("L", PAGE, 255)
        draw = ImageDraw.Draw(page)
        for i, line in enumerate(lines[start : start + per_page]):
            draw.text((MARGIN, MARGIN + i * LEADING), line, font=font, fill=0)
        if rotate:
            page = page.rotate(rotate, expand=False, fillcolor=255)
        out.append(page)
    return out


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def scanned_pdf_bytes(images: list[Image.Image]) -> bytes:
    """A PDF of page images only (no text layer), as a scanner makes it."""
    buffer = io.BytesIO()
    images[0].convert("RGB").save(buffer, format="PDF", save_all=True, append_images=[i.convert("RGB") for i in images[1:]],
                                  resolution=120)
    return buffer.getvalue()
