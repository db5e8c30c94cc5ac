"""Rule types that score one leaf criterion from plain facts.

Every rule is a pure function ``(criterion, inputs) -> Outcome`` plus a
parameter check used when a framework file is loaded, so a typo in a
threshold is reported at load time with the criterion code, not as a wrong
score in December. Losses are attributed to the unit that caused them (the
unit of the late dossier, the overdue task) so the bot can answer "which unit
is losing us points"; where a rule scores a whole-department figure the
criterion's responsible unit carries the loss.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Callable, Hashable, Literal

from handlers.scoring.inputs import ManualScore, ScoringInputs, TaskFact
from handlers.text.i18n import fmt_date
from handlers.text.i18n import fmt_number as _fmt_number
from handlers.text.i18n import fmt_percent as _fmt_percent

if TYPE_CHECKING:
    from handlers.scoring.framework import Criterion

Status = Literal["full", "deducted", "missing", "no_data"]
"""``missing``: an entered score nobody has entered; ``no_data``: no facts to judge
yet. Both count 0 and their maximum is "still open" in the estimate's range."""
LossKind = Literal["rule", "manual", "survey"]
_EPS = 1e-9


@dataclass(frozen=True)
class Loss:
    """Points lost on one criterion by one unit, with what happened and the remedy."""

    unit: str
    points: float
    what: str
    recover: str
    kind: LossKind = "rule"


@dataclass(frozen=True)
class Outcome:
    """A leaf's score. ``note`` carries context (e.g. who entered a manual score);
    ``figures`` the input figures the rule read, for ``explain_estimate``."""

    points: float
    status: Status
    losses: tuple[Loss, ...] = ()
    note: str = ""
    figures: str = ""


@dataclass(frozen=True)
class RuleSpec:
    evaluate: Callable[["Criterion", ScoringInputs], Outcome]
    check: Callable[[dict[str, Any], float], list[str]]
    describe: Callable[[dict[str, Any], float], str] = lambda params, max_points: ""


def fmt_number(x: float) -> str:
    """A figure without trailing zeros: 1,5; 3; 0,25 (Babel, current locale)."""
    return _fmt_number(x, 2, trim=True)


def fmt_percent(ratio: float) -> str:
    """45%, 93,18% (Babel, current locale)."""
    return _fmt_percent(ratio, 2, trim=True)


def list_codes(codes: list[str], limit: int = 5) -> str:
    """A short code list for one line: 'HS-001, HS-017, HS-230' or '… và 4 mục khác'."""
    shown = ", ".join(codes[:limit])
    rest = len(codes) - limit
    return f"{shown} và {rest} mục khác" if rest > 0 else shown


def describe_bands(params: dict[str, Any], max_points: float) -> str:
    """"100%: 3 điểm; từ 95%: 2,25 điểm; dưới 95%: 0" — the band table in words."""
    if params.get("scoring", "bands") == "proportional":
        return f"điểm = {fmt_number(max_points)} × tỷ lệ"
    bands = sorted(params.get("bands") or [], key=lambda b: -float(b["min"]))
    parts = []
    for band in bands:
        pts = fmt_number(max_points * float(band["factor"]))
        parts.append(f"{fmt_percent(float(band['min']))}: {pts} điểm" if float(band["min"]) >= 1
                     else f"từ {fmt_percent(float(band['min']))}: {pts} điểm")
    if bands and float(bands[-1]["min"]) > 0:
        parts.append(f"dưới {fmt_percent(float(bands[-1]['min']))}: 0 điểm")
    return "; ".join(parts)


# ------------------------------------------------------------ shared helpers


def allocate(total: float, weights: dict[Hashable, float]) -> dict[Hashable, float]:
    """Split ``total`` over keys in proportion to weights, in hundredths, summing exactly.

    Largest-remainder rounding: a 1,5-point loss over two equal culprits is
    0,75 + 0,75, and three equal culprits of 1 point get 0,34 + 0,33 + 0,33
    (ties go to the earlier key), so per-unit lines always add up to the
    criterion's loss.
    """
    cents = round(total * 100)
    weight_sum = sum(weights.values())
    if not weights or weight_sum <= 0:
        return {}
    exact = {k: cents * w / weight_sum for k, w in weights.items()}
    floors = {k: math.floor(v + _EPS) for k, v in exact.items()}
    left = cents - sum(floors.values())
    order = sorted(weights, key=lambda k: -(exact[k] - floors[k]))
    for k in order[:left]:
        floors[k] += 1
    return {k: v / 100 for k, v in floors.items()}


