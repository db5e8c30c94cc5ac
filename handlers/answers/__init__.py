"""Answering questions typed in plain Vietnamese.

The query parser turns the text into a Query; this package runs it against
the database with the asker's rights and words the answer. Lists follow the
chat rule: the count first, at most ten rows, "Xem thêm" for the rest.
"""

from __future__ import annotations

from handlers.answers.scope import Scope, resolve_scope
from handlers.core.context import Ctx
from dataclasses import replace

from handlers.answers.period_report import period_asked, period_report
from handlers.answers.checks import impossible_period, named_unit, unknown_unit
from handlers.core.help import help_reply, not_understood_reply, small_talk_reply
from handlers.text.i18n import _
from handlers.core.messages import Button, Reply
from handlers.query import Query, parse
from handlers.core.state import get_state, set_state

def parse_for(ctx: Ctx, text: str) -> Query:
    from handlers.query.units import org_for  # units as the office keeps them in the database

    return parse(text, ctx.now.replace(tzinfo=None) if ctx.now.tzinfo else ctx.now, org_for(ctx.session))


def answer_text(ctx: Ctx) -> list[Reply] | None:
    """Free-text handler: questions. Progress statements are left to the
    progress feature (registered before this one)."""
    query = parse_for(ctx, ctx.msg.text)
    remember_query(ctx, ctx.msg.text)
    ctx.audit("question", f"{query.subject}/{query.status}/{query.unit}")
    return answer(ctx, query, offset=0)


def answer(ctx: Ctx, query: Query, offset: int = 0) -> list[Reply]:
    from handlers.answers import dossiers, scores, tasks

    if len(query.ambiguous_units) > 1:
        return [clarify_unit(query)]
    if query.subject == "help":
        return [help_reply(ctx)]
    text = ctx.msg.text or ""
    if query.subject in ("task", "dossier", "score", "unknown"):
        problem = impossible_period(text) or (unknown_unit(text) if query.unit is None and not query.mine else None)
        if problem is not None:
            return [problem]
    if query.subject == "unknown":
        polite = small_talk_reply(text)
        if polite is not None:
            return [polite]
        asked = period_asked(ctx, text)
        if asked is not None:
            scope = resolve_scope(ctx, asked)
            return [scope if isinstance(scope, Reply) else period_report(ctx, asked, scope)]
        unit = query.unit or named_unit(text)
        if unit or query.mine:  # "Chi cục TĐC tiến độ ra sao": that unit's open tasks
            query = replace(query, subject="task", unit=unit)
    if query.subject in ("unknown", "progress"):
        if query.subject == "progress":
            from models.org import Role

            if ctx.person is not None and ctx.person.role == Role.STAFF:
                return [Reply(_("Progress is reported by the head of your unit. Please send the result to your head, who will update the task."))]
            return [Reply(_("To report progress, please reply to the reminder of that task (swipe the message and choose Reply), e.g. \"xong 80%\". Type /viec to see your tasks."))]
        return [not_understood_reply()]
    scope = resolve_scope(ctx, query)
    if isinstance(scope, Reply):
        return [scope]
    if query.subject == "task":
        return [tasks.answer_tasks(ctx, query, scope, offset)]
    if query.subject == "dossier":
        return [dossiers.answer_dossiers(ctx, query, scope, offset)]
    if query.subject == "score":
        return scores.answer_score(ctx, query, scope)
    if query.subject == "digest":
        return scores.answer_digest(ctx)
    return [not_understood_reply()]


def clarify_unit(query: Query) -> Reply:
    """Two units match equally: ask which one, with a button each."""
    from models.org_file import default_org

    org = default_org()
    buttons = [[Button(org.unit(code).name if org.unit(code) else code, f"clar:{code}")] for code in query.ambiguous_units[:4]]
    return Reply(_("Which unit do you mean?"), buttons)


def remember_query(ctx: Ctx, text: str) -> None:
    """Keep the last question so "Xem thêm" and clarifications can re-run it."""
    set_state(ctx, "last_query", text[:500])


def last_query(ctx: Ctx) -> str | None:
    return get_state(ctx, "last_query")


def on_more(ctx: Ctx, params: str, offset: int) -> Reply:
    text = last_query(ctx)
    if not text:
        return Reply(_("This list is no longer available. Please ask again."))
    return answer(ctx, parse_for(ctx, text), offset)[0]


def on_clarify(ctx: Ctx, unit_code: str) -> list[Reply]:
    from dataclasses import replace

    text = last_query(ctx)
    if not text:
        return [Reply(_("This list is no longer available. Please ask again."))]
    query = replace(parse_for(ctx, text), unit=unit_code, ambiguous_units=())
    return answer(ctx, query)


__all__ = ["Scope", "answer", "answer_text", "on_more", "on_clarify", "parse_for"]
