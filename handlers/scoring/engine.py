"""The PAR estimate: every leaf scored by its rule, summed up the tree.

Pure over data: a framework plus plain inputs give the same estimate every
time, so the bot can recompute it on each change and explain each lost point.
Three figures are kept apart as the province keeps them: what the department
scores itself (self-assessed, computed here), what Sở Nội vụ settles on after
appraisal (entered by the office), and the survey part (entered from the
province's published results).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from handlers.scoring.framework import Criterion, Framework
from handlers.scoring.inputs import ScoringInputs
from handlers.scoring.rules import LossKind, Outcome, Status, describe_rule, evaluate


@dataclass(frozen=True)
class Deduction:
    """Points lost on one criterion by one unit, and how to win them back."""

    criterion_code: str
    criterion_name: str
    points_lost: float
    unit: str
    what: str
    recover: str
    kind: LossKind = "rule"


@dataclass(frozen=True)
class LeafResult:
    code: str
    name: str
    field_code: str
    points: float
    max_points: float
    status: Status
    unit: str
    data_source: str
    note: str = ""
    figures: str = ""
    rule: str = ""

    @property
    def open(self) -> bool:
        """No score yet (nothing entered, no data): its maximum is still open."""
        return self.status in ("missing", "no_data")


@dataclass(frozen=True)
class FieldResult:
    code: str
    name: str
    points: float
    max_points: float


@dataclass(frozen=True)
class Estimate:
    """The estimate as of a day.

    ``total`` = ``self_assessed`` + ``survey`` (0 while not entered).
    ``missing`` lists manual/survey leaves nobody has entered: they count 0
    and are not deductions (nothing was lost yet, nothing was claimed either).
    """

    framework_id: str
    framework_name: str
    as_of: date
    year: int
    total: float
    max_total: float
    self_assessed: float
    self_assessed_max: float
    survey: float | None
    survey_max: float
    appraised: float | None
    fields: list[FieldResult]
    leaves: list[LeafResult]
    deductions: list[Deduction]
    missing: list[LeafResult] = field(default_factory=list)
    framework_version: str = ""
    framework_decision: str = ""

    @property
    def default_thresholds(self) -> bool:
        return not self.framework_decision

    @property
    def open_leaves(self) -> list[LeafResult]:
        """Leaves without a score yet: not entered or no data to judge."""
        return [leaf for leaf in self.leaves if leaf.open]

    @property
    def open_max(self) -> float:
        """The points still open: the estimate lies between ``total`` and ``total + open_max``."""
        return round(sum(leaf.max_points for leaf in self.open_leaves), 2)

    @property
    def upper(self) -> float:
        return round(self.total + self.open_max, 2)

    @property
    def final_total(self) -> float:
        """The figure to report: the appraised part when entered, else self-assessed, plus survey."""
        base = self.appraised if self.appraised is not None else self.self_assessed
        return round(base + (self.survey or 0.0), 2)

    def field(self, code: str) -> FieldResult | None:
        return next((f for f in self.fields if f.code == code), None)

    def leaf(self, code: str) -> LeafResult | None:
        return next((leaf for leaf in self.leaves if leaf.code == code), None)


def estimate(framework: Framework, inputs: ScoringInputs) -> Estimate:
    """Score every leaf of ``framework`` from ``inputs`` and total it up."""
    leaves: list[LeafResult] = []
    deductions: list[Deduction] = []
    fields: list[FieldResult] = []
    survey_points = survey_max = 0.0
    survey_entered = False
    for fld in framework.fields:
        field_points = 0.0
        for leaf in fld.leaves():
            outcome = evaluate(leaf, inputs)
            leaves.append(_leaf_result(fld, leaf, outcome))
            deductions.extend(_deductions(leaf, outcome))
            field_points += outcome.points
            if leaf.rule.type == "survey":
                survey_max += leaf.max_points
                survey_points += outcome.points
                survey_entered = survey_entered or outcome.status != "missing"
        fields.append(FieldResult(fld.code, fld.name, round(field_points, 2), fld.max_points))

    total = round(sum(f.points for f in fields), 2)
    deductions.sort(key=lambda d: (-d.points_lost, _code_key(d.criterion_code), d.unit))
    survey = round(survey_points, 2) if survey_entered else None
    return Estimate(
        framework_id=framework.id,
        framework_name=framework.name,
        as_of=inputs.as_of,
        year=inputs.year,
        total=total,
        max_total=framework.max_points,
        self_assessed=round(total - survey_points, 2),
        self_assessed_max=round(framework.max_points - survey_max, 2),
        survey=survey,
        survey_max=round(survey_max, 2),
        appraised=inputs.appraised,
        fields=fields,
        leaves=leaves,
        deductions=deductions,
        missing=[leaf for leaf in leaves if leaf.status == "missing"],
        framework_version=framework.version,
        framework_decision=framework.decision,
    )


def _leaf_result(fld: Criterion, leaf: Criterion, outcome: Outcome) -> LeafResult:
    return LeafResult(
        code=leaf.code,
        name=leaf.name,
        field_code=fld.code,
        points=outcome.points,
        max_points=leaf.max_points,
        status=outcome.status,
        unit=leaf.responsible_unit or "",
        data_source=leaf.data_source or "",
        note=outcome.note,
        figures=outcome.figures,
        rule=describe_rule(leaf),
    )


def _deductions(leaf: Criterion, outcome: Outcome) -> list[Deduction]:
    return [
        Deduction(leaf.code, leaf.name, round(loss.points, 2), loss.unit, loss.what, loss.recover, loss.kind)
        for loss in outcome.losses
    ]


def _code_key(code: str) -> tuple[tuple[int, int | str], ...]:
    """Sort '1.10' after '1.9'; non-numeric parts after numeric ones."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in code.split("."))
