"""The official procedure catalogue (danh mục TTHC công bố), from .xlsx or .csv.

The report's procedure counts, the online-service figures and the due dates
of dossiers whose export leaves the appointment empty come from this list,
not from the procedures that happen to appear in imported dossiers: a
procedure offered online that received no online dossier must be visible.

Columns (Vietnamese headers, variants tolerated): mã thủ tục, tên thủ tục,
lĩnh vực, cơ quan/đơn vị thực hiện, thời hạn giải quyết (working days),
dịch vụ công trực tuyến ("toàn trình", "một phần" or empty; the former
"mức độ 4"/"mức độ 3" are read as toàn trình / một phần), tiếp nhận/trả kết
quả qua BCCI, phí/lệ phí. Re-importing updates by code (or by name when the
list has no codes); nothing is deleted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.dossiers.export_reader import UnitResolver, _RowProblem, _sheets, _text
from handlers.text.fold import fold
from handlers.text.i18n import _, fmt_number
from models.dossiers import Procedure
from models.org import Unit

HEADER_SCAN_ROWS = 15

#: field → folded header spellings (a header matches when it starts with one)
HEADERS: dict[str, tuple[str, ...]] = {
    "code": ("ma thu tuc", "ma tthc", "ma so thu tuc", "ma so tthc", "ma tt", "ma thu tuc hanh chinh"),
    "name": ("ten thu tuc", "ten tthc", "thu tuc hanh chinh", "ten thu tuc hanh chinh"),
    "field": ("linh vuc",),
    "unit": ("co quan thuc hien", "co quan giai quyet", "don vi thuc hien", "don vi giai quyet", "don vi chu tri",
             "co quan", "don vi"),
    "days": ("thoi han giai quyet", "thoi gian giai quyet", "so ngay giai quyet", "thoi han"),
    "online": ("dich vu cong truc tuyen", "dvc truc tuyen", "dvctt", "muc do dvc", "muc do dich vu cong",
               "muc do", "truc tuyen"),
    "postal": ("bcci", "buu chinh cong ich", "tiep nhan tra ket qua qua bcci", "qua dich vu buu chinh"),
    "fee": ("phi le phi", "phi, le phi", "le phi", "phi"),
}
_NON_WORD = re.compile(r"[^a-z0-9]+")


@dataclass
class ProcedureRowError:
    row_number: int
    reason: str


@dataclass
class ProcedureImport:
    """What an import did: counts and the rows it could not use."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[ProcedureRowError] = field(default_factory=list)
    recognised: bool = True  # the file had a catalogue header

    @property
    def total(self) -> int:
        return self.added + self.updated + self.unchanged

    def summary_vi(self, max_errors: int = 10) -> str:
        """The reply to the office (in the current language; Vietnamese by default)."""
        n = lambda v: fmt_number(v, 0)  # noqa: E731
        lines = [_("Procedure catalogue: {added} new, {updated} updated, {same} unchanged.").format(
            added=n(self.added), updated=n(self.updated), same=n(self.unchanged))]
        if self.errors:
            lines.append(_("Rows not imported ({n}):").format(n=n(len(self.errors))))
            for e in self.errors[:max_errors]:
                where = _("Row {n}").format(n=e.row_number) if e.row_number else _("File")
                lines.append(f"• {where}: {e.reason}")
        return "\n".join(lines)


def _key(text: Any) -> str:
    return _NON_WORD.sub(" ", fold(str(text))).strip() if text is not None else ""


def _map_header(cells) -> dict[str, int]:
    mapping: dict[str, int] = {}
    for i, cell in enumerate(cells):
        key = _key(cell)
        if not key:
            continue
        for name, spellings in HEADERS.items():
            if name not in mapping and any(key == s or key.startswith(s + " ") for s in spellings):
                mapping[name] = i
                break
    return mapping


def is_catalogue_header(mapping: dict[str, int]) -> bool:
    """A procedure list names procedures and says something about them; a dossier
    export (which has a dossier code) is not one."""
    return "name" in mapping and ({"days", "online", "postal", "fee"} & set(mapping)) != set()


def looks_like_catalogue(file_name: str, data: bytes) -> bool:
    """Decide by the header row, as the chat does for any spreadsheet sent."""
    try:
        for rows in _sheets(file_name, data):
            for scanned, (_row, cells) in enumerate(rows, start=1):
                keys = {_key(c) for c in cells}
                if any(k.startswith(("ma ho so", "so ho so", "ma hs")) for k in keys):
                    return False
                if is_catalogue_header(_map_header(cells)):
                    return True
                if scanned >= HEADER_SCAN_ROWS:
                    break
    except (_RowProblem, Exception):  # unreadable: not ours to judge
        return False
    return False


def parse_online_level(text: str | None) -> str | None:
    """'Toàn trình' / 'Mức độ 4' → 'toàn trình'; 'Một phần' / 'Mức độ 3' → 'một phần'; else None."""
    key = _key(text)
    if not key or key in ("khong", "0", "x khong"):
        return None
    if "toan trinh" in key or key.endswith("4"):
        return "toàn trình"
    if "mot phan" in key or key.endswith("3"):
        return "một phần"
    return None


