"""Reply parser: accuracy on the labelled replies per intent and per style; latency.

Run: python benches/bench_replies.py   (prints figures; asserts nothing)
"""

from __future__ import annotations

import csv
import statistics
import sys
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benches.common import latency_ms  # noqa: E402

from handlers.tasks.replies import INTENTS, parse_reply  # noqa: E402

REPLIES = ROOT / "tests" / "data" / "replies.tsv"
REPEATS = 10


def load() -> list[dict[str, str]]:
    with REPLIES.open(encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\"))


def expected(row: dict[str, str]) -> dict:
    p = row["percent"]
    return {"intent": row["intent"], "percent": (float(p) if "." in p else int(p)) if p else None,
            "until": row["until"] or None}


def accuracy(rows: list[dict[str, str]]) -> None:
    by_intent: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_style: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    exact = 0
    misses = []
    for row in rows:
        got = parse_reply(row["text"], datetime.fromisoformat(row["now"])).to_json()
        ok = got == expected(row)
        exact += ok
        for table, k in ((by_intent, row["intent"]), (by_style, row["style"])):
            table[k][0] += ok
            table[k][1] += 1
        if not ok:
            misses.append((row["text"], expected(row), got))
    n = len(rows)
    print(f"labelled replies: {n}; exact (intent, percent, until): {exact / n:.2%}")
    print("| intent | replies | exact |\n|---|---|---|")
    for intent in INTENTS:
        ok, total = by_intent[intent]
        print(f"| {intent} | {total} | {ok / total:.2%} |" if total else f"| {intent} | 0 | – |")
    print("per style: " + ", ".join(f"{s} {ok / t:.2%} ({t})" for s, (ok, t) in sorted(by_style.items())))
    for text, want, got in misses:
        print(f"  miss: {text!r}: expected {want}, got {got}")


def latency(rows: list[dict[str, str]]) -> None:
    now = datetime(2026, 12, 1, 9, 0)
    texts = [r["text"] for r in rows]
    print(latency_ms(lambda t: parse_reply(t, now), texts, REPEATS))
    long_text = "xin gia hạn đến 15/12 " + "do chờ quyết định phê duyệt của UBND tỉnh ạ 🙏 " * 100
    start = time.perf_counter()
    for _ in range(50):
        parse_reply(long_text, now)
    print(f"5,000-character reply: {(time.perf_counter() - start) * 1000 / 50:.3f} ms per parse")


if __name__ == "__main__":
    data = load()
    accuracy(data)
    latency(data)
