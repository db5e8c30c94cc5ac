"""Scans and phone photos → text, with Tesseract's Vietnamese model.

Signed conclusions reach the office as scanned PDFs without a text layer or as
photos taken with a phone. Each page image is cleaned up enough for Tesseract
(grey, contrast stretched, straightened by the angle whose row profile is
sharpest, thresholded) and read by the ``tesseract`` binary (Debian packages
``tesseract-ocr`` and ``tesseract-ocr-vie``) as TSV, which gives a confidence
per word. Lines the engine was unsure of are reported so the review can flag
the items that came from them. No Python binding is needed: one subprocess
per page.

A machine without the engine gets one clear Vietnamese sentence
(:class:`ImportRejected`), never a traceback.
"""

from __future__ import annotations

import csv
import io
import logging
import shutil
import subprocess
from dataclasses import dataclass, field

from handlers.tasks.importers.errors import ImportRejected

log = logging.getLogger(__name__)

LOW_CONFIDENCE = 60.0  # a line whose mean word confidence is below this is flagged
MAX_PAGES = 40
TIMEOUT_S = 120
INSTALL_HINT = "apt-get install -y tesseract-ocr tesseract-ocr-vie"


@dataclass
class OcrResult:
    text: str
    confidence: float  # mean word confidence, 0–100
    low_lines: list[str] = field(default_factory=list)  # lines read with low confidence
    pages: int = 1

    def merge(self, other: "OcrResult") -> "OcrResult":
        total = self.pages + other.pages
        conf = (self.confidence * self.pages + other.confidence * other.pages) / total
        return OcrResult(f"{self.text}\n\n{other.text}".strip(), conf, self.low_lines + other.low_lines, total)


