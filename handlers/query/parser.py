"""parse(): one message → one Query, never raising, in a fixed order of rules.

Order matters and is the whole design: references and numbers first (so
"KL 664 ngày 27/5/2021" is not read as a period), then statements of
progress and requests for help (which carry no other fields), then the
period, statuses, "mine", the unit, and last the subject, which may be
inferred from the status when no noun names it.
"""

from __future__ import annotations

from datetime import datetime

from models.org_file import OrgSpec, default_org

from . import grammar
from .model import Query
from .normalise import normalise
from .periods import find_period
from handlers.query.units import matcher_for

# Subject implied by a status when the message names no subject noun.
_SUBJECT_OF_STATUS = {
    "deducted": "score",
    "received": "dossier",
    "resolved": "dossier",
    "on_time": "dossier",
    "online": "dossier",
    "done": "task",
    "in_progress": "task",
    "overdue": "task",
    "due_soon": "task",
}


def parse(text: str, now: datetime, org: OrgSpec | None = None) -> Query:
    """Understand one question; on any internal error answer "unknown"."""
    try:
        return _parse(text if isinstance(text, str) else str(text), now, org or default_org())
    except Exception as exc:  # noqa: BLE001 - a chat message must never crash the bot
        return Query(explain=(f"parser error: {type(exc).__name__}",))


def _parse(text: str, now: datetime, org: OrgSpec) -> Query:
    norm = normalise(text)
    notes = [f"typo/shorthand: {n}" for n in norm.notes]
    canonical = norm.text
    question = norm.question or grammar.is_question(canonical)

    work = grammar.strip_filler(canonical)
    conclusion, work = grammar.find_conclusion(work)
    if conclusion:
        notes.append(f"conclusion={conclusion}")
    percent, work = grammar.find_percent(work)
    work = grammar.blank_document_numbers(work)

    progress = grammar.find_progress(work, percent, question)
    if progress:
        notes.append(f"subject=progress ({progress.why})")
        return Query(
            subject="progress", conclusion=conclusion, percent=progress.percent,
            normalised=canonical, explain=tuple(notes),
        )
    if grammar.is_help(work):
        notes.append("subject=help")
        return Query(subject="help", normalised=canonical, explain=tuple(notes))

    period = None
    found = find_period(work, now)
    if found:
        period = found.period
        notes.append(f"period ← {found.rule} '{canonical[found.span[0]:found.span[1]].strip()}'")
        work = grammar.blank(work, found.span)

    nouns = grammar.find_subject_nouns(work)
    statuses, work = grammar.find_statuses(work)
    whole, work = grammar.find_whole(work)
    if whole:
        notes.append("scope=whole Department")
    mine, work = grammar.find_mine(work)
    if mine:
        notes.append("mine (possessive of the asker)")

    unit = None
    written = None
    ambiguous: tuple[str, ...] = ()
    if not mine and not whole:
        match = matcher_for(org).find(work)
        if match:
            unit, written = match.codes[0], match.written
            ambiguous = match.codes if len(match.codes) > 1 else ()
            notes.append(f"unit={unit} ← '{written}'" + (" (typo)" if match.fuzzy else ""))

    subject = _subject(canonical, work, nouns, statuses, conclusion)
    notes.append(f"subject={subject}")
    if subject == "unknown":
        return Query(normalised=canonical, explain=tuple(notes))
    status = grammar.fit_status_to_subject(statuses, subject)
    if statuses:
        notes.append(f"status words {sorted(statuses)} → {status}")
    return Query(
        subject=subject,
        status=status,
        unit=unit,
        period=period,
        mine=mine,
        whole=whole,
        conclusion=conclusion,
        unit_name_as_written=written,
        ambiguous_units=ambiguous,
        normalised=canonical,
        explain=tuple(notes),
    )


def _subject(
    canonical: str,
    work: str,
    nouns: list[tuple[int, str]],
    statuses: dict[str, tuple[int, int]],
    conclusion: str | None,
) -> str:
    """Decide what is asked about, strongest evidence first."""
    if "deducted" in statuses:
        return "score"
    if grammar.has_strong_digest(canonical):
        return "digest"
    if nouns:
        return nouns[0][1]
    if conclusion:
        return "task"  # "tình hình thực hiện kết luận 664": the conclusion's tasks
    if grammar.has_weak_digest(work):
        return "digest"
    for status in ("deducted", "received", "resolved", "on_time", "online", "overdue", "due_soon", "done", "in_progress"):
        if status in statuses:
            return _SUBJECT_OF_STATUS[status]
    if conclusion or grammar.has_weak_task(canonical):
        return "task"
    return "unknown"
