"""Which features answer commands, buttons, free text and files, in priority order.

Kept apart from the router so the router stays a dispatcher and each
feature can be switched on here in one line.

Free-text order matters: a pending question the bot asked (an extension
date, a progress figure) is answered first; then a reply to a reminder is
taken as progress; then "báo cáo tuần". Other features (the question parser)
should be appended after these, so a reply such as "xong 80%" under a
reminder is never mistaken for a question.
"""

from __future__ import annotations

_installed = False


def install_features() -> None:
    """Register feature handlers with the router once per process."""
    global _installed
    if _installed:
        return
    _installed = True
    from handlers.reporting import digest
    from handlers.dossiers import alerts as dossier_alerts
    from handlers.tasks import extension
    from handlers.tasks import progress
    from handlers.tasks import reminders
    from handlers.core import router
    from handlers.people import admin as people_admin

    router.COMMANDS.update({"baocao": digest.on_command, "report": digest.on_command})
    router.COMMANDS.update({"nguoi": people_admin.on_command, "nhansu": people_admin.on_command,
                            "people": people_admin.on_command, "phutrach": people_admin.on_supervises})
    router.BUTTONS.update({
        "done": progress.on_done,
        "upd": progress.on_update,
        "pct": progress.on_percent,
        "ext": extension.on_request,
        "exs": extension.on_skip_reason,
        "exa": lambda ctx, arg: extension.on_decide(ctx, arg, approve=True),
        "exr": lambda ctx, arg: extension.on_decide(ctx, arg, approve=False),
        "snz": reminders.on_snooze,
        "apo": dossier_alerts.on_apology_sent,
        "adm": people_admin.on_button,  # the office manages people (checks the role itself)
    })
    router.FREE_TEXT[:0] = [extension.on_text, progress.on_text, digest.on_text]
    router.ATTACHMENTS[:0] = [progress.on_file]
    router.FREE_TEXT.append(people_admin.on_text)  # "ai chưa đăng ký" from the office