def engine_missing() -> str | None:
    """Why OCR cannot run here (a Vietnamese sentence), or None when it can."""
    binary = shutil.which("tesseract")
    if binary is None:
        return f"Máy chủ chưa cài phần mềm nhận dạng chữ (Tesseract); quản trị viên cần chạy: {INSTALL_HINT}."
    try:
        langs = subprocess.run([binary, "--list-langs"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return f"Không chạy được phần mềm nhận dạng chữ (Tesseract); quản trị viên cần kiểm tra: {INSTALL_HINT}."
    if "vie" not in langs.split():
        return f"Máy chủ chưa có gói tiếng Việt cho phần mềm nhận dạng chữ; quản trị viên cần chạy: {INSTALL_HINT}."
    return None


def ocr_image_bytes(name: str, data: bytes) -> OcrResult:
    """Text of a photo or scanned page (.jpg, .png, …)."""
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError) as exc:
        raise ImportRejected(f"Tệp ảnh {name} bị hỏng hoặc không đúng định dạng; vui lòng chụp hoặc quét lại.") from exc
    return ocr_images([image])


def ocr_pdf_bytes(name: str, data: bytes, dpi: int = 200) -> OcrResult:
    """Text of a PDF whose pages are only images (a scan)."""
    import pypdfium2

    try:
        pdf = pypdfium2.PdfDocument(data)
    except Exception as exc:  # pypdfium2 raises its own PdfiumError
        raise ImportRejected(f"Tệp {name} không phải tệp PDF hợp lệ hoặc đã bị hỏng. Vui lòng gửi lại tệp khác.") from exc
    if len(pdf) > MAX_PAGES:
        raise ImportRejected(f"Tệp PDF quét {name} có quá nhiều trang (tối đa {MAX_PAGES} trang).")
    images = [pdf[i].render(scale=dpi / 72).to_pil() for i in range(len(pdf))]
    return ocr_images(images)


def ocr_images(images: list) -> OcrResult:
    why = engine_missing()
    if why:
        raise ImportRejected(why)
    result: OcrResult | None = None
    for image in images:
        page = _read_page(prepare(image))
        result = page if result is None else result.merge(page)
    if result is None or sum(ch.isalnum() for ch in result.text) < 20:
        raise ImportRejected("Không nhận dạng được chữ trong ảnh; vui lòng chụp rõ hơn, đủ sáng, thẳng trang giấy rồi gửi lại.")
    return result


# -- image clean-up --------------------------------------------------------------------------
def prepare(image):
    """Grey, contrast stretched, straightened, thresholded: what Tesseract reads best."""
    from PIL import ImageOps

    grey = ImageOps.exif_transpose(image).convert("L")
    if max(grey.size) > 3500:  # phone photos: more pixels only cost time
        grey.thumbnail((3500, 3500))
    grey = ImageOps.autocontrast(grey, cutoff=1)
    angle = skew_angle(grey)
    if abs(angle) >= 0.2:
        grey = grey.rotate(angle, expand=True, fillcolor=255)
    threshold = _otsu(grey)
    return grey.point(lambda v: 255 if v > threshold else 0, mode="L")


def skew_angle(grey, limit: float = 5.0, step: float = 0.5) -> float:
    """The rotation (degrees) that makes text rows sharpest, searched on a small copy."""
    import numpy as np

    small = grey.copy()
    small.thumbnail((800, 800))
    best, best_score = 0.0, -1.0
    angle = -limit
    while angle <= limit + 1e-9:
        rotated = np.asarray(small.rotate(angle, expand=False, fillcolor=255), dtype=np.float32)
        profile = (255 - rotated).sum(axis=1)
        score = float(np.square(np.diff(profile)).sum())
        if score > best_score:
            best, best_score = angle, score
        angle += step
    return best


def _otsu(grey) -> int:
    hist = grey.histogram()
    total = sum(hist)
    sum_all = sum(i * h for i, h in enumerate(hist))
    weight_bg = sum_bg = 0.0
    best, best_var = 127, -1.0
    for t in range(256):
        weight_bg += hist[t]
        if weight_bg == 0 or weight_bg == total:
            continue
        sum_bg += t * hist[t]
        mean_bg = sum_bg / weight_bg
        mean_fg = (sum_all - sum_bg) / (total - weight_bg)
        var = weight_bg * (total - weight_bg) * (mean_bg - mean_fg) ** 2
        if var > best_var:
            best, best_var = t, var
    return best


# -- the engine ---------------------------------------------------------------------------------
# The child's whole environment: the system paths and one OCR thread (threads only contend
# on a busy server). Nothing of the bot's own environment (tokens) reaches the child.
_TESSERACT_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "OMP_THREAD_LIMIT": "1"}
def _read_page(image) -> OcrResult:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    try:
        done = subprocess.run(
            ["tesseract", "stdin", "stdout", "-l", "vie", "--psm", "4", "tsv"],
            input=buffer.getvalue(), capture_output=True, timeout=TIMEOUT_S,
            env=_TESSERACT_ENV,
        )
    except subprocess.TimeoutExpired as exc:
        raise ImportRejected("Ảnh quá lớn hoặc quá mờ, nhận dạng chữ quá lâu; vui lòng gửi ảnh rõ hơn hoặc tệp nhỏ hơn.") from exc
    if done.returncode != 0:
        log.warning("tesseract failed: %s", done.stderr[-500:])
        raise ImportRejected("Không nhận dạng được chữ trong ảnh; vui lòng chụp rõ hơn rồi gửi lại.")
    return parse_tsv(done.stdout.decode("utf-8", errors="replace"))


def parse_tsv(tsv: str) -> OcrResult:
    """Tesseract TSV → lines of text (paragraph breaks kept) and confidences."""
    lines: dict[tuple[int, int, int, int], list[tuple[str, float]]] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        if row.get("level") != "5" or not (row.get("text") or "").strip():
            continue
        key = (int(row["page_num"]), int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))
        lines.setdefault(key, []).append((row["text"], float(row["conf"])))
    out: list[str] = []
    low: list[str] = []
    confs: list[float] = []
    previous_par = None
    for key in sorted(lines):
        words = lines[key]
        text = " ".join(w for w, _ in words)
        if previous_par is not None and key[:3] != previous_par:
            out.append("")
        previous_par = key[:3]
        out.append(text)
        line_conf = sum(c for _, c in words) / len(words)
        confs.extend(c for _, c in words)
        if line_conf < LOW_CONFIDENCE and len(text) > 3:
            low.append(text)
    mean = sum(confs) / len(confs) if confs else 0.0
    return OcrResult("\n".join(out), mean, low)
