"""Composition root and command line of the CCHC assistant.

Only this file wires settings, database, core, channels and scheduler
together; every other module receives what it needs.
"""

from __future__ import annotations

import io
import json
import logging
import os
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Optional
from zoneinfo import ZoneInfo

import typer
from pydantic import ValidationError

from settings import PROJECT_ROOT, Settings, describe_error

app = typer.Typer(
    help="Trợ lý nhắc việc CCHC của Sở Khoa học và Công nghệ.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Quản lý cơ sở dữ liệu (migrate).", no_args_is_help=True)
app.add_typer(db_app, name="db")

DEMO_DB = Path(os.environ.get("DEMO_DB_PATH") or PROJECT_ROOT / "data" / "demo.db")
NowOption = Annotated[Optional[str], typer.Option("--now", help="Thời điểm giả lập, ISO (vd. 2026-11-23T09:00), giờ Việt Nam.")]


def load_settings(**overrides) -> Settings:
    """Settings from env/.env; invalid ones stop here with one clear line."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        typer.echo(describe_error(exc), err=True)
        raise typer.Exit(2)


def parse_now(value: str | None, tz_name: str) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        typer.echo(f"Thời điểm --now không hợp lệ: {value!r} (ví dụ đúng: 2026-11-23T09:00).", err=True)
        raise typer.Exit(2)
    return moment.replace(tzinfo=ZoneInfo(tz_name)) if moment.tzinfo is None else moment


def fixed_clock(moment: datetime | None):
    """A clock frozen at ``moment`` (one-shot commands), or real time."""
    return (lambda: moment) if moment else (lambda: datetime.now(timezone.utc))


def shifted_clock(moment: datetime | None):
    """A running clock that starts at ``moment`` (``run --now``), or real time.

    Unlike a frozen clock it keeps ticking, so a long-running bot started
    "as of" a past date still plans and sends reminders as time passes.
    """
    if moment is None:
        return lambda: datetime.now(timezone.utc)
    offset = moment - datetime.now(timezone.utc)
    return lambda: datetime.now(timezone.utc) + offset


def open_database(settings: Settings, migrate: bool = True):
    from models.db import make_engine, session_factory, upgrade
    from models.org_file import load_org

    engine = make_engine(settings.database_url)
    if migrate:
        upgrade(engine, org=load_org(settings.org_file))
    return engine, session_factory(engine)


def build_core(settings: Settings, factory, clock=None):
    from handlers.core.router import Core
    from handlers.features import build_registry

    return Core(factory, settings, build_registry(), clock=clock or fixed_clock(None))


# ---------------------------------------------------------------- demo


def _demo_person(factory, who: str) -> str | None:
    """Map --as to a demo person's console id: id, unit code, role, or stranger."""
    from sqlalchemy import select

    from models.org import Person, Role, Unit

    if who == "stranger":
        return "stranger"
    with factory() as session:
        if session.scalar(select(Person.id).where(Person.demo_key == who)):
            return who
        unit = session.scalar(select(Unit).where(Unit.code == who.upper()))
        if unit is not None:
            head = session.scalar(
                select(Person.demo_key).where(Person.unit_id == unit.id).order_by(
                    (Person.role != Role.HEAD), (Person.role != Role.LEADER), Person.id)
            )
            return head
        if who in {r.value for r in Role}:
            return session.scalar(select(Person.demo_key).where(Person.role == who).order_by(Person.id))
    return None


def prepare_demo(settings: Settings, now: datetime | None, reuse: bool):
    from handlers.demo.data import load_demo
    from models.db import transaction

    fresh = not (reuse and DEMO_DB.exists())
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{DEMO_DB}{suffix}").unlink(missing_ok=True)
    engine, factory = open_database(settings)
    if fresh:
        tz = ZoneInfo(settings.timezone)
        today = (now or datetime.now(timezone.utc)).astimezone(tz).date()
        with transaction(factory) as session:
            load_demo(session, today, tz)
    return engine, factory


