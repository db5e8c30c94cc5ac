"""Estimates computed by hand: totals, fields, each deduction line, units, suggestions."""

from __future__ import annotations

from datetime import date

import pytest

from handlers.scoring.engine import Deduction, estimate
from handlers.scoring.explain import deduction_line_vi, estimate_summary_vi, losses_by_unit
from handlers.scoring.framework import load_framework
from handlers.scoring.inputs import DossierSummary, ManualScore, ScoringInputs, TaskFact
from handlers.scoring.suggest import suggest_criterion


def d(y: int, m: int, day: int) -> date:
    return date(y, m, day)


def scenario_tasks(y: int) -> list[TaskFact]:
    """10 UBND tasks: 8 on time, 1 overdue (QLKH), 1 extended but done after the
    ORIGINAL deadline (TDC); the plan task; 4 plan-progress tasks (1 not yet due);
    4 CCHC reports (Q3 late, annual not yet due); the asset report on time."""
    ubnd = []
    for i, unit in enumerate(["VP", "VP", "VP", "VP", "QLKH", "QLKH", "TDC", "TDC"], start=1):
        ubnd.append(TaskFact(f"U{i:02d}", f"Nhiệm vụ UBND tỉnh giao {i}", unit, None, "ubnd",
                             d(y, 6, 30), d(y, 6, 30), d(y, 6, 20), 100))
    ubnd.append(TaskFact("U09", "Tham mưu đề án đổi mới sáng tạo", "QLKH", None, "ubnd",
                         d(y, 11, 15), d(y, 11, 15), None, 60))
    ubnd.append(TaskFact("U10", "Rà soát phương tiện đo nhóm 2", "TDC", None, "ubnd",
                         d(y, 11, 30), d(y, 10, 30), d(y, 11, 20), 100))  # extended; late vs original
    plan = [TaskFact("K01", "Ban hành kế hoạch CCHC năm", "VP", "1.1.1", "internal",
                     d(y, 1, 31), d(y, 1, 31), d(y, 1, 20), 100)]
    progress = [
        TaskFact(f"K1{i}", f"Nhiệm vụ kế hoạch CCHC {i}", "VP", "1.1.2", "internal",
                 d(y, 9, 30), d(y, 9, 30), d(y, 9, 1), 100)
        for i in range(1, 4)
    ] + [TaskFact("K14", "Tổng kết CCHC", "VP", "1.1.2", "internal", d(y, 12, 31), d(y, 12, 31), None, 20)]
    reports = [
        TaskFact("R1", "Báo cáo CCHC quý I", "VP", "1.2.1", "report", d(y, 3, 15), d(y, 3, 15), d(y, 3, 14), 100),
        TaskFact("R2", "Báo cáo CCHC 6 tháng", "VP", "1.2.1", "report", d(y, 6, 15), d(y, 6, 15), d(y, 6, 15), 100),
        TaskFact("R3", "Báo cáo CCHC quý III", "VP", "1.2.1", "report", d(y, 9, 15), d(y, 9, 15), d(y, 9, 20), 100),
        TaskFact("R4", "Báo cáo CCHC năm", "VP", "1.2.1", "report", d(y, 12, 25), d(y, 12, 25), None, 0),
    ]
    return ubnd + plan + progress + reports


def scenario_dossiers() -> DossierSummary:
    """200 received, 90 online (45% < 50%); 8/20 procedures with postal dossiers (40%);
    2 of 12 online services without dossiers; 180 resolved, 3 late dossiers (HS-001,
    HS-017 returned late by TDC; HS-230 still open at QLKH), HS-017 without an apology
    letter: on time 178/181 = 98,34%, apology 2/3."""
    return DossierSummary(
        received=200, online=90, resolved=180, procedures_total=20, procedures_with_postal=8,
        online_procedures=12, procedures_online_without_dossiers=["TT-05", "TT-09"],
        late=[("HS-001", "TDC"), ("HS-017", "TDC")], overdue_open=[("HS-230", "QLKH")],
        late_without_apology=[("HS-017", "TDC")],
    )


