"""Parse time of a conclusion against its size: the curve must be linear.

Three shapes, each at 50, 100, 200 and 500 KB of UTF-8 text:

* ``numbered`` — the items of seed 000 repeated under I., II., … with units
  and dates (a long but ordinary conclusion);
* ``short lines`` — the seed's words cut into 4–6-word lines with no
  sentence end, as a PDF or an OCR pass prints them: the layout joins them
  into a handful of huge paragraphs full of unit names (this shape took
  minutes when clause analysis rescanned the text before every mention);
* ``no diacritics + OCR noise`` — the numbered shape through the
  deterministic OCR-noise function of the tests.

Also a 50-page conclusion (≈ 25,000 words, the numbered shape) and a
.docx of short lines read + parsed. Prints seconds and seconds per 100 KB
(a flat column means linear). Times are CPU seconds of this process (time.process_time), so a busy shared machine does not distort the curve.
Run: python benches/bench_conclusion_scaling.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benches.bench_import_conclusion import UNITS, build_document, docx_bytes, item_texts  # noqa: E402
from handlers.tasks.importers.conclusion import parse_conclusion  # noqa: E402
from handlers.tasks.importers.noise import ocr_noise  # noqa: E402
from handlers.tasks.importers.readers import read_document  # noqa: E402

SIZES_KB = (50, 100, 200, 500)


def roman(n: int) -> str:
    out = ""
    for value, letters in ((100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + letters, n - value
    return out


def numbered(kb: int) -> str:
    """Sections I., II., … (as many as the size needs) of the seed's ten items each."""
    items = item_texts()
    lines = ["Số: 664/KL-SKH&CN", "Quảng Ngãi, ngày 27 tháng 5 năm 2021", "", "KẾT LUẬN",
             "của Giám đốc Sở về các nhiệm vụ trọng tâm", "", "Giám đốc Sở kết luận như sau:"]
    size, section = 0, 0
    while size < kb * 1024:
        lines.append(f"{roman(section % 399 + 1)}. Nhiệm vụ nhóm {section + 1}")
        for n, body in enumerate(items, start=1):
            unit = UNITS[(section + n) % len(UNITS)]
            lines.append(f"{n}. {body} {unit} chủ trì, hoàn thành trước ngày {(n % 28) + 1}/{(section % 12) + 1}/2021.")
        lines.append(f"Phân công: {UNITS[section % len(UNITS)]} chủ trì tham mưu thực hiện các nội dung tại mục 1, 2, 3.")
        size += sum(len(x.encode()) + 1 for x in lines[-12:])
        section += 1
    lines += ["", "GIÁM ĐỐC", "", "Nguyễn Văn Thành"]
    return "\n".join(lines)


def short_lines(kb: int) -> str:
    words = build_document(4_000).split()
    lines, i, n = [], 0, 0
    while n < kb * 1024:
        size = 4 + i % 3
        line = " ".join(words[(i * 5) % len(words) : (i * 5) % len(words) + size]).rstrip(".;:")
        lines.append(line)
        n += len(line.encode()) + 1
        i += 1
    return "\n".join(lines)


def timed(fn, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return statistics.median(times)


def main() -> None:
    print(f"{'shape':28} {'KB':>5} {'tasks':>6} {'seconds':>8} {'s/100KB':>8}")
    for shape, make in (("numbered", numbered), ("short lines", short_lines),
                        ("no diacritics + OCR noise", lambda kb: ocr_noise(numbered(kb)))):
        for kb in SIZES_KB:
            text = make(kb)
            tasks = len(parse_conclusion(text).tasks)
            seconds = timed(lambda: parse_conclusion(text), runs=1 if kb >= 200 else 3)
            print(f"{shape:28} {kb:5} {tasks:6} {seconds:8.3f} {seconds / kb * 100:8.3f}")
    fifty_pages = numbered(160)  # ≈ 25,000 words, 50 printed pages
    print(f"50-page conclusion ({len(fifty_pages.encode()) // 1024} KB, "
          f"{len(parse_conclusion(fifty_pages).tasks)} tasks): {timed(lambda: parse_conclusion(fifty_pages)):.3f} s")
    lines = short_lines(41)
    data = docx_bytes(lines)
    seconds = timed(lambda: parse_conclusion(read_document("ngan.docx", data)))
    print(f".docx of short lines ({len(data) // 1024} KB file, {lines.count(chr(10)) + 1} lines): {seconds:.3f} s")


if __name__ == "__main__":
    main()
