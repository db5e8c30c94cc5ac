"""Scans and photos of conclusions: printed as page images, read back by Tesseract.

The annotated conclusions are rendered to A4 pages (DejaVu Sans, 150 dpi,
slightly rotated as a scanner feeds paper), run through the OCR path the chat
uses, parsed, and scored against the hand annotations. A photo sent in chat
gives the review; a machine without the engine gets one clear sentence.
"""

from __future__ import annotations

import shutil

import pytest

from handlers.core.messages import Attachment
from handlers.tasks.importers.conclusion import parse_conclusion
from handlers.tasks.importers.errors import ImportRejected
from handlers.tasks.importers.noise import ocr_noise
from handlers.tasks.importers.ocr import engine_missing, ocr_image_bytes, ocr_images, parse_tsv, skew_angle
from models.db import transaction
from tests import factories as f
from tests.conclusion_accuracy import CONCLUSIONS, Score, expected, score, source
from tests.conftest import Chat, text_of
from tests.page_images import pages, png_bytes, scanned_pdf_bytes

needs_engine = pytest.mark.skipif(engine_missing() is not None, reason="tesseract-ocr-vie not installed")


# Seed 003 is printed up to its section III only (its sections III–V repeat the layout of I–II):
# five pages instead of seven keep this module near 20 s; the text tests cover all of it.
PRINTED_UNTIL = {"003_f96fe6ac96a9506c": "## **III."}


def _printed(name: str) -> str:
    text = source(name)
    cut = PRINTED_UNTIL.get(name)
    return text[: text.index(cut)] if cut else text


def _score(text: str, name: str) -> Score:
    result = score(parse_conclusion(text, strict=True), name)
    if name in PRINTED_UNTIL:  # only the printed part's items count
        kept = [m for m in result.misses if m.split(":")[1].startswith(("I.", "II."))]
        printed = [t for t in expected(name)["tasks"] if t["ref"].startswith(("I.", "II."))]
        result = Score(len(printed), result.found, result.lead_right, result.deadline_right, kept)
    return result


@pytest.fixture(scope="module")
def ocr_texts() -> dict[str, str]:
    """Each annotated conclusion printed, tilted 1°, and read back (once for the module)."""
    return {name: ocr_images(pages(_printed(name), rotate=1.0)).text for name in CONCLUSIONS}


@needs_engine
def test_printed_conclusions_read_back_by_ocr(ocr_texts):
    total = Score(misses=[])
    for name, text in ocr_texts.items():
        total = total.add(_score(text, name))
    print("OCR of printed pages:", total)
    assert total.recall >= 0.95 and total.lead >= 0.90 and total.deadline >= 0.90, str(total)


@needs_engine
def test_ocr_text_further_noised_without_diacritics(ocr_texts):
    total = Score(misses=[])
    for name, text in ocr_texts.items():
        total = total.add(_score(ocr_noise(text, seed=7), name))
    print("OCR + noise:", total)
    assert total.recall >= 0.95 and total.lead >= 0.90 and total.deadline >= 0.90, str(total)


@needs_engine
def test_photo_and_scanned_pdf_sent_in_chat_give_the_review(core, factory):
    with transaction(factory) as s:
        f.person(s, "lan", role="admin", unit_code="VP")
    office = Chat(core, "lan")
    page = pages(source("kl_danh_gia_va_nhiem_vu"), rotate=-1.5)
    photo = png_bytes(page[0].convert("RGB"))
    review = text_of(office.say(attachment=Attachment(file_name=None, data=photo, size=len(photo), mime_type="image/png")))
    assert "812/KL-SKHCN" in review and "nhận dạng" in review and "%" in review
    assert "[III.1] VP (phối hợp: KHTC)" in review
    office.say("mục IV: không giao")  # nothing else is missing a unit
    assert "Đã lưu" in text_of(office.press("imp:save"))
    scan = scanned_pdf_bytes(page)
    again = text_of(office.say(attachment=Attachment(file_name="scan.pdf", data=scan, size=len(scan))))
    assert "812/KL-SKHCN" in again  # a scanned PDF reads the same way (a new version of the same conclusion)


def test_missing_engine_gives_one_clear_line(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(ImportRejected) as info:
        ocr_image_bytes("anh.png", png_bytes(pages("Giám đốc Sở kết luận như sau:")[0]))
    message = str(info.value)
    assert "\n" not in message and "Tesseract" in message and "tesseract-ocr-vie" in message


def test_broken_image_is_refused_politely():
    with pytest.raises(ImportRejected) as info:
        ocr_image_bytes("anh.jpg", b"\xff\xd8\xff" + b"\x00" * 50)
    assert "chụp hoặc quét lại" in str(info.value)


def _tsv(lines: list[tuple[str, float]]) -> str:
    head = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
    rows = [head]
    for n, (line, conf) in enumerate(lines, start=1):
        for w, word in enumerate(line.split(), start=1):
            rows.append(f"5\t1\t1\t{n}\t1\t{w}\t0\t0\t10\t10\t{conf}\t{word}")
    return "\n".join(rows)


def test_items_from_unsure_lines_are_flagged_in_the_review():
    from handlers.tasks.review import flag_low_confidence, ocr_line

    result = parse_tsv(_tsv([
        ("Giám đốc Sở kết luận như sau:", 96),
        ("1. Văn phòng Sở tổng hợp báo cáo trước ngày 30/12/2026.", 95),
        ("2. Thanh tra Sở kiểrn tra cơ sở kinh doanh trước ngày 15/12/2026.", 41),
    ]))
    assert result.low_lines == ["2. Thanh tra Sở kiểrn tra cơ sở kinh doanh trước ngày 15/12/2026."]
    assert 70 < result.confidence < 75  # word-weighted mean
    draft = parse_conclusion(result.text)
    flag_low_confidence(draft, result.low_lines)
    assert [(t.ref, t.low_confidence) for t in draft.tasks] == [("1", False), ("2", True)]
    assert "mục 2" in ocr_line(result, draft) and "73" in ocr_line(result, draft)


def test_a_tilted_page_is_straightened():
    tilted = pages(source("kl_danh_gia_va_nhiem_vu"), rotate=2.5)[0]
    assert abs(skew_angle(tilted) + 2.5) <= 0.5
