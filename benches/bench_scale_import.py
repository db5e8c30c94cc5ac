"""`import-dossiers` of a 1,000,000-row export, end to end (target ≤ 60 s, peak RSS ≤ 300 MB).

Ten years of a department's dossiers (100,000 a year) are written to a CSV as
the provincial system exports them (``handlers/demo/dossier_samples.py``),
together with a newer export of the same dossiers where every 20th (5 %)
has a new outcome. Each file is then imported by the real command,
``python main.py import-dossiers FILE``, as a child process: the wall time
is what the office waits, the peak RSS is that process's own
(``os.wait4``), so the generator's memory here does not count.

    python benches/bench_scale_import.py [rows] [--first-only]  # SQLite in a temporary file
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench python benches/bench_scale_import.py

Heavy (several minutes, ~700 MB of CSV in a temporary directory): run it once.
``BENCH_SCALE_DIR=/some/dir`` keeps the two exports there and reuses them on the next run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benches.common import empty_postgres  # noqa: E402

from sqlalchemy import func, select, text  # noqa: E402

from handlers.demo.dossier_samples import generate_dossiers, write_export_csv  # noqa: E402
from models.db import make_engine  # noqa: E402
from models.dossiers import Dossier  # noqa: E402

TARGET_SECONDS = 60
TARGET_RSS_MB = 300
PER_YEAR = 100_000


def _shifted(r, weeks: int, suffix: int):
    """The same dossier ``weeks`` later (weekdays kept), with a code unique to its year."""
    def at(value):
        return value + timedelta(weeks=weeks) if value is not None else None

    return replace(r, code=f"{r.code}{suffix}", received_at=at(r.received_at), due_at=at(r.due_at),
                   original_due_at=at(r.original_due_at), resolved_at=at(r.resolved_at),
                   returned_at=at(r.returned_at), apology_at=at(r.apology_at), new_due_at=at(r.new_due_at))


def write_exports(rows: int, first: Path, newer: Path) -> None:
    """Write both exports a year at a time: one generated year (100,000 dossiers) repeated,
    52 weeks later each time (weekdays kept; holidays approximate, which an import does not mind)."""
    year = generate_dossiers(min(rows, PER_YEAR), date(2016, 1, 1), date(2016, 12, 31), seed=13)
    chunks = max(1, (rows + PER_YEAR - 1) // PER_YEAR)
    with first.open("wb") as a, newer.open("wb") as b:
        for c in range(chunks):
            n = min(PER_YEAR, rows - c * PER_YEAR)
            records = [_shifted(r, 52 * c, c % 10) for r in year[:n]]
            changed = [replace(r, resolved_at=(r.resolved_at or r.received_at) + timedelta(days=1), status=10)
                       if i % 20 == 0 else r for i, r in enumerate(records)]
            for out, recs in ((a, records), (b, changed)):
                data = write_export_csv(recs)
                out.write(data if c == 0 else data.split(b"\r\n", 2)[2])  # title and header once


def fresh_database(url: str | None, tmp: Path) -> str:
    if url is None:
        return f"sqlite:///{tmp}/bench.db"
    engine = make_engine(url)
    empty_postgres(engine)
    engine.dispose()
    return url


def postgres_cpu() -> float:
    """CPU seconds used so far by every local ``postgres`` process (the server's share of
    an import on PostgreSQL; other sessions on the server count too, so it is an upper bound)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name, rest = text[text.index("(") + 1:text.rindex(")")], text[text.rindex(")") + 2:].split()
        if name.startswith("postgres"):
            total += sum(int(v) for v in rest[11:15]) / tick  # own and reaped backends' time
    return total


def import_file(url: str, path: Path) -> tuple[float, float, float, str]:
    """(wall s, CPU s, peak RSS MB, the command's summary line) of one `import-dossiers` run.

    CPU time is printed too: on a shared machine it says more than the wall clock."""
    env = {**os.environ, "DATABASE_URL": url}
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "main.py", "import-dossiers", str(path)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = proc.stdout.read().decode()  # type: ignore[union-attr]
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"import-dossiers failed ({proc.returncode}):\n{out[-3000:]}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out.strip().splitlines()[0]


def report(label: str, name: str, rows: int, url: str, path: Path) -> None:
    server = postgres_cpu() if url.startswith("postgresql") else None
    seconds, cpu, rss, summary = import_file(url, path)
    server_cpu = f" + server ≤ {postgres_cpu() - server:5.1f} s" if server is not None else ""
    verdict = "within" if seconds <= TARGET_SECONDS and rss <= TARGET_RSS_MB else "OVER"
    print(f"{label:10} {name:27} {seconds:7.1f} s (CPU {cpu:6.1f} s{server_cpu})  {rows / seconds:8,.0f} rows/s"
          f"  peak RSS {rss:5.0f} MB  ({verdict} {TARGET_SECONDS} s / {TARGET_RSS_MB} MB)  {summary}", flush=True)


def stored(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        n = conn.scalar(select(func.count()).select_from(Dossier))
    engine.dispose()
    return n


def main(rows: int = 1_000_000, first_only: bool = False) -> None:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        keep = os.environ.get("BENCH_SCALE_DIR")
        folder = Path(keep) / str(rows) if keep else tmp
        folder.mkdir(parents=True, exist_ok=True)
        first, newer = folder / "export.csv", folder / "export-newer.csv"
        t0 = time.perf_counter()
        if not (keep and first.exists() and newer.exists()):
            write_exports(rows, first, newer)
        print(f"generated {rows:,} dossiers over {max(1, rows // PER_YEAR)} years: {first.stat().st_size / 2**20:,.0f} MB"
              f" CSV in {time.perf_counter() - t0:.0f} s", flush=True)
        dbs = [("sqlite", fresh_database(None, tmp))]
        pg = os.environ.get("BENCH_DATABASE_URL")
        if pg:
            dbs.append(("postgresql", fresh_database(pg, tmp)))
        else:
            print("postgresql: set BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench to measure it")
        runs = [("first import", first), ("newer export (5 % changed)", newer)][:1 if first_only else 2]
        for name, path in runs:
            for label, url in dbs:  # both first imports before the re-imports
                report(label, name, rows, url, path)
        for label, url in dbs:
            print(f"{label:10} dossiers stored: {stored(url):,}", flush=True)

if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(int(args[0]) if args else 1_000_000, first_only="--first-only" in sys.argv)