def manual_scores(fw, y: int, overrides: dict[str, float | None], history: dict[str, list[float]]):
    """Full marks on every manual leaf except ``overrides`` (None = never entered);
    ``history`` adds earlier entries that a later one replaces."""
    entries = []
    for leaf in fw.leaves():
        if leaf.rule.type != "manual":
            continue
        for k, old in enumerate(history.get(leaf.code, [])):
            entries.append(ManualScore(leaf.code, old, ["cu.pdf"], "Nguyễn Văn A", d(y, 3, 1 + k)))
        value = overrides.get(leaf.code, leaf.max_points)
        if value is not None:
            entries.append(ManualScore(leaf.code, value, [f"{leaf.code}.pdf"], "Trần Thị B", d(y, 10, 1)))
    return entries


def lines(est) -> list[tuple[str, str, float]]:
    return [(x.criterion_code, x.unit, x.points_lost) for x in est.deductions]


# ------------------------------------------------------------ dept-2020


@pytest.fixture(scope="module")
def est2020():
    fw = load_framework("dept-2020")
    y = 2020
    inputs = ScoringInputs(
        as_of=d(y, 12, 20), year=y, tasks=scenario_tasks(y), dossiers=scenario_dossiers(),
        manual=manual_scores(fw, y, {"4.1.2": 1.0, "1.3.2": 0.75, "5.4.2": None, "7.1.2": None},
                             {"1.3.2": [1.0], "6.2.2": [1.0]}),
        survey=[ManualScore("8.1", 30, ["QĐ công bố.pdf"], "VP", d(y, 12, 10))],
        initiatives_approved=0,
    )
    return estimate(fw, inputs)


def test_2020_total_and_figures(est2020):
    # self-assessed 64 − 10 deducted − 3 not entered (5.4.2, 7.1.2) − 10 without data = 41; survey 30
    assert est2020.total == 71.0
    assert est2020.self_assessed == 41.0 and est2020.self_assessed_max == 64
    assert est2020.survey == 30 and est2020.survey_max == 36
    assert est2020.appraised is None and est2020.final_total == 71.0
    # the range: 13 points are still open (3 not entered, 10 with no data yet)
    assert (est2020.open_max, est2020.upper) == (13.0, 84.0)


def test_criterion_without_data_is_not_full_marks(est2020):
    # no report of the TTHC-control kind, no plan-publication task: "chưa có dữ liệu", 0, open
    for code in ("3.4.1", "3.1.2", "2.1.1"):
        leaf = est2020.leaf(code)
        assert (leaf.points, leaf.status, leaf.open) == (0.0, "no_data", True)
    assert not any(x.criterion_code in ("3.4.1", "3.1.2") for x in est2020.deductions)


def test_2020_each_field(est2020):
    got = {f.code: (f.points, f.max_points) for f in est2020.fields}
    assert got == {
        "1": (7.5, 11),   # −0,25 report Q3, −0,25 manual 1.3.2, −1,5 no initiative, −1,5 UBND tasks 80%
        "2": (4, 8),      # 2.1.1, 2.2.3, 2.3.2 have no task or report: open, not full
        "3": (6, 10),     # 3.2.1 98,34% → ≥95% band 1,5/2; 3.2.4 apology 2/3 < 100% → 0/1; 3.1.2, 3.4.1 no data
        "4": (7.5, 8),    # manual 4.1.2 entered 1/1,5
        "5": (5, 8),      # 5.4.2 not entered → 0; 5.3.2 no data
        "6": (7, 9),      # 6.2.2 re-entered at full marks: the later entry wins; 6.3.1, 6.3.2 no data
        "7": (4, 10),     # −1,5 7.1.2 not entered, −1 online 45%, −3 idle online services, −0,5 BCCI 40%
        "8": (30, 36),
    }


def test_2020_each_deduction_line(est2020):
    assert lines(est2020) == [
        ("8.1", "VP", 6.0),      # survey 30/36
        ("7.2.2", "VP", 3.0),    # 2 online services without dossiers → fixed −3
        ("1.5.1", "VP", 1.5),    # no approved initiative
        ("3.2.4", "TDC", 1.0),   # HS-017 without apology: 2/3 below the 100% band
        ("7.2.1", "VP", 1.0),    # 45% falls in the ≥30% band: half of 2
        ("1.6.1", "QLKH", 0.75),  # 8/10 → 0,5 × 3 = 1,5 kept; 1,5 lost split 1:1 (U09 / U10)
        ("1.6.1", "TDC", 0.75),
        ("4.1.2", "VP", 0.5),    # 1,5 − 1
        ("7.3.1", "VP", 0.5),    # 8/20 = 40% < 50% → −0,5
        ("3.2.1", "TDC", 0.33),  # band loss 0,5 attributed 2:1 by late dossiers (HS-001, HS-017 / HS-230)
        ("1.2.1", "VP", 0.25),   # Q3 report 5 days late
        ("1.3.2", "VP", 0.25),   # latest entry 0,75 replaces the earlier 1
        ("3.2.1", "QLKH", 0.17),
    ]


