"""Dossier figures at scale: answers, report, export and digest at 1,000,000 dossiers.

Builds a database of generated dossiers (ten years of history, bulk insert
through SQLAlchemy Core with the derived columns the figures count by), then,
in a fresh process (so its peak RSS is that of a bot answering), asks six
typical questions through the core (``Core.handle_sync``) and times them:

    late this month · past due of a unit · received in a quarter ·
    monthly report · due soon this week · online share this year

at 2,000 dossiers (one year, the demo's size) and at 1,000,000 (ten years),
with p50/p95 and the large/small ratio; then the period report (.docx), the
statistics workbook and the weekly digest at 1,000,000. SQLite always;
PostgreSQL too when BENCH_DATABASE_URL is set (its schema is dropped!).

    python benches/bench_figures.py [large_n]        # default 1000000
Targets (issue 13): answer p95 ≤ 100 ms at 1M and ≤ 2× the p95 at 2,000;
report/export/digest ≤ 10 s; RSS ≤ 300 MB.
"""

from __future__ import annotations

import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, time as dtime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benches.common import empty_postgres  # noqa: E402

from sqlalchemy import insert, select, text  # noqa: E402

from handlers.demo.dossier_samples import PROCEDURES  # noqa: E402
from handlers.dossiers.derived import derived_columns  # noqa: E402
from handlers.worktime.calendar import default_calendar  # noqa: E402
from models.db import make_engine, session_factory, transaction, upgrade  # noqa: E402
from models.dossiers import Dossier, Procedure  # noqa: E402
from models.org import Unit  # noqa: E402

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)
QUESTIONS = (
    ("late this month", "hồ sơ trễ hạn tháng này"),
    ("past due of a unit", "hồ sơ quá hạn của chi cục"),
    ("received in a quarter", "hồ sơ tiếp nhận quý 3"),
    ("monthly report", "báo cáo tháng 10"),
    ("due soon this week", "hồ sơ sắp đến hạn tuần này"),
    ("online share this year", "tỷ lệ hồ sơ trực tuyến năm nay"),
)
REPEAT = 15
DERIVED = ("received_on", "due_on", "closed_on", "outcome", "late_days", "apology_ok")
BATCH = 20_000


# ---------------------------------------------------------------- building


def _rows(n: int, first_day: date, seed: int, unit_ids: dict[str, int], proc_ids: dict[str, int]):
    """Generated dossiers as insert rows (derived columns included), in batches."""
    rng = random.Random(seed)
    cal = default_calendar()
    today = NOW.date()
    span = (today - first_day).days
    batch = []
    for i in range(n):
        proc = PROCEDURES[rng.randrange(len(PROCEDURES))]
        day = first_day + timedelta(days=rng.randrange(span + 1))
        received = datetime.combine(day, dtime(7 + rng.randrange(9), rng.randrange(60)), TZ)
        due_day = cal.add_working_days(day, proc.days)
        due = datetime.combine(due_day, dtime(17), TZ)
        channel = rng.choices(("online", "direct", "postal"), (60, 35, 5))[0]
        status, resolved, apology = 4, None, None
        r = rng.random()
        if due_day < today - timedelta(days=3) or r < 0.7:
            if r < 0.015:
                status, resolved = 3, received + timedelta(hours=1)
            elif r < 0.04:
                status, resolved = 7, received + timedelta(days=rng.randrange(1, 5))
            elif r < 0.07:
                late_by = rng.randrange(1, 10)
                status, resolved = 10, due + timedelta(days=late_by)
                if rng.random() < 0.5:
                    apology = due - timedelta(days=1)
            elif r < 0.17:
                status, resolved = 10, due - timedelta(hours=2)
            else:
                status, resolved = 10, max(received + timedelta(hours=3), due - timedelta(days=rng.randrange(1, 6)))
            if resolved is not None and resolved.date() > today:
                status, resolved = 4, None
        else:
            status = rng.choices((4, 5, 8), (94, 5, 1))[0]
        row = {
            "code": f"000.00.{seed % 100:02d}.H48-{i:08d}", "procedure_id": proc_ids[proc.name],
            "procedure_name": proc.name, "field": proc.field, "unit_id": unit_ids[proc.unit],
            "received_at": received, "due_at": due, "original_due_at": None, "resolved_at": resolved,
            "returned_at": resolved, "status": status, "channel": channel,
            "service_level": proc.service_level if channel == "online" else None, "apology_at": apology,
            "new_due_at": None, "postal_return": False, "updated_at": NOW,
        }
        # The derived columns, as handlers.dossiers.derived computes them (dates are local here).
        closed = resolved.date() if resolved is not None else None
        outcome = late_days = None
        if status == 10:
            outcome = "on_time" if closed == due_day else ("early" if closed < due_day else "late")
            if outcome == "late":
                late_days = max(cal.working_days_between(due_day, closed), 1)
        elif status == 7:
            outcome = "withdrawn"
        elif status == 3:
            outcome = "refused"
        row.update(received_on=day, due_on=due_day, closed_on=closed, outcome=outcome, late_days=late_days,
                   apology_ok=apology is not None and apology.date() < due_day)
        if i < 200:  # keep the shortcut honest
            assert {k: row[k] for k in DERIVED} == derived_columns(row, TZ, cal), row["code"]
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def build(url: str, n: int, first_day: date) -> float:
    """A migrated database with the demo organisation and people, and ``n`` dossiers."""
    from handlers.demo.data import load_demo

    if url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(url[len("sqlite:///"):] + suffix).unlink(missing_ok=True)
    engine = make_engine(url)
    if url.startswith("postgresql"):
        empty_postgres(engine)
    upgrade(engine)
    factory = session_factory(engine)
    with transaction(factory) as s:
        load_demo(s, NOW.date(), TZ, dossier_count=0)
        for p in PROCEDURES:
            if s.scalar(select(Procedure.id).where(Procedure.name == p.name)) is None:
                s.add(Procedure(name=p.name, field=p.field, processing_days=p.days, online_level=p.service_level,
                                published=True, postal=True))
    with factory() as s:
        unit_ids = dict(s.execute(select(Unit.code, Unit.id)).all())
        proc_ids = dict(s.execute(select(Procedure.name, Procedure.id)).all())
    t0 = time.perf_counter()
    table = Dossier.__table__
    for rows in _rows(n, first_day, 7, unit_ids, proc_ids):
        with engine.begin() as conn:
            conn.execute(insert(table), rows)
    if url.startswith("postgresql"):
        # What autovacuum does after a bulk load: statistics and the visibility map
        # (without it PostgreSQL cannot use index-only scans).
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE dossier"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    took = time.perf_counter() - t0
    engine.dispose()
    return took


