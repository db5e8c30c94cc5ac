"""The Typer application: one group whose errors are one line (see errors.py), one module per kind of work."""

from __future__ import annotations

import typer

from bot.cli import ask, demo, imports, people, reports, run
from bot.cli.errors import OneLineGroup, _
from bot.cli.root import Root
from settings import PROJECT_ROOT


def build_app(root: Root) -> typer.Typer:
    """Every office command, bound to the composition root that `main.py` built."""
    app = typer.Typer(
        cls=OneLineGroup,
        help="Trợ lý nhắc việc CCHC của Sở Khoa học và Công nghệ. Lỗi: một dòng trên stderr, mã thoát 2.",
        no_args_is_help=True,
        add_completion=False,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
    )
    for module in (demo, ask, imports, reports, people, run):
        module.register(app, root)

    @app.command("i18n")
    def i18n_update() -> None:
        """Cập nhật tệp dịch (locales/) sau khi sửa câu chữ trong mã nguồn."""
        from handlers.text.catalog import update

        missing = update(PROJECT_ROOT)
        typer.echo(_("locales/ updated. Not yet translated into Vietnamese: {count}.").format(count=len(missing["vi"])))
        for msgid in missing["vi"]:
            typer.echo(f"  {msgid}")

    return app
