"""People and the database itself: `invite`, `people`, `deactivate`, `reactivate`, `db upgrade`, `db downgrade`."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Annotated, Optional
from zoneinfo import ZoneInfo

import typer

from bot.cli.common import NowOption, open_real, parse_now, real_database_line
from bot.cli.errors import CliError, _, say_error
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
            raise CliError(_("Type the full name of the person invited, for example: {example}.").format(
                example='--name "Nguyễn Văn A"'))
        chosen = role_from_word(role)
        if chosen is None:
            raise CliError(_("The role is not valid: {role}. Choose one of: {choices}.").format(
                role=repr(role), choices=ROLE_CHOICES))
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
        typer.echo(_("Invitation code: {code} (single use, expires {expires})").format(
            code=created.code, expires=f"{expires:%d/%m/%Y %H:%M}"))
        link = deep_link(created.code, settings.telegram_bot_username)
        if settings.telegram_bot_username:
            typer.echo(_("Send the person invited this link: {link}").format(link=link))
        else:
            typer.echo(_("Telegram link parameter: {link} (set TELEGRAM_BOT_USERNAME to print the full link)").format(
                link=link))
        typer.echo(_("Or the person invited messages the bot (Telegram, Zalo): {command}").format(
            command=f"/start {created.code}"))
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
        typer.echo(_("Database updated: {count} tables.").format(count=tables))
        say_error(real_database_line(settings))

    @db_app.command("downgrade")
    def db_downgrade(revision: str = "base") -> None:
        """Hạ phiên bản CSDL (mặc định: xóa toàn bộ bảng)."""
        settings = root.load_settings()
        root.downgrade_database(settings, revision)
        typer.echo(_("Database taken back to revision {revision}.").format(revision=revision))
        say_error(real_database_line(settings))
