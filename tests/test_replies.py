"""The reply parser's contract on the labelled set and on the cases the issue names."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import pytest

from handlers.tasks.replies import INTENTS, parse_reply
from handlers.text.dates import read_date

REPLIES = Path(__file__).parent / "data" / "replies.tsv"
NOW = datetime(2026, 12, 1, 9, 0)  # a Tuesday


def load() -> list[dict[str, str]]:
    with REPLIES.open(encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\"))


def expected(row: dict[str, str]) -> dict:
    p = row["percent"]
    percent = (float(p) if "." in p else int(p)) if p else None
    return {"intent": row["intent"], "percent": percent, "until": row["until"] or None}


def test_labelled_set_is_large_and_varied():
    rows = load()
    assert len(rows) >= 600
    assert {r["intent"] for r in rows} == set(INTENTS)
    assert {"diacritics", "plain", "abbrev", "typo", "emoji", "polite"} <= {r["style"] for r in rows}


def test_accuracy_on_labelled_set_is_at_least_98_percent():
    rows = load()
    got = [(r, parse_reply(r["text"], datetime.fromisoformat(r["now"])).to_json()) for r in rows]
    wrong = [(r["text"], expected(r), g) for r, g in got if g != expected(r)]
    assert 1 - len(wrong) / len(rows) >= 0.98, wrong[:20]


@pytest.mark.parametrize("text, out", [
    ("xin gia hạn đến 15/12 do chờ quyết định phê duyệt", ("extension", None, "2026-12-15")),
    ("xong 8o%", ("unclear", None, None)),
    ("80,5%", ("progress", 80.5, None)),
    ("-5%", ("unclear", None, None)),
    ("180%", ("unclear", None, None)),
    ("80", ("unclear", None, None)),
    ("100%", ("done", 100, None)),
    ("xong 100%", ("done", 100, None)),
    ("ok em", ("thanks", None, None)),
    ("cảm ơn", ("thanks", None, None)),
    ("👍", ("thanks", None, None)),
    ("đồng ý", ("approve", None, None)),
    ("đồng ý gia hạn đến 20/12", ("approve", None, None)),
    ("không đồng ý, sao lại trễ thế?", ("refuse", None, None)),
    ("xong 80% nhưng xin thêm 1 tuần", ("extension", None, None)),
    ("xin gia hạn thêm 5 ngày", ("extension", None, None)),
    ("xin gia hạn đến thứ sáu tuần này", ("extension", None, "2026-12-04")),
    ("xin gia hạn đến cuối tháng", ("extension", None, "2026-12-31")),
    ("xin gia hạn hết tháng 12", ("extension", None, "2026-12-31")),
    ("xin gia hạn đến ngày 15 tháng 12", ("extension", None, "2026-12-15")),
    ("tôi còn bao nhiêu việc", ("question", None, None)),
    ("chưa xong, đang chờ ký", ("note", None, None)),
    ("", ("unclear", None, None)),
])
def test_issue_examples(text, out):
    assert tuple(parse_reply(text, NOW).to_json().values()) == out


def test_never_raises_on_odd_input():
    for text in ("%%%", "1/1/1", "9" * 600, "\x00", "xin gia hạn đến 31/2", "đến 15/12/2099", None):
        assert parse_reply(text, NOW).intent in INTENTS


@pytest.mark.parametrize("text, today, value", [
    ("15/12", date(2026, 12, 1), date(2026, 12, 15)),
    ("15/12", date(2026, 12, 20), date(2027, 12, 15)),  # the next such date
    ("15/1", date(2026, 12, 20), date(2027, 1, 15)),
    ("ngày 5 tháng 1 năm 2027", date(2026, 12, 1), date(2027, 1, 5)),
    ("thứ sáu tuần này", date(2026, 12, 1), date(2026, 12, 4)),
    ("thứ 6 tuần sau", date(2026, 12, 1), date(2026, 12, 11)),
    ("cuối tháng", date(2026, 12, 1), date(2026, 12, 31)),
    ("hết tháng 2", date(2026, 12, 1), date(2027, 2, 28)),
    ("cuối năm", date(2026, 12, 1), date(2026, 12, 31)),
    ("ngày mai", date(2026, 12, 1), date(2026, 12, 2)),
    ("15/12/2031", date(2026, 12, 1), None),  # beyond the three-year horizon
    ("31/2", date(2026, 12, 1), None),
    ("KH 59/KH-SKHCN", date(2026, 12, 1), None),
    ("80,5%", date(2026, 12, 1), None),
    ("tuần sau", date(2026, 12, 1), None),
])
def test_read_date(text, today, value):
    found = read_date(text, today)
    assert (found.value if found else None) == value


# ---------------------------------------------------------------- figures that cannot be trusted, in the chat

from tests.conftest import Chat, text_of  # noqa: E402
from tests.test_progress import _reminder_for, _task, task_id  # noqa: E402,F401  (fixtures)


@pytest.mark.parametrize("typed", ["xong 8o%", "-5%", "xong 180%"])
async def test_a_malformed_percentage_under_a_reminder_changes_nothing_and_asks_again(core, factory, settings, task_id, typed):
    mai = Chat(core, "mai")
    mai.receive(await _reminder_for(factory, settings, "mai"))
    answer = text_of(mai.reply(typed))
    assert "từ 0% đến 100%" in answer
    task = _task(factory, task_id)
    assert (task.percent, task.status) == (20, "open")  # not completed, not lowered to 5%


async def test_a_decimal_comma_is_not_read_as_its_decimals(core, factory, settings, task_id):
    mai = Chat(core, "mai")
    mai.receive(await _reminder_for(factory, settings, "mai"))
    mai.reply("80,5%")
    assert _task(factory, task_id).percent == 80  # stored as a whole percent, not 5
