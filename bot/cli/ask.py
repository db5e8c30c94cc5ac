"""`ask`: a question in Vietnamese, answered on the demo data, or how it is understood (--explain)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated, Optional
from zoneinfo import ZoneInfo

import typer

from bot.cli.common import NowOption, parse_now, read_input
from bot.cli.demo import run_demo
from bot.cli.errors import CliError
from bot.cli.root import Root


def register(app: typer.Typer, root: Root) -> None:
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


        settings = root.load_settings()
        given = parse_now(now, settings.timezone)
        moment = given or datetime.now(ZoneInfo(settings.timezone))
        local_now = moment.astimezone(ZoneInfo(settings.timezone)).replace(tzinfo=None)
        if batch is not None:
            try:
                lines = read_input(batch, "văn bản UTF-8, mỗi dòng một câu hỏi").decode("utf-8").splitlines()
            except UnicodeDecodeError:
                raise CliError(f"Tệp {batch} không phải văn bản UTF-8. Lưu lại với bảng mã UTF-8 rồi chạy lại.") from None
            for line in lines:
                typer.echo(json.dumps(parse(line, local_now).to_json(), ensure_ascii=False))
            return
        if text is None or not text.strip():
            raise CliError("Cần nhập câu hỏi, ví dụ: python3 main.py ask \"hồ sơ trễ hạn tháng này\" --explain")
        if explain:
            typer.echo(json.dumps(parse(text, local_now).to_json(), ensure_ascii=False))
            return
        run_demo(root, settings, who=as_, says=[text], file=None, now=given,
                 reuse=settings.demo_db_path.exists())