def test_2020_missing_entries_are_flagged_not_assumed(est2020):
    assert [(m.code, m.points, m.status) for m in est2020.missing] == [
        ("5.4.2", 0.0, "missing"), ("7.1.2", 0.0, "missing"),
    ]


def test_2020_extended_task_is_judged_on_original_deadline(est2020):
    tdc = next(x for x in est2020.deductions if x.criterion_code == "1.6.1" and x.unit == "TDC")
    assert "U10" in tdc.what and "sau hạn gốc 30/10/2020" in tdc.what and "đã gia hạn" in tdc.what
    assert "8/10 (80%)" in tdc.what
    assert tdc.recover.startswith("Điểm đã mất không lấy lại được")


def test_2020_deduction_lines_read_as_vietnamese(est2020):
    by = {(x.criterion_code, x.unit, x.points_lost): x for x in est2020.deductions}
    late = deduction_line_vi(by[("3.2.1", "TDC", 0.33)])
    assert late.startswith("−0,33 điểm · 3.2.1 Tỷ lệ hồ sơ giải quyết đúng hạn · Chi cục TĐC: ")
    assert "2 hồ sơ trả quá hạn (HS-001, HS-017)" in late and "→ Cách khắc phục:" in late
    assert "phân bổ theo số hồ sơ trễ của đơn vị (2/3 hồ sơ trễ)" in late
    apology = deduction_line_vi(by[("3.2.4", "TDC", 1.0)])
    assert "HS-017" in apology and "Mẫu 04" in apology
    open_line = deduction_line_vi(by[("3.2.1", "QLKH", 0.17)])
    assert "Giải quyết dứt điểm 1 hồ sơ đang quá hạn" in open_line
    online = deduction_line_vi(by[("7.2.1", "VP", 1.0)])
    # (90 + n) / (200 + n) ≥ 50% ⇒ n ≥ 20
    assert "90/200 (45%), dưới ngưỡng 50%" in online and "Cần thêm ít nhất 20 hồ sơ nộp trực tuyến" in online
    postal = deduction_line_vi(by[("7.3.1", "VP", 0.5)])
    assert "8/20 (40%)" in postal and "Cần thêm ít nhất 2 thủ tục có hồ sơ qua BCCI" in postal
    idle = deduction_line_vi(by[("7.2.2", "VP", 3.0)])
    assert idle.startswith("−3,00 điểm") and "TT-05, TT-09" in idle


def test_2020_losses_by_unit(est2020):
    # VP 3+1,5+1+0,5+0,5+0,25+0,25 = 7; TDC 1+0,75+0,33 = 2,08; QLKH 0,75+0,17 = 0,92
    assert losses_by_unit(est2020) == [("VP", 7.0), ("TDC", 2.08), ("QLKH", 0.92)]
    assert losses_by_unit(est2020, include_survey=True)[0] == ("VP", 13.0)


def test_2020_summary(est2020):
    summary = estimate_summary_vi(est2020, top=3)
    assert summary[0] == (
        "Chỉ số CCHC năm 2020 (ước tính đến 20/12/2020): 71,00 điểm đã xác định, "
        "tối đa 84,00/100 (còn 13 điểm chưa có dữ liệu)."
    )
    assert summary[1] == (
        "Bộ chỉ số: Chỉ số CCHC cấp sở (khung giai đoạn 2020), phiên bản 2020-mau-1 "
        "(ngưỡng mặc định — Văn phòng cần cập nhật theo Quyết định của tỉnh)."
    )
    assert summary[2] == "Tự chấm: 41,00/64; điều tra xã hội học: 30,00/36."
    assert summary[3] == "Bị trừ 10,00 điểm tự chấm và 6,00 điểm điều tra xã hội học; 3 khoản lớn nhất:"
    assert summary[4].startswith("−6,00 điểm · 8.1 ")
    assert len(summary) == 9
    assert summary[-2] == "Còn 2 tiêu chí (3 điểm) chưa nhập điểm tự chấm, chưa tính: 5.4.2, 7.1.2."
    assert summary[-1].startswith("8 tiêu chí (10 điểm) chưa có dữ liệu, chưa tính: 2.1.1, ")


