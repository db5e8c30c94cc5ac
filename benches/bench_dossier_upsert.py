"""End-to-end dossier import into the database (target: 100,000 rows < 30 s).

What `python main.py import-dossiers FILE` does: read the export and upsert
by dossier code, batch by batch as it is read (``ExportStream`` + ``import_export``). Measured on a fresh SQLite file and, when BENCH_DATABASE_URL
names one, on PostgreSQL; then the same file again (nothing changes) and a
newer export where 5 % of the outcomes changed.

    python benches/bench_dossier_upsert.py [rows]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benches.common import empty_postgres  # noqa: E402

from sqlalchemy import text  # noqa: E402

from handlers.demo.dossier_samples import generate_dossiers, write_export_csv, write_export_xlsx  # noqa: E402
from handlers.dossiers.store import import_export  # noqa: E402
from handlers.dossiers.export_reader import ExportStream  # noqa: E402
from models.db import make_engine, session_factory, transaction, upgrade  # noqa: E402

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def _import(factory, data: bytes, name: str = "export.csv") -> tuple[float, str]:
    t0, c0 = time.perf_counter(), time.process_time()
    with transaction(factory) as session:
        stats = import_export(session, ExportStream(name, data), TZ)
    cpu = time.process_time() - c0
    return time.perf_counter() - t0, f"(CPU {cpu:5.2f} s)  +{stats.added} ~{stats.updated} ={stats.unchanged}"


def run(url: str, label: str, first: bytes, newer: bytes, rows: int) -> None:
    engine = make_engine(url)
    if url.startswith("postgresql"):
        empty_postgres(engine)
    upgrade(engine)
    factory = session_factory(engine)
    for name, data in (("first import", first), ("same file again", first), ("newer export (5 % changed)", newer)):
        seconds, stats = _import(factory, data)
        verdict = "within" if seconds < 30 else "OVER"
        print(f"{label:10} {name:28} {seconds:6.2f} s  {rows / seconds:9,.0f} rows/s  {stats}  ({verdict} 30 s)")
    engine.dispose()


def main(rows: int = 100_000) -> None:
    records = generate_dossiers(rows, date(2025, 1, 1), date(2026, 6, 30), seed=3)
    changed = [replace(r, resolved_at=(r.resolved_at or r.received_at) + timedelta(days=1), status=10)
               if i % 20 == 0 else r for i, r in enumerate(records)]
    first, newer = write_export_csv(records), write_export_csv(changed)
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{tmp}/bench.db", "sqlite", first, newer, rows)
        engine = make_engine(f"sqlite:///{tmp}/xlsx.db")
        upgrade(engine)
        seconds, stats = _import(session_factory(engine), write_export_xlsx(records), "export.xlsx")
        print(f"{'sqlite':10} {'first import from .xlsx':28} {seconds:6.2f} s  {rows / seconds:9,.0f} rows/s  {stats}"
              f"  ({'within' if seconds < 30 else 'OVER'} 30 s)")
    pg = os.environ.get("BENCH_DATABASE_URL")
    if pg:
        run(pg, "postgresql", first, newer, rows)
    else:
        print("postgresql: set BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench to measure it")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
