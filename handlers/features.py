"""Which feature answers which command, button, text and file: the whole list.

The composition root calls :func:`build_registry` once and hands the result
to the router. Reading this file top to bottom tells a newcomer every entry
point of the bot; the order of the free-text and file handlers is the order
in which they are tried (after the person's open question, which always
comes first — see :mod:`handlers.core.conversation`).
"""

from __future__ import annotations

from handlers import answers
from handlers.core import help as help_
from handlers.core import language
from handlers.core.paging import next_page_button
from handlers.core.registry import Registry
from handlers.dossiers import alerts as dossier_alerts
from handlers.dossiers import commands as dossiers
from handlers.people import admin as people_admin
from handlers.people import invites, start
from handlers.people.permissions import Action, load_dossier, load_extension, load_self, load_work_item, refusal
from handlers.reporting import digest, documents
from handlers.scoring import assessments
from handlers.tasks import commands as tasks
from handlers.tasks import extension, progress, reminders, replying, review
from handlers.worktime import commands as worktime_commands


def _snooze_action(arg: str) -> str:
    """``snz:<ref>`` snoozes my own reminder; ``snz:unit:<ref>`` is a leader's nudge to the unit."""
    return Action.NUDGE_UNIT if arg.startswith(reminders.NUDGE_ARG) else Action.UPDATE_TASK


def _snoozed_item(session, arg: str):
    return load_work_item(session, arg.removeprefix(reminders.NUDGE_ARG))


def build_registry() -> Registry:
    r = Registry(stranger=start.on_stranger, authorize=refusal)

    # Commands: the Vietnamese name first, then the ASCII/English aliases.
    r.command("start", start.on_start)
    r.command(("huongdan", "help", "trogiup"), help_.help_reply)
    r.command(("viec", "nhiemvu", "tasks"), tasks.my_tasks)
    r.command(("hoso", "dossiers"), dossiers.my_dossiers)
    r.command(("baocao", "report"), digest.on_command)
    r.command("diem", assessments.on_command)
    r.command("moi", invites.on_command)
    r.command(("ngonngu", "language"), language.choose_language)
    r.command("ngaynghi", worktime_commands.on_command)
    r.command(("nguoi", "nhansu", "people"), people_admin.on_command)
    r.command("phutrach", people_admin.on_supervises)

    # Buttons that act on a task, a request or a dossier are checked first
    # (handlers.people.permissions); the others act on the presser's own state.
    r.button("done", progress.on_done, Action.UPDATE_TASK, load_work_item)
    r.button("upd", progress.on_update, Action.UPDATE_TASK, load_work_item)
    r.button("pct", progress.on_percent, Action.UPDATE_TASK, load_work_item)
    r.button("ext", extension.on_request, Action.UPDATE_TASK, load_work_item)
    r.button("snz", reminders.on_snooze, _snooze_action, _snoozed_item)
    r.button("exa", lambda ctx, arg: extension.on_decide(ctx, arg, approve=True), Action.DECIDE_EXTENSION, load_extension)
    r.button("exr", lambda ctx, arg: extension.on_decide(ctx, arg, approve=False), Action.DECIDE_EXTENSION, load_extension)
    r.button("apo", dossier_alerts.on_apology_sent, Action.RECORD_APOLOGY, load_dossier)
    r.button("imp", review.on_button, Action.IMPORT, load_self)
    r.button("doc", documents.on_button, Action.DOCUMENTS, load_self)
    r.button("adm", people_admin.on_button, Action.ADMINISTER, load_self)
    r.button("exs", extension.on_skip_reason)
    r.button("lang", language.set_language)
    r.button("clar", answers.on_clarify)
    r.button("more", next_page_button(r.pagers))

    # Questions the bot asked and waits for (handlers.core.conversation).
    r.flow(progress.FLOW, progress.on_update_answer)
    r.flow(extension.DATE_FLOW, extension.on_date_answer)
    r.flow(extension.REASON_FLOW, extension.on_reason_answer)
    r.flow(extension.REFUSAL_FLOW, extension.on_refusal_reason)

    # Free text, in order: a correction of the document under review ("mục 3: …", only while
    # one is under review); a reply to a reminder is progress, not a question.
    r.on_text("import_correction", review.handle_correction)
    r.on_text("reply", replying.on_reply)
    r.on_text("documents", documents.on_text)
    r.on_text("weekly_digest", digest.on_text)
    r.on_text("numbered_reply", replying.on_numbered)
    r.on_text("people_admin", people_admin.on_text)  # "ai chưa đăng ký" from the office
    r.on_text("question", answers.answer_text)  # always answers

    # Files: evidence for a reminder, else the office imports it.
    r.on_attachment("evidence", progress.on_reminder_file)
    r.on_attachment("import", review.handle_file)

    # "Xem thêm" pages of lists.
    r.pager("viec", lambda ctx, params, offset: tasks.my_tasks(ctx, params, offset))
    r.pager("hoso", lambda ctx, params, offset: dossiers.my_dossiers(ctx, params, offset))
    r.pager("q", answers.on_more)
    return r