def test_explain_estimate_gives_figures_rule_and_points_per_criterion(est2020):
    from handlers.scoring.explain import explain_estimate

    lines = explain_estimate(est2020)
    assert "ngưỡng mặc định" in lines[1]
    per_leaf = {line.split()[1]: line for line in lines[2:]}
    assert len(per_leaf) == len(est2020.leaves)
    assert per_leaf["3.2.1"] == (
        "• 3.2.1 Tỷ lệ hồ sơ giải quyết đúng hạn — số liệu: 178/181 hồ sơ giải quyết đúng hạn (98,34%); "
        "2 trả quá hạn, 1 đang quá hạn; quy tắc: bậc theo tỷ lệ hồ sơ giải quyết đúng hạn — 100%: 2 điểm; "
        "từ 95%: 1,5 điểm; từ 90%: 1 điểm; từ 80%: 0,5 điểm; dưới 80%: 0 điểm; điểm: 1,5/2."
    )
    assert per_leaf["3.4.1"].endswith("điểm: chưa có dữ liệu (tối đa 1, chưa tính).")
    assert "8/10 nhiệm vụ UBND tỉnh giao đúng hạn gốc (80%)" in per_leaf["1.6.1"]


def test_scores_entered_after_the_as_of_date_do_not_count():
    fw = load_framework("dept-2020")
    entries = [ManualScore("1.3.2", 0.25, [], "VP", d(2020, 3, 1)), ManualScore("1.3.2", 0.5, [], "VP", d(2020, 12, 5))]
    june = estimate(fw, ScoringInputs(as_of=d(2020, 6, 30), year=2020, manual=entries,
                                      survey=[ManualScore("8.1", 30, [], "VP", d(2020, 12, 10))]))
    assert june.leaf("1.3.2").points == 0.25  # the December entry did not exist yet
    assert june.survey is None and june.leaf("8.1").status == "missing"
    december = estimate(fw, ScoringInputs(as_of=d(2020, 12, 31), year=2020, manual=entries))
    assert december.leaf("1.3.2").points == 0.5


def test_dossier_bands_and_missing_resolved_figure():
    fw = load_framework("dept-2022-2030")
    late = [(f"HS-{i}", "TDC") for i in range(6)]
    est = estimate(fw, ScoringInputs(as_of=d(2023, 12, 1), year=2023,
                                     dossiers=DossierSummary(received=100, resolved=100, late=late)))
    assert est.leaf("3.3.1").points == 1.5  # 94/100 = 94% → the ≥ 90% band: half of 3
    assert est.leaf("3.3.3").points == 1.0  # every late dossier had an apology letter
    unknown = estimate(fw, ScoringInputs(as_of=d(2023, 12, 1), year=2023,
                                         dossiers=DossierSummary(received=100, late=late)))
    assert unknown.leaf("3.3.1").status == "no_data" and unknown.leaf("3.3.1").points == 0


# ------------------------------------------------------------ dept-2022-2030


@pytest.fixture(scope="module")
def est2022():
    fw = load_framework("dept-2022-2030")
    y = 2023
    inputs = ScoringInputs(
        as_of=d(y, 12, 20), year=y, tasks=scenario_tasks(y), dossiers=scenario_dossiers(),
        manual=manual_scores(fw, y, {"4.1.2": 1.0, "1.3.2": 0.25, "5.4.1": None, "7.1.2": None},
                             {"1.3.2": [0.5], "6.1.2": [1.0]}),
        survey=[ManualScore("8.1", 13, ["SIPAS.pdf"], "VP", d(y, 12, 10)),
                ManualScore("8.2", 17, ["DTXHH.pdf"], "VP", d(y, 12, 10))],
        initiatives_approved=0,
        appraised=52.0,
    )
    return estimate(fw, inputs)