def band_factor(ratio: float, bands: list[dict[str, float]]) -> float:
    """The factor of the highest band whose minimum the ratio reaches; 0 below all."""
    for band in sorted(bands, key=lambda b: -float(b["min"])):
        if ratio + _EPS >= float(band["min"]):
            return float(band["factor"])
    return 0.0


def _score_ratio(ratio: float, max_points: float, params: dict[str, Any]) -> float:
    if params.get("scoring", "bands") == "proportional":
        return round(max_points * ratio, 2)
    return round(max_points * band_factor(ratio, params["bands"]), 2)


def _check_ratio_scoring(params: dict[str, Any]) -> list[str]:
    scoring = params.get("scoring", "bands")
    if scoring == "proportional":
        return []
    if scoring != "bands":
        return [f"scoring '{scoring}' không hợp lệ (bands hoặc proportional)."]
    return _check_bands(params.get("bands"))


def _check_bands(bands: Any) -> list[str]:
    if not isinstance(bands, list) or not bands:
        return ["cần danh sách bands (mỗi mục có min và factor từ 0 đến 1)."]
    problems = []
    for band in bands:
        if not isinstance(band, dict) or not {"min", "factor"} <= band.keys():
            problems.append("mỗi mục bands cần có min và factor.")
            continue
        for key in ("min", "factor"):
            value = band[key]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                problems.append(f"bands: {key} = {value!r} phải là số từ 0 đến 1.")
    return problems


