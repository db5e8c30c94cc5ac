"""Office commands end to end: import files, then write the report and the
statistics sheet; both show the same figures and the report opens in
LibreOffice."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from docx import Document

from handlers.demo.dossier_samples import generate_dossiers, write_export_csv
from handlers.reporting import STAT_COLUMNS
from tests.test_cli import invoke as run_cli
from tests.test_report_docx import FIRST_DATA_ROW, _docx_figures, _xlsx_header_labels

SEEDS = Path(__file__).resolve().parent / "data" / "conclusions"


@pytest.fixture
def env(tmp_path) -> dict:
    return {"DATABASE_URL": f"sqlite:///{tmp_path / 'office.db'}"}


def test_import_conclusion_json_is_one_valid_object(env):
    result = run_cli("import-conclusion", str(next(SEEDS.glob("000*"))), "--json", "--dry-run", env=env)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [t["ref"] for t in data["tasks"]] == [str(n) for n in range(1, 11)]
    assert data["tasks"][2]["lead_units"] == ["VP", "QLCN", "TDC"] and data["tasks"][2]["deadline"] == "2021-12-31"


def test_report_and_stats_agree_and_report_opens_in_libreoffice(env, tmp_path):
    export = tmp_path / "hoso.csv"
    export.write_bytes(write_export_csv(generate_dossiers(400, date(2026, 1, 1), date(2026, 6, 30), seed=11)))
    first = run_cli("import-dossiers", str(export), env=env)
    assert first.returncode == 0 and "400 hồ sơ mới" in first.stdout, first.stdout + first.stderr
    again = run_cli("import-dossiers", str(export), env=env)
    assert "0 hồ sơ mới, 0 cập nhật, 400 không đổi" in again.stdout

    docx_path, xlsx_path = tmp_path / "bao-cao.docx", tmp_path / "so-lieu.xlsx"
    args = ("--period", "2026-H1", "--now", "2026-07-10T09:00")
    assert run_cli("report", *args, "--out", str(docx_path), env=env).returncode == 0
    assert run_cli("export-stats", *args, "--out", str(xlsx_path), env=env).returncode == 0

    in_docx = _docx_figures(Document(io.BytesIO(docx_path.read_bytes())))
    ws = openpyxl.load_workbook(xlsx_path)["Tổng hợp"]
    in_xlsx = {label: ws.cell(FIRST_DATA_ROW, c).value for c, label in _xlsx_header_labels(ws).items()}
    assert set(in_docx) == {c.label for c in STAT_COLUMNS}
    for label, value in in_docx.items():
        assert value == pytest.approx(in_xlsx[label]), label
    assert in_xlsx["Tiếp nhận – Tổng số"] > 300

    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        pytest.skip("LibreOffice is not installed (.ci/run installs libreoffice-writer-nogui)")
    subprocess.run([office, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx_path)],
                   check=True, capture_output=True, timeout=180)
    assert (tmp_path / "bao-cao.pdf").stat().st_size > 10_000


def test_bad_period_is_refused_clearly(env):
    result = run_cli("report", "--period", "2026-H3", env=env)
    assert result.returncode == 2 and "2026-H1" in result.stderr
