"""The one working calendar: which days and hours count as working time.

Reminders, dossier appointment dates and answers such as "còn 3 ngày" must
all agree, so every piece of the bot asks this module and nothing else.

A working day is Monday–Friday, minus Vietnamese public holidays from the
``holidays`` package (lunar Tết, Giỗ Tổ, observed and some swapped days off),
adjusted by an office-editable yearly override file: extra days off and
make-up working days (ngày làm bù, usually Saturdays), which the package
never marks as working. Working hours are the two office windows from
settings (07:30–11:30, 13:30–17:00 by default) in the local time zone.

Day arithmetic is O(1): for each covered year range we keep the sorted list
of working-day ordinals and a running count per calendar day, rebuilt only
when a query reaches a year outside the range.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import holidays
import yaml

if TYPE_CHECKING:
    from settings import Settings

DEFAULT_CALENDAR_FILE = Path(__file__).parent / "defaults" / "calendar.yaml"
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"

# Provincial dossier systems count one working day as 8 hours, whatever the
# exact office windows are (07:30–11:30 + 13:30–17:00 is only 7.5 h).
DOSSIER_HOURS_PER_DAY = 8.0

# The file uses Vietnamese keys (the office edits it); English ones are accepted too.
_DAYS_OFF_KEYS = ("ngay_nghi", "days_off")
_WORKING_KEYS = ("ngay_lam_bu", "working_days")
_DATE_KEYS = ("ngay", "date")
_REASON_KEYS = ("ly_do", "reason")
_UNCONFIRMED_KEYS = ("chua_cong_bo", "unannounced")
# Around Tết, bridge days and make-up Saturdays are announced each year; until then
# any date this close to the statutory Tết days may still change.
TET_MARGIN_DAYS = 14
UNCONFIRMED_TET_VI = "Lịch nghỉ Tết Nguyên đán {year} chưa công bố"


class CalendarFileError(ValueError):
    """The override file cannot be used; the message is Vietnamese and names file and entry."""


@dataclass(frozen=True)
class Overrides:
    """Office decisions on top of the statutory holidays, date → Vietnamese reason."""

    days_off: Mapping[date, str] = field(default_factory=dict)
    working_days: Mapping[date, str] = field(default_factory=dict)
    unconfirmed: Mapping[tuple[date, date], str] = field(default_factory=dict)
    """Inclusive date ranges whose days off are not announced yet, → why."""
    years: frozenset[int] = frozenset()
    """Years the table covers; Tết of any later year is unconfirmed by default."""


# --------------------------------------------------------------------------- loading


def load_overrides(path: Path | str) -> Overrides:
    """Read the yearly override table; raise :class:`CalendarFileError` on any bad entry.

    The file maps a year to ``ngay_nghi`` (extra days off) and ``ngay_lam_bu``
    (make-up working days), each a list of ``{ngay, ly_do}``. Errors name the
    file, the year, the list and the entry number, because office staff edit
    this by hand and must find the line to fix.
    """
    p = Path(path)
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CalendarFileError(f"Không đọc được tệp lịch {p}: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise CalendarFileError(f"Tệp lịch {p} sai cú pháp YAML: {exc}") from exc
    if raw is None:
        return Overrides()
    if not isinstance(raw, dict):
        raise CalendarFileError(f"Tệp lịch {p}: nội dung phải là các nhóm theo năm (2025:, 2026:, …).")

    days_off: dict[date, str] = {}
    working: dict[date, str] = {}
    unconfirmed: dict[tuple[date, date], str] = {}
    years: set[int] = set()
    for year_key, body in raw.items():
        year = _parse_year(p, year_key)
        years.add(year)
        if body is None:
            continue
        if not isinstance(body, dict):
            raise CalendarFileError(f"Tệp lịch {p}, năm {year}: cần các mục 'ngay_nghi' và/hoặc 'ngay_lam_bu'.")
        unknown = set(body) - set(_DAYS_OFF_KEYS) - set(_WORKING_KEYS) - set(_UNCONFIRMED_KEYS)
        if unknown:
            raise CalendarFileError(
                f"Tệp lịch {p}, năm {year}: không hiểu mục {', '.join(map(repr, sorted(map(str, unknown))))}; "
                "chỉ dùng 'ngay_nghi', 'ngay_lam_bu' hoặc 'chua_cong_bo'."
            )
        for key in _UNCONFIRMED_KEYS:
            unconfirmed.update(_parse_ranges(p, year, key, body.get(key)))
        for keys, target in ((_DAYS_OFF_KEYS, days_off), (_WORKING_KEYS, working)):
            for key in keys:
                for d, reason in _parse_entries(p, year, key, body.get(key)):
                    if d in target:
                        raise CalendarFileError(f"Tệp lịch {p}, năm {year}, '{key}': ngày {d:%d/%m/%Y} bị ghi hai lần.")
                    target[d] = reason
    clash = sorted(set(days_off) & set(working))
    if clash:
        raise CalendarFileError(
            f"Tệp lịch {p}: ngày {clash[0]:%d/%m/%Y} vừa là ngày nghỉ vừa là ngày làm bù."
        )
    return Overrides(days_off=days_off, working_days=working, unconfirmed=unconfirmed, years=frozenset(years))


def _parse_ranges(path: Path, year: int, key: str, entries: Any) -> dict[tuple[date, date], str]:
    """``chua_cong_bo`` entries: ``{tu, den, ly_do}`` date ranges not announced yet."""
    if entries is None:
        return {}
    if not isinstance(entries, list):
        raise CalendarFileError(f"Tệp lịch {path}, năm {year}, '{key}': cần một danh sách các mục '- tu: …'.")
    out = {}
    for i, entry in enumerate(entries, start=1):
        where = f"Tệp lịch {path}, năm {year}, '{key}', mục {i}"
        if not isinstance(entry, dict):
            raise CalendarFileError(f"{where}: cần dạng 'tu: 23/01/2027', 'den: 21/02/2027', 'ly_do: …'.")
        lo, hi = _parse_date(entry.get("tu", entry.get("from"))), _parse_date(entry.get("den", entry.get("to")))
        if lo is None or hi is None or hi < lo:
            raise CalendarFileError(f"{where}: cần 'tu' và 'den' là ngày hợp lệ, 'tu' không sau 'den'.")
        reason = str(entry.get("ly_do") or entry.get("reason") or "").strip()
        if not reason:
            raise CalendarFileError(f"{where}: thiếu 'ly_do'.")
        out[(lo, hi)] = reason
    return out


def _parse_year(path: Path, key: Any) -> int:
    try:
        year = int(str(key).strip())
    except ValueError:
        raise CalendarFileError(f"Tệp lịch {path}: '{key}' không phải là năm (ví dụ 2026).") from None
    if not 1990 <= year <= 2200:
        raise CalendarFileError(f"Tệp lịch {path}: năm {year} nằm ngoài khoảng hợp lệ.")
    return year


def _parse_entries(path: Path, year: int, key: str, entries: Any) -> list[tuple[date, str]]:
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise CalendarFileError(f"Tệp lịch {path}, năm {year}, '{key}': cần một danh sách các mục '- ngay: …'.")
    out = []
    for i, entry in enumerate(entries, start=1):
        where = f"Tệp lịch {path}, năm {year}, '{key}', mục {i}"
        if not isinstance(entry, dict):
            raise CalendarFileError(f"{where}: cần dạng 'ngay: 26/04/2025' và 'ly_do: …'.")
        value = next((entry[k] for k in _DATE_KEYS if k in entry), None)
        reason = next((entry[k] for k in _REASON_KEYS if k in entry), None)
        d = _parse_date(value)
        if d is None:
            raise CalendarFileError(f"{where}: ngày '{value}' không hợp lệ (dùng 26/04/2025 hoặc 2025-04-26).")
        if d.year != year:
            raise CalendarFileError(f"{where}: ngày {d:%d/%m/%Y} không thuộc năm {year}.")
        if not reason or not str(reason).strip():
            raise CalendarFileError(f"{where}: thiếu 'ly_do' cho ngày {d:%d/%m/%Y}.")
        out.append((d, str(reason).strip()))
    return out


def _parse_date(value: Any) -> date | None:
    """Accept YAML dates, ISO strings and day-first Vietnamese dates (26/04/2025)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


