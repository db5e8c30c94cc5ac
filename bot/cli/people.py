"""People and the database itself: `invite`, `people`, `deactivate`, `reactivate`, `db upgrade`, `db downgrade`."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Annotated, Optional
from zoneinfo import ZoneInfo

import typer

from bot.cli.common import NowOption, open_real, parse_now, safe_url
from bot.cli.errors import CliError, say_error
from bot.cli.root import Root

ROLE_HELP = "truong|head, pho|deputy_head, lanhdao|leader, vanphong|admin, chuyenvien|staff"


def register(app: typer.Typer, root: Root) -> None:
    db_app = typer.Typer(help="Quản lý cơ sở dữ liệu (migrate).", no_args_is_help=True)
    app.add_typer(db_app, name="db")

    @app.command()
    def invite(
        unit: Annotated[Optional[str], typer.Option(
            help="Mã đơn vị (VP, TTRA, QLKH, QLCN, KHTC, TDC, TTUD, BGD).")] = None,
        role: Annotated[str, typer.Option(help=f"Vai trò: {ROLE_HELP}.")] = "truong",
        name: Annotated[str, typer.Option(help="Họ và tên người được mời.")] = "",
        title: Annotated[Optional[str], typer.Option(help="Chức vụ.")] = None,
        supervises: Annotated[Optional[str], typer.Option(
            help="Với Phó Giám đốc: các đơn vị phụ trách, cách nhau bằng dấu phẩy.")] = None,
    ) -> None:
        """Tạo mã mời dùng một lần để một người đăng ký với bot."""
        from handlers.people.invites import ROLE_CHOICES, role_from_word
        from handlers.people.registration import create_invite, deep_link


        if not name.strip():
            raise CliError("Cần nhập họ tên người được mời, ví dụ: --name \"Nguyễn Văn A\".")
        chosen = role_from_word(role)
        if chosen is None:
            raise CliError(f"Vai trò không hợp lệ: {role!r}. Chọn một trong: {ROLE_CHOICES}.")
        settings = root.load_settings()
        db = open_real(root, settings)
        try:
            with db.factory() as session, session.begin():
                created = create_invite(
                    session, name=name, role=chosen.value, unit_code=unit, now=datetime.now(timezone.utc),
                    valid_days=settings.invite_valid_days, title=title,
                    supervises=[s for s in supervises.split(",") if s.strip()] if supervises else None,
                )
        except ValueError as exc:  # unknown unit, worded by create_invite
            raise CliError(str(exc)) from None
        expires = created.expires_at.astimezone(ZoneInfo(settings.timezone))
        typer.echo(f"Mã mời: {created.code} (dùng một lần, hết hạn {expires:%d/%m/%Y %H:%M})")
        link = deep_link(created.code, settings.telegram_bot_username)
        if settings.telegram_bot_username:
            typer.echo(f"Gửi cho người được mời liên kết: {link}")
        else:
            typer.echo(f"Tham số liên kết Telegram: {link} (đặt TELEGRAM_BOT_USERNAME để in liên kết đầy đủ)")
        typer.echo(f"Hoặc người được mời nhắn cho bot (Telegram, Zalo): /start {created.code}")
        db.announce()

    @app.command()
    def people(now: NowOption = None) -> None:
        """Danh sách người dùng: đã đăng ký, chưa đăng ký (mã mời còn hạn), mã mời hết hạn, đã ngừng hoạt động."""
        from handlers.people.admin import people_report

        settings = root.load_settings()
        moment = parse_now(now, settings.timezone) or datetime.now(timezone.utc)
        db = open_real(root, settings)
        with db.factory() as session:
            typer.echo(re.sub(r"^\*(.+)\*$", r"\1", people_report(session, moment), flags=re.M))  # chat bold → plain
        db.announce()

    def change(ref: str, action) -> None:
        settings = root.load_settings()
        db = open_real(root, settings)
        try:
            with db.factory() as session, session.begin():
                line = action(session, ref, datetime.now(timezone.utc))
        except ValueError as exc:  # no such person, or several: worded by find_person
            raise CliError(str(exc)) from None
        typer.echo(line)
        db.announce()

    @app.command()
    def deactivate(ref: Annotated[str, typer.Argument(help="Số người dùng (xem lệnh people) hoặc họ tên đầy đủ.")]) -> None:
        """Ngừng hoạt động một người: không nhận nhắc việc, không xem được dữ liệu (lịch sử được giữ)."""
        from handlers.people import admin

        change(ref, admin.deactivate)

    @app.command()
    def reactivate(ref: Annotated[str, typer.Argument(help="Số người dùng (xem lệnh people) hoặc họ tên đầy đủ.")]) -> None:
        """Kích hoạt lại một người đã ngừng hoạt động, cùng tài khoản nhắn tin và lịch sử."""
        from handlers.people import admin

        change(ref, admin.reactivate)

    @db_app.command("upgrade")
    def db_upgrade(revision: str = "head") -> None:
        """Tạo/cập nhật bảng; CSDL trống được nạp sơ đồ tổ chức mặc định."""
        settings = root.load_settings()
        tables = root.upgrade_database(settings, revision)
        typer.echo(f"Đã cập nhật CSDL: {tables} bảng.")
        say_error(f"(CSDL thật: {safe_url(settings.database_url)})")

    @db_app.command("downgrade")
    def db_downgrade(revision: str = "base") -> None:
        """Hạ phiên bản CSDL (mặc định: xóa toàn bộ bảng)."""
        settings = root.load_settings()
        root.downgrade_database(settings, revision)
        typer.echo(f"Đã hạ CSDL về phiên bản {revision}.")
        say_error(f"(CSDL thật: {safe_url(settings.database_url)})")
