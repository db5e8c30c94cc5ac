"""One source of configuration: only settings.py reads the environment, and the
org file named there reaches the chat's parsers as well as the command line."""

from __future__ import annotations

import re
from pathlib import Path

from models.org_file import DEFAULT_ORG_FILE, default_org, use_org_file

ROOT = Path(__file__).resolve().parents[1]
ENV_READ = re.compile(r"\bos\.environ\b|\bgetenv\(")


def test_nothing_but_settings_reads_the_environment():
    files = [p for layer in ("handlers", "scheduler", "models", "bot") for p in (ROOT / layer).rglob("*.py")]
    offenders = [str(p.relative_to(ROOT)) for p in [*files, ROOT / "main.py"] if ENV_READ.search(p.read_text("utf-8"))]
    assert offenders == []


def test_org_file_from_settings_reaches_the_question_parser(tmp_path):
    from handlers.query import parse
    from main import load_settings

    org = tmp_path / "org.yaml"
    org.write_text(DEFAULT_ORG_FILE.read_text("utf-8").replace("code: TDC", "code: CCTDC"), encoding="utf-8")
    try:
        load_settings(org_file=org)
        assert "CCTDC" in {u.code for u in default_org().units}
        from datetime import datetime

        assert parse("việc quá hạn của CCTDC", datetime(2026, 11, 23, 9)).to_json()["unit"] == "CCTDC"
    finally:
        use_org_file(None)
    assert "CCTDC" not in {u.code for u in default_org().units}