# --------------------------------------------------------------------------- calendar


@dataclass(frozen=True)
class _YearDays:
    """Per-year exceptions to the Monday–Friday rule."""

    off: Mapping[date, str]  # holidays (any weekday) and extra days off, with names
    on: Mapping[date, str]  # make-up working days


@dataclass(frozen=True)
class _DayIndex:
    """Working days of years [lo, hi]: ``cum[i]`` counts those on or before day ``base + i``;
    ``ords`` lists their ordinals in order."""

    lo: int
    hi: int
    base: int
    cum: list[int]
    ords: list[int]


class WorkCalendar:
    """Working days and working hours for one office.

    Build it with :meth:`from_settings` in the application; tests pass explicit
    arguments. Instances are immutable in behaviour and cheap to query; build
    one per configuration (see :func:`default_calendar`).
    """

    def __init__(
        self,
        overrides: Overrides | None = None,
        *,
        timezone: str = DEFAULT_TIMEZONE,
        morning: tuple[time, time] = (time(7, 30), time(11, 30)),
        afternoon: tuple[time, time] = (time(13, 30), time(17, 0)),
        hours_per_day: float = DOSSIER_HOURS_PER_DAY,
        country: str = "VN",
    ) -> None:
        if not (morning[0] < morning[1] <= afternoon[0] < afternoon[1]):
            raise ValueError(
                "Giờ làm việc không hợp lệ: cần giờ bắt đầu sáng < kết thúc sáng ≤ bắt đầu chiều < kết thúc chiều."
            )
        if hours_per_day <= 0:
            raise ValueError("Số giờ làm việc một ngày phải lớn hơn 0.")
        self.overrides = overrides or Overrides()
        self.office = Overrides()  # days the office added in chat (/ngaynghi), see set_office_days
        self.confirmed_years: frozenset[int] = frozenset()
        self.tz = ZoneInfo(timezone)
        self.windows: tuple[tuple[time, time], ...] = (morning, afternoon)
        self.hours_per_day = hours_per_day
        self.country = country
        self._years: dict[int, _YearDays] = {}
        self._ix: _DayIndex | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> WorkCalendar:
        """The calendar configured by settings; ``calendar_file`` replaces the shipped table."""
        path = settings.calendar_file or DEFAULT_CALENDAR_FILE
        return cls(
            load_overrides(path),
            timezone=settings.timezone,
            morning=(settings.work_morning_start, settings.work_morning_end),
            afternoon=(settings.work_afternoon_start, settings.work_afternoon_end),
        )

    # ---------------------------------------------------------------- days

    def is_working_day(self, d: date) -> bool:
        """Monday–Friday that is not a holiday or extra day off, or a make-up day."""
        year = self._year(d.year)
        if d in year.on:
            return True
        if d in year.off:
            return False
        return d.weekday() < 5

    def holiday_name(self, d: date) -> str | None:
        """Vietnamese name of the holiday or day off on ``d``; None on ordinary days.

        Weekends without a holiday return None; a make-up working day returns
        None even if the package lists a holiday there, since the office works.
        """
        year = self._year(d.year)
        if d in year.on:
            return None
        return year.off.get(d)

    def make_up_reason(self, d: date) -> str | None:
        """Why ``d`` is a working day although it is a weekend (ngày làm bù), if it is one."""
        return self._year(d.year).on.get(d)

    def add_working_days(self, d: date, n: int) -> date:
        """Move ``n`` working days from ``d``.

        n > 0: the n-th working day strictly after d; n < 0: the |n|-th working
        day strictly before d; n = 0: d itself when it is a working day, else
        the next working day. So a Saturday + 1 is Monday (like Friday + 1),
        and "3 working days before a Sunday deadline" is Wednesday.
        """
        ix = self._index(d.year, d.year)
        while True:
            count = ix.cum[d.toordinal() - ix.base]  # working days on or before d
            working = count > 0 and ix.ords[count - 1] == d.toordinal()
            if n > 0:
                k = count + n - 1
            elif n < 0:
                k = count - working + n
            else:
                k = count - working
            if 0 <= k < len(ix.ords):
                return date.fromordinal(ix.ords[k])
            if (k < 0 and ix.lo <= 1) or (k >= len(ix.ords) and ix.hi >= 9998):
                raise OverflowError("Kết quả nằm ngoài khoảng ngày tính được.")
            span = abs(n) // 200 + 1  # about 250 working days a year
            ix = self._index(ix.lo - span, ix.hi) if k < 0 else self._index(ix.lo, ix.hi + span)

    def working_days_between(self, a: date, b: date) -> int:
        """Signed count of working days in (a, b]; negative (count in (b, a]) when b < a.

        "Days left" until a deadline is ``working_days_between(today, deadline)``:
        a deadline on the next working day gives 1, today gives 0, yesterday's
        gives -1 on a working day. It is 0 over a weekend after a Friday deadline:
        no working day has passed yet.
        """
        ix = self._index(min(a.year, b.year), max(a.year, b.year))
        return ix.cum[b.toordinal() - ix.base] - ix.cum[a.toordinal() - ix.base]

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        return self.add_working_days(d, 1)

    def previous_working_day(self, d: date) -> date:
        """The last working day strictly before ``d``."""
        return self.add_working_days(d, -1)

    def on_or_before(self, d: date) -> date:
        """``d`` if it is a working day, else the last working day before it."""
        return d if self.is_working_day(d) else self.previous_working_day(d)

    def on_or_after(self, d: date) -> date:
        """``d`` if it is a working day, else the next working day (same as n=0)."""
        return self.add_working_days(d, 0)

    def unconfirmed_reason(self, d: date) -> str | None:
        """Why the days off around ``d`` may still change, or None when they are announced.

        True inside a ``chua_cong_bo`` range of the table, and around Tết of any
        year after the table's last year, until the office confirms that year
        (``/ngaynghi xacnhan 2027``) — a due date there could still move.
        """
        if d.year in self.confirmed_years:
            return None
        for (lo, hi), reason in self.overrides.unconfirmed.items():
            if lo <= d <= hi:
                return reason
        known = self.overrides.years
        if known and d.year > max(known):
            tet = [h for h, name in self._year(d.year).off.items() if "Tết Nguyên Đán" in name or "29 Tết" in name]
            if tet and min(tet) - timedelta(days=TET_MARGIN_DAYS) <= d <= max(tet) + timedelta(days=TET_MARGIN_DAYS):
                return UNCONFIRMED_TET_VI.format(year=d.year)
        return None

    def set_office_days(
        self, days_off: Mapping[date, str], working_days: Mapping[date, str], confirmed_years: frozenset[int] = frozenset()
    ) -> bool:
        """Merge the office's own entries (stored in the database) over the table.

        Returns True when anything changed; caches are rebuilt only then, so the
        planner may call this on every tick.
        """
        office = Overrides(days_off=dict(days_off), working_days=dict(working_days))
        if (office.days_off, office.working_days, confirmed_years) == (
            self.office.days_off, self.office.working_days, self.confirmed_years
        ):
            return False
        self.office = office
        self.confirmed_years = frozenset(confirmed_years)
        self._years = {}
        self._ix = None
        return True

    # ---------------------------------------------------------------- hours

    def to_local(self, t: datetime) -> datetime:
        """Aware local time; a naive datetime is taken to be local already."""
        if t.tzinfo is None:
            return t.replace(tzinfo=self.tz)
        return t.astimezone(self.tz)

    def at(self, d: date, clock: time) -> datetime:
        """The aware local instant of ``clock`` on ``d``."""
        return datetime.combine(d, clock, tzinfo=self.tz)

    def day_start(self, d: date) -> datetime:
        """Opening time (morning window start) on ``d``."""
        return self.at(d, self.windows[0][0])

    def in_working_hours(self, t: datetime) -> bool:
        """True inside a window [start, end) of a working day (07:30 yes, 11:30 no)."""
        local = self.to_local(t)
        if not self.is_working_day(local.date()):
            return False
        clock = local.time().replace(tzinfo=None)
        return any(start <= clock < end for start, end in self.windows)

    def next_window(self, t: datetime) -> datetime:
        """``t`` (as local time) if inside working hours, else the next window's start.

        Before the morning window → 07:30 the same day; in the lunch break →
        13:30; after 17:00, on a weekend or holiday → 07:30 of the next working day.
        """
        local = self.to_local(t)
        d = local.date()
        if self.is_working_day(d):
            clock = local.time().replace(tzinfo=None)
            for start, end in self.windows:
                if clock < start:
                    return self.at(d, start)
                if clock < end:
                    return local
        return self.day_start(self.next_working_day(d))

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """When ``hours`` of processing time, counted from ``start``, are used up.

        Counting starts at :meth:`next_window` (a dossier received after hours
        starts the next working morning). Like the provincial dossier systems,
        each whole ``hours_per_day`` (8 h) is one working day at the same clock
        time; only the remainder is walked through the actual office windows, so
        "3 ngày làm việc" from Monday 09:00 ends Thursday 09:00 even though a
        day's windows hold 7.5 h. A result on a window's end (11:30) is returned
        as that end, not as the next opening.
        """
        if hours < 0:
            raise ValueError("Số giờ làm việc phải không âm.")
        t = self.next_window(start)
        days, rest = divmod(float(hours), self.hours_per_day)
        if days:
            t = self.at(self.add_working_days(t.date(), int(days)), t.time().replace(tzinfo=None))
        remaining = timedelta(hours=rest)
        while remaining > timedelta(0):
            t = self.next_window(t)
            end = self.at(t.date(), self._window_end(t))
            if t + remaining <= end:
                return t + remaining
            remaining -= end - t
            t = end
        return t

    def _window_end(self, t: datetime) -> time:
        clock = t.time().replace(tzinfo=None)
        return next(end for start, end in self.windows if start <= clock < end)

    # ---------------------------------------------------------------- caches

    def _year(self, year: int) -> _YearDays:
        cached = self._years.get(year)
        if cached is None:
            cached = self._years[year] = self._build_year(year)
        return cached

    def _build_year(self, year: int) -> _YearDays:
        statutory = holidays.country_holidays(self.country, years=year, language="vi")
        off = {d: name for d, name in statutory.items() if d.year == year}
        off.update({d: r for d, r in self.overrides.days_off.items() if d.year == year})
        on = {d: r for d, r in self.overrides.working_days.items() if d.year == year}
        # the office's chat entries win over the table: a day it marks off is off, and back
        for d, r in self.office.days_off.items():
            if d.year == year:
                off[d] = r
                on.pop(d, None)
        for d, r in self.office.working_days.items():
            if d.year == year:
                on[d] = r
        return _YearDays(off=off, on=on)

    def _index(self, lo: int, hi: int) -> _DayIndex:
        """A dense index spanning at least years [lo, hi] (one spare year either side).

        The index is replaced as a whole, never mutated, so a thread reading
        the old one while another extends it still sees consistent data.
        """
        ix = self._ix
        if ix is not None and ix.lo <= lo and hi <= ix.hi:
            return ix
        if ix is not None:
            lo, hi = min(lo, ix.lo), max(hi, ix.hi)
        lo, hi = max(lo - 1, 1), min(hi + 1, 9998)
        base = date(lo, 1, 1).toordinal()
        last = date(hi, 12, 31).toordinal()
        cum: list[int] = []
        ords: list[int] = []
        for o in range(base, last + 1):
            if self.is_working_day(date.fromordinal(o)):
                ords.append(o)
            cum.append(len(ords))
        self._ix = _DayIndex(lo, hi, base, cum, ords)
        return self._ix


@lru_cache(maxsize=1)
def default_calendar() -> WorkCalendar:
    """The application's calendar from ``settings.get_settings()``, built once.

    Call ``default_calendar.cache_clear()`` after changing settings or the file.
    """
    from settings import get_settings

    return WorkCalendar.from_settings(get_settings())
