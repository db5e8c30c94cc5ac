"""`ask`: a question in Vietnamese, answered on the demo data, or how it is understood (--explain);
with --reply, how a reply to a reminder is understood (the contract object of handlers.tasks.replies)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated, Optional
from zoneinfo import ZoneInfo

import typer

from bot.cli.common import NowOption, parse_now, read_input
from bot.cli.demo import run_demo
from bot.cli.errors import CliError, _
from bot.cli.root import Root


def register(app: typer.Typer, root: Root) -> None:
    @app.command()
    def ask(
        text: Annotated[Optional[str], typer.Argument(help="Câu hỏi, ví dụ: \"hồ sơ trễ hạn tháng này\".")] = None,
        now: NowOption = None,
        explain: Annotated[bool, typer.Option("--explain", help="Chỉ in cách bot hiểu câu hỏi (một đối tượng JSON).")] = False,
        batch: Annotated[Optional[Path], typer.Option("--batch", help="Tệp UTF-8, mỗi dòng một câu hỏi; in một JSON mỗi dòng.")] = None,
        as_: Annotated[str, typer.Option("--as", help="Hỏi với tư cách ai (trên CSDL demo).")] = "admin",
        reply: Annotated[bool, typer.Option(
            "--reply", help="Hiểu câu như lời đáp nhắc việc (tiến độ %, xin gia hạn, đã xong…): in JSON "
                            "{intent, percent, until}; --explain thêm quy tắc đã khớp.")] = False,
    ) -> None:
        """Đặt câu hỏi bằng tiếng Việt; --explain in kết quả phân tích dạng JSON; --reply: hiểu lời đáp nhắc việc."""
        from handlers.query import parse
        from handlers.tasks.replies import parse_replies, parse_reply

        settings = root.load_settings()
        given = parse_now(now, settings.timezone)
        moment = given or datetime.now(ZoneInfo(settings.timezone))
        local_now = moment.astimezone(ZoneInfo(settings.timezone)).replace(tzinfo=None)
        if batch is not None:
            try:
                lines = read_input(batch, _("UTF-8 text, one question per line")).decode("utf-8").splitlines()
            except UnicodeDecodeError:
                raise CliError(_("File {path} is not UTF-8 text. Save it again in UTF-8 and run once more.").format(
                    path=batch)) from None
            if reply:
                objects = ([parse_reply(line, local_now).explained() for line in lines] if explain
                           else parse_replies(lines, local_now))
                for obj in objects:
                    typer.echo(json.dumps(obj, ensure_ascii=False))
                return
            for line in lines:
                typer.echo(json.dumps(parse(line, local_now).to_json(), ensure_ascii=False))
            return
        if reply:
            if text is None:
                raise CliError(_("Type a reply, for example: {example}").format(
                    example='python3 main.py ask --reply "xong 80% rồi ạ"'))
            understood = parse_reply(text, local_now)
            typer.echo(json.dumps(understood.explained() if explain else understood.to_json(), ensure_ascii=False))
            return
        if text is None or not text.strip():
            raise CliError(_("Type a question, for example: {example}").format(
                example='python3 main.py ask "hồ sơ trễ hạn tháng này" --explain'))
        if explain:
            typer.echo(json.dumps(parse(text, local_now).to_json(), ensure_ascii=False))
            return
        run_demo(root, settings, who=as_, says=[text], file=None, now=given,
                 reuse=settings.demo_db_path.exists())
