"""Scores the office enters: self-assessment with evidence for criteria the
bot cannot compute, the province's survey results, the appraised total.

The latest entry for a criterion wins; nothing is overwritten, so the audit
trail of who entered what and when stays complete.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.core.context import Ctx
from handlers.text.i18n import _, fmt_number
from handlers.core.messages import Reply
from handlers.scoring import Framework, load_framework
from models.org import Role
from models.scoring import Assessment
from settings import Settings

ENTERABLE = {"manual": "manual", "survey": "survey"}


@dataclass(frozen=True)
class Entered:
    code: str
    name: str
    points: float
    max_points: float
    kind: str


class ScoreRejected(ValueError):
    """A score that cannot be recorded; the message is for the person."""


def parse_points(text: str) -> float | None:
    """'0,75', '0.75', '1' → float; anything else → None."""
    text = text.strip().replace(",", ".")
    return float(text) if re.fullmatch(r"\d+(?:\.\d+)?", text) else None


def enter_score(session: Session, framework: Framework, year: int, code: str, points: float,
                evidence: list[str], person_id: int | None, now: datetime) -> Entered:
    """Record one manual or survey score after checking it against the framework."""
    leaf = framework.find(code)
    if leaf is None or not leaf.is_leaf:
        raise ScoreRejected(_("There is no sub-criterion {code} in the index in use ({name}).").format(
            code=code, name=framework.name))
    kind = ENTERABLE.get(leaf.rule.type if leaf.rule else "")
    if kind is None:
        raise ScoreRejected(_("{code} is computed by the bot from tasks and dossiers; it cannot be entered by hand.").format(code=code))
    if not 0 <= points <= leaf.max_points:
        raise ScoreRejected(_("{code} is scored from 0 to {max}; {points} is outside that range.").format(
            code=code, max=fmt_number(leaf.max_points), points=fmt_number(points)))
    session.add(Assessment(framework_key=framework.id, year=year, criterion_code=code, kind=kind, points=points,
                           evidence=evidence, entered_by=person_id, entered_at=now))
    return Entered(code, leaf.name, points, leaf.max_points, kind)


def missing_codes(session: Session, framework: Framework, year: int) -> list[tuple[str, str, float]]:
    """Manual and survey leaves with no score yet this year: (code, name, max)."""
    entered = set(session.scalars(select(Assessment.criterion_code).where(
        Assessment.framework_key == framework.id, Assessment.year == year)))
    return [(leaf.code, leaf.name, leaf.max_points) for leaf in framework.leaves()
            if leaf.rule and leaf.rule.type in ENTERABLE and leaf.code not in entered]


def on_command(ctx: Ctx, args: str) -> Reply:
    """/diem <mã> <điểm> [tài liệu kiểm chứng]: the office records a score."""
    person = ctx.person
    assert person is not None
    framework = framework_for(ctx.settings)
    if person.role != Role.ADMIN:
        return Reply(_("Only the Department Office enters index scores. Ask \"điểm CCHC dự kiến\" to see the estimate."))
    parts = args.split(maxsplit=2)
    if len(parts) < 2:
        return _usage(ctx, framework)
    points = parse_points(parts[1])
    if points is None:
        return Reply(_("I could not read the score \"{text}\". Example: /diem 1.3.1 0,75 KH 59/KH-SKHCN").format(text=parts[1]))
    evidence = [parts[2].strip()] if len(parts) > 2 else []
    try:
        entered = enter_score(ctx.session, framework, ctx.today.year, parts[0].strip("."), points, evidence,
                              person.id, ctx.now)
    except ScoreRejected as exc:
        return Reply(str(exc))
    ctx.audit("score_entered", f"{entered.code}={entered.points} {evidence}")
    text = _("Recorded {code} {name}: {points}/{max}.").format(
        code=entered.code, name=entered.name, points=fmt_number(entered.points), max=fmt_number(entered.max_points))
    if not evidence and entered.kind == "manual":
        text += "\n" + _("Please also note the evidence document, e.g. /diem {code} {points} KH 59/KH-SKHCN.").format(
            code=entered.code, points=fmt_number(entered.points))
    return Reply(text)


def _usage(ctx: Ctx, framework: Framework) -> Reply:
    missing = missing_codes(ctx.session, framework, ctx.today.year)
    lines = [_("To record a score: /diem <code> <points> <evidence>, e.g. /diem 1.3.1 0,75 KH 59/KH-SKHCN.")]
    if missing:
        lines.append(_("Still without a score this year ({n}):").format(n=len(missing)))
        lines += [f"• {code} {name[:70]} (tối đa {fmt_number(mx)})" for code, name, mx in missing[:10]]
    else:
        lines.append(_("Every criterion that needs a score has one this year."))
    return Reply("\n".join(lines))


def framework_for(settings: Settings) -> Framework:
    return load_framework(settings.par_framework)
