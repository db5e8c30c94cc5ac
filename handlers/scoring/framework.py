"""PAR frameworks as data: loading and validating the criteria tree.

Each province rewrites its department index every year (Quyết định
876/QĐ-BNV lets it), so the tree, points, rules and thresholds live in YAML
files the office can copy and edit. This module turns such a file into frozen
objects and refuses a file whose points do not add up, naming the criterion
code in Vietnamese so the office can fix it without reading Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

import yaml

from handlers.scoring.rules import RULES

FRAMEWORK_DIR = Path(__file__).parent / "frameworks"
DATA_SOURCES = ("tasks", "dossiers", "reports", "manual", "survey")
_EPS = 1e-6


class FrameworkError(ValueError):
    """A framework file that cannot be used; ``problems`` lists every reason."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        lines = "\n".join(f"- {p}" for p in problems)
        super().__init__(f"Bộ tiêu chí {source} không hợp lệ:\n{lines}")


@dataclass(frozen=True)
class Rule:
    """How a leaf is scored: a rule type from ``rules.RULES`` and its parameters."""

    type: str
    params: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Criterion:
    """A node of the tree: a field (lĩnh vực), a criterion or a sub-criterion.

    Only leaves carry a rule, a responsible unit and a data source; inner
    nodes are scored as the sum of their children.
    """

    code: str
    name: str
    max_points: float
    children: tuple[Criterion, ...] = ()
    responsible_unit: str | None = None
    rule: Rule | None = None
    data_source: str | None = None
    evidence: str = ""
    keywords: tuple[str, ...] = ()
    recover: str = ""

    @property
    def is_leaf(self) -> bool:
        return not self.children

    def walk(self) -> Iterator[Criterion]:
        """This node and all its descendants, depth first, in file order."""
        yield self
        for child in self.children:
            yield from child.walk()

    def leaves(self) -> Iterator[Criterion]:
        return (c for c in self.walk() if c.is_leaf)


@dataclass(frozen=True)
class Framework:
    """One version of a PAR index: header plus the tree of fields."""

    id: str
    name: str
    province: str
    year: int
    valid_from: date | None
    based_on: str
    note: str
    fields: tuple[Criterion, ...]
    path: str = ""
    version: str = ""
    decision: str = ""
    """The provincial decision the points and thresholds were taken from; empty
    while they are still the template defaults shipped with the bot."""

    @property
    def default_thresholds(self) -> bool:
        """True while nobody has set the thresholds from the province's decision."""
        return not self.decision

    @property
    def max_points(self) -> float:
        return round(sum(f.max_points for f in self.fields), 2)

    def walk(self) -> Iterator[Criterion]:
        for f in self.fields:
            yield from f.walk()

    def leaves(self) -> list[Criterion]:
        return [c for c in self.walk() if c.is_leaf]

    def find(self, code: str) -> Criterion | None:
        return next((c for c in self.walk() if c.code == code), None)

    def field_of(self, code: str) -> Criterion | None:
        """The top-level field a criterion code belongs to."""
        return next((f for f in self.fields if any(c.code == code for c in f.walk())), None)


@dataclass(frozen=True)
class FrameworkInfo:
    id: str
    name: str
    province: str
    year: int
    path: str


# ---------------------------------------------------------------- parsing


def _parse_node(raw: Any, where: str, problems: list[str]) -> Criterion | None:
    """Build one node, appending readable problems instead of raising early."""
    if not isinstance(raw, dict):
        problems.append(f"{where}: mỗi tiêu chí phải là một mục có code, name, max_points.")
        return None
    code = raw.get("code")
    if not isinstance(code, str) or not code.strip():
        problems.append(
            f"{where}: mã tiêu chí (code) thiếu hoặc không đặt trong dấu nháy "
            f"(giá trị: {code!r}); ví dụ: code: \"3.2.1\"."
        )
        return None
    code = code.strip()
    name = str(raw.get("name") or "").strip()
    if not name:
        problems.append(f"Tiêu chí {code}: thiếu tên (name).")
    max_raw = raw.get("max_points")
    if isinstance(max_raw, bool) or not isinstance(max_raw, (int, float)) or max_raw < 0:
        problems.append(f"Tiêu chí {code}: thiếu điểm tối đa (max_points) hoặc không phải số không âm.")
        max_points = 0.0
    else:
        max_points = float(max_raw)

    children: list[Criterion] = []
    for i, child_raw in enumerate(raw.get("children") or [], start=1):
        child = _parse_node(child_raw, f"Tiêu chí {code}, mục con thứ {i}", problems)
        if child is not None:
            if not child.code.startswith(code + "."):
                problems.append(f"Tiêu chí {child.code}: mã phải bắt đầu bằng mã tiêu chí cha {code}.")
            children.append(child)

    if children:
        total = sum(c.max_points for c in children)
        if abs(total - max_points) > _EPS:
            problems.append(
                f"Tiêu chí {code}: tổng điểm các tiêu chí con là {_num(total)}, "
                f"khác điểm tối đa {_num(max_points)}."
            )
        for key in ("rule", "responsible_unit"):
            if raw.get(key):
                problems.append(f"Tiêu chí {code}: có tiêu chí con nên không được khai báo {key}.")
        return Criterion(code=code, name=name, max_points=max_points, children=tuple(children))

    rule = _parse_rule(code, raw.get("rule"), max_points, problems)
    unit = str(raw.get("responsible_unit") or "").strip().upper()
    if not unit:
        problems.append(f"Tiêu chí {code}: thiếu đơn vị chịu trách nhiệm (responsible_unit).")
    source = raw.get("data_source")
    if source not in DATA_SOURCES:
        problems.append(
            f"Tiêu chí {code}: nguồn dữ liệu (data_source) {source!r} không hợp lệ; "
            f"chọn một trong: {', '.join(DATA_SOURCES)}."
        )
    keywords = raw.get("keywords") or []
    if not isinstance(keywords, list):
        problems.append(f"Tiêu chí {code}: keywords phải là một danh sách.")
        keywords = []
    return Criterion(
        code=code,
        name=name,
        max_points=max_points,
        responsible_unit=unit or None,
        rule=rule,
        data_source=source,
        evidence=str(raw.get("evidence") or "").strip(),
        keywords=tuple(str(k) for k in keywords),
        recover=str(raw.get("recover") or "").strip(),
    )


