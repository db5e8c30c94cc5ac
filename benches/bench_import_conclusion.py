"""Parse time of a 20-page conclusion (≈12,000 words) from .txt and .docx.

Builds the document by repeating the numbered items of the two seed
conclusions with varied numbers, units and dates, then prints the median of
several runs for: parse only (.txt text), and read + parse (.docx bytes).
Run: python benches/bench_import_conclusion.py
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from handlers.tasks.importers.conclusion import parse_conclusion  # noqa: E402
from handlers.tasks.importers.readers import read_document  # noqa: E402
from handlers.tasks.importers.layout import paragraphs  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "conclusions"
UNITS = ["Văn phòng Sở", "Thanh tra Sở", "Chi cục Tiêu chuẩn Đo lường Chất lượng", "Phòng Quản lý Khoa học",
         "Trung tâm Ứng dụng và Dịch vụ Khoa học và Công nghệ", "Phòng Kế hoạch – Tài chính"]
ROMAN = "I II III IV V VI VII VIII IX X XI XII XIII XIV XV XVI XVII XVIII XIX XX".split()
RUNS = 7


def item_texts() -> list[str]:
    """Bodies (without numbers) of the items of seed 000."""
    text = (DATA / "000_ac2fbbd9d4a28b6a.txt").read_text(encoding="utf-8")
    out = []
    for p in paragraphs(text):
        head, _, rest = p.text.partition(". ")
        if head.isdigit() and rest:
            out.append(rest)
    return out


def build_document(target_words: int = 12_000) -> str:
    items = item_texts()
    lines = ["Số: 664/KL-SKH&CN", "Quảng Ngãi, ngày 27 tháng 5 năm 2021", "", "KẾT LUẬN",
             "của Giám đốc Sở về các nhiệm vụ trọng tâm", "", "Giám đốc Sở kết luận như sau:"]
    words, section = 0, 0
    while words < target_words:
        lines.append(f"{ROMAN[section % len(ROMAN)]}. Nhiệm vụ nhóm {section + 1}")
        for n, body in enumerate(items, start=1):
            unit = UNITS[(section + n) % len(UNITS)]
            extra = f" {unit} chủ trì, hoàn thành trước ngày {(n % 28) + 1}/{(section % 12) + 1}/2021."
            lines.append(f"{n}. {body}{extra}")
            words += len(body.split()) + len(extra.split())
        lines.append(f"Phân công: {UNITS[section % len(UNITS)]} chủ trì tham mưu thực hiện các nội dung tại mục 1, 2, 3.")
        section += 1
    lines += ["", "GIÁM ĐỐC", "", "Nguyễn Văn Thành"]
    return "\n".join(lines)


def docx_bytes(text: str) -> bytes:
    import docx

    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def median_seconds(fn) -> float:
    fn()  # warm caches (unit matcher, regexes)
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    text = build_document()
    data = docx_bytes(text)
    tasks = len(parse_conclusion(text).tasks)
    print(f"document: {len(text.split())} words, {len(text) // 3000} pages at ~3000 chars/page, {tasks} tasks")
    t_txt = median_seconds(lambda: parse_conclusion(read_document("kl.txt", text.encode("utf-8"))))
    t_docx = median_seconds(lambda: parse_conclusion(read_document("kl.docx", data)))
    print(f".txt  read+parse median of {RUNS}: {t_txt * 1000:.0f} ms")
    print(f".docx read+parse median of {RUNS}: {t_docx * 1000:.0f} ms")
    print("OK (< 1 s)" if max(t_txt, t_docx) < 1.0 else "SLOW (>= 1 s)")


if __name__ == "__main__":
    main()
