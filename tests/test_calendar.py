"""The working calendar as the office experiences it: which days count, when the bot may speak."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest
from zoneinfo import ZoneInfo
from hypothesis import given, settings as hsettings, strategies as st

from handlers.worktime.calendar import (
    DEFAULT_CALENDAR_FILE,
    CalendarFileError,
    Overrides,
    WorkCalendar,
    default_calendar,
    load_overrides,
)
from settings import Settings

# The Tết 2027 break as the office would add it: bridge days Thu 11/2 and Fri 12/2,
# made up on Saturdays 30/1 and 20/2. Written here so these tests do not change
# when the shipped file is corrected after the official announcement.
TET_2027_YAML = """
2027:
  ngay_nghi:
    - {ngay: 11/02/2027, ly_do: "Nghỉ Tết Nguyên đán (hoán đổi)"}
    - {ngay: 12/02/2027, ly_do: "Nghỉ Tết Nguyên đán (hoán đổi)"}
  ngay_lam_bu:
    - {ngay: 30/01/2027, ly_do: "Làm bù cho ngày 11/02/2027"}
    - {ngay: 20/02/2027, ly_do: "Làm bù cho ngày 12/02/2027"}
"""


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    """The calendar as shipped (statutory holidays + the default override file)."""
    return WorkCalendar(load_overrides(DEFAULT_CALENDAR_FILE))


@pytest.fixture(scope="module")
def tet_cal(tmp_path_factory) -> WorkCalendar:
    path = tmp_path_factory.mktemp("cal") / "calendar.yaml"
    path.write_text(TET_2027_YAML, encoding="utf-8")
    return WorkCalendar(load_overrides(path))


def local(cal: WorkCalendar, y, m, d, hh=0, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=cal.tz)


# ------------------------------------------------------------------ which days count


def test_make_up_saturday_is_a_working_day(cal):
    assert cal.is_working_day(date(2025, 4, 26))  # Saturday, làm bù for Friday 2/5/2025
    assert cal.holiday_name(date(2025, 4, 26)) is None
    assert "02/05/2025" in cal.make_up_reason(date(2025, 4, 26))
    assert cal.is_working_day(date(2026, 1, 10))
    assert cal.is_working_day(date(2026, 8, 22))


def test_extra_day_off_is_not_a_working_day(cal):
    assert not cal.is_working_day(date(2026, 1, 2))  # Friday swapped after Tết Dương lịch
    assert "Tết Dương lịch" in cal.holiday_name(date(2026, 1, 2))
    assert not cal.is_working_day(date(2026, 8, 31))


def test_ordinary_weekends_are_off_and_unnamed(cal):
    for d in (date(2025, 4, 19), date(2025, 4, 20), date(2026, 3, 7), date(2026, 3, 8)):
        assert not cal.is_working_day(d)
        assert cal.holiday_name(d) is None
    assert cal.is_working_day(date(2026, 3, 6))


def test_reunification_and_labour_day_2025(cal):
    for d in (date(2025, 4, 30), date(2025, 5, 1), date(2025, 5, 2)):
        assert not cal.is_working_day(d)
    assert cal.holiday_name(date(2025, 4, 30)) == "Ngày Chiến thắng"
    assert cal.holiday_name(date(2025, 5, 1)) == "Ngày Quốc tế Lao động"
    # Tuesday 29/4 → the next working day is Monday 5/5 (30/4–4/5 off).
    assert cal.next_working_day(date(2025, 4, 29)) == date(2025, 5, 5)


def test_national_day_and_the_adjacent_day(cal):
    assert not cal.is_working_day(date(2025, 9, 1))  # Monday, adjacent day
    assert not cal.is_working_day(date(2025, 9, 2))
    assert cal.is_working_day(date(2025, 9, 3))
    assert cal.holiday_name(date(2025, 9, 1)) == "Quốc khánh"
    assert not cal.is_working_day(date(2027, 9, 2))  # Thursday
    assert not cal.is_working_day(date(2027, 9, 3))  # Friday, adjacent day
    assert cal.next_working_day(date(2027, 9, 1)) == date(2027, 9, 6)


def test_hung_kings_day_and_its_observed_day(cal):
    assert not cal.is_working_day(date(2025, 4, 7))
    assert "Giỗ Tổ Hùng Vương" in cal.holiday_name(date(2025, 4, 7))
    # 2026: 10/3 lunar is Sunday 26/4, so Monday 27/4 is the nghỉ bù.
    assert "Giỗ Tổ" in cal.holiday_name(date(2026, 4, 26))
    assert not cal.is_working_day(date(2026, 4, 27))
    assert "nghỉ bù" in cal.holiday_name(date(2026, 4, 27))


def test_tet_2025_break(cal):
    assert [d.day for d in _days(date(2025, 1, 24), date(2025, 2, 3)) if cal.is_working_day(d)] == [24, 3]
    assert cal.holiday_name(date(2025, 1, 29)) == "Tết Nguyên Đán"
    assert cal.working_days_between(date(2025, 1, 24), date(2025, 2, 3)) == 1


def test_tet_2027_statutory_days_and_office_bridge_days(tet_cal):
    statutory = WorkCalendar()
    off = [d for d in _days(date(2027, 2, 1), date(2027, 2, 15)) if not statutory.is_working_day(d)]
    assert off == [date(2027, 2, n) for n in (4, 5, 6, 7, 8, 9, 10, 13, 14)]
    assert statutory.holiday_name(date(2027, 2, 6)) == "Tết Nguyên Đán"
    # With the bridge days the break runs Thursday 4/2 to Sunday 14/2.
    assert tet_cal.previous_working_day(date(2027, 2, 4)) == date(2027, 2, 3)
    assert tet_cal.next_working_day(date(2027, 2, 3)) == date(2027, 2, 15)
    assert tet_cal.is_working_day(date(2027, 1, 30)) and tet_cal.is_working_day(date(2027, 2, 20))


# ------------------------------------------------------------------ day arithmetic


def test_add_working_days_zero_and_signs(cal):
    friday, saturday, monday = date(2026, 3, 6), date(2026, 3, 7), date(2026, 3, 9)
    assert cal.add_working_days(friday, 0) == friday
    assert cal.add_working_days(saturday, 0) == monday
    assert cal.add_working_days(saturday, 1) == monday
    assert cal.add_working_days(friday, 1) == monday
    assert cal.add_working_days(monday, -1) == friday
    assert cal.add_working_days(date(2026, 3, 8), -3) == date(2026, 3, 4)  # Sunday − 3 → Wednesday
    assert cal.previous_working_day(monday) == friday


def test_working_days_between_reads_like_days_left(cal):
    thursday, friday = date(2026, 3, 5), date(2026, 3, 6)
    assert cal.working_days_between(thursday, friday) == 1  # deadline tomorrow: 1 day left
    assert cal.working_days_between(friday, friday) == 0
    assert cal.working_days_between(date(2026, 3, 7), friday) == 0  # Saturday after a Friday deadline
    assert cal.working_days_between(date(2026, 3, 9), friday) == -1  # Monday: 1 day overdue
    assert cal.working_days_between(date(2026, 2, 13), date(2026, 2, 23)) == 1  # over Tết 2026


@hsettings(max_examples=300, deadline=None, database=None)
@given(
    st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31)),
    st.integers(min_value=-400, max_value=400),
)
def test_add_and_count_agree(d, n):
    cal = _shared_cal()
    start = cal.on_or_after(d)
    end = cal.add_working_days(start, n)
    assert cal.is_working_day(end)
    assert cal.working_days_between(start, end) == n


def test_far_dates_extend_the_index(cal):
    d = cal.add_working_days(date(2026, 1, 5), 2500)
    assert d.year >= 2035 and cal.is_working_day(d)
    assert cal.working_days_between(date(2026, 1, 5), d) == 2500


# ------------------------------------------------------------------ hours


def test_in_working_hours_boundaries(cal):
    assert cal.in_working_hours(local(cal, 2026, 3, 9, 7, 30))
    assert not cal.in_working_hours(local(cal, 2026, 3, 9, 7, 29))
    assert not cal.in_working_hours(local(cal, 2026, 3, 9, 11, 30))
    assert not cal.in_working_hours(local(cal, 2026, 3, 9, 12, 0))
    assert cal.in_working_hours(local(cal, 2026, 3, 9, 16, 59))
    assert not cal.in_working_hours(local(cal, 2026, 3, 9, 17, 0))
    assert not cal.in_working_hours(local(cal, 2026, 3, 7, 9, 0))  # Saturday
    assert cal.in_working_hours(local(cal, 2025, 4, 26, 9, 0))  # make-up Saturday
    # Aware UTC input: 02:00Z is 09:00 in Hà Nội; naive input is taken as local.
    assert cal.in_working_hours(datetime(2026, 3, 9, 2, 0, tzinfo=timezone.utc))
    assert cal.in_working_hours(datetime(2026, 3, 9, 9, 0))


@pytest.mark.parametrize(
    "when, expected",
    [
        ((2026, 3, 9, 6, 0), (2026, 3, 9, 7, 30)),  # early morning → opening
        ((2026, 3, 9, 9, 15), (2026, 3, 9, 9, 15)),  # inside → unchanged
        ((2026, 3, 9, 12, 0), (2026, 3, 9, 13, 30)),  # lunch → afternoon
        ((2026, 3, 9, 17, 30), (2026, 3, 10, 7, 30)),  # evening → next morning
        ((2026, 3, 6, 17, 30), (2026, 3, 9, 7, 30)),  # Friday evening → Monday
        ((2026, 3, 7, 10, 0), (2026, 3, 9, 7, 30)),  # Saturday → Monday
    ],
)
def test_next_window(cal, when, expected):
    assert cal.next_window(local(cal, *when)) == local(cal, *expected)


def test_next_window_the_day_before_tet(tet_cal):
    assert tet_cal.next_window(local(tet_cal, 2027, 2, 3, 17, 30)) == local(tet_cal, 2027, 2, 15, 7, 30)
    assert tet_cal.next_window(local(tet_cal, 2027, 2, 6, 9, 0)) == local(tet_cal, 2027, 2, 15, 7, 30)
    assert tet_cal.next_window(local(tet_cal, 2027, 2, 3, 16, 0)) == local(tet_cal, 2027, 2, 3, 16, 0)


def test_next_window_returns_local_time_for_utc_input(cal):
    got = cal.next_window(datetime(2026, 3, 9, 10, 45, tzinfo=timezone.utc))  # 17:45 local
    assert got == local(cal, 2026, 3, 10, 7, 30)
    assert got.utcoffset() == timedelta(hours=7)


def test_add_working_hours_across_lunch(cal):
    assert cal.add_working_hours(local(cal, 2026, 3, 9, 10, 30), 2) == local(cal, 2026, 3, 9, 14, 30)
    assert cal.add_working_hours(local(cal, 2026, 3, 9, 7, 30), 4) == local(cal, 2026, 3, 9, 11, 30)


def test_add_working_hours_overnight_and_over_weekend(cal):
    assert cal.add_working_hours(local(cal, 2026, 3, 9, 16, 0), 2) == local(cal, 2026, 3, 10, 8, 30)
    assert cal.add_working_hours(local(cal, 2026, 3, 6, 16, 0), 3) == local(cal, 2026, 3, 9, 9, 30)


def test_dossier_received_after_hours_starts_next_morning(cal):
    assert cal.add_working_hours(local(cal, 2026, 3, 6, 18, 0), 1) == local(cal, 2026, 3, 9, 8, 30)
    assert cal.add_working_hours(local(cal, 2026, 3, 7, 10, 0), 0) == local(cal, 2026, 3, 9, 7, 30)


def test_whole_days_of_eight_hours_keep_the_clock_time(cal):
    # 3 working days = 24 h from Monday 09:00 → Thursday 09:00, as dossier systems show.
    assert cal.add_working_hours(local(cal, 2026, 3, 9, 9, 0), 24) == local(cal, 2026, 3, 12, 9, 0)
    # 1 day from Friday 13/2/2026 10:00 jumps the Tết 2026 break.
    assert cal.add_working_hours(local(cal, 2026, 2, 13, 10, 0), 8) == local(cal, 2026, 2, 23, 10, 0)


def test_add_working_hours_rejects_negative(cal):
    with pytest.raises(ValueError):
        cal.add_working_hours(local(cal, 2026, 3, 9, 9, 0), -1)


# ------------------------------------------------------------------ the override file


def test_shipped_file_is_valid_and_every_entry_has_a_reason():
    ov = load_overrides(DEFAULT_CALENDAR_FILE)
    assert {d.year for d in ov.days_off} == {2025, 2026}  # 2027's bridge days are not announced yet
    assert {lo.year for lo, _hi in ov.unconfirmed} == {2027}
    assert all(reason.strip() for reason in [*ov.days_off.values(), *ov.working_days.values()])
    assert all(d.weekday() == 5 for d in ov.working_days)  # make-up days are Saturdays


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "lich.yaml"
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize(
    "text, words",
    [
        ("2026:\n  ngay_nghi:\n    - {ngay: 31/02/2026, ly_do: x}\n", ["31/02/2026", "mục 1", "không hợp lệ"]),
        ("2026:\n  ngay_nghi:\n    - {ngay: 02/01/2027, ly_do: x}\n", ["không thuộc năm 2026"]),
        ("2026:\n  ngay_lam_bu:\n    - {ngay: 10/01/2026}\n", ["thiếu 'ly_do'", "10/01/2026"]),
        ("2026:\n  ngay_nghi: [{ngay: 02/01/2026, ly_do: a}]\n  ngay_lam_bu: [{ngay: 02/01/2026, ly_do: b}]\n",
         ["vừa là ngày nghỉ vừa là ngày làm bù"]),
        ("2026:\n  ngay_le: []\n", ["không hiểu mục", "ngay_le"]),
        ("hai_nghin:\n  ngay_nghi: []\n", ["không phải là năm"]),
        ("2026: [\n", ["sai cú pháp YAML"]),
    ],
)
def test_override_errors_are_vietnamese_and_name_file_and_entry(tmp_path, text, words):
    path = _write(tmp_path, text)
    with pytest.raises(CalendarFileError) as err:
        load_overrides(path)
    message = str(err.value)
    assert str(path) in message
    for w in words:
        assert w in message


def test_missing_file_is_reported(tmp_path):
    with pytest.raises(CalendarFileError, match="Không đọc được tệp lịch"):
        load_overrides(tmp_path / "khong_co.yaml")


def test_english_keys_and_iso_strings_are_accepted(tmp_path):
    ov = load_overrides(_write(tmp_path, "2030:\n  days_off:\n    - {date: '2030-01-02', reason: Nghỉ}\n"))
    assert ov == Overrides(days_off={date(2030, 1, 2): "Nghỉ"}, working_days={}, years=frozenset({2030}))


def test_settings_file_and_hours_are_used(tmp_path):
    path = _write(tmp_path, "2026:\n  ngay_lam_bu:\n    - {ngay: 07/03/2026, ly_do: Làm bù thử}\n")
    s = Settings(calendar_file=path, work_morning_start=time(7, 0), work_afternoon_end=time(17, 30))
    cal = WorkCalendar.from_settings(s)
    assert cal.is_working_day(date(2026, 3, 7))
    assert not cal.is_working_day(date(2025, 4, 26))  # the shipped table is replaced, not merged
    assert cal.in_working_hours(local(cal, 2026, 3, 9, 7, 0))
    assert cal.in_working_hours(local(cal, 2026, 3, 9, 17, 15))


def test_bad_hours_are_rejected():
    with pytest.raises(ValueError, match="Giờ làm việc"):
        WorkCalendar(morning=(time(11, 30), time(7, 30)))


def test_default_calendar_is_built_once():
    default_calendar.cache_clear()
    try:
        first = default_calendar()
        assert first is default_calendar()
        assert isinstance(first, WorkCalendar)
    finally:
        default_calendar.cache_clear()


# ------------------------------------------------------------------ helpers

_CAL: WorkCalendar | None = None


def _shared_cal() -> WorkCalendar:
    global _CAL
    if _CAL is None:
        _CAL = WorkCalendar(load_overrides(DEFAULT_CALENDAR_FILE))
    return _CAL


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


# ------------------------------------------------------------------ announced days only, office entries


def test_shipped_calendar_has_no_guessed_tet_2027_days(cal):
    # the bridge days and make-up Saturdays are not announced: not in force
    assert not cal.is_working_day(date(2027, 1, 30))  # a Saturday stays a Saturday
    assert cal.is_working_day(date(2027, 2, 11)) and cal.is_working_day(date(2027, 2, 12))
    # …but every date around Tết 2027 says its surroundings are not announced
    assert "chưa công bố" in cal.unconfirmed_reason(date(2027, 1, 29))
    assert cal.unconfirmed_reason(date(2027, 3, 15)) is None
    assert cal.unconfirmed_reason(date(2026, 2, 20)) is None  # 2026 was announced
    # a year after the table: Tết is unannounced by default
    assert "2028" in cal.unconfirmed_reason(date(2028, 1, 20))


def test_office_days_merge_over_the_table_and_confirm_a_year(cal):
    local_cal = WorkCalendar(load_overrides(DEFAULT_CALENDAR_FILE))
    assert local_cal.set_office_days({date(2027, 2, 11): "Nghỉ Tết"}, {date(2027, 1, 30): "Làm bù"})
    assert not local_cal.is_working_day(date(2027, 2, 11)) and local_cal.is_working_day(date(2027, 1, 30))
    assert local_cal.next_working_day(date(2027, 2, 10)) == date(2027, 2, 12)
    assert not local_cal.set_office_days({date(2027, 2, 11): "Nghỉ Tết"}, {date(2027, 1, 30): "Làm bù"})  # no change
    local_cal.set_office_days({}, {}, frozenset({2027}))
    assert local_cal.unconfirmed_reason(date(2027, 1, 29)) is None
    assert local_cal.is_working_day(date(2027, 2, 11))


@pytest.fixture
def office_chat(factory, settings):
    from handlers.features import build_registry
    from handlers.core.router import Core
    from handlers.demo.data import load_demo
    from models.db import transaction
    from tests.conftest import NOW
    with transaction(factory) as s:
        load_demo(s, NOW.date(), ZoneInfo("Asia/Ho_Chi_Minh"), dossier_count=0)
    default_calendar.cache_clear()
    core = Core(factory, settings, build_registry(), clock=lambda: NOW)
    yield core
    default_calendar().set_office_days({}, {}, frozenset())
    default_calendar.cache_clear()


def test_office_adds_and_removes_days_off_in_chat(office_chat, factory):
    from models.calendar import OfficeDay
    from tests.conftest import Chat, text_of

    office, leader = Chat(office_chat, "admin"), Chat(office_chat, "gd")
    added = text_of(office.say("/ngaynghi them 2027-02-11 Nghỉ Tết Nguyên đán (hoán đổi)"))
    assert "thứ Năm, 11/02/2027" in added and "/ngaynghi xacnhan 2027" in added
    assert not default_calendar().is_working_day(date(2027, 2, 11))
    assert "Chỉ Văn phòng Sở" in text_of(leader.say("/ngaynghi them 2027-02-12 Nghỉ"))
    listing = text_of(leader.say("/ngaynghi"))
    assert "11/02/2027" in listing and "Nghỉ Tết Nguyên đán (hoán đổi)" in listing and "Chưa công bố" in listing
    with factory() as s:
        assert s.query(OfficeDay).count() == 1
    assert "đã bỏ" in text_of(office.say("/ngaynghi bo 11/02/2027")).lower()
    assert default_calendar().is_working_day(date(2027, 2, 11))
    assert "ngày làm bù" in text_of(office.say("/ngaynghi làm bù 30/01/2027 Làm bù cho ngày 11/02/2027"))
    assert default_calendar().is_working_day(date(2027, 1, 30))
    office.say("/ngaynghi xác nhận 2027")
    assert default_calendar().unconfirmed_reason(date(2027, 1, 29)) is None


def test_due_date_in_an_unannounced_period_says_so(office_chat):
    from handlers.display.format import days_phrase
    from handlers.text.i18n import use_locale

    with use_locale("vi"):
        assert days_phrase(date(2027, 2, 1), date(2026, 11, 23)).endswith("; lịch nghỉ chưa công bố")
        assert "chưa công bố" not in days_phrase(date(2026, 12, 1), date(2026, 11, 23))
