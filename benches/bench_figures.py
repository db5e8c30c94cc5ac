"""Dossier figures at scale: answers, report, export and digest at 1,000,000 dossiers.

Builds a database of generated dossiers (ten years of history, bulk insert
through SQLAlchemy Core with the derived columns the figures count by), then
starts the real bot (``python3 main.py run --now …``) against the fake Bot
API server (tests/fakes/telegram_server.py), registers an office user by deep
link and asks six typical questions, one at a time, timing each from the
user's message being queued to the bot's answer arriving at the server:

    late this month · past due of a unit · received in a quarter ·
    monthly report · due soon this week · online share this year

at 2,000 dossiers (one year, the demo's size) and at 1,000,000 (ten years),
with p50/p95 and the large/small ratio; then the half-year report (.docx),
the statistics workbook and the weekly digest (/baocao) at 1,000,000, asked
the same way; and the bot process's peak RSS (VmHWM) and CPU time. SQLite
always; PostgreSQL too when BENCH_DATABASE_URL is set (its schema is dropped!).

    python benches/bench_figures.py [large_n] [--keep DIR] [--pg-only]   # default 1000000

``--keep DIR`` keeps the SQLite files in DIR and reuses a large one already
built there (migrated to the current head first). Targets (issue 13): answer
p95 ≤ 100 ms at 1M and ≤ 2× the p95 at 2,000; report/export/digest ≤ 10 s;
RSS ≤ 300 MB.
"""

from __future__ import annotations