# ---------------------------------------------------------------- measuring (child process)


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def measure(url: str, with_reports: bool) -> dict:
    from handlers.core.messages import IncomingMessage
    from handlers.features import build_registry
    from handlers.core.router import Core
    from settings import Settings
    engine = make_engine(url)
    factory = session_factory(engine)
    settings = Settings(_env_file=None, database_url=url)
    core = Core(factory, settings, build_registry(), clock=lambda: NOW)
    out: dict = {"answers": {}}
    seq = iter(range(1, 10**9))

    def ask(q: str) -> str:
        msg = IncomingMessage(channel="console", chat_id="admin", sender_id="admin", text=q,
                              message_id=str(next(seq)))
        return "\n".join(r.text for r in core.handle_sync(msg))

    for label, q in QUESTIONS:
        first = ask(q)  # warm-up (and a look at the answer)
        times = []
        for _ in range(REPEAT):
            t0 = time.perf_counter()
            ask(q)
            times.append((time.perf_counter() - t0) * 1000)
        out["answers"][label] = {"p50": statistics.median(times), "p95": _pct(times, 0.95),
                                 "first_line": first.splitlines()[0][:80] if first else ""}
    if with_reports:
        from handlers.reporting import write_report_docx, write_stats_xlsx
        from handlers.reporting.digest import build_digest
        from handlers.reporting.period_data import build_period_report

        with factory() as s:
            t0 = time.perf_counter()
            built = build_period_report(s, "2026-H1", NOW, settings)
            write_report_docx(built.data)
            out["report_s"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            book = write_stats_xlsx(built.figures, built.by_unit, built.by_field, built.label)
            out["export_s"] = time.perf_counter() - t0 + out["report_s"]  # the export builds the same data
            out["export_kb"] = len(book) // 1024
            out["received_h1"] = built.figures.received_total
            t0 = time.perf_counter()
            build_digest(s, NOW, settings)
            out["digest_s"] = time.perf_counter() - t0
    out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def _child(url: str, with_reports: bool) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--measure", url, "1" if with_reports else "0"],
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- main


def run(label: str, small_url: str, large_url: str, large_n: int, reuse: bool = False) -> None:
    today = NOW.date()
    t_small = build(small_url, 2_000, today - timedelta(days=365))
    small = _child(small_url, False)  # measured before the large build (PostgreSQL reuses one database)
    if reuse:
        t_large = float("nan")
        with make_engine(large_url).begin() as conn:  # the indexes of the current schema
            for index in Dossier.__table__.indexes:
                index.create(conn, checkfirst=True)
            conn.execute(text("ANALYZE"))
    else:
        t_large = build(large_url, large_n, date(today.year - 10, 1, 1))
    print(f"\n== {label}: built 2,000 in {t_small:.1f} s; {large_n:,} in {t_large:.1f} s "
          f"({large_n / t_large:,.0f} rows/s, bulk Core insert with derived columns)")
    large = _child(large_url, True)
    print(f"{'question':<24} {'2k p50':>8} {'2k p95':>8} {'1M p50':>8} {'1M p95':>8} {'ratio':>6}  answer (1M)")
    for q, _ in QUESTIONS:
        a, b = small["answers"][q], large["answers"][q]
        print(f"{q:<24} {a['p50']:8.1f} {a['p95']:8.1f} {b['p50']:8.1f} {b['p95']:8.1f} "
              f"{b['p95'] / a['p95']:6.2f}  {b['first_line']}")
    print(f"report (.docx, 2026-H1, {large['received_h1']:,} dossiers received): {large['report_s']:.2f} s; "
          f"export (.xlsx, {large['export_kb']} KB): {large['export_s']:.2f} s; digest: {large['digest_s']:.2f} s")
    print(f"peak RSS of the answering process: 2k {small['rss_mb']:.0f} MB, 1M {large['rss_mb']:.0f} MB")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--measure":
        print(json.dumps(measure(sys.argv[2], sys.argv[3] == "1")))
        return
    args = sys.argv[1:]
    keep = None
    if "--keep" in args:  # --keep DIR: keep the SQLite files there and reuse a large one already built
        i = args.index("--keep")
        keep = args[i + 1]
        del args[i:i + 2]
    large_n = int(args[0]) if args else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        where = keep or tmp
        large = Path(where) / "large.db"
        run("SQLite", f"sqlite:///{where}/small.db", f"sqlite:///{large}", large_n,
            reuse=keep is not None and large.exists())
        pg = os.environ.get("BENCH_DATABASE_URL", "")
        if pg.startswith("postgresql"):
            run("PostgreSQL", pg, pg, large_n)


if __name__ == "__main__":
    main()
