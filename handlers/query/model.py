"""The parsed question: what the bot was asked, in a form handlers can execute.

`Query` is frozen so a parsed question can be cached, logged and compared in
tests; `to_json` is the stable contract printed by ``main.py ask --explain``
(an evaluation set outside the project depends on its keys and values).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

SUBJECTS = ("task", "dossier", "score", "digest", "help", "progress", "unknown")
STATUSES = (
    "overdue",
    "due_soon",
    "done",
    "in_progress",
    "received",
    "resolved",
    "on_time",
    "online",
    "deducted",
)
CONTRACT_KEYS = ("subject", "status", "unit", "period", "mine", "conclusion", "percent")

# Which statuses make sense for which subject; anything else is dropped or
# translated (see grammar.fit_status_to_subject) so the contract never
# reports e.g. a "received" task.
STATUSES_BY_SUBJECT: dict[str, frozenset[str]] = {
    "task": frozenset({"overdue", "due_soon", "done", "in_progress"}),
    "dossier": frozenset({"overdue", "due_soon", "received", "resolved", "on_time", "online"}),
    "score": frozenset({"deducted"}),
    "digest": frozenset(),
    "help": frozenset(),
    "progress": frozenset(),
    "unknown": frozenset(),
}


@dataclass(frozen=True)
class Query:
    """One user question, understood.

    ``period`` is an inclusive (first day, last day) pair. ``explain`` holds
    short notes on which words decided each field, so a wrong answer can be
    traced back to the rule that produced it.
    """

    subject: str = "unknown"
    status: str | None = None
    unit: str | None = None
    period: tuple[date, date] | None = None
    mine: bool = False
    conclusion: str | None = None
    whole: bool = False  # "toàn Sở", "các phòng": the whole Department, whoever asks
    percent: int | None = None
    unit_name_as_written: str | None = None
    ambiguous_units: tuple[str, ...] = ()
    normalised: str = ""
    explain: tuple[str, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        """The ``ask --explain`` object: contract keys first, then extras."""
        out: dict[str, Any] = {
            "subject": self.subject,
            "status": self.status,
            "unit": self.unit,
            "period": (
                {"from": self.period[0].isoformat(), "to": self.period[1].isoformat()}
                if self.period
                else None
            ),
            "mine": self.mine,
            "conclusion": self.conclusion,
            "percent": self.percent,
        }
        if self.whole:
            out["scope"] = "department"
        if self.unit_name_as_written:
            out["unit_name_as_written"] = self.unit_name_as_written
        if self.ambiguous_units:
            out["ambiguous_units"] = list(self.ambiguous_units)
        out["normalised"] = self.normalised
        out["matched"] = list(self.explain)
        return out
