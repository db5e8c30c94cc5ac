"""How fast the working calendar answers: 100,000 add_working_days and working_days_between calls.

Run: python benches/bench_calendar.py
The planner calls these for every open task every minute, so they must stay cheap.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from handlers.worktime.calendar import DEFAULT_CALENDAR_FILE, WorkCalendar, load_overrides  # noqa: E402
from handlers.worktime.policy import ReminderPolicy, due_steps  # noqa: E402

N = 100_000


def main() -> None:
    rng = random.Random(20270206)
    start = date(2024, 1, 1)
    days = [start + timedelta(days=rng.randrange(5 * 365)) for _ in range(N)]
    others = [start + timedelta(days=rng.randrange(5 * 365)) for _ in range(N)]
    offsets = [rng.randint(-60, 60) for _ in range(N)]

    t0 = time.perf_counter()
    cal = WorkCalendar(load_overrides(DEFAULT_CALENDAR_FILE))
    cal.working_days_between(date(2024, 1, 1), date(2028, 12, 31))  # build the index for 2023–2029
    build = time.perf_counter() - t0

    t0 = time.perf_counter()
    for d, n in zip(days, offsets):
        cal.add_working_days(d, n)
    add = time.perf_counter() - t0

    t0 = time.perf_counter()
    for a, b in zip(days, others):
        cal.working_days_between(a, b)
    between = time.perf_counter() - t0

    policy = ReminderPolicy()
    now = datetime(2026, 3, 10, 9, 0, tzinfo=cal.tz)
    deadlines = days[:10_000]
    t0 = time.perf_counter()
    for dl in deadlines:
        due_steps(dl, now, policy, cal)
    steps = time.perf_counter() - t0

    print(f"calendar build (holidays 2023–2029 + overrides): {build * 1000:.1f} ms")
    print(f"{N:,} add_working_days:      {add:.3f} s  ({add / N * 1e6:.2f} µs/call)")
    print(f"{N:,} working_days_between:  {between:.3f} s  ({between / N * 1e6:.2f} µs/call)")
    print(f"{len(deadlines):,} due_steps (one planner tick over 10k tasks): {steps:.3f} s")


if __name__ == "__main__":
    main()
