"""Vietnamese explanations of an estimate: one line per deduction, a short
summary, and the per-unit answer to "phòng nào đang làm mất điểm".

Lines are built for a chat message: one deduction per line, the lost points
first so the eye finds the big ones, the remedy last.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Mapping

from handlers.scoring.engine import Deduction, Estimate
from handlers.scoring.formatting import fmt_loss, fmt_number, fmt_points

# Short unit names as the office writes them in reports; the org file holds
# the full names. A caller may pass its own mapping (another province's units).
UNIT_SHORT_NAMES: dict[str, str] = {
    "BGD": "Ban Giám đốc",
    "VP": "Văn phòng Sở",
    "TTRA": "Thanh tra Sở",
    "QLKH": "Phòng QLKH",
    "QLCN": "Phòng QLCN",
    "KHTC": "Phòng KH-TC",
    "TDC": "Chi cục TĐC",
    "TTUD": "Trung tâm Ứng dụng",
}


def unit_label(code: str, names: Mapping[str, str] | None = None) -> str:
    """A readable unit name for a code, falling back to the code itself."""
    if names and code in names:
        return names[code]
    return UNIT_SHORT_NAMES.get(code, code)


def deduction_line_vi(d: Deduction, unit_names: Mapping[str, str] | None = None) -> str:
    """One line: −0,75 điểm · 3.2.1 Tên tiêu chí · Đơn vị: chuyện gì xảy ra → Cách khắc phục: …"""
    line = (
        f"{fmt_loss(d.points_lost)} điểm · {d.criterion_code} {d.criterion_name} · "
        f"{unit_label(d.unit, unit_names)}: {d.what}"
    )
    if d.recover:
        line += f" → Cách khắc phục: {d.recover}"
    return line


def losses_by_unit(estimate: Estimate, include_survey: bool = False) -> list[tuple[str, float]]:
    """Points lost per unit, largest first (ties by unit code).

    The survey part is left out by default: it reflects the whole department,
    and would otherwise always put the office at the top.
    """
    totals: dict[str, float] = defaultdict(float)
    for d in estimate.deductions:
        if d.kind == "survey" and not include_survey:
            continue
        totals[d.unit] += d.points_lost
    return sorted(((u, round(p, 2)) for u, p in totals.items()), key=lambda item: (-item[1], item[0]))


def estimate_summary_vi(
    estimate: Estimate, top: int = 5, unit_names: Mapping[str, str] | None = None
) -> list[str]:
    """A few lines for a chat reply: the figures, the biggest deductions, what is not entered."""
    lines = [
        f"Chỉ số CCHC năm {estimate.year} (ước tính đến {estimate.as_of:%d/%m/%Y}): "
        f"{fmt_points(estimate.total)}/{fmt_number(estimate.max_total)} điểm.",
        f"Tự chấm: {fmt_points(estimate.self_assessed)}/{fmt_number(estimate.self_assessed_max)}; "
        + (
            f"điều tra xã hội học: {fmt_points(estimate.survey)}/{fmt_number(estimate.survey_max)}."
            if estimate.survey is not None
            else f"điều tra xã hội học ({fmt_number(estimate.survey_max)} điểm): chưa có kết quả."
        ),
    ]
    if estimate.appraised is not None:
        lines.append(
            f"Sau thẩm định: {fmt_points(estimate.appraised)}; tổng sau thẩm định "
            f"{fmt_points(estimate.final_total)} điểm."
        )
    shown = estimate.deductions[:top]
    if shown:
        survey_lost = sum(d.points_lost for d in estimate.deductions if d.kind == "survey")
        own_lost = sum(d.points_lost for d in estimate.deductions) - survey_lost
        head = f"Bị trừ {fmt_points(own_lost)} điểm tự chấm"
        if survey_lost:
            head += f" và {fmt_points(survey_lost)} điểm điều tra xã hội học"
        lines.append(f"{head}; {len(shown)} khoản lớn nhất:")
        lines.extend(deduction_line_vi(d, unit_names) for d in shown)
    else:
        lines.append("Chưa phát hiện khoản bị trừ điểm nào.")
    pending = [leaf for leaf in estimate.missing if leaf.data_source != "survey"]
    if pending:
        points = sum(leaf.max_points for leaf in pending)
        codes = ", ".join(leaf.code for leaf in pending[:10]) + ("…" if len(pending) > 10 else "")
        lines.append(
            f"Còn {len(pending)} tiêu chí ({fmt_number(points)} điểm) chưa nhập điểm tự chấm, "
            f"đang tính 0 điểm: {codes}."
        )
    return lines
