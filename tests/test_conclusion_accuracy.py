"""Tasks found in the annotated conclusions, from the text and from an OCR-noised copy.

The noised copy has no diacritics and the usual Tesseract slips (P for Đ,
rn for m, 1 for l, 0/6 for o-vowels, stray accents): the office must get the
same tasks either way.
"""

from __future__ import annotations

import pytest

from handlers.tasks.importers.conclusion import parse_conclusion
from handlers.tasks.importers.noise import ocr_noise
from tests.conclusion_accuracy import CONCLUSIONS, Score, score, source


def _total(transform) -> Score:
    total = Score(misses=[])
    for name in CONCLUSIONS:
        total = total.add(score(parse_conclusion(transform(source(name)), strict=True), name))
    return total


def test_annotated_conclusions_from_text():
    total = _total(lambda text: text)
    assert total.annotated >= 35
    assert total.recall >= 0.95 and total.lead >= 0.90 and total.deadline >= 0.90, str(total)


@pytest.mark.parametrize("seed", [15, 2021])
def test_annotated_conclusions_without_diacritics_and_with_ocr_noise(seed):
    total = _total(lambda text: ocr_noise(text, seed=seed))
    assert total.recall >= 0.95 and total.lead >= 0.90 and total.deadline >= 0.90, str(total)


@pytest.mark.parametrize("name", CONCLUSIONS)
def test_noise_changes_nothing_the_office_sees(name):
    clean = [(t.ref, t.lead_units, t.support_units, t.all_units, t.deadline, t.recurrence)
             for t in parse_conclusion(source(name)).tasks]
    noisy = [(t.ref, t.lead_units, t.support_units, t.all_units, t.deadline, t.recurrence)
             for t in parse_conclusion(ocr_noise(source(name))).tasks]
    assert noisy == clean


def test_evaluation_parts_hold_no_tasks():
    draft = parse_conclusion(source("kl_danh_gia_va_nhiem_vu"))
    assert [t.ref for t in draft.tasks] == ["III.1", "III.2", "III.3", "III.4", "III.5", "IV"]
    assert draft.doc.number == "812/KL-SKHCN" and draft.doc.signer == "Trần Công Hòa"


def test_header_found_in_noised_copy():
    draft = parse_conclusion(ocr_noise(source("kl_danh_gia_va_nhiem_vu")))
    assert draft.doc.number == "812/KL-SKHCN"
    assert draft.doc.date is not None and draft.doc.date.isoformat() == "2026-10-20"
    assert draft.doc.signer == "Tran Cong Hoa"


def test_review_text_gets_known_names_and_phrases_back_with_diacritics():
    from handlers.text.fold import strip_diacritics

    draft = parse_conclusion(strip_diacritics(source("kl_danh_gia_va_nhiem_vu")))
    first = draft.tasks[0].content
    assert first.startswith("Giao Văn phòng Sở chủ trì, phối hợp với Phòng Kế hoạch – Tài chính")
    assert "trước ngày 15/12/2026" in first
    clean = parse_conclusion(source("kl_danh_gia_va_nhiem_vu"))
    assert clean.tasks[0].content == source("kl_danh_gia_va_nhiem_vu").split("1. ", 3)[3].split("\n")[0]  # untouched
