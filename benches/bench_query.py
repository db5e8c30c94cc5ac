"""Query parser: accuracy on the labelled set, latency, and cold start-up.

Run: python benches/bench_query.py   (prints figures; asserts nothing)
"""

from __future__ import annotations

import csv
import json
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benches.common import latency_ms  # noqa: E402

from handlers.query import CONTRACT_KEYS, parse  # noqa: E402

NOW = datetime(2026, 11, 23, 9, 0)
QUESTIONS = ROOT / "tests" / "data" / "questions.tsv"
TYPOS = ROOT / "tests" / "data" / "questions_typos.tsv"  # generated: one slip per question
REPEATS = 20


def load(path: Path = QUESTIONS) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def accuracy(rows: list[dict[str, str]], label: str = "labelled questions") -> None:
    field_ok: dict[str, int] = defaultdict(int)
    style_ok: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    exact = 0
    for row in rows:
        expected = json.loads(row["expected"])
        got = parse(row["text"], NOW).to_json()
        same = True
        for key in CONTRACT_KEYS:
            if got[key] == expected[key]:
                field_ok[key] += 1
            else:
                same = False
        exact += same
        style_ok[row["style"]][0] += same
        style_ok[row["style"]][1] += 1
    n = len(rows)
    print(f"{label}: {n}; exact (all contract keys): {exact / n:.2%}")
    print("per field: " + ", ".join(f"{k} {field_ok[k] / n:.2%}" for k in CONTRACT_KEYS))
    print("per style: " + ", ".join(f"{s} {ok / total:.2%} ({total})" for s, (ok, total) in sorted(style_ok.items())))


def latency(rows: list[dict[str, str]]) -> None:
    texts = [r["text"] for r in rows]
    print(latency_ms(lambda text: parse(text, NOW), texts, REPEATS))
    cpu = []  # CPU time of this process only: what a parse costs when the machine is shared
    for text in texts * 5:
        t = time.process_time_ns()
        parse(text, NOW)
        cpu.append((time.process_time_ns() - t) / 1e6)
    cpu.sort()
    qc = statistics.quantiles(cpu, n=100)
    print(f"CPU time over {len(cpu)} parses: median {statistics.median(cpu):.3f} ms, p95 {qc[94]:.3f} ms, "
          f"p99 {qc[98]:.3f} ms, max {cpu[-1]:.3f} ms")
    long_text = "hồ sơ trễ hạn tháng này của chi cục " + "xin cảm ơn ạ 🙏 " * 400
    t = time.perf_counter()
    for _ in range(50):
        parse(long_text, NOW)
    print(f"5,000-character message: {(time.perf_counter() - t) * 1000 / 50:.3f} ms per parse")


def startup() -> None:
    code = (
        "import time; t=time.perf_counter(); from handlers.query import parse; from datetime import datetime; "
        "parse('hs qh t11 cua cc', datetime(2026,11,23,9)); print(time.perf_counter()-t)"
    )
    runs = []
    for _ in range(3):
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
        runs.append(float(out.stdout.strip()))
    print(f"start-up (cold import + first parse, 3 runs): {', '.join(f'{r * 1000:.0f} ms' for r in runs)}")


def main() -> None:
    rows = load()
    accuracy(rows)
    typos = load(TYPOS)
    accuracy(typos, "typo split (one slip per question, reported separately)")
    latency(rows + typos)
    startup()


if __name__ == "__main__":
    main()
