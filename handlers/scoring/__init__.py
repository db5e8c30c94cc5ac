"""PAR index (Chỉ số CCHC) estimate: frameworks as data files, a pure engine.

The lead's code fills ``ScoringInputs`` from the database and calls
``estimate(load_framework(...), inputs)``; nothing here touches a database.
"""

from handlers.scoring.engine import Deduction, Estimate, FieldResult, LeafResult, estimate
from handlers.scoring.explain import (
    deduction_line_vi,
    estimate_line_vi,
    estimate_summary_vi,
    explain_estimate,
    framework_line_vi,
    losses_by_unit,
)
from handlers.scoring.framework import (
    Criterion,
    Framework,
    FrameworkError,
    FrameworkInfo,
    list_frameworks,
    load_framework,
)
from handlers.scoring.inputs import DossierSummary, ManualScore, ScoringInputs, TaskFact
from handlers.scoring.suggest import suggest_criterion

__all__ = [
    "Criterion", "Deduction", "DossierSummary", "Estimate", "FieldResult", "Framework",
    "FrameworkError", "FrameworkInfo", "LeafResult", "ManualScore", "ScoringInputs", "TaskFact",
    "deduction_line_vi", "estimate", "estimate_line_vi", "estimate_summary_vi", "explain_estimate",
    "framework_line_vi", "list_frameworks", "load_framework",
    "losses_by_unit", "suggest_criterion",
]