def test_2022_total_and_figures(est2022):
    # self-assessed 64 − 7,05 deducted − 3,5 not entered (5.4.1, 7.1.2) − 7 no data = 46,45; survey 13 + 17
    assert est2022.total == 76.45
    assert est2022.self_assessed == 46.45
    assert est2022.upper == 86.95
    assert est2022.survey == 30
    assert est2022.final_total == 82.0  # appraised 52 + survey 30


def test_2022_each_field(est2022):
    got = {f.code: (f.points, f.max_points) for f in est2022.fields}
    assert got == {
        "1": (9.2, 12),    # −0,25 report, −0,25 manual 1.3.2, −1,5 initiative, −0,8 UBND tasks (4 × 80% = 3,2)
        "2": (4, 7),       # 2.1.1, 2.2.2 no data
        "3": (9.75, 13),   # 3.3.1 98,34% → 2,25/3; 3.3.3 apology 0/1; −0,5 BCCI; 3.2.1 no data
        "4": (5.5, 6),
        "5": (4, 8),       # 5.4.1 not entered, 5.3.1 no data
        "6": (5, 6),       # 6.2.1 no report yet
        "7": (9, 12),      # −1,5 7.1.2 not entered, −1,5 online 45% → half of 3; 10/12 services ≥ 80% ok
        "8": (30, 36),
    }


def test_2022_each_deduction_line(est2022):
    assert lines(est2022) == [
        ("8.1", "VP", 3.0),       # 13/16
        ("8.2", "VP", 3.0),       # 17/20
        ("1.5.1", "VP", 1.5),
        ("7.2.1", "VP", 1.5),
        ("3.3.3", "TDC", 1.0),    # HS-017 without apology
        ("3.3.1", "TDC", 0.5),    # band loss 0,75 attributed 2:1 by late dossiers
        ("3.5.1", "VP", 0.5),
        ("4.1.2", "VP", 0.5),
        ("1.6.1", "QLKH", 0.4),   # proportional: 4 × (1 − 0,8) = 0,8 split 1:1
        ("1.6.1", "TDC", 0.4),
        ("1.2.1", "VP", 0.25),
        ("1.3.2", "VP", 0.25),
        ("3.3.1", "QLKH", 0.25),
    ]


def test_2022_losses_by_unit(est2022):
    # VP 1,5+1,5+0,5+0,5+0,25+0,25 = 4,5; TDC 1+0,5+0,4 = 1,9; QLKH 0,4+0,25 = 0,65
    assert losses_by_unit(est2022) == [("VP", 4.5), ("TDC", 1.9), ("QLKH", 0.65)]


def test_2022_summary_mentions_appraisal(est2022):
    summary = estimate_summary_vi(est2022)
    assert "Sau thẩm định: 52,00; tổng sau thẩm định 82,00 điểm." in summary


# ------------------------------------------------------------ edge behaviour


def test_deduction_line_format_exactly():
    line = deduction_line_vi(Deduction(
        "3.2.1", "Tỷ lệ hồ sơ giải quyết đúng hạn", 0.75, "TDC",
        "3 hồ sơ trả quá hạn (HS-001, HS-017, HS-230)",
        "Giải quyết dứt điểm 2 hồ sơ đang quá hạn và gửi phiếu xin lỗi trước ngày hẹn trả",
    ))
    assert line == (
        "−0,75 điểm · 3.2.1 Tỷ lệ hồ sơ giải quyết đúng hạn · Chi cục TĐC: "
        "3 hồ sơ trả quá hạn (HS-001, HS-017, HS-230) → Cách khắc phục: "
        "Giải quyết dứt điểm 2 hồ sơ đang quá hạn và gửi phiếu xin lỗi trước ngày hẹn trả"
    )


def test_dossier_band_loss_is_attributed_by_late_share_and_adds_up():
    fw = load_framework("dept-2020")
    late = [(f"HS-{i:03d}", "TDC" if i % 3 else "QLKH") for i in range(1, 16)]  # 10 TDC, 5 QLKH
    est = estimate(fw, ScoringInputs(as_of=d(2020, 12, 1), year=2020,
                                     dossiers=DossierSummary(received=100, online=60, resolved=100, late=late)))
    assert est.leaf("3.2.1").points == 0.5  # 85/100 = 85% → the ≥ 80% band: 0,25 × 2
    parts = {x.unit: x.points_lost for x in est.deductions if x.criterion_code == "3.2.1"}
    assert parts == {"TDC": 1.0, "QLKH": 0.5}  # 1,5 lost, attributed 10:5 by late dossiers