def _check_number(params: dict[str, Any], key: str, required: bool = False) -> list[str]:
    if key not in params:
        return [f"thiếu tham số {key}."] if required else []
    value = params[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        return [f"tham số {key} = {value!r} phải là số không âm."]
    return []


def _check_choice(params: dict[str, Any], key: str, choices: tuple[str, ...]) -> list[str]:
    if key in params and params[key] not in choices:
        return [f"tham số {key} = {params[key]!r} không hợp lệ (chọn: {', '.join(choices)})."]
    return []


def _empty(criterion: Criterion, params: dict[str, Any], note: str) -> Outcome:
    """No facts to judge: "chưa có dữ liệu", 0 points, the maximum left open.

    Counting it as full marks (as the bot once did) overstates the estimate
    exactly where nobody has looked. ``if_empty`` is still accepted in edited
    copies of a framework file but no longer changes this.
    """
    return Outcome(0.0, "no_data", note=note, figures="chưa có dữ liệu")


def _unit(criterion: Criterion) -> str:
    return criterion.responsible_unit or "?"


def _outcome(criterion: Criterion, points: float, losses: list[Loss], note: str = "", figures: str = "") -> Outcome:
    points = max(0.0, min(criterion.max_points, round(points, 2)))
    status: Status = "full" if points >= criterion.max_points - _EPS else "deducted"
    return Outcome(points, status, tuple(l for l in losses if l.points > _EPS), note, figures or note)


# ------------------------------------------------------------ tasks

_ORIGINS = ("ubnd", "internal", "report")
_ORIGIN_LABEL = {"ubnd": " UBND tỉnh giao", "internal": "", "report": " báo cáo"}


def _origins(params: dict[str, Any]) -> set[str] | None:
    origin = params.get("origin")
    if origin is None:
        return None
    return {origin} if isinstance(origin, str) else set(origin)


def select_tasks(criterion: Criterion, inputs: ScoringInputs, params: dict[str, Any]) -> list[TaskFact]:
    """Tasks a task rule judges: those linked to the criterion, or (scope: all) every
    task of the given origin, e.g. all tasks the Provincial People's Committee assigned."""
    origins = _origins(params)
    scope = params.get("scope", "linked")
    chosen = []
    for task in inputs.tasks:
        if origins is not None and task.origin not in origins:
            continue
        if scope == "linked" and task.criterion_code != criterion.code:
            continue
        chosen.append(task)
    return chosen


def _check_origin(params: dict[str, Any]) -> list[str]:
    origins = _origins(params)
    if origins is None:
        return []
    bad = sorted(o for o in origins if o not in _ORIGINS)
    return [f"origin {', '.join(bad)} không hợp lệ (chọn: {', '.join(_ORIGINS)})."] if bad else []


def _task_failure(task: TaskFact, state: str) -> str:
    due = task.judged_deadline
    if state == "overdue":
        return f"{task.task_id} «{task.title}» quá hạn từ {fmt_date(due)}, chưa hoàn thành ({task.percent}%)"
    extended = "; đã gia hạn nhưng chấm theo hạn gốc" if task.extended else ""
    return (
        f"{task.task_id} «{task.title}» hoàn thành {fmt_date(task.completed_at)}, "
        f"sau hạn gốc {fmt_date(due)}{extended}"
    )


def _eval_task_completion(criterion: Criterion, inputs: ScoringInputs) -> Outcome:
    params = criterion.rule.params
    tasks = select_tasks(criterion, inputs, params)
    label = "".join(_ORIGIN_LABEL[o] for o in sorted(_origins(params) or ()) if o in _ORIGIN_LABEL)
    if not tasks:
        return _empty(criterion, params, f"Chưa có nhiệm vụ{label} nào gắn với tiêu chí.")
    states = [(t, t.state(inputs.as_of)) for t in tasks]
    on_time = sum(1 for _, s in states if s == "on_time")
    pending = sum(1 for _, s in states if s == "pending")
    failures = [(t, s) for t, s in states if s in ("done_late", "overdue")]
    judged = on_time + len(failures)
    if judged == 0:
        # nothing due yet: not full marks, not a loss — the points are still open
        note = f"{pending} nhiệm vụ{label} đang trong hạn, chưa đến hạn chấm."
        return Outcome(0.0, "no_data", note=note, figures=note)
    ratio = on_time / judged
    points = _score_ratio(ratio, criterion.max_points, params)
    lost = round(criterion.max_points - points, 2)
    figures = f"{on_time}/{judged} nhiệm vụ{label} đúng hạn gốc ({fmt_percent(ratio)})" + (
        f"; {pending} nhiệm vụ chưa đến hạn" if pending else "")
    if lost <= _EPS:
        return _outcome(criterion, points, [], f"{on_time}/{judged} nhiệm vụ{label} đúng hạn.", figures)

    by_unit: dict[str, list[tuple[TaskFact, str]]] = defaultdict(list)
    for task, state in failures:
        by_unit[task.unit].append((task, state))
    shares = allocate(lost, {u: len(v) for u, v in by_unit.items()})
    overall = f"tỷ lệ đúng hạn chung {on_time}/{judged} ({fmt_percent(ratio)})"
    future = _task_future_hint(criterion, params, on_time, judged, pending, points)
    losses = []
    for unit, items in by_unit.items():
        what = (
            f"{len(items)}/{judged} nhiệm vụ{label} không hoàn thành đúng hạn gốc: "
            + "; ".join(_task_failure(t, s) for t, s in items[:3])
            + (f"; và {len(items) - 3} nhiệm vụ khác" if len(items) > 3 else "")
            + f" — {overall}"
        )
        overdue = [t.task_id for t, s in items if s == "overdue"]
        steps = []
        if overdue:
            steps.append(f"Hoàn thành ngay {len(overdue)} nhiệm vụ đang quá hạn ({list_codes(overdue)})")
        steps.append(future)
        recover = "; ".join(steps)
        losses.append(Loss(unit, shares[unit], what, recover[:1].upper() + recover[1:]))
    return _outcome(criterion, points, losses, figures=figures)


def _task_future_hint(
    criterion: Criterion, params: dict[str, Any], on_time: int, judged: int, pending: int, points: float
) -> str:
    """What finishing the still-open tasks on time would bring back, if anything."""
    if pending:
        best_ratio = (on_time + pending) / (judged + pending)
        best = _score_ratio(best_ratio, criterion.max_points, params)
        if best > points + _EPS:
            return (
                f"nếu {pending} nhiệm vụ còn lại hoàn thành trước hạn gốc thì tỷ lệ đạt "
                f"{fmt_percent(best_ratio)}, lấy lại {fmt_number(best - points)} điểm"
            )
        return (
            f"{pending} nhiệm vụ còn lại phải hoàn thành trước hạn gốc "
            "(gia hạn không được tính) để không mất thêm điểm"
        )
    return "điểm đã mất không lấy lại được trong năm; theo dõi hạn gốc để năm sau không lặp lại"


def _check_task_completion(params: dict[str, Any], max_points: float) -> list[str]:
    return (
        _check_ratio_scoring(params)
        + _check_origin(params)
        + _check_choice(params, "scope", ("linked", "all"))
        + _check_choice(params, "if_empty", ("max", "zero"))
    )


def _eval_reports_on_time(criterion: Criterion, inputs: ScoringInputs) -> Outcome:
    params = criterion.rule.params
    per_late = float(params.get("per_late", 0.25))
    per_missing = float(params.get("per_missing", 0.5))
    reports = select_tasks(criterion, inputs, params)
    if not reports:
        return _empty(criterion, params, "Chưa có kỳ báo cáo nào gắn với tiêu chí.")
    late: dict[str, list[TaskFact]] = defaultdict(list)
    missing: dict[str, list[TaskFact]] = defaultdict(list)
    for report in reports:
        state = report.state(inputs.as_of)
        if state == "done_late":
            late[report.unit].append(report)
        elif state == "overdue":
            missing[report.unit].append(report)
    n_late = sum(len(v) for v in late.values())
    n_missing = sum(len(v) for v in missing.values())
    due = sum(1 for r in reports if r.judged_deadline is not None and r.judged_deadline < inputs.as_of
              or r.completed_at is not None)
    figures = f"{due} kỳ báo cáo đã đến hạn: {n_late} nộp trễ, {n_missing} chưa nộp"
    if not due:
        note = f"{len(reports)} kỳ báo cáo chưa đến hạn."
        return Outcome(0.0, "no_data", note=note, figures=note)
    raw = {u: len(late[u]) * per_late + len(missing[u]) * per_missing for u in {*late, *missing}}
    total_raw = sum(raw.values())
    if total_raw <= _EPS:
        return _outcome(criterion, criterion.max_points, [], figures=figures)
    lost = min(criterion.max_points, round(total_raw, 2))
    shares = allocate(lost, dict(sorted(raw.items())))
    losses = []
    for unit in shares:
        parts = [
            f"«{r.title}» nộp {fmt_date(r.completed_at)}, sau hạn {fmt_date(r.judged_deadline)}"
            for r in late[unit]
        ] + [f"«{r.title}» chưa nộp (hạn {fmt_date(r.judged_deadline)})" for r in missing[unit]]
        counts = []
        if late[unit]:
            counts.append(f"{len(late[unit])} báo cáo nộp trễ")
        if missing[unit]:
            counts.append(f"{len(missing[unit])} báo cáo chưa nộp")
        what = f"{' và '.join(counts)}: " + "; ".join(parts)
        if missing[unit]:
            saved = len(missing[unit]) * (per_missing - per_late)
            recover = (
                f"Nộp ngay {len(missing[unit])} báo cáo còn thiếu "
                f"({list_codes([r.task_id for r in missing[unit]])}): bớt được {fmt_number(saved)} điểm trừ"
            )
        else:
            recover = "Đặt nhắc hạn sớm cho các kỳ báo cáo còn lại trong năm; báo cáo đã trễ không lấy lại điểm"
        losses.append(Loss(unit, shares[unit], what, recover))
    return _outcome(criterion, criterion.max_points - lost, losses, figures=figures)


def _describe_reports(params: dict[str, Any], max_points: float) -> str:
    return (f"trừ {fmt_number(float(params.get('per_late', 0.25)))} điểm mỗi báo cáo nộp trễ, "
            f"{fmt_number(float(params.get('per_missing', 0.5)))} điểm mỗi báo cáo chưa nộp, không âm")


def _check_reports(params: dict[str, Any], max_points: float) -> list[str]:
    return (
        _check_number(params, "per_late")
        + _check_number(params, "per_missing")
        + _check_origin(params)
        + _check_choice(params, "scope", ("linked", "all"))
        + _check_choice(params, "if_empty", ("max", "zero"))
    )


# ------------------------------------------------------------ dossiers


def _dossier_counts(d) -> tuple[int, int] | None:
    """(on time, judged) for the on-time share, or None without data.

    Judged = dossiers resolved in the year (early + on time + late) plus those
    still open past their appointment date (they can only end late); on time
    = resolved − resolved late. Paused dossiers are in neither list.
    """
    if d.resolved is None:
        return None
    judged = d.resolved + len(d.overdue_open)
    return max(0, d.resolved - len(d.late)), judged


def _late_by_unit(d) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    returned: dict[str, list[str]] = defaultdict(list)
    still_open: dict[str, list[str]] = defaultdict(list)
    for code, unit in d.late:
        returned[unit].append(code)
    for code, unit in d.overdue_open:
        still_open[unit].append(code)
    return returned, still_open


def _eval_dossier_on_time(criterion: Criterion, inputs: ScoringInputs) -> Outcome:
    """Ratio bands on the share of dossiers resolved on time, as provincial frameworks
    score it; the points lost are attributed to units by their share of the late
    dossiers (an attribution, not a per-dossier deduction)."""
    params = criterion.rule.params
    d = inputs.dossiers
    counts = _dossier_counts(d)
    if counts is None or counts[1] == 0:
        return _empty(criterion, params, "Chưa có số liệu hồ sơ đã giải quyết trong năm.")
    on_time, judged = counts
    ratio = on_time / judged
    points = _score_ratio(ratio, criterion.max_points, params)
    lost = round(criterion.max_points - points, 2)
    figures = (f"{on_time}/{judged} hồ sơ giải quyết đúng hạn ({fmt_percent(ratio)}); "
               f"{len(d.late)} trả quá hạn, {len(d.overdue_open)} đang quá hạn")
    if lost <= _EPS:
        return _outcome(criterion, points, [], figures=figures)
    returned, still_open = _late_by_unit(d)
    n_late = len(d.late) + len(d.overdue_open)
    weights = {u: len(returned[u]) + len(still_open[u]) for u in sorted({*returned, *still_open})}
    shares = allocate(lost, weights) if weights else {_unit(criterion): lost}
    losses = []
    for unit, pts in shares.items():
        what, recover = _late_texts(returned.get(unit, []), still_open.get(unit, []))
        what = (f"{what} — tỷ lệ đúng hạn chung {fmt_percent(ratio)}; phần điểm mất được phân bổ theo "
                f"số hồ sơ trễ của đơn vị ({weights.get(unit, 0)}/{n_late} hồ sơ trễ)")
        losses.append(Loss(unit, pts, what, recover))
    return _outcome(criterion, points, losses, figures=figures)


def _eval_dossier_apology(criterion: Criterion, inputs: ScoringInputs) -> Outcome:
    """The apology letter (Mẫu 04) as its own item: bands on the share of late
    dossiers with a letter issued before the appointment date; no late dossier,
    full marks (when there are dossier figures at all)."""
    params = criterion.rule.params
    d = inputs.dossiers
    counts = _dossier_counts(d)
    if counts is None or counts[1] == 0:
        return _empty(criterion, params, "Chưa có số liệu hồ sơ đã giải quyết trong năm.")
    late_total = len(d.late) + len(d.overdue_open)
    if late_total == 0:
        return _outcome(criterion, criterion.max_points, [], figures="không có hồ sơ trễ hạn")
    without: dict[str, list[str]] = defaultdict(list)
    for code, unit in d.late_without_apology:
        without[unit].append(code)
    n_without = sum(len(v) for v in without.values())
    ratio = (late_total - n_without) / late_total
    points = _score_ratio(ratio, criterion.max_points, params)
    lost = round(criterion.max_points - points, 2)
    figures = f"{late_total - n_without}/{late_total} hồ sơ trễ hạn có phiếu xin lỗi ({fmt_percent(ratio)})"
    if lost <= _EPS:
        return _outcome(criterion, points, [], figures=figures)
    shares = allocate(lost, {u: len(v) for u, v in sorted(without.items())})
    losses = [
        Loss(unit, pts,
             f"{len(without[unit])} hồ sơ trễ hạn không có phiếu xin lỗi trước ngày hẹn trả "
             f"({list_codes(without[unit])}) — phần điểm mất được phân bổ theo số hồ sơ thiếu phiếu "
             f"({len(without[unit])}/{n_without})",
             "Gửi phiếu xin lỗi và hẹn lại ngày trả kết quả (Mẫu 04) trước ngày hẹn trả "
             "cho mọi hồ sơ có nguy cơ trễ hạn")
        for unit, pts in shares.items()
    ]
    return _outcome(criterion, points, losses, figures=figures)


def _late_texts(returned: list[str], still_open: list[str]) -> tuple[str, str]:
    parts = []
    if returned:
        parts.append(f"{len(returned)} hồ sơ trả quá hạn ({list_codes(returned)})")
    if still_open:
        parts.append(f"{len(still_open)} hồ sơ đang quá hạn chưa giải quyết ({list_codes(still_open)})")
    if still_open:
        recover = (
            f"Giải quyết dứt điểm {len(still_open)} hồ sơ đang quá hạn và gửi phiếu xin lỗi "
            "trước ngày hẹn trả cho hồ sơ có nguy cơ trễ"
        )
    else:
        recover = (
            "Hồ sơ đã trả trễ không lấy lại được điểm; theo dõi ngày hẹn trả và gửi phiếu "
            "xin lỗi trước ngày hẹn cho hồ sơ có nguy cơ trễ"
        )
    return " và ".join(parts), recover


def _check_dossier_bands(params: dict[str, Any], max_points: float) -> list[str]:
    stale = [k for k in ("per_late", "per_without_apology") if k in params]
    problems = [f"tham số {', '.join(stale)} không còn dùng: chấm theo bậc tỷ lệ (bands)."] if stale else []
    return problems + _check_ratio_scoring(params) + _check_choice(params, "if_empty", ("max", "zero"))


# ------------------------------------------------------------ shares


def _metric_online(inputs: ScoringInputs) -> tuple[int, int]:
    return inputs.dossiers.online, inputs.dossiers.received


def _metric_postal(inputs: ScoringInputs) -> tuple[int, int]:
    return inputs.dossiers.procedures_with_postal, inputs.dossiers.procedures_total


def _metric_online_procedures(inputs: ScoringInputs) -> tuple[int, int]:
    d = inputs.dossiers
    return d.online_procedures - len(d.procedures_online_without_dossiers), d.online_procedures


@dataclass(frozen=True)
class _Metric:
    read: Callable[[ScoringInputs], tuple[int, int]]
    describe: str  # "{part}/{whole} ..." wording of the share
    more: str  # what one more unit of the numerator is
    adds_to_whole: bool  # a new numerator item also enlarges the denominator


METRICS: dict[str, _Metric] = {
    "online_share": _Metric(
        _metric_online, "hồ sơ tiếp nhận trực tuyến trên tổng số hồ sơ tiếp nhận",
        "hồ sơ nộp trực tuyến", True,
    ),
    "postal_procedures_share": _Metric(
        _metric_postal, "thủ tục có hồ sơ tiếp nhận hoặc trả kết quả qua BCCI",
        "thủ tục có hồ sơ qua BCCI", False,
    ),
    "online_procedures_with_dossiers_share": _Metric(
        _metric_online_procedures, "dịch vụ công trực tuyến (toàn trình, một phần) có phát sinh hồ sơ",
        "dịch vụ công trực tuyến có hồ sơ", False,
    ),
}


def _needed(part: int, whole: int, target: float, adds_to_whole: bool) -> int:
    """How many more numerator items reach ``target``."""
    if adds_to_whole:
        if target >= 1:
            return 0 if part >= whole else -1
        return max(0, math.ceil((target * whole - part) / (1 - target) - _EPS))
    return max(0, math.ceil(target * whole - part - _EPS))


def _eval_share_threshold(criterion: Criterion, inputs: ScoringInputs) -> Outcome:
    params = criterion.rule.params
    metric = METRICS[params["metric"]]
    part, whole = metric.read(inputs)
    if whole <= 0:
        return _empty(criterion, params, "Chưa có số liệu để tính tỷ lệ.")
    ratio = part / whole
    if "threshold" in params:
        target = float(params["threshold"])
        below = ratio + _EPS < target
        deduct = float(params.get("deduct", criterion.max_points))
        points = criterion.max_points - deduct if below else criterion.max_points
    else:
        points = _score_ratio(ratio, criterion.max_points, params)
        higher = sorted(float(b["min"]) for b in params["bands"] if float(b["min"]) > ratio + _EPS)
        target = higher[0] if higher else 1.0
    lost = round(criterion.max_points - max(0.0, points), 2)
    figures = f"{part}/{whole} {metric.describe} ({fmt_percent(ratio)})"
    if lost <= _EPS:
        return _outcome(criterion, points, [], f"{part}/{whole} ({fmt_percent(ratio)}).", figures)
    what = f"Tỷ lệ {metric.describe} {part}/{whole} ({fmt_percent(ratio)}), dưới ngưỡng {fmt_percent(target)}"
    if params["metric"] == "online_procedures_with_dossiers_share":
        idle = inputs.dossiers.procedures_online_without_dossiers
        what += f"; không phát sinh hồ sơ: {list_codes(idle)}"
    n = _needed(part, whole, target, metric.adds_to_whole)
    if criterion.recover:
        recover = criterion.recover
    elif n > 0:
        recover = f"Cần thêm ít nhất {n} {metric.more} để đạt {fmt_percent(target)}"
    else:
        recover = f"Nâng tỷ lệ lên {fmt_percent(target)}"
    return _outcome(criterion, points, [Loss(_unit(criterion), lost, what, recover)], figures=figures)


def _describe_share(params: dict[str, Any], max_points: float) -> str:
    if "threshold" in params:
        deduct = float(params.get("deduct", max_points))
        return f"dưới {fmt_percent(float(params['threshold']))}: trừ {fmt_number(deduct)} điểm"
    return describe_bands(params, max_points)


def _check_share(params: dict[str, Any], max_points: float) -> list[str]:
    problems = []
    if params.get("metric") not in METRICS:
        problems.append(f"metric {params.get('metric')!r} không hợp lệ (chọn: {', '.join(METRICS)}).")
    if "threshold" in params:
        t = params["threshold"]
        if isinstance(t, bool) or not isinstance(t, (int, float)) or not 0 <= t <= 1:
            problems.append(f"threshold = {t!r} phải là tỷ lệ từ 0 đến 1 (ví dụ 0.5 là 50%).")
        problems += _check_number(params, "deduct")
        if isinstance(params.get("deduct"), (int, float)) and params["deduct"] > max_points:
            problems.append("deduct lớn hơn điểm tối đa.")
    else:
        problems += _check_bands(params.get("bands"))
    return problems + _check_choice(params, "if_empty", ("max", "zero"))


# ------------------------------------------------------------ counts

_COUNT_LABELS = {"initiatives_approved": "sáng kiến, giải pháp CCHC được công nhận"}


def _eval_count_at_least(criterion: Criterion, inputs: ScoringInputs) -> Outcome:
    params = criterion.rule.params
    name = params["count"]
    need = int(params.get("at_least", 1))
    have = inputs.count(name) or 0
    if have >= need:
        return _outcome(criterion, criterion.max_points, [], f"{have} (cần {need}).",
                        f"{have} {params.get('label') or _COUNT_LABELS.get(name, name)}")
    deduct = float(params.get("deduct", criterion.max_points))
    label = params.get("label") or _COUNT_LABELS.get(name, name)
    what = f"Có {have} {label}, cần ít nhất {need}" if have else f"Chưa có {label} (cần ít nhất {need})"
    recover = criterion.recover or f"Bổ sung {need - have} {label} trong năm"
    loss = Loss(_unit(criterion), min(deduct, criterion.max_points), what, recover)
    return _outcome(criterion, criterion.max_points - loss.points, [loss], figures=f"{have} {label}")


def _describe_count(params: dict[str, Any], max_points: float) -> str:
    deduct = float(params.get("deduct", max_points))
    return f"cần ít nhất {int(params.get('at_least', 1))}; thiếu thì trừ {fmt_number(deduct)} điểm"


def _check_count(params: dict[str, Any], max_points: float) -> list[str]:
    problems = [] if params.get("count") else ["thiếu tham số count (tên số liệu cần đếm)."]
    return problems + _check_number(params, "at_least") + _check_number(params, "deduct")


# ------------------------------------------------------------ entered scores


def latest_entry(entries: list[ManualScore], code: str, as_of: date | None = None) -> ManualScore | None:
    """The entry in force for a criterion on ``as_of``: latest ``entered_at`` on or
    before that day, later in the list on a tie. A score entered in December does
    not exist in an estimate "as of 30/06"."""
    best: ManualScore | None = None
    for entry in entries:
        if entry.criterion_code != code:
            continue
        if as_of is not None and entry.entered_at is not None and _day(entry.entered_at) > as_of:
            continue
        if best is None or _entry_key(entry) >= _entry_key(best):
            best = entry
    return best


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _entry_key(entry: ManualScore) -> tuple[bool, object]:
    """Dated entries beat undated ones; dates (or datetimes) compare among themselves."""
    return (entry.entered_at is not None, entry.entered_at or 0)


def _entered(criterion: Criterion, entry: ManualScore | None, kind: LossKind) -> Outcome:
    """Manual and survey leaves: the entered figure, or 0 flagged "missing" — an
    estimate must not assume points nobody has claimed."""
    if entry is None:
        label = "chưa nhập kết quả khảo sát" if kind == "survey" else "chưa nhập điểm tự chấm"
        return Outcome(0.0, "missing", note=label, figures="chưa có dữ liệu")
    points = max(0.0, min(criterion.max_points, round(float(entry.points), 2)))
    who = f"{entry.entered_by}, " if entry.entered_by else ""
    when = fmt_date(entry.entered_at) if entry.entered_at else "chưa rõ ngày"
    note = f"nhập bởi {who}{when}".replace(", chưa rõ ngày", "")
    if entry.evidence:
        note += f"; tài liệu: {', '.join(entry.evidence)}"
    lost = round(criterion.max_points - points, 2)
    if lost <= _EPS:
        return Outcome(points, "full", note=note, figures=note)
    score = f"{fmt_number(points)}/{fmt_number(criterion.max_points)}"
    if kind == "survey":
        what = f"Kết quả khảo sát {score} ({note})"
        recover = criterion.recover or "Nâng chất lượng phục vụ ở các nội dung khảo sát bị điểm thấp"
    else:
        what = f"Điểm tự chấm {score} ({note})"
        hint = f": {criterion.evidence}" if criterion.evidence else ""
        recover = criterion.recover or f"Bổ sung tài liệu kiểm chứng{hint}"
    loss = Loss(_unit(criterion), lost, what, recover, kind)
    return Outcome(points, "deducted", (loss,), note, note)


def _eval_manual(criterion: Criterion, inputs: ScoringInputs) -> Outcome:
    return _entered(criterion, latest_entry(inputs.manual, criterion.code, inputs.as_of), "manual")


def _eval_survey(criterion: Criterion, inputs: ScoringInputs) -> Outcome:
    return _entered(criterion, latest_entry(inputs.survey, criterion.code, inputs.as_of), "survey")


def _check_nothing(params: dict[str, Any], max_points: float) -> list[str]:
    return []


def _describe_tasks(params: dict[str, Any], max_points: float) -> str:
    return "tỷ lệ nhiệm vụ hoàn thành đúng hạn gốc — " + describe_bands(params, max_points)


def _describe_on_time(params: dict[str, Any], max_points: float) -> str:
    return "bậc theo tỷ lệ hồ sơ giải quyết đúng hạn — " + describe_bands(params, max_points)


def _describe_apology(params: dict[str, Any], max_points: float) -> str:
    return ("bậc theo tỷ lệ hồ sơ trễ hạn có phiếu xin lỗi — " + describe_bands(params, max_points)
            + "; không có hồ sơ trễ: đủ điểm")


RULES: dict[str, RuleSpec] = {
    "task_completion": RuleSpec(_eval_task_completion, _check_task_completion, _describe_tasks),
    "reports_on_time": RuleSpec(_eval_reports_on_time, _check_reports, _describe_reports),
    "dossier_on_time": RuleSpec(_eval_dossier_on_time, _check_dossier_bands, _describe_on_time),
    "dossier_apology": RuleSpec(_eval_dossier_apology, _check_dossier_bands, _describe_apology),
    "share_threshold": RuleSpec(_eval_share_threshold, _check_share, _describe_share),
    "count_at_least": RuleSpec(_eval_count_at_least, _check_count, _describe_count),
    "manual": RuleSpec(_eval_manual, _check_nothing, lambda p, m: "điểm Văn phòng nhập kèm tài liệu kiểm chứng"),
    "survey": RuleSpec(_eval_survey, _check_nothing, lambda p, m: "kết quả điều tra xã hội học tỉnh công bố"),
}


def describe_rule(criterion: Criterion) -> str:
    """The rule of a leaf in words, with its thresholds, for ``explain_estimate``."""
    return RULES[criterion.rule.type].describe(criterion.rule.params, criterion.max_points)


def evaluate(criterion: Criterion, inputs: ScoringInputs) -> Outcome:
    """Score one leaf with its rule."""
    return RULES[criterion.rule.type].evaluate(criterion, inputs)
