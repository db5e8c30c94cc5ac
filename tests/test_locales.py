"""Every user-facing string has a Vietnamese translation, and the catalogs
in the repository match the code (run `python main.py i18n` after editing)."""

from __future__ import annotations

import shutil
from pathlib import Path

from handlers.text.catalog import extract, untranslated, update
from handlers.text.i18n import LOCALES_DIR, _, fmt_date, fmt_number, use_locale

ROOT = Path(__file__).resolve().parents[1]


def test_vietnamese_catalog_is_complete_for_current_code(tmp_path):
    work = tmp_path / "locales"
    shutil.copytree(LOCALES_DIR, work)
    missing = update(ROOT, work)
    assert missing["vi"] == [], f"untranslated into Vietnamese: {missing['vi']}"


def test_every_extracted_message_is_in_the_committed_catalog():
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in extract(ROOT) if m.id}
    assert ids, "no messages extracted"
    assert untranslated(LOCALES_DIR / "vi" / "LC_MESSAGES" / "messages.po") == []


def test_vietnamese_formatting():
    from datetime import date

    with use_locale("vi"):
        assert fmt_date(date(2026, 11, 30), weekday=True) == "thứ Hai, 30/11/2026"
        assert fmt_number(80.08) == "80,08"
        assert _("See more") == "Xem thêm"
    with use_locale("en"):
        assert _("See more") == "See more"


def test_no_translation_carries_an_english_source_sentence():
    """A merge of two branches that both added messages can glue one entry's English onto another's
    Vietnamese (".pot" lines are merged line by line): the person would read half a sentence in English."""
    from babel.messages.pofile import read_po

    with (LOCALES_DIR / "vi" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh, locale="vi")
    sources = [m.id for m in catalog if isinstance(m.id, str) and len(m.id) > 24 and " " in m.id]
    glued = [(m.id, m.string) for m in catalog if m.id and isinstance(m.string, str)
             for source in sources if source != m.id and source[:24] in m.string]
    assert glued == []


def test_command_line_speaks_the_configured_language(tmp_path):
    """The command line is Vietnamese unless LOCALE=en: its own lines (results, the database
    it used, mistakes, usage errors) follow the setting, like the chat does."""
    from typer.testing import CliRunner

    from main import app

    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'office.db'}", "DEMO_DB_PATH": str(tmp_path / "demo.db"),
           "CLI_LOG_FILE": str(tmp_path / "cli.log"), "TELEGRAM_BOT_TOKEN": None, "ZALO_BOT_TOKEN": None,
           "ORG_FILE": None, "WEBHOOK_URL": None}

    def run(locale: str | None, *args: str):
        result = CliRunner().invoke(app, list(args), env={**env, "LOCALE": locale})
        return result.exit_code, result.stdout, result.stderr

    code, out, err = run("en", "db", "upgrade")
    assert code == 0
    assert out.startswith("Database updated: ") and out.rstrip().endswith(" tables.")
    assert err.startswith("(real database: sqlite:///")
    assert run(None, "db", "upgrade")[1].startswith("Đã cập nhật CSDL: ")

    code, _out, err = run("en", "ask")
    assert code == 2
    assert err.startswith("Type a question, for example: python3 main.py ask ")
    assert run(None, "ask")[2].startswith("Cần nhập câu hỏi, ví dụ: python3 main.py ask ")

    code, _out, err = run("en", "report")
    assert (code, err.strip()) == (
        2, "The command is not right: missing option '--period'. See how to use it: python3 main.py report --help")
    assert run("vi", "report")[2].startswith("Lệnh chưa đúng: thiếu tùy chọn '--period'.")

    note = tmp_path / "ghi-chu.txt"
    note.write_text("Ghi chú họp giao ban", encoding="utf-8")
    code, _out, err = run("en", "import-dossiers", str(note))
    assert (code, err.strip()) == (2, "File ghi-chu.txt is a document, not a dossier list. Export the dossier list "
                                      "from the one-stop system as .xlsx or .csv and run again.")
    assert run(None, "import-dossiers", str(note))[2].strip() == (
        "Tệp ghi-chu.txt là văn bản, không phải danh sách hồ sơ. Xuất danh sách hồ sơ từ hệ thống một cửa "
        "ra .xlsx hoặc .csv rồi chạy lại.")
