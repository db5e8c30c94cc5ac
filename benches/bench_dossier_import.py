"""Import speed of provincial dossier exports (target: 100,000 rows < 30 s).

Generates a synthetic export with handlers.demo.dossier_samples, writes it as .xlsx
and .csv, and times read_dossier_export on each (reading the file included).

    python benches/bench_dossier_import.py [rows]
"""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from handlers.demo.dossier_samples import generate_dossiers, write_export_csv, write_export_xlsx  # noqa: E402
from handlers.dossiers.export_reader import read_dossier_export  # noqa: E402


def _timed(label: str, fn):
    t0 = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - t0


def main(rows: int = 100_000) -> None:
    records, t_gen = _timed("generate", lambda: generate_dossiers(rows, date(2025, 1, 1), date(2026, 6, 30), seed=1))
    xlsx, t_wx = _timed("write xlsx", lambda: write_export_xlsx(records))
    csv, t_wc = _timed("write csv", lambda: write_export_csv(records))
    print(f"rows: {rows:,}  generate: {t_gen:.1f} s  write xlsx: {t_wx:.1f} s ({len(xlsx) / 1e6:.1f} MB)"
          f"  write csv: {t_wc:.1f} s ({len(csv) / 1e6:.1f} MB)")
    for name, data in (("xlsx", xlsx), ("csv", csv)):
        result, t = _timed(name, lambda: read_dossier_export(f"export.{name}", data))
        ok = "OK" if result.records == records and not result.errors else "MISMATCH"
        verdict = "within" if t < 30 else "OVER"
        print(f"read {name:4}: {t:6.2f} s  {rows / t:10,.0f} rows/s  ({verdict} the 30 s budget; records {ok})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
