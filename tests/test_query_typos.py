"""Questions with typing slips, whole-Department scope and English, read as their clean forms."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path

import pytest

from handlers.query import CONTRACT_KEYS, parse

NOW = datetime(2026, 11, 23, 9, 0)
TYPOS = Path(__file__).parent / "data" / "questions_typos.tsv"


def contract(text: str) -> dict:
    got = parse(text, NOW).to_json()
    return {k: got[k] for k in CONTRACT_KEYS}


def test_generated_typo_split_parses_at_least_97_percent_exactly():
    with TYPOS.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert len(rows) >= 500 and {r["style"] for r in rows} == {"typo-double", "typo-drop", "typo-swap", "typo-telex"}
    wrong = [r["text"] for r in rows if contract(r["text"]) != json.loads(r["expected"])]
    assert 1 - len(wrong) / len(rows) >= 0.97, wrong


@pytest.mark.parametrize("typed, clean", [
    ("nhiemm vu qua han", "nhiem vu qua han"),  # doubled letter
    ("ho so tre han tang nay", "ho so tre han thang nay"),  # dropped letter that made another word
    ("viec qua hna tuan truco", "viec qua han tuan truoc"),  # swapped letters
    ("vieecj quas hanj", "viec qua han"),  # Telex leftovers
    ("nv chuax xong cua ttrar", "nv chua xong cua ttra"),
    ("hnnay nhan bn hs", "hnay nhan bn hs"),
])
def test_slips_read_as_the_clean_question(typed, clean):
    assert contract(typed) == contract(clean)


def test_unit_codes_and_numbers_are_not_corrected():
    assert contract("hs qlcn thang 10")["unit"] == "QLCN"
    assert contract("ket luan 664 con bao nhieu viec")["conclusion"] == "664"
    assert contract("ho so ngay 25/12")["period"] == {"from": "2026-12-25", "to": "2026-12-25"}


@pytest.mark.parametrize("text", ["việc quá hạn toàn Sở", "cả Sở có bao nhiêu hồ sơ trễ hạn", "các phòng còn bao nhiêu việc",
                                  "việc quá hạn của tất cả đơn vị", "overdue tasks whole department"])
def test_whole_department_phrases(text):
    got = parse(text, NOW).to_json()
    assert got.get("scope") == "department" and got["unit"] is None and got["mine"] is False


def test_own_units_are_not_the_whole_department():
    got = parse("việc của các phòng tôi phụ trách", NOW).to_json()
    assert got["mine"] is True and "scope" not in got


def test_english_only_when_the_message_is_english():
    assert contract("overdue tasks") == contract("nhiệm vụ quá hạn")
    assert contract("late dossiers this month") == contract("hồ sơ trễ hạn tháng này")
    assert contract("ho so online thang nay") == contract("hồ sơ trực tuyến tháng này")  # a loan word stays Vietnamese
    assert contract("task qua han") == contract("nhiệm vụ quá hạn")
