"""Scoring a parsed conclusion against a hand annotation (tests/data/conclusions/expected/*.json).

Shared by the text, OCR-noise and OCR-image tests: recall is the share of
annotated items found (by their printed numbering); lead and deadline
accuracy are measured over the items found.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from handlers.tasks.importers.conclusion import ConclusionDraft

DATA = Path(__file__).parent / "data" / "conclusions"
ANNOTATED = sorted(p.stem for p in (DATA / "expected").glob("*.json"))
CONCLUSIONS = [n for n in ANNOTATED if not n.startswith("cv_")]


def expected(name: str) -> dict:
    return json.loads((DATA / "expected" / f"{name}.json").read_text(encoding="utf-8"))


def source(name: str) -> str:
    return (DATA / f"{name}.txt").read_text(encoding="utf-8")


@dataclass
class Score:
    annotated: int = 0
    found: int = 0
    lead_right: int = 0
    deadline_right: int = 0
    misses: list[str] | None = None

    @property
    def recall(self) -> float:
        return self.found / self.annotated if self.annotated else 1.0

    @property
    def lead(self) -> float:
        return self.lead_right / self.found if self.found else 0.0

    @property
    def deadline(self) -> float:
        return self.deadline_right / self.found if self.found else 0.0

    def add(self, other: "Score") -> "Score":
        return Score(self.annotated + other.annotated, self.found + other.found,
                     self.lead_right + other.lead_right, self.deadline_right + other.deadline_right,
                     (self.misses or []) + (other.misses or []))

    def __str__(self) -> str:
        return (f"{self.found}/{self.annotated} found ({self.recall:.0%}), lead {self.lead:.0%}, "
                f"deadline {self.deadline:.0%}; misses: {self.misses}")


def score(draft: ConclusionDraft, name: str) -> Score:
    found = {t.ref: t for t in draft.tasks}
    out = Score(misses=[])
    for item in expected(name)["tasks"]:
        out.annotated += 1
        task = found.get(item["ref"])
        if task is None:
            out.misses.append(f"{name}:{item['ref']} missing")
            continue
        out.found += 1
        if sorted(task.lead_units) == sorted(item["lead_units"]) and task.all_units == item["all_units"]:
            out.lead_right += 1
        else:
            out.misses.append(f"{name}:{item['ref']} lead {task.lead_units}/{task.all_units}")
        deadline = task.deadline.isoformat() if task.deadline else None
        if deadline == item["deadline"]:
            out.deadline_right += 1
        else:
            out.misses.append(f"{name}:{item['ref']} deadline {deadline}")
    return out