def test_overdue_report_counts_as_missing_and_submitting_helps():
    fw = load_framework("dept-2020")
    report = TaskFact("R9", "Báo cáo kê khai tài sản công", "KHTC", "6.3.1", "report", d(2020, 3, 31))
    est = estimate(fw, ScoringInputs(as_of=d(2020, 4, 15), year=2020, tasks=[report]))
    (line,) = [x for x in est.deductions if x.criterion_code == "6.3.1"]
    assert (line.unit, line.points_lost) == ("KHTC", 1.0)  # per_missing 1 on a 1-point leaf
    assert "chưa nộp (hạn 31/03/2020)" in line.what
    assert "bớt được 0,5 điểm trừ" in line.recover  # missing 1 → late 0,5


def test_task_not_yet_due_is_not_a_failure_and_recovery_is_quantified():
    fw = load_framework("dept-2022-2030")  # 1.6.1 proportional, max 4
    y = 2023
    tasks = [
        TaskFact("A", "Nhiệm vụ A", "VP", None, "ubnd", d(y, 3, 1), None, d(y, 2, 1)),
        TaskFact("B", "Nhiệm vụ B", "QLCN", None, "ubnd", d(y, 4, 1), None, d(y, 4, 9)),
        TaskFact("C", "Nhiệm vụ C", "VP", None, "ubnd", d(y, 12, 1)),
    ]
    est = estimate(fw, ScoringInputs(as_of=d(y, 6, 1), year=y, tasks=tasks))
    assert est.leaf("1.6.1").points == 2.0  # 1/2 judged on time; C not yet due
    (line,) = [x for x in est.deductions if x.criterion_code == "1.6.1"]
    # finishing C on time: 2/3 → 4 × 2/3 = 2,67 → 0,67 back
    assert line.unit == "QLCN" and "lấy lại 0,67 điểm" in line.recover


def test_empty_inputs_score_only_what_nobody_must_enter():
    fw = load_framework("dept-2020")
    est = estimate(fw, ScoringInputs(as_of=d(2020, 2, 1), year=2020))
    # no facts yet: nothing is assumed — only the initiative count (0 known) scores, as a loss
    assert est.total == 0.0
    assert est.upper == round(100 - 1.5, 2)  # 1,5: no approved initiative yet is a known loss
    assert est.survey is None
    assert {m.code for m in est.missing} >= {"8.1", "5.4.2"}


def test_appraised_figure_is_kept_separate():
    fw = load_framework("dept-2020")
    est = estimate(fw, ScoringInputs(as_of=d(2020, 12, 31), year=2020, appraised=60.25,
                                     survey=[ManualScore("8.1", 21.75)]))
    assert est.appraised == 60.25 and est.survey == 21.75
    assert est.final_total == 82.0
    assert est.total != est.final_total


# ------------------------------------------------------------ suggestions


@pytest.mark.parametrize("fw_id", ["dept-2020", "dept-2022-2030"])
def test_suggest_online_share_first(fw_id):
    fw = load_framework(fw_id)
    got = suggest_criterion("Nâng cao tỷ lệ hồ sơ trực tuyến mức độ 3, 4", fw)
    assert got and got[0][0] == "7.2.1"


@pytest.mark.parametrize("text, code", [
    ("Tang cuong tra ket qua qua buu chinh cong ich", "7.3.1"),  # no diacritics (OCR)
    ("Gửi báo cáo CCHC quý II đúng hạn", "1.2.1"),
    ("Xây dựng sáng kiến cải cách hành chính năm 2021", "1.5.1"),
    ("Giải quyết hồ sơ đúng hạn, không để hồ sơ trễ hạn", "3.2.1"),
    ("Gửi phiếu xin lỗi khi hồ sơ trễ hạn", "3.2.4"),
])
def test_suggest_other_criteria(text, code):
    assert suggest_criterion(text, load_framework("dept-2020"))[0][0] == code


def test_suggest_is_deterministic_and_quiet_on_unrelated_text():
    fw = load_framework("dept-2020")
    text = "Đẩy mạnh dịch vụ công trực tuyến và hồ sơ trực tuyến"
    assert suggest_criterion(text, fw) == suggest_criterion(text, fw)
    assert suggest_criterion("Tổ chức họp giao ban tháng", fw) == []