import os
import random
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
from handlers.dossiers import rollup  # noqa: E402
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
    with transaction(factory) as s:
        # Rows inserted on a bare connection pass no session hook: a bulk loader counts
        # the monthly roll-up itself (handlers.dossiers.rollup), one GROUP BY.
        rollup.rebuild(s)
    if url.startswith("postgresql"):
        # What autovacuum does after a bulk load: statistics and the visibility map
        # (without it PostgreSQL cannot use index-only scans).
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE dossier"))
            conn.execute(text("VACUUM ANALYZE dossier_month"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    took = time.perf_counter() - t0
    engine.dispose()
    return took


# ---------------------------------------------------------------- measuring (the real bot process)


ROOT = Path(__file__).resolve().parents[1]
NOTICES = ("⚠️", "🔔")  # undeliverable-message notices and reminders the scheduler sends meanwhile
QUIET_S = 0.6  # no message for this long: the previous answer is complete
PACE_S = 1.2  # then this pause before the next question
OFFICE = 5001  # the Telegram user who asks (an admin of VP, registered by deep link)
FILES = (
    ("report", "báo cáo CCHC 6 tháng đầu năm 2026", "document"),
    ("export", "xuất thống kê hồ sơ 6 tháng đầu năm 2026", "document"),
    ("digest", "/baocao", "text"),
)


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def _bot_env(fake, url: str) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TELEGRAM_", "WEBHOOK_", "ZALO_", "DATABASE_URL"))}
    env.update(fake.env(), DATABASE_URL=url, TELEGRAM_BOT_USERNAME="cchc_fake_bot", PYTHONPATH=str(ROOT))
    return env


def _vm_hwm_mb(pid: int) -> float:
    """Peak resident set of the bot process (VmHWM), read before it exits."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds the bot process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Asker:
    """Sends one message as OFFICE and times until the bot's next message reaches the fake server."""

    def __init__(self, fake) -> None:
        import threading

        self.fake = fake
        self.arrived = threading.Event()
        self.want = "text"
        self.at = 0.0
        self.first = None
        fake.on_bot_message(self._seen)

    def _seen(self, sent) -> None:
        if (sent.text or "").startswith(NOTICES):
            return  # the scheduler's own messages to the office, not an answer
        if sent.chat_id == OFFICE and not self.arrived.is_set() and (self.want == "text" or sent.kind == self.want):
            self.at = time.perf_counter()
            self.first = sent
            self.arrived.set()

    def ask(self, text: str, want: str = "text", timeout: float = 120) -> tuple[float, str]:
        """Time one question. Before it, the previous answer (all its messages) has been
        delivered and a person's pause has passed, so the bot's per-chat pacing
        (Telegram's one message a second per chat, bot/common/ratelimit.py) never
        delays the first message of this answer."""
        self.quiet(QUIET_S)
        time.sleep(PACE_S)
        self.arrived.clear()
        self.want = want
        t0 = time.perf_counter()
        self.fake.user_sends_text(OFFICE, text)
        if not self.arrived.wait(timeout):
            raise TimeoutError(f"no answer to {text!r} in {timeout} s")
        return (self.at - t0) * 1000, (self.first.text or self.first.file_name or "")

    def quiet(self, seconds: float = 3.0, limit: float = 120) -> None:
        """Wait until the bot has sent nothing to OFFICE for ``seconds`` (the rest of a long
        answer, the start-up digest, reminders)."""
        end = time.monotonic() + limit
        while time.monotonic() < end:
            n = len(self.fake.sent_messages(OFFICE))
            time.sleep(seconds)
            if len(self.fake.sent_messages(OFFICE)) == n:
                return


def measure(url: str, with_reports: bool) -> dict:
    """Start ``python3 main.py run`` against the fake Bot API, register OFFICE by deep link,
    then ask each question REPEAT times, one at a time, timing user message → bot answer."""
    import re
    import signal

    from tests.fakes.telegram_server import FakeTelegram

    fake = FakeTelegram.start_in_thread()
    env = _bot_env(fake, url)
    invite = subprocess.run([sys.executable, "main.py", "invite", "--unit", "VP", "--role", "admin", "--name",
                             "Văn thư đo"], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    code = re.search(r"start=(\w+)", invite.stdout).group(1)
    log = tempfile.NamedTemporaryFile("w", suffix=".log", delete=False)
    bot = subprocess.Popen([sys.executable, "main.py", "run", "--now", NOW.strftime("%Y-%m-%dT%H:%M")],
                           cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    out: dict = {"answers": {}}
    try:
        fake.wait_for_calls_sync("setMyCommands", 1, timeout=120)
        asker = Asker(fake)
        _ms, first = asker.ask(f"/start {code}")
        assert "đăng ký" in first, first  # (a reused database already knows OFFICE)
        asker.quiet(3.0)
        cpu0 = _cpu_s(bot.pid)
        for label, q in QUESTIONS:
            _ms, first = asker.ask(q)  # warm-up (and a look at the answer)
            times = []
            cpu_q = _cpu_s(bot.pid)
            for _ in range(REPEAT):
                ms, _text = asker.ask(q)
                times.append(ms)
            out["answers"][label] = {"p50": statistics.median(times), "p95": _pct(times, 0.95),
                                     "cpu_ms": (_cpu_s(bot.pid) - cpu_q) * 1000 / REPEAT,
                                     "first_line": first.splitlines()[0][:80] if first else ""}
        out["answers_cpu_s"] = _cpu_s(bot.pid) - cpu0
        if with_reports:
            for label, q, kind in FILES:
                cpu0 = _cpu_s(bot.pid)
                ms, first = asker.ask(q, kind, timeout=300)
                out[f"{label}_s"], out[f"{label}_cpu_s"] = ms / 1000, _cpu_s(bot.pid) - cpu0
                out[f"{label}_what"] = first.splitlines()[0][:60] if first else ""
        out["rss_mb"] = _vm_hwm_mb(bot.pid)
    finally:
        bot.send_signal(signal.SIGTERM)
        try:
            bot.wait(timeout=60)
        except subprocess.TimeoutExpired:
            bot.kill()
        fake.stop()
        log.close()
    if bot.returncode not in (0, -signal.SIGTERM):
        print(Path(log.name).read_text()[-3000:], file=sys.stderr)
    os.unlink(log.name)
    return out

# ---------------------------------------------------------------- main


def run(label: str, small_url: str, large_url: str, large_n: int, reuse: bool = False) -> None:
    today = NOW.date()
    t_small = build(small_url, 2_000, today - timedelta(days=365))
    small = measure(small_url, False)  # measured before the large build (PostgreSQL reuses one database)
    if reuse:
        t_large = float("nan")
        engine = make_engine(large_url)
        t0 = time.perf_counter()
        upgrade(engine)  # a database built by an older schema gets the newer migrations (and their backfill)
        t_upgrade = time.perf_counter() - t0
        with engine.begin() as conn:  # the indexes of the current schema
            for table in (Dossier.__table__, *_extra_tables()):
                for index in table.indexes:
                    index.create(conn, checkfirst=True)
            conn.execute(text("ANALYZE"))
        engine.dispose()
        print(f"(reused {large_url}; upgrade to head took {t_upgrade:.1f} s)")
    else:
        t_large = build(large_url, large_n, date(today.year - 10, 1, 1))
    print(f"\n== {label}: built 2,000 in {t_small:.1f} s; {large_n:,} in {t_large:.1f} s "
          f"({large_n / t_large:,.0f} rows/s, bulk Core insert with derived columns)")
    large = measure(large_url, True)
    print("answers through `main.py run` and the fake Bot API: user message -> bot answer at the server, "
          f"{REPEAT} asks each after a warm-up")
    print("(wall ms; 'cpu' = the bot process's CPU ms per answer, the figure a loaded machine distorts least)")
    print(f"{'question':<24} {'2k p50':>8} {'2k p95':>8} {'2k cpu':>7} {'1M p50':>8} {'1M p95':>8} {'1M cpu':>7} "
          f"{'ratio':>6}  answer (1M)")
    for q, _ in QUESTIONS:
        a, b = small["answers"][q], large["answers"][q]
        print(f"{q:<24} {a['p50']:8.1f} {a['p95']:8.1f} {a['cpu_ms']:7.1f} {b['p50']:8.1f} {b['p95']:8.1f} "
              f"{b['cpu_ms']:7.1f} {b['p95'] / a['p95']:6.2f}  {b['first_line']}")
    print(f"bot CPU for the {len(QUESTIONS) * (REPEAT + 1)} answers: 2k {small['answers_cpu_s']:.2f} s, "
          f"1M {large['answers_cpu_s']:.2f} s")
    for what, _q, _kind in FILES:
        print(f"{what} at 1M: {large[what + '_s']:.2f} s wall, {large[what + '_cpu_s']:.2f} s CPU "
              f"({large[what + '_what']})")
    print(f"peak RSS (VmHWM) of the bot process: 2k {small['rss_mb']:.0f} MB, 1M {large['rss_mb']:.0f} MB")


def _extra_tables() -> list:
    """Tables besides ``dossier`` whose indexes a reused database must have."""
    from models import Base

    return [t for name, t in Base.metadata.tables.items() if name.startswith("dossier_")]


def main() -> None:
    args = sys.argv[1:]
    keep = None
    if "--keep" in args:  # --keep DIR: keep the SQLite files there and reuse a large one already built
        i = args.index("--keep")
        keep = args[i + 1]
        del args[i:i + 2]
    only_pg = "--pg-only" in args
    if only_pg:
        args.remove("--pg-only")
    large_n = int(args[0]) if args else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        where = keep or tmp
        large = Path(where) / "large.db"
        if not only_pg:
            run("SQLite", f"sqlite:///{where}/small.db", f"sqlite:///{large}", large_n,
                reuse=keep is not None and large.exists())
        pg = os.environ.get("BENCH_DATABASE_URL", "")
        if pg.startswith("postgresql"):
            run("PostgreSQL", pg, pg, large_n)


if __name__ == "__main__":
    main()
