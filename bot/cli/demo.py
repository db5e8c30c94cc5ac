"""`demo`: the whole chat in a terminal, on the demo data, as any demo person.

Scripts send a file with ``--file`` and lines with ``--say`` (repeatable);
people type, ``/tep PATH`` sends a file, and files the bot sends are saved
under ``data/demo-out/``.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Optional

import typer

from bot.cli.common import NowOption, fixed_clock, open_demo, parse_now
from bot.cli.errors import CliError, _
from bot.cli.root import Root
from settings import Settings


def _pick_person(factory) -> str:
    """Ask who the person wants to be until the answer is one of the numbers shown."""
    from handlers.demo.setup import demo_people

    with factory() as session:
        people = demo_people(session)
    typer.echo(_("Who would you like to try it as?"))
    for n, p in enumerate(people, start=1):
        typer.echo(f"  [{n}] {p.name} — {p.title} {p.unit}".rstrip())
    stranger = len(people) + 1
    typer.echo(f"  [{stranger}] " + _("Unregistered person"))
    while True:
        choice = typer.prompt(_("Choose a number"), default="1").strip()
        if choice.isdigit() and 1 <= int(choice) <= len(people):
            return people[int(choice) - 1].key
        if choice == str(stranger):
            return "stranger"
        typer.echo(_("There is no number {choice}. Please choose a number from 1 to {last}.").format(
            choice=choice, last=stranger))


def run_demo(root: Root, settings: Settings, *, who: str | None, says: list[str] | None, file: Path | None,
             now: datetime | None, reuse: bool) -> None:
    """Open (or rebuild) the demo data and chat as ``who``; with ``says``/``file``, send them and exit."""
    from bot.console.adapter import ConsoleChat
    from handlers.demo.setup import demo_person_key, person_label, working_morning
    from handlers.text.i18n import fmt_date
    from handlers.worktime.calendar import WorkCalendar
    from handlers.worktime.commands import sync_office_days

    if file is not None and not file.is_file():
        raise CliError(_("File {path} to send (--file) was not found. Check the path.").format(path=file))
    calendar = WorkCalendar.from_settings(settings)
    moment = now or working_morning(datetime.now(timezone.utc), calendar)
    scripted = says is not None or file is not None
    local = moment.astimezone(calendar.tz)
    when = f"{local:%H:%M} {fmt_date(local, weekday=True)}"
    db = open_demo(root, settings, moment, reuse=reuse, note=_("simulated time {when}").format(when=when))
    factory = db.factory
    with factory() as session:
        sync_office_days(session)  # days the office added in chat count
    who = who or ("admin" if scripted else _pick_person(factory))
    with factory() as session:
        sender = demo_person_key(session, who)
        label = person_label(session, sender) if sender else ""
    if sender is None:
        raise CliError(_("There is no demo person {who}. Try: VP, TDC, leader, admin, stranger "
                         "(or leave out --as to choose from the list).").format(who=repr(who)))
    clock = fixed_clock(moment)
    core = root.build_core(db.settings, factory, clock)
    chat = ConsoleChat(core.handle_sync, sender, record_sent=core.record_sent, files_dir=settings.demo_out_dir)
    if not scripted:
        if now:
            typer.echo(_("You are {person}. Simulated time: {when}.").format(person=label, when=when))
        else:
            typer.echo(_("You are {person}. Simulated time: {when} (the nearest working hour, so that reminders "
                         "show at once; change it with --now).").format(person=label, when=when))
        typer.echo(_("Files the assistant sends are saved in {folder}.").format(folder=settings.demo_out_dir) + "\n")
    others, stop = root.console_delivery(db.settings, factory, clock, chat.show, sender, not scripted)
    try:
        if scripted:
            if file is not None:
                chat.send_file(file)
            for line in says or []:
                chat.say(line)
        else:
            if others:
                typer.echo(_("(The assistant also sent messages to other people in the demo data: {count}.)")
                           .format(count=others) + "\n")
            chat.loop(prompt=lambda: f"{label} · {clock().astimezone(calendar.tz):%H:%M %d/%m} > ")
    finally:
        stop()
    db.announce()


def register(app: typer.Typer, root: Root) -> None:
    @app.command()
    def demo(
        as_: Annotated[Optional[str], typer.Option(
            "--as", help="Bạn là ai: mã người demo, mã đơn vị (trưởng đơn vị), vai trò (leader, admin) hoặc stranger.")] = None,
        say: Annotated[Optional[list[str]], typer.Option(
            "--say", help="Gửi một tin nhắn (dùng nhiều lần để gửi nhiều tin), in câu trả lời rồi thoát.")] = None,
        file: Annotated[Optional[Path], typer.Option(
            "--file", help="Gửi một tệp (Kết luận, danh sách .xlsx…) trước các tin --say, rồi thoát.")] = None,
        now: NowOption = None,
        reuse: Annotated[bool, typer.Option("--reuse", help="Dùng lại CSDL demo đã có thay vì tạo mới.")] = False,
    ) -> None:
        """Chạy thử trên dữ liệu mẫu trong cửa sổ dòng lệnh (không cần Telegram)."""
        settings = root.load_settings()
        run_demo(root, settings, who=as_, says=say, file=file, now=parse_now(now, settings.timezone), reuse=reuse)
