"""The query parser against the hand-labelled question set and its tricky rules.

Reference time for every case: Monday 2026-11-23 09:00 (Asia/Ho_Chi_Minh).
"""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from pathlib import Path

import pytest

from handlers.query import CONTRACT_KEYS, parse

NOW = datetime(2026, 11, 23, 9, 0)
QUESTIONS = Path(__file__).parent / "data" / "questions.tsv"


def load_questions() -> list[dict[str, str]]:
    with QUESTIONS.open(encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def contract(text: str, now: datetime = NOW) -> dict:
    got = parse(text, now).to_json()
    return {k: got[k] for k in CONTRACT_KEYS}


def period(text: str, now: datetime = NOW) -> tuple[str, str] | None:
    p = contract(text, now)["period"]
    return (p["from"], p["to"]) if p else None


def test_labelled_set_is_large_and_balanced():
    rows = load_questions()
    styles = [r["style"] for r in rows]
    assert len(rows) >= 420
    assert styles.count("plain") >= len(rows) / 2
    assert styles.count("abbrev") >= len(rows) / 4
    subjects = {json.loads(r["expected"])["subject"] for r in rows}
    assert subjects == {"task", "dossier", "score", "digest", "help", "progress", "unknown"}
    statuses = {json.loads(r["expected"])["status"] for r in rows} - {None}
    assert len(statuses) == 9
    units = {json.loads(r["expected"])["unit"] for r in rows} - {None}
    assert units == {"VP", "TTRA", "QLKH", "QLCN", "KHTC", "TDC", "TTUD", "BGD"}


def test_labelled_set_parses_at_least_97_percent_exactly():
    rows = load_questions()
    failures = []
    for row in rows:
        expected = json.loads(row["expected"])
        got = contract(row["text"])
        if got != expected:
            diff = {k: (expected[k], got[k]) for k in CONTRACT_KEYS if expected[k] != got[k]}
            failures.append(f"{row['style']:10} {row['text']!r}: {diff}")
    for line in failures:
        print(line)
    accuracy = 1 - len(failures) / len(rows)
    print(f"exact: {accuracy:.2%} of {len(rows)}")
    assert accuracy >= 0.97


# ------------------------------------------------------------------ periods


@pytest.mark.parametrize(
    "text, expected",
    [
        ("hồ sơ quý trước", ("2026-07-01", "2026-09-30")),
        ("việc tuần này", ("2026-11-23", "2026-11-29")),
        ("việc tuần trước", ("2026-11-16", "2026-11-22")),
        ("việc tuần tới", ("2026-11-30", "2026-12-06")),
        ("việc tuần sau", ("2026-11-30", "2026-12-06")),
        ("hồ sơ tháng 2", ("2026-02-01", "2026-02-28")),
        ("hồ sơ tháng 2/2024", ("2024-02-01", "2024-02-29")),
        ("hồ sơ 6 tháng đầu năm 2021", ("2021-01-01", "2021-06-30")),
        ("hồ sơ 6 tháng cuối năm", ("2026-07-01", "2026-12-31")),
        ("hồ sơ năm ngoái", ("2025-01-01", "2025-12-31")),
        ("hồ sơ quý III", ("2026-07-01", "2026-09-30")),
        ("hồ sơ quý này", ("2026-10-01", "2026-12-31")),
        ("hồ sơ tháng trước", ("2026-10-01", "2026-10-31")),
        ("hồ sơ từ 1/3 đến 15/3", ("2026-03-01", "2026-03-15")),
        ("việc 7 ngày tới", ("2026-11-23", "2026-11-30")),
        ("việc cuối tháng", ("2026-11-23", "2026-11-30")),
        ("hồ sơ ngày 25 tháng 12", ("2026-12-25", "2026-12-25")),
        ("hồ sơ 25-12-2026", ("2026-12-25", "2026-12-25")),
        ("hs t11", ("2026-11-01", "2026-11-30")),
        ("hs th11", ("2026-11-01", "2026-11-30")),
        ("hồ sơ hôm qua", ("2026-11-22", "2026-11-22")),
        ("việc ngày mai", ("2026-11-24", "2026-11-24")),
    ],
)
def test_period_forms(text, expected):
    assert period(text) == expected


def test_month_of_a_leap_year_and_quarter_across_the_new_year():
    assert period("hồ sơ tháng này", datetime(2024, 2, 10, 8)) == ("2024-02-01", "2024-02-29")
    assert period("hồ sơ quý trước", datetime(2027, 1, 5, 8)) == ("2026-10-01", "2026-12-31")
    assert period("hồ sơ tháng trước", datetime(2027, 1, 5, 8)) == ("2026-12-01", "2026-12-31")
    assert period("việc tuần này", datetime(2026, 11, 29, 23)) == ("2026-11-23", "2026-11-29")


def test_no_time_words_means_no_period():
    assert period("hồ sơ trễ hạn") is None


def test_week_in_weekly_report_names_the_digest_not_a_period():
    assert contract("báo cáo tuần") == {**contract("báo cáo tuần"), "subject": "digest", "period": None}
    assert period("tóm tắt tuần trước") == ("2026-11-16", "2026-11-22")


def test_invalid_dates_are_ignored_not_fatal():
    assert period("hồ sơ ngày 31/2") is None
    assert contract("hồ sơ tháng 13")["subject"] == "dossier"


# ------------------------------------------------------------------ other fields


def test_politeness_is_not_mine_but_possessives_are():
    assert contract("cho mình hỏi hồ sơ trễ hạn")["mine"] is False
    assert contract("mình cần danh sách việc quá hạn")["mine"] is False
    for text in ("việc của tôi", "phòng mình có việc gì", "đơn vị em quá hạn gì", "hồ sơ bên mình"):
        got = contract(text)
        assert got["mine"] is True, text
        assert got["unit"] is None


def test_unit_rules():
    assert contract("việc của trung tâm")["unit"] == "TTUD"
    assert contract("hs cc quá hạn")["unit"] == "TDC"
    assert contract("việc pgđ quá hạn")["unit"] == "BGD"
    assert contract("nhiệm vụ thanh tra")["unit"] == "TTRA"
    assert contract("việc đã ban hành kế hoạch")["unit"] is None
    assert contract("nhiệm vụ của phòng kế hoạch")["unit"] == "KHTC"
    assert contract("nhiệm vụ Giám đốc giao")["unit"] is None
    assert contract("việc của Sở Khoa học và Công nghệ")["unit"] is None


def test_unit_names_with_one_typo():
    assert contract("việc của văn phongg")["unit"] == "VP"
    assert contract("việc của thanh trs")["unit"] == "TTRA"
    assert contract("hồ sơ chii cục")["unit"] == "TDC"


def test_two_units_named_are_reported_for_a_clarifying_question():
    got = parse("việc của văn phòng và thanh tra", NOW)
    assert got.unit == "VP"
    assert got.ambiguous_units == ("VP", "TTRA")


def test_statuses_belong_to_their_subject():
    assert contract("hồ sơ đã xong tháng này")["status"] == "resolved"
    assert contract("nhiệm vụ tiếp nhận tháng này")["status"] is None
    assert contract("nhiệm vụ thực hiện tháng này")["status"] is None
    assert contract("nhiệm vụ đang thực hiện")["status"] == "in_progress"
    assert contract("phòng nào đang làm mất điểm") == {
        **contract("phòng nào đang làm mất điểm"), "subject": "score", "status": "deducted"}
    assert contract("tự chấm điểm cchc")["status"] is None


def test_conclusion_numbers():
    for text in ("KL 664", "kết luận 664", "việc theo 664/KL-SKH&CN", "theo kl so 664", "kl664 quá hạn"):
        assert contract(text)["conclusion"] == "664", text
    assert contract("nhiệm vụ KL 664 ngày 27/5/2021")["period"] is None


def test_progress_statements_carry_only_conclusion_and_percent():
    assert contract("đã hoàn thành nhiệm vụ 3 KL 664 100%") == {
        "subject": "progress", "status": None, "unit": None, "period": None,
        "mine": False, "conclusion": "664", "percent": 100}
    assert contract("hoàn thành 50% rồi")["percent"] == 50
    assert contract("em đã hoàn thành nhiệm vụ 5")["percent"] == 100
    assert contract("đã ban hành KH 59/KH-SKHCN ngày 31/1")["percent"] is None
    assert contract("nhiệm vụ nào đã hoàn thành 100%?")["subject"] == "task"


def test_help_and_unknown_have_no_other_fields():
    empty = {"status": None, "unit": None, "period": None, "mine": False, "conclusion": None, "percent": None}
    assert contract("bot làm được gì") == {"subject": "help", **empty}
    assert contract("thời tiết hôm nay thế nào") == {"subject": "unknown", **empty}


def test_long_messages_are_cut_and_still_parsed():
    text = "hồ sơ trễ hạn tháng này " + "bla " * 2000
    assert contract(text)["subject"] == "dossier"


def test_parse_is_deterministic_and_explains_itself():
    a = parse("hs qh t11 cua cc", NOW)
    b = parse("hs qh t11 cua cc", NOW)
    assert a == b
    assert any("unit=TDC" in note for note in a.explain)


def test_dateparser_fallback_for_foreign_month_names():
    assert period("hồ sơ 25 Dec 2026") == ("2026-12-25", "2026-12-25")
