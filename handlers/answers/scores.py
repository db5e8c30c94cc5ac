"""Score questions: "điểm CCHC dự kiến", "tiêu chí nào bị trừ điểm",
"phòng nào đang làm mất điểm", "vì sao điểm 3.3.1 …" / "giải thích điểm";
and the digest on request."""

from __future__ import annotations

import re

from handlers.answers.scope import Scope
from handlers.core.context import Ctx
from handlers.text.i18n import _, fmt_number
from handlers.core.messages import Reply
from handlers.query import Query
from handlers.scoring import Estimate, deduction_line_vi, estimate_summary_vi, losses_by_unit
from handlers.scoring.data import current_estimate
from handlers.scoring.explain import ATTRIBUTION_VI, explain_leaf_vi, framework_line_vi, range_text_vi

MAX_LINES = 5
MAX_EXPLAINED = 8
# "vì sao điểm …", "tại sao bị trừ điểm", "giải thích điểm", "lý do mất điểm" (folded text)
_EXPLAIN = re.compile(r"\b(?:vi sao|tai sao|sao lai|vi dau|giai thich|ly do|do dau)\b")
_CODE = re.compile(r"(?<![\d.])(\d{1,2}(?:\.\d{1,2}){1,3})(?![\d.])")


def answer_score(ctx: Ctx, query: Query, scope: Scope) -> list[Reply]:
    est = current_estimate(ctx.session, ctx.now, ctx.settings, year=asked_year(query))
    if _EXPLAIN.search(query.normalised or ""):
        return [_explain(est, query.normalised)]
    if scope.unit_codes is not None:
        return [_unit_losses(est, scope)]
    if query.status == "deducted":
        return [_deductions(est)]
    lines = estimate_summary_vi(est, top=3)
    lines.insert(1, _field_table(est))
    lines.append(_("Ask \"tiêu chí nào bị trừ điểm\" or \"phòng nào đang làm mất điểm\" for details."))
    return [Reply("\n".join(lines))]


def asked_year(query: Query) -> int | None:
    """The assessment year a question names ("điểm CCHC năm 2025", "điểm quý 2 năm 2025"), if any."""
    if query.period is None:
        return None
    return query.period[1].year


def estimate_text(session, now, settings, explain: bool = False) -> str:
    """What ``main.py score`` prints about the estimate: the summary (range, framework,
    version, default-threshold flag) or, with ``explain``, every criterion with its
    input figures, rule and points (``main.py score --explain``)."""
    from handlers.scoring import explain_estimate

    est = current_estimate(session, now, settings)
    return "\n".join(explain_estimate(est) if explain else estimate_summary_vi(est, top=5))


def _field_table(est: Estimate) -> str:
    return "\n".join(f"• {f.code}. {f.name}: {fmt_number(f.points)}/{fmt_number(f.max_points)}" for f in est.fields)


def _explain(est: Estimate, text: str) -> Reply:
    """Per criterion: input figures, rule, points — the criteria named by code, or
    else the ones that lost points or have no score yet, biggest first."""
    codes = [c for c in _CODE.findall(text) if any(l.code == c or l.code.startswith(c + ".") for l in est.leaves)]
    if codes:
        leaves = [l for l in est.leaves if any(l.code == c or l.code.startswith(c + ".") for c in codes)]
    else:
        leaves = sorted((l for l in est.leaves if l.status != "full"),
                        key=lambda l: -(l.max_points - l.points))
    lines = [
        _("Index estimate for {year}: {range}.").format(year=est.year, range=range_text_vi(est)),
        framework_line_vi(est),
    ]
    lines += [explain_leaf_vi(l) for l in leaves[:MAX_EXPLAINED]]
    if len(leaves) > MAX_EXPLAINED or not codes:
        lines.append(_("Ask about one criterion for its figures, e.g. \"vì sao điểm 3.3.1\"."))
    return Reply("\n".join(lines))


def _deductions(est: Estimate) -> Reply:
    if not est.deductions:
        return Reply(_("No point deductions found in the {year} estimate so far.").format(year=est.year))
    lines = [_("*Deductions in the {year} estimate*: {n}").format(year=est.year, n=len(est.deductions)),
             framework_line_vi(est)]
    by_unit = losses_by_unit(est)
    if by_unit:
        lines.append(_("Points lost by unit (survey not included): {units}.").format(
            units="; ".join(f"{code} −{fmt_number(points)}" for code, points in by_unit)))
        lines.append(_("Attribution: {how}.").format(how=ATTRIBUTION_VI))
    lines += [f"{n}. {deduction_line_vi(d)}" for n, d in enumerate(est.deductions[:MAX_LINES], start=1)]
    if len(est.deductions) > MAX_LINES:
        lines.append(_("Ask about one unit for its own list, e.g. \"điểm bị trừ của Chi cục\"."))
    return Reply("\n".join(lines))


def _unit_losses(est: Estimate, scope: Scope) -> Reply:
    codes = scope.unit_codes or set()
    own = [d for d in est.deductions if d.unit in codes]
    if not own:
        return Reply(_("{unit} is not losing any points in the {year} estimate.").format(unit=scope.label(), year=est.year))
    lost = sum(d.points_lost for d in own)
    lines = [_("*{unit}* is losing {points} points in the {year} estimate:").format(
        unit=scope.label(), points=fmt_number(lost), year=est.year)]
    lines += [f"{n}. {deduction_line_vi(d)}" for n, d in enumerate(own[:MAX_LINES], start=1)]
    lines.append(_("Attribution: {how}.").format(how=ATTRIBUTION_VI))
    return Reply("\n".join(lines))


def answer_digest(ctx: Ctx) -> list[Reply]:
    """"báo cáo tuần" typed in words: the same as /baocao."""
    from handlers.reporting.digest import on_command

    return on_command(ctx)