@app.command()
def demo(
    as_: Annotated[Optional[str], typer.Option("--as", help="Bạn là ai: mã người demo, mã đơn vị (trưởng đơn vị), vai trò (leader, admin) hoặc stranger.")] = None,
    say: Annotated[Optional[str], typer.Option("--say", help="Gửi một tin nhắn, in câu trả lời rồi thoát.")] = None,
    now: NowOption = None,
    reuse: Annotated[bool, typer.Option("--reuse", help="Dùng lại CSDL demo đã có thay vì tạo mới.")] = False,
) -> None:
    """Chạy thử trên dữ liệu mẫu trong cửa sổ dòng lệnh (không cần Telegram)."""
    from bot.console.adapter import ConsoleChat
    from scheduler.senders import ConsoleSender

    settings = load_settings(database_url=f"sqlite:///{DEMO_DB}")
    moment = parse_now(now, settings.timezone)
    _, factory = prepare_demo(settings, moment, reuse=reuse)
    clock = fixed_clock(moment)
    core = build_core(settings, factory, clock)
    who = as_ or (None if say is None else "admin")
    if who is None:
        who = _pick_person_interactively(factory)
    sender = _demo_person(factory, who)
    if sender is None:
        typer.echo(f"Không tìm thấy người demo {who!r}. Thử: VP, TDC, leader, admin, stranger.", err=True)
        raise typer.Exit(2)
    chat = ConsoleChat(core.handle_sync, sender, record_sent=core.record_sent)
    others = io.StringIO()  # messages to other demo people: counted, not shown
    senders = {"console": ConsoleSender(stream=others, show=chat.show, only=sender)}
    if say is not None:
        _deliver_due_now(factory, settings, senders, clock())
        chat.say(say)
        return
    from scheduler.jobs import start_scheduler

    _deliver_due_now(factory, settings, senders, clock())
    if others.getvalue():
        typer.echo(f"(Trợ lý cũng đã gửi {others.getvalue().count(chr(10))} tin nhắn cho những người khác trong dữ liệu demo.)\n")
    handle = start_scheduler(factory, settings, senders, clock=clock)
    try:
        chat.loop()
    finally:
        handle.shutdown(wait=True)  # let a running dispatch round finish before the interpreter exits


def _deliver_due_now(factory, settings: Settings, senders, now: datetime) -> None:
    """Plan and send what is due at ``now`` (reminders the person would have received)."""
    import asyncio

    from scheduler.dispatcher import dispatch_until_empty
    from scheduler.planner import tick_once

    tick_once(factory, settings, now)
    asyncio.run(dispatch_until_empty(factory, settings, senders, clock=lambda: now))


def _pick_person_interactively(factory) -> str:
    from sqlalchemy import select

    from models.org import Person

    with factory() as session:
        people = [(p.demo_key, p.name, p.title or "", p.unit.code if p.unit else "")
                  for p in session.scalars(select(Person).order_by(Person.id))]
    typer.echo("Anh/chị muốn thử với tư cách ai?")
    for n, (_key, name, title, unit) in enumerate(people, start=1):
        typer.echo(f"  [{n}] {name} — {title} {unit}".rstrip())
    typer.echo(f"  [{len(people) + 1}] Người chưa đăng ký")
    choice = typer.prompt("Chọn số", default="1")
    if choice.isdigit() and 1 <= int(choice) <= len(people):
        return people[int(choice) - 1][0] or "admin"
    return "stranger"


# ---------------------------------------------------------------- ask


@app.command()
def ask(
    text: Annotated[Optional[str], typer.Argument(help="Câu hỏi, ví dụ: \"hồ sơ trễ hạn tháng này\".")] = None,
    now: NowOption = None,
    explain: Annotated[bool, typer.Option("--explain", help="Chỉ in cách bot hiểu câu hỏi (một đối tượng JSON).")] = False,
    batch: Annotated[Optional[Path], typer.Option("--batch", help="Tệp UTF-8, mỗi dòng một câu hỏi; in một JSON mỗi dòng.")] = None,
    as_: Annotated[str, typer.Option("--as", help="Hỏi với tư cách ai (trên CSDL demo).")] = "admin",
) -> None:
    """Đặt câu hỏi bằng tiếng Việt; --explain in kết quả phân tích dạng JSON."""
    from handlers.query import parse

    settings = load_settings()
    moment = parse_now(now, settings.timezone) or datetime.now(ZoneInfo(settings.timezone))
    local_now = moment.astimezone(ZoneInfo(settings.timezone)).replace(tzinfo=None)
    if batch is not None:
        if not batch.exists():
            typer.echo(f"Không tìm thấy tệp {batch}.", err=True)
            raise typer.Exit(2)
        for line in batch.read_text(encoding="utf-8").splitlines():
            typer.echo(json.dumps(parse(line, local_now).to_json(), ensure_ascii=False))
        return
    if text is None:
        typer.echo("Cần nhập câu hỏi, ví dụ: python main.py ask \"hồ sơ trễ hạn tháng này\" --explain", err=True)
        raise typer.Exit(2)
    if explain:
        typer.echo(json.dumps(parse(text, local_now).to_json(), ensure_ascii=False))
        return
    demo(as_=as_, say=text, now=now, reuse=DEMO_DB.exists())


