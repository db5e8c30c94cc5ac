"""How long an estimate takes on a realistic year of data, so the bot can
recompute it on every change instead of caching it.

Run: python benches/bench_scoring.py   (prints figures; no assertions)
"""

from __future__ import annotations

import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from handlers.scoring.engine import estimate  # noqa: E402
from handlers.scoring.explain import estimate_summary_vi, losses_by_unit  # noqa: E402
from handlers.scoring.framework import _load_cached, load_framework  # noqa: E402
from handlers.scoring.inputs import DossierSummary, ManualScore, ScoringInputs, TaskFact  # noqa: E402
from handlers.scoring.suggest import suggest_criterion  # noqa: E402

UNITS = ["VP", "TTRA", "QLKH", "QLCN", "KHTC", "TDC", "TTUD"]


def year_of_data(fw, n_tasks: int, n_late: int, seed: int = 7) -> ScoringInputs:
    rnd = random.Random(seed)
    codes = [leaf.code for leaf in fw.leaves()] + [None] * 10
    start = date(2024, 1, 1)
    tasks = []
    for i in range(n_tasks):
        due = start + timedelta(days=rnd.randrange(365))
        done = due + timedelta(days=rnd.randrange(-20, 10)) if rnd.random() < 0.8 else None
        tasks.append(TaskFact(f"T{i}", f"Nhiệm vụ {i}", rnd.choice(UNITS), rnd.choice(codes),
                              rnd.choice(["ubnd", "internal", "report"]), due, due, done, 50))
    late = [(f"HS-{i:05d}", rnd.choice(UNITS)) for i in range(n_late)]
    manual = [ManualScore(leaf.code, leaf.max_points * 0.8) for leaf in fw.leaves() if leaf.rule.type == "manual"]
    return ScoringInputs(
        as_of=date(2024, 12, 31), year=2024, tasks=tasks, manual=manual,
        dossiers=DossierSummary(received=5000, online=2300, procedures_total=57, procedures_with_postal=20,
                                online_procedures=40, procedures_online_without_dossiers=["A", "B"],
                                late=late, late_without_apology=late[: n_late // 3]),
    )


def timed(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    for fw_id in ("dept-2020", "dept-2022-2030"):
        _load_cached.cache_clear()
        cold = timed(lambda: (_load_cached.cache_clear(), load_framework(fw_id)), 5)
        fw = load_framework(fw_id)
        print(f"{fw_id}: {len(fw.leaves())} leaves; load+validate (cold) {cold * 1000:.1f} ms")
        for n_tasks, n_late in ((300, 20), (3000, 200), (30000, 2000)):
            inputs = year_of_data(fw, n_tasks, n_late)
            t = timed(lambda: estimate(fw, inputs), 5)
            est = estimate(fw, inputs)
            t_explain = timed(lambda: (estimate_summary_vi(est), losses_by_unit(est)), 5)
            print(f"  {n_tasks:>6} tasks, {n_late:>5} late dossiers: estimate {t * 1000:7.1f} ms, "
                  f"explain {t_explain * 1000:5.2f} ms, total {est.total}")
        texts = ["Nâng cao tỷ lệ hồ sơ trực tuyến mức độ 3, 4", "Gửi báo cáo CCHC quý II",
                 "Tang cuong tra ket qua qua buu chinh cong ich", "Tổ chức họp giao ban tháng"] * 25
        t = timed(lambda: [suggest_criterion(x, fw) for x in texts], 3)
        print(f"  suggest_criterion: {t / len(texts) * 1000:.2f} ms per task text")


if __name__ == "__main__":
    main()
