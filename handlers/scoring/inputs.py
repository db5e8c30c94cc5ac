"""Plain facts the estimate is computed from.

The engine never touches the database: the lead's code reads tasks, dossiers
and entered scores for the assessment year and fills these dataclasses. That
keeps every rule a pure function that tests can feed by hand, and lets the
office replay an estimate "as of" any date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

Origin = Literal["ubnd", "internal", "report"]
TaskState = Literal["on_time", "done_late", "overdue", "pending"]


@dataclass(frozen=True)
class TaskFact:
    """One task (or one occurrence of a recurring report) as scoring sees it.

    ``original_deadline`` is the deadline before any extension (gia hạn); PAR
    scoring judges against it, so an extended task finished after it is late.
    """

    task_id: str
    title: str
    unit: str
    criterion_code: str | None
    origin: Origin
    deadline: date | None
    original_deadline: date | None = None
    completed_at: date | None = None
    percent: int = 0

    @property
    def judged_deadline(self) -> date | None:
        """The deadline PAR scoring uses: the original one when it is known."""
        return self.original_deadline or self.deadline

    @property
    def extended(self) -> bool:
        return (
            self.original_deadline is not None
            and self.deadline is not None
            and self.deadline != self.original_deadline
        )

    def state(self, as_of: date) -> TaskState:
        """Classify against the original deadline, as of a given day.

        A task without a deadline counts as on time once done and is never
        overdue; an unfinished task is only a failure after its deadline.
        """
        due = self.judged_deadline
        if self.completed_at is not None:
            if due is None or self.completed_at <= due:
                return "on_time"
            return "done_late"
        if due is not None and as_of > due:
            return "overdue"
        return "pending"


DossierRef = tuple[str, str]
"""(dossier code, responsible unit code)."""


@dataclass(frozen=True)
class DossierSummary:
    """The year's dossier figures that the PAR rules read.

    Counts rather than ready-made shares, so an explanation can say
    "12/30 thủ tục" and compute how many more would reach a threshold.
    ``late`` holds dossiers returned after the appointment date;
    ``overdue_open`` those still unresolved past it (they will be late too);
    ``late_without_apology`` those of either list with no apology letter
    (Mẫu 04) issued before the original appointment date.
    """

    received: int = 0
    online: int = 0
    resolved: int | None = None
    """Dossiers resolved in the year (early + on time + late), from the figures module;
    None when not supplied — the on-time criteria then say "chưa có dữ liệu"."""
    procedures_total: int = 0
    procedures_with_postal: int = 0
    online_procedures: int = 0
    procedures_online_without_dossiers: list[str] = field(default_factory=list)
    late: list[DossierRef] = field(default_factory=list)
    overdue_open: list[DossierRef] = field(default_factory=list)
    late_without_apology: list[DossierRef] = field(default_factory=list)

    @property
    def online_share(self) -> float | None:
        return self.online / self.received if self.received else None

    @property
    def postal_procedures_share(self) -> float | None:
        if not self.procedures_total:
            return None
        return self.procedures_with_postal / self.procedures_total

    @property
    def online_procedures_with_dossiers_share(self) -> float | None:
        if not self.online_procedures:
            return None
        without = len(self.procedures_online_without_dossiers)
        return (self.online_procedures - without) / self.online_procedures


@dataclass(frozen=True)
class ManualScore:
    """A score the office enters for a criterion the bot cannot compute."""

    criterion_code: str
    points: float
    evidence: list[str] = field(default_factory=list)
    entered_by: str = ""
    entered_at: date | None = None


@dataclass(frozen=True)
class ScoringInputs:
    """Everything one estimate needs, for one assessment year.

    ``manual`` and ``survey`` may hold several entries per criterion: the
    latest ``entered_at`` wins (later in the list wins on a tie).
    ``appraised`` is the non-survey figure after Sở Nội vụ's appraisal, when
    the office has entered it. ``counts`` carries other yes/no-by-count facts
    that ``count_at_least`` rules may name.
    """

    as_of: date
    year: int
    tasks: list[TaskFact] = field(default_factory=list)
    dossiers: DossierSummary = field(default_factory=DossierSummary)
    manual: list[ManualScore] = field(default_factory=list)
    survey: list[ManualScore] = field(default_factory=list)
    initiatives_approved: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    appraised: float | None = None

    def count(self, name: str) -> int | None:
        """A named count: ``initiatives_approved`` or an entry of ``counts``."""
        if name == "initiatives_approved":
            return self.initiatives_approved
        return self.counts.get(name)
