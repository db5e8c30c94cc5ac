"""Reports and scores: the PAR report draft, the statistics sheet, the weekly digest, self-assessment."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Optional
from zoneinfo import ZoneInfo

import typer

from bot.cli.common import NowOption, open_office, open_real, parse_now, writable_file, writable_folder
from bot.cli.errors import CliError, _
from bot.cli.root import Root

PeriodOption = Annotated[str, typer.Option("--period", help="Kỳ: 2026-H1, 2026-H2, 2026-Q3, 2026-11, 2026.")]


def register(app: typer.Typer, root: Root) -> None:
    def period_report(period: str, now: str | None, out: Path, kind: str, also: Path | None = None):
        from handlers.reporting.period_data import build_period_report, reportable_period
        from handlers.worktime.commands import sync_office_days

        settings = root.load_settings()
        tz = ZoneInfo(settings.timezone)
        moment = parse_now(now, settings.timezone) or datetime.now(tz)
        try:
            reportable_period(period, moment.astimezone(tz).date())
        except ValueError as exc:  # a malformed or future period, worded for the office
            raise CliError(str(exc)) from None
        writable_file(out, kind)
        if also is not None:
            writable_file(also, kind)
        db = open_office(root, settings, moment)
        with db.factory() as session:
            sync_office_days(session)  # days the office added in chat count
            return build_period_report(session, period, moment, settings), db

    @app.command()
    def report(
        period: PeriodOption,
        out: Annotated[Path, typer.Option("--out", help="Tệp .docx sẽ ghi.")] = Path("bao-cao-cchc.docx"),
        internal: Annotated[Optional[Path], typer.Option(
            "--internal", help="Phụ lục nội bộ .docx (ước tính điểm, hồ sơ trễ hạn; không gửi kèm báo cáo). "
                               "Mặc định: <tên tệp --out>-noi-bo.docx cạnh tệp --out.")] = None,
        now: NowOption = None,
    ) -> None:
        """Dự thảo báo cáo CCHC định kỳ (.docx) với số liệu điền sẵn, kèm phụ lục nội bộ."""
        from handlers.reporting import build_internal_annex, write_report_docx

        annex = internal or out.with_name(f"{out.stem}-noi-bo.docx")
        if annex.resolve() == out.resolve():
            raise CliError(_("--internal is the same file as --out ({path}). Choose another name for the internal "
                             "annex.").format(path=out))
        built, db = period_report(period, now, out, ".docx", also=annex)
        out.write_bytes(write_report_docx(built.data))
        annex.write_bytes(build_internal_annex(built.data, built.estimate))
        typer.echo(_("Draft report for {period} written to {path}.").format(period=built.label, path=out))
        typer.echo(_("Internal annex (not sent with the report): {path}.").format(path=annex))
        db.announce()

    @app.command("export-stats")
    def export_stats(
        period: PeriodOption,
        out: Annotated[Path, typer.Option("--out", help="Tệp .xlsx sẽ ghi.")] = Path("so-lieu-tthc.xlsx"),
        now: NowOption = None,
    ) -> None:
        """Xuất số liệu tiếp nhận, giải quyết hồ sơ TTHC ra Excel."""
        from handlers.reporting import write_stats_xlsx


        built, db = period_report(period, now, out, ".xlsx")
        out.write_bytes(write_stats_xlsx(built.figures, built.by_unit, built.by_field, built.label))
        typer.echo(_("Figures for {period} written to {path}.").format(period=built.label, path=out))
        db.announce()

    @app.command()
    def digest(
        out: Annotated[Path, typer.Option("--out", help="Thư mục ghi bao-cao-tuan.txt và bao-cao-tuan.png.")] = Path("."),
        now: NowOption = None,
    ) -> None:
        """Viết báo cáo tuần cho Lãnh đạo Sở (văn bản + biểu đồ) mà không gửi."""
        from handlers.reporting.digest import write_digest
        from handlers.worktime.commands import sync_office_days

        settings = root.load_settings()
        moment = parse_now(now, settings.timezone) or datetime.now(timezone.utc)
        writable_folder(out)
        db = open_office(root, settings, moment)
        with db.factory() as session:
            sync_office_days(session)  # days the office added in chat count
        text_path, png_path = write_digest(db.factory, settings, moment, out)
        typer.echo(_("Written: {text} and {chart}.").format(text=text_path, chart=png_path))
        db.announce()

    @app.command()
    def score(
        code: Annotated[Optional[str], typer.Argument(
            help="Mã tiêu chí thành phần, ví dụ 1.3.1 (bỏ trống để xem các tiêu chí chưa có điểm).")] = None,
        points: Annotated[Optional[str], typer.Argument(help="Điểm tự chấm hoặc điểm khảo sát, ví dụ 0,75.")] = None,
        evidence: Annotated[Optional[str], typer.Option(
            "--evidence", help="Tài liệu kiểm chứng, ví dụ \"KH 59/KH-SKHCN\".")] = None,
        explain: Annotated[bool, typer.Option(
            "--explain", help="Giải thích điểm ước tính: từng tiêu chí với số liệu đầu vào, quy tắc và điểm.")] = False,
        at: NowOption = None,
    ) -> None:
        """Xem điểm CCHC ước tính (--explain: từng tiêu chí); nhập điểm tự chấm hoặc điểm khảo sát của tỉnh."""
        from handlers.answers.scores import estimate_text
        from handlers.scoring.assessments import enter_score, framework_for, missing_codes, parse_points
        from handlers.text.i18n import fmt_number

        settings = root.load_settings()
        framework = framework_for(settings)
        now = parse_now(at, settings.timezone) or datetime.now(timezone.utc)
        if explain and code is not None:
            raise CliError(_("--explain does not go with a criterion code. To see the explanation: {explain}; "
                             "to enter a score: {enter}.").format(
                explain="python3 main.py score --explain", enter=f"python3 main.py score {code} 0,75"))
        year = now.astimezone(ZoneInfo(settings.timezone)).year
        value = None
        if code is not None:
            value = parse_points(points or "")
            if value is None:
                raise CliError(_("The score is not valid: {points}. Type the points, for example: {example}.").format(
                    points=points or _("(empty)"),
                    example=f'python3 main.py score {code} 0,75 --evidence "KH 59/KH-SKHCN"'))
        db = open_real(root, settings)
        if explain:
            with db.factory() as session:
                typer.echo(estimate_text(session, now, settings, explain=True))
        elif code is None:
            with db.factory() as session:
                typer.echo(estimate_text(session, now, settings, explain=False))
                missing = missing_codes(session, framework, year)
            typer.echo(_("{framework}: criteria without a score in {year}: {count}.").format(
                framework=framework.name, year=year, count=len(missing)))
            for c, name, mx in missing:
                typer.echo("  " + _("{code} {name} (at most {points})").format(
                    code=c, name=name, points=fmt_number(mx, trim=True)))
        else:
            with db.factory() as session, session.begin():
                entered = enter_score(session, framework, year, code, value, [evidence] if evidence else [], None, now)
            typer.echo(_("Saved {code} {name}: {points}/{max}.").format(
                code=entered.code, name=entered.name, points=fmt_number(entered.points, trim=True),
                max=fmt_number(entered.max_points, trim=True)))
        db.announce()