# ---------------------------------------------------------------- imports and exports


def _read_input(path: Path) -> bytes:
    if not path.exists():
        typer.echo(f"Không tìm thấy tệp {path}.", err=True)
        raise typer.Exit(2)
    return path.read_bytes()


@app.command("import-conclusion")
def import_conclusion(
    file: Annotated[Path, typer.Argument(help="Kết luận: .txt, .docx hoặc .pdf có lớp chữ.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Chỉ đọc và in kết quả, không lưu.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="In kết quả dạng JSON (định dạng ổn định).")] = False,
) -> None:
    """Đọc Kết luận của Giám đốc Sở và tạo các nhiệm vụ."""
    from handlers.tasks.importers import ImportRejected, parse_conclusion, read_document
    from handlers.tasks.review import recurrence_label
    from handlers.tasks.store import content_hash, save_conclusion
    from models.db import transaction
    from models.org_file import load_org

    settings = load_settings()
    try:
        text = read_document(file.name, _read_input(file), max_bytes=settings.max_file_mb * 1024 * 1024)
    except ImportRejected as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2)
    draft = parse_conclusion(text, load_org(settings.org_file))
    if as_json:
        typer.echo(json.dumps(draft.to_json(), ensure_ascii=False, indent=None))
    else:
        typer.echo(f"Kết luận {draft.doc.number or '(chưa có số)'} — {len(draft.tasks)} nhiệm vụ:")
        for t in draft.tasks:
            deadline = f"{t.deadline:%d/%m/%Y}" if t.deadline else (recurrence_label(t.recurrence) if t.recurrence else "không thời hạn")
            typer.echo(f"  [{t.ref}] {', '.join(t.lead_units) or ('các đơn vị' if t.all_units else '—')} · {deadline} — {t.content[:90]}")
        for warning in draft.warnings:
            typer.echo(f"  Lưu ý: {warning}")
    if dry_run:
        return
    _, factory = open_database(settings)
    tz = ZoneInfo(settings.timezone)
    with transaction(factory) as session:
        result = save_conclusion(session, draft, content_hash(text), file.name, datetime.now(tz).date())
    message = ("Văn bản này đã được nhập trước đây; không có thay đổi." if result.unchanged else
               f"Đã lưu: {len(result.created)} nhiệm vụ mới, {len(result.updated)} cập nhật, {len(result.removed)} bị bỏ.")
    typer.echo(message, err=as_json)


@app.command("import-tasks")
def import_tasks(file: Annotated[Path, typer.Argument(help="Danh sách nhiệm vụ .xlsx (STT, Nội dung nhiệm vụ, Đơn vị chủ trì, …).")]) -> None:
    """Nhập danh sách nhiệm vụ từ Excel; dòng lỗi được báo theo số dòng."""
    from handlers.tasks.importers import read_task_sheet
    from handlers.tasks.store import save_task_rows
    from models.db import transaction
    from models.org_file import load_org

    settings = load_settings()
    sheet = read_task_sheet(_read_input(file), load_org(settings.org_file))
    _, factory = open_database(settings)
    with transaction(factory) as session:
        saved = save_task_rows(session, sheet.rows, datetime.now(ZoneInfo(settings.timezone)).date())
    typer.echo(f"{file.name}: {saved.created} nhiệm vụ mới, {saved.updated} cập nhật, {saved.unchanged} không đổi, {len(sheet.errors)} dòng lỗi.")
    for error in sheet.errors:
        typer.echo(f"  {error.reason}")


@app.command("export-tasks")
def export_tasks(out: Annotated[Path, typer.Option("--out", help="Tệp .xlsx sẽ ghi.")] = Path("nhiem-vu.xlsx")) -> None:
    """Xuất danh sách nhiệm vụ ra Excel theo mẫu của Văn phòng."""
    from handlers.tasks.importers import write_task_sheet
    from handlers.tasks.store import export_rows
    from models.org_file import load_org

    settings = load_settings()
    _, factory = open_database(settings)
    with factory() as session:
        rows = export_rows(session)
    out.write_bytes(write_task_sheet(rows, "DANH SÁCH NHIỆM VỤ", load_org(settings.org_file)))
    typer.echo(f"Đã ghi {len(rows)} nhiệm vụ vào {out}.")


@app.command("import-dossiers")
def import_dossiers(file: Annotated[Path, typer.Argument(help="Tệp xuất từ hệ thống một cửa: .xlsx hoặc .csv.")]) -> None:
    """Nhập danh sách hồ sơ TTHC; nhập lại không tạo trùng, chỉ cập nhật thay đổi."""
    from handlers.dossiers.store import processing_days, upsert_dossiers
    from handlers.dossiers.export_reader import read_dossier_export
    from handlers.core.format import calendar
    from models.db import transaction

    settings = load_settings()
    data = _read_input(file)
    _, factory = open_database(settings)
    with transaction(factory) as session:
        result = read_dossier_export(file.name, data, calendar=calendar(), processing_days=processing_days(session))
        stats = upsert_dossiers(session, result.records, ZoneInfo(settings.timezone))
    typer.echo(f"{file.name}: {stats.added} hồ sơ mới, {stats.updated} cập nhật, {stats.unchanged} không đổi, {len(result.errors)} dòng lỗi.")
    if result.errors or result.duplicates_in_file:
        typer.echo(result.summary_vi(max_errors=50))


def _office_database(settings: Settings, moment: datetime | None):
    """The configured database. Only when no DATABASE_URL was given and the
    default database is still empty (a first try after installing) does it
    use the demo database instead, and says so on stderr."""
    from sqlalchemy import func, select

    from models.dossiers import Dossier
    from models.tasks import Task

    _, factory = open_database(settings)
    if "database_url" in settings.model_fields_set:
        return factory
    with factory() as session:
        empty = not session.scalar(select(func.count(Task.id))) and not session.scalar(select(func.count(Dossier.id)))
    if not empty:
        return factory
    typer.echo(f"CSDL chưa có nhiệm vụ nào; dùng dữ liệu demo ({DEMO_DB}).", err=True)
    demo_settings = settings.model_copy(update={"database_url": f"sqlite:///{DEMO_DB}"})
    _, demo_factory = prepare_demo(demo_settings, moment, reuse=True)
    return demo_factory


def _period_report(period: str, now: str | None):
    from handlers.reporting.period_data import build_period_report

    settings = load_settings()
    moment = parse_now(now, settings.timezone) or datetime.now(ZoneInfo(settings.timezone))
    factory = _office_database(settings, moment)
    try:
        with factory() as session:
            return build_period_report(session, period, moment, settings)
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2)