def _days(text: str | None) -> int | None:
    if not text:
        return None
    m = re.search(r"\d+", text)
    if not m:
        raise ValueError(_("processing time \"{text}\" has no number of days").format(text=text))
    return int(m.group())


def _yes(text: str | None) -> bool:
    key = _key(text)
    return bool(key) and key not in ("khong", "0", "no", "false")


def read_catalogue(file_name: str, data: bytes) -> tuple[list[tuple[int, dict]], list[ProcedureRowError], bool]:
    """(row number, values) for each usable row, the row errors, and whether a header was found."""
    rows_out: list[tuple[int, dict]] = []
    errors: list[ProcedureRowError] = []
    try:
        for rows in _sheets(file_name, data):
            mapping: dict[str, int] = {}
            for scanned, (row_no, cells) in enumerate(rows, start=1):
                mapping = _map_header(cells)
                if is_catalogue_header(mapping):
                    break
                if scanned >= HEADER_SCAN_ROWS:
                    mapping = {}
                    break
            if not is_catalogue_header(mapping):
                continue
            seen: dict[str, int] = {}
            for row_no, cells in rows:
                cell = lambda name: _text(cells[mapping[name]]) if name in mapping and mapping[name] < len(cells) else None  # noqa: E731
                name = cell("name")
                if not name:
                    if any(_text(c) for c in cells):
                        errors.append(ProcedureRowError(row_no, _("the procedure name is empty")))
                    continue
                if name.isdigit() or _key(name) in ("ten thu tuc", "1", "2"):
                    continue  # column-number rows under the header
                try:
                    days = _days(cell("days"))
                except ValueError as exc:
                    errors.append(ProcedureRowError(row_no, str(exc)))
                    continue
                values = {"code": cell("code"), "name": " ".join(name.split()), "field": cell("field"),
                          "unit": cell("unit"), "processing_days": days, "online_level": parse_online_level(cell("online")),
                          "postal": _yes(cell("postal")), "fee": cell("fee")}
                key = values["code"] or _key(values["name"])
                if key in seen:
                    errors.append(ProcedureRowError(row_no, _("repeats row {n} (the later row is used)").format(n=seen[key])))
                    rows_out = [r for r in rows_out if (r[1]["code"] or _key(r[1]["name"])) != key]
                seen[key] = row_no
                rows_out.append((row_no, values))
            return rows_out, errors, True
    except _RowProblem as exc:
        return [], [ProcedureRowError(0, str(exc))], False
    return [], [ProcedureRowError(0, _("No procedure list header found (a column \"Tên thủ tục\" and one of "
                                       "\"Thời hạn giải quyết\", \"Dịch vụ công trực tuyến\", \"BCCI\", \"Phí, lệ phí\")."))], False


_SAVED = ("code", "name", "field", "unit_id", "processing_days", "online_level", "postal", "fee")


def import_procedures(session: Session, file_name: str, data: bytes) -> ProcedureImport:
    """Load the official catalogue; re-import is an upsert (by code, else by name).

    Procedures created earlier from dossier exports are matched by name and
    become published; dossiers already linked keep their procedure.
    """
    rows, errors, recognised = read_catalogue(file_name, data)
    result = ProcedureImport(errors=errors, recognised=recognised)
    if not rows:
        return result
    units = UnitResolver(session.scalars(select(Unit)).all() or None)
    existing = list(session.scalars(select(Procedure)))
    by_code = {p.code: p for p in existing if p.code}
    by_name = {_key(p.name): p for p in existing}
    for row_no, values in rows:
        unit_text = values.pop("unit")
        unit_code = units(unit_text) if unit_text else None
        unit_id = session.scalar(select(Unit.id).where(Unit.code == unit_code)) if unit_code else None
        values["unit_id"] = unit_id
        proc = (by_code.get(values["code"]) if values["code"] else None) or by_name.get(_key(values["name"]))
        if proc is None:
            proc = Procedure(published=True, **values)
            session.add(proc)
            by_name[_key(values["name"])] = proc
            if values["code"]:
                by_code[values["code"]] = proc
            result.added += 1
            continue
        if values["unit_id"] is None:
            values["unit_id"] = proc.unit_id
        same = proc.published and all(getattr(proc, k) == values[k] for k in _SAVED)
        if same:
            result.unchanged += 1
            continue
        clash = by_name.get(_key(values["name"]))
        if clash is not None and clash is not proc:
            result.errors.append(ProcedureRowError(row_no, _("another procedure already has this name")))
            continue
        for k in _SAVED:
            setattr(proc, k, values[k])
        proc.published = True
        result.updated += 1
    session.flush()
    return result


__all__ = ["ProcedureImport", "import_procedures", "looks_like_catalogue", "parse_online_level", "read_catalogue"]
