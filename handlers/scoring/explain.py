"""Vietnamese explanations of an estimate: one line per deduction, a short
summary, and the per-unit answer to "phòng nào đang làm mất điểm".

Lines are built for a chat message: one deduction per line, the lost points
first so the eye finds the big ones, the remedy last.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Mapping

from handlers.scoring.engine import Deduction, Estimate
from handlers.scoring.rules import fmt_number
from handlers.text.i18n import fmt_date
from handlers.text.i18n import fmt_number as _fmt_fixed

DEFAULT_THRESHOLDS_VI = "ngưỡng mặc định — Văn phòng cần cập nhật theo Quyết định của tỉnh"
ATTRIBUTION_VI = (
    "phần điểm mất ở tiêu chí tính theo tỷ lệ được phân bổ cho đơn vị theo số hồ sơ trễ hạn, "
    "nhiệm vụ quá hạn của đơn vị"
)


def fmt_points(x: float) -> str:
    """Points with two decimals, as PAR results are published: 0,75; 80,08."""
    return _fmt_fixed(x, 2)


def fmt_loss(x: float) -> str:
    """A deduction with a true minus sign: −0,75."""
    return f"\u2212{fmt_points(abs(x))}"

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


def framework_line_vi(estimate: Estimate) -> str:
    """Which index the estimate follows, its version, and where the thresholds come from."""
    source = DEFAULT_THRESHOLDS_VI if estimate.default_thresholds else f"ngưỡng theo {estimate.framework_decision}"
    version = f", phiên bản {estimate.framework_version}" if estimate.framework_version else ""
    return f"Bộ chỉ số: {estimate.framework_name}{version} ({source})."


def range_text_vi(estimate: Estimate) -> str:
    """"81,50/100 điểm" or "61,25 điểm đã xác định, tối đa 81,25 (còn 20 điểm chưa có dữ liệu)"."""
    if estimate.open_max <= 0:
        return f"{fmt_points(estimate.total)}/{fmt_number(estimate.max_total)} điểm"
    return (
        f"{fmt_points(estimate.total)} điểm đã xác định, tối đa {fmt_points(estimate.upper)}/"
        f"{fmt_number(estimate.max_total)} (còn {fmt_number(estimate.open_max)} điểm chưa có dữ liệu)"
    )


def estimate_line_vi(estimate: Estimate) -> str:
    """The estimate in one line (the digest): range, framework version, threshold flag."""
    flag = "ngưỡng mặc định" if estimate.default_thresholds else f"theo {estimate.framework_decision}"
    version = estimate.framework_version or estimate.framework_id
    return f"Chỉ số CCHC {estimate.year} (ước tính): {range_text_vi(estimate)} — {version}, {flag}."


def explain_estimate(estimate: Estimate, unit_names: Mapping[str, str] | None = None) -> list[str]:
    """Per criterion: the input figures, the rule applied and the points — the answer
    to "vì sao điểm ..." and the body of ``score --explain``."""
    lines = [
        f"Chỉ số CCHC năm {estimate.year} (ước tính đến {fmt_date(estimate.as_of)}): {range_text_vi(estimate)}.",
        framework_line_vi(estimate),
    ]
    for leaf in estimate.leaves:
        lines.append(explain_leaf_vi(leaf))
    return lines


def explain_leaf_vi(leaf) -> str:
    """"3.3.1 Tỷ lệ hồ sơ giải quyết đúng hạn — số liệu: …; quy tắc: …; điểm: 2,25/3"."""
    points = "chưa có dữ liệu" if leaf.open else f"{fmt_number(leaf.points)}/{fmt_number(leaf.max_points)}"
    if leaf.open:
        points += f" (tối đa {fmt_number(leaf.max_points)}, chưa tính)"
    figures = leaf.figures or leaf.note or "—"
    return f"• {leaf.code} {leaf.name} — số liệu: {figures}; quy tắc: {leaf.rule}; điểm: {points}."


def estimate_summary_vi(
    estimate: Estimate, top: int = 5, unit_names: Mapping[str, str] | None = None
) -> list[str]:
    """A few lines for a chat reply: the figures, the framework, the biggest deductions,
    what is not entered and what has no data yet."""
    lines = [
        f"Chỉ số CCHC năm {estimate.year} (ước tính đến {fmt_date(estimate.as_of)}): "
        f"{range_text_vi(estimate)}.",
        framework_line_vi(estimate),
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
            f"chưa tính: {codes}."
        )
    no_data = [leaf for leaf in estimate.leaves if leaf.status == "no_data"]
    if no_data:
        points = sum(leaf.max_points for leaf in no_data)
        codes = ", ".join(leaf.code for leaf in no_data[:10]) + ("…" if len(no_data) > 10 else "")
        lines.append(f"{len(no_data)} tiêu chí ({fmt_number(points)} điểm) chưa có dữ liệu, chưa tính: {codes}.")
    return lines