@app.command()
def report(
    period: Annotated[str, typer.Option("--period", help="Kỳ báo cáo: 2026-H1, 2026-H2, 2026-Q3, 2026-11, 2026.")],
    out: Annotated[Path, typer.Option("--out", help="Tệp .docx sẽ ghi.")] = Path("bao-cao-cchc.docx"),
    now: NowOption = None,
) -> None:
    """Dự thảo báo cáo CCHC định kỳ (.docx) với số liệu điền sẵn."""
    from handlers.reporting import write_report_docx

    built = _period_report(period, now)
    out.write_bytes(write_report_docx(built.data))
    typer.echo(f"Đã ghi dự thảo báo cáo {built.label} vào {out}.")


@app.command("export-stats")
def export_stats(
    period: Annotated[str, typer.Option("--period", help="Kỳ: 2026-H1, 2026-Q3, 2026-11, 2026.")],
    out: Annotated[Path, typer.Option("--out", help="Tệp .xlsx sẽ ghi.")] = Path("so-lieu-tthc.xlsx"),
    now: NowOption = None,
) -> None:
    """Xuất số liệu tiếp nhận, giải quyết hồ sơ TTHC ra Excel."""
    from handlers.reporting import write_stats_xlsx

    built = _period_report(period, now)
    out.write_bytes(write_stats_xlsx(built.figures, built.by_unit, built.by_field, built.label))
    typer.echo(f"Đã ghi số liệu {built.label} vào {out}.")