def _parse_rule(code: str, raw: Any, max_points: float, problems: list[str]) -> Rule | None:
    if not isinstance(raw, dict) or not raw.get("type"):
        problems.append(f"Tiêu chí {code}: thiếu quy tắc chấm (rule với type).")
        return None
    kind = str(raw["type"])
    spec = RULES.get(kind)
    if spec is None:
        problems.append(
            f"Tiêu chí {code}: loại quy tắc '{kind}' không được hỗ trợ "
            f"(hỗ trợ: {', '.join(sorted(RULES))})."
        )
        return None
    params = {k: v for k, v in raw.items() if k != "type"}
    problems.extend(f"Tiêu chí {code}: {p}" for p in spec.check(params, max_points))
    return Rule(type=kind, params=params)


def _num(x: float) -> str:
    """4,5 / 5 in the file-error messages (Babel, no trailing zeros)."""
    from handlers.scoring.rules import fmt_number

    return fmt_number(x)


def parse_framework(raw: Any, source: str = "<dữ liệu>") -> Framework:
    """Validate a parsed YAML document and build the framework, or raise FrameworkError."""
    problems: list[str] = []
    if not isinstance(raw, dict):
        raise FrameworkError(source, ["tệp không chứa một bộ tiêu chí (cần các khóa id, name, fields)."])
    for key in ("id", "name", "province", "based_on"):
        if not raw.get(key):
            problems.append(f"Phần đầu: thiếu khóa '{key}'.")
    year = raw.get("year")
    valid_from = raw.get("valid_from")
    if isinstance(valid_from, str):
        try:
            valid_from = date.fromisoformat(valid_from)
        except ValueError:
            problems.append(f"Phần đầu: valid_from '{valid_from}' không phải ngày dạng YYYY-MM-DD.")
            valid_from = None
    if year is None and isinstance(valid_from, date):
        year = valid_from.year
    if not isinstance(year, int):
        problems.append("Phần đầu: thiếu năm áp dụng (year hoặc valid_from).")
        year = 0

    fields: list[Criterion] = []
    for i, node in enumerate(raw.get("fields") or [], start=1):
        parsed = _parse_node(node, f"Lĩnh vực thứ {i}", problems)
        if parsed is not None:
            fields.append(parsed)
    if not fields:
        problems.append("Bộ tiêu chí không có lĩnh vực nào (fields).")

    seen: set[str] = set()
    for node in (c for f in fields for c in f.walk()):
        if node.code in seen:
            problems.append(f"Tiêu chí {node.code}: mã bị trùng.")
        seen.add(node.code)

    expected = raw.get("total", 100)
    total = sum(f.max_points for f in fields)
    if fields and abs(total - float(expected)) > _EPS:
        problems.append(f"Tổng điểm các lĩnh vực là {_num(total)}, khác tổng {_num(float(expected))}.")

    if problems:
        raise FrameworkError(source, problems)
    return Framework(
        id=str(raw["id"]),
        name=str(raw["name"]),
        province=str(raw["province"]),
        year=year,
        valid_from=valid_from if isinstance(valid_from, date) else None,
        based_on=str(raw["based_on"]),
        note=str(raw.get("note") or ""),
        fields=tuple(fields),
        path=source,
        version=str(raw.get("version") or year),
        decision=str(raw.get("decision") or "").strip(),
    )


# ---------------------------------------------------------------- files


def _shipped_paths() -> list[Path]:
    return sorted(FRAMEWORK_DIR.glob("*.yaml"))


@lru_cache(maxsize=32)
def _load_cached(path: str, mtime_ns: int) -> Framework:
    """Parse once per file version: the mtime in the key drops stale copies."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise FrameworkError(path, [f"tệp YAML bị lỗi cú pháp: {exc}"]) from exc
    return parse_framework(raw, source=path)


def load_framework(id_or_path: str | Path) -> Framework:
    """Load a shipped framework by id (``dept-2020``) or any YAML file by path."""
    candidate = Path(id_or_path)
    if candidate.suffix in (".yaml", ".yml") or candidate.exists():
        path = candidate
    else:
        path = FRAMEWORK_DIR / f"{id_or_path}.yaml"
        if not path.exists():
            for shipped in _shipped_paths():
                if load_framework(shipped).id == str(id_or_path):
                    return load_framework(shipped)
    if not path.exists():
        known = ", ".join(info.id for info in list_frameworks())
        raise FileNotFoundError(f"Không tìm thấy bộ tiêu chí '{id_or_path}' (có sẵn: {known}).")
    resolved = path.resolve()
    return _load_cached(str(resolved), resolved.stat().st_mtime_ns)


def list_frameworks() -> list[FrameworkInfo]:
    """The frameworks shipped with the bot, oldest year first."""
    infos = []
    for path in _shipped_paths():
        fw = load_framework(path)
        infos.append(FrameworkInfo(fw.id, fw.name, fw.province, fw.year, str(path)))
    return sorted(infos, key=lambda i: (i.year, i.id))