@app.command()
def digest(
    out: Annotated[Path, typer.Option("--out", help="Thư mục ghi bao-cao-tuan.txt và bao-cao-tuan.png.")] = Path("."),
    now: NowOption = None,
) -> None:
    """Viết báo cáo tuần cho Lãnh đạo Sở (văn bản + biểu đồ) mà không gửi."""
    from handlers.reporting.digest import write_digest

    settings = load_settings()
    moment = parse_now(now, settings.timezone) or datetime.now(timezone.utc)
    factory = _office_database(settings, moment)
    out.mkdir(parents=True, exist_ok=True)
    text_path, png_path = write_digest(factory, settings, moment, out)
    typer.echo(f"Đã ghi {text_path} và {png_path}.")


@app.command()
def score(
    code: Annotated[Optional[str], typer.Argument(help="Mã tiêu chí thành phần, ví dụ 1.3.1 (bỏ trống để xem các tiêu chí chưa có điểm).")] = None,
    points: Annotated[Optional[str], typer.Argument(help="Điểm tự chấm hoặc điểm khảo sát, ví dụ 0,75.")] = None,
    evidence: Annotated[Optional[str], typer.Option("--evidence", help="Tài liệu kiểm chứng, ví dụ \"KH 59/KH-SKHCN\".")] = None,
) -> None:
    """Nhập điểm tự chấm (kèm tài liệu kiểm chứng) hoặc điểm khảo sát của tỉnh."""
    from handlers.scoring.assessments import ScoreRejected, enter_score, framework_for, missing_codes, parse_points
    from models.db import transaction

    settings = load_settings()
    _, factory = open_database(settings)
    framework = framework_for(settings)
    now = datetime.now(timezone.utc)
    year = now.astimezone(ZoneInfo(settings.timezone)).year
    if code is None:
        with factory() as session:
            missing = missing_codes(session, framework, year)
        typer.echo(f"{framework.name}: {len(missing)} tiêu chí chưa có điểm năm {year}.")
        for c, name, mx in missing:
            typer.echo(f"  {c} {name} (tối đa {mx:g})")
        return
    value = parse_points(points or "")
    if value is None:
        typer.echo(f"Điểm không hợp lệ: {points!r} (ví dụ 0,75).", err=True)
        raise typer.Exit(2)
    try:
        with transaction(factory) as session:
            entered = enter_score(session, framework, year, code, value, [evidence] if evidence else [], None, now)
    except ScoreRejected as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2)
    typer.echo(f"Đã ghi {entered.code} {entered.name}: {entered.points:g}/{entered.max_points:g}.")


@app.command("i18n")
def i18n_update() -> None:
    """Cập nhật tệp dịch (locales/) sau khi sửa câu chữ trong mã nguồn."""
    from handlers.text.catalog import update

    missing = update(PROJECT_ROOT)
    typer.echo(f"Đã cập nhật locales/. Chưa dịch sang tiếng Việt: {len(missing['vi'])}.")
    for msgid in missing["vi"]:
        typer.echo(f"  {msgid}")


# ---------------------------------------------------------------- run


@app.command()
def run(now: NowOption = None) -> None:
    """Chạy bot trên Telegram và/hoặc Zalo (polling hoặc webhook) cùng bộ lập lịch nhắc việc."""
    settings = load_settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if settings.telegram_bot_token is None and settings.zalo_bot_token is None:
        typer.echo(
            "Chưa có TELEGRAM_BOT_TOKEN (hoặc ZALO_BOT_TOKEN): đặt biến môi trường này (hoặc trong tệp .env) bằng token "
            "lấy từ @BotFather, hoặc chạy thử không cần token bằng: python main.py demo"
        )
        raise typer.Exit(1)
    import asyncio

    clock = shifted_clock(parse_now(now, settings.timezone))
    _, factory = open_database(settings)
    core = build_core(settings, factory, clock)
    asyncio.run(_serve_channels(settings, factory, core, clock))


def _channel_hooks(core, channel: str) -> dict:
    """What every messenger adapter needs from the core besides ``handle``."""
    import asyncio

    def on_sent(chat_id: str, message_ids: list[str], reply) -> None:
        if reply.context_ref and message_ids:
            core.record_sent(channel, chat_id, message_ids[-1], reply.context_ref)

    async def on_undelivered(chat_id: str, reply) -> bool:
        return await asyncio.to_thread(core.defer_reply, channel, chat_id, reply)

    async def still_waiting(chat_id: str) -> bool:
        return await asyncio.to_thread(core.has_deferred, channel, chat_id)

    return {"on_sent": on_sent, "on_undelivered": on_undelivered, "still_waiting": still_waiting}


async def _serve_channels(settings: Settings, factory, core, clock) -> None:
    """Every configured messenger in one event loop, sharing the core and the
    outbound scheduler; stops cleanly on Ctrl-C or SIGTERM."""
    import asyncio
    import signal

    from scheduler.jobs import start_scheduler

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    senders: dict = {}
    jobs: list = []

    def started(channel: str):
        def on_started(adapter) -> None:
            senders[channel] = adapter  # the dispatcher looks channels up at send time
            if not jobs:
                jobs.append(start_scheduler(factory, settings, senders, clock=clock, loop=loop))
        return on_started

    serving = []
    if settings.telegram_bot_token is not None:
        from bot.telegram.runner import serve_telegram

        serving.append(serve_telegram(settings, core.handle, started("telegram"), stop_event=stop,
                                      **_channel_hooks(core, "telegram")))
    if settings.zalo_bot_token is not None:
        from bot.zalo import serve_zalo

        # One webhook port: when Telegram uses it, Zalo polls.
        zalo_options = {"use_webhook": False} if settings.telegram_bot_token is not None else {}
        serving.append(serve_zalo(settings, core.handle, started("zalo"), stop_event=stop,
                                  memory_store=core.channel_memory("zalo"), **_channel_hooks(core, "zalo"),
                                  **zalo_options))
    try:
        await asyncio.gather(*serving)
    finally:
        for handle in jobs:
            handle.shutdown()


# ---------------------------------------------------------------- invites and database


@app.command()
def invite(
    unit: Annotated[Optional[str], typer.Option(help="Mã đơn vị (VP, TTRA, QLKH, QLCN, KHTC, TDC, TTUD, BGD).")] = None,
    role: Annotated[str, typer.Option(help="Vai trò: leader, head, deputy_head, staff, admin.")] = "head",
    name: Annotated[str, typer.Option(help="Họ và tên người được mời.")] = "",
    title: Annotated[Optional[str], typer.Option(help="Chức vụ.")] = None,
    supervises: Annotated[Optional[str], typer.Option(help="Với Phó Giám đốc: các đơn vị phụ trách, cách nhau bằng dấu phẩy.")] = None,
) -> None:
    """Tạo mã mời dùng một lần để một người đăng ký với bot."""
    from handlers.people.registration import create_invite, deep_link
    from models.db import transaction

    if not name.strip():
        typer.echo("Cần nhập họ tên: --name \"Nguyễn Văn A\".", err=True)
        raise typer.Exit(2)
    settings = load_settings()
    _, factory = open_database(settings)
    try:
        with transaction(factory) as session:
            created = create_invite(
                session, name=name, role=role, unit_code=unit, now=datetime.now(timezone.utc),
                valid_days=settings.invite_valid_days, title=title,
                supervises=[s.strip() for s in supervises.split(",")] if supervises else None,
            )
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2)
    expires = created.expires_at.astimezone(ZoneInfo(settings.timezone))
    typer.echo(f"Mã mời: {created.code} (dùng một lần, hết hạn {expires:%d/%m/%Y %H:%M})")
    link = deep_link(created.code, settings.telegram_bot_username)
    if settings.telegram_bot_username:
        typer.echo(f"Gửi cho người được mời liên kết: {link}")
    else:
        typer.echo(f"Tham số liên kết Telegram: {link} (đặt TELEGRAM_BOT_USERNAME để in liên kết đầy đủ)")
    typer.echo(f"Hoặc người được mời nhắn cho bot (Telegram, Zalo): /start {created.code}")


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Tạo/cập nhật bảng; CSDL trống được nạp sơ đồ tổ chức mặc định."""
    from models.db import make_engine, table_names, upgrade
    from models.org_file import load_org

    settings = load_settings()
    engine = make_engine(settings.database_url)
    upgrade(engine, revision, org=load_org(settings.org_file))
    typer.echo(f"Đã cập nhật CSDL: {len(table_names(engine))} bảng.")


@db_app.command("downgrade")
def db_downgrade(revision: str = "base") -> None:
    """Hạ phiên bản CSDL (mặc định: xóa toàn bộ bảng)."""
    from models.db import downgrade, make_engine

    settings = load_settings()
    downgrade(make_engine(settings.database_url), revision)
    typer.echo(f"Đã hạ CSDL về phiên bản {revision}.")


if __name__ == "__main__":
    app()
