"""The layers hold: bot → handlers → models, scheduler → handlers, never back;
no import cycles between packages; messenger SDKs only under bot/; features
are wired by the composition root, not by import-time side effects.

Imports inside functions count too: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SDKS = {"telegram", "aiohttp", "httpx"}
OURS = {"bot", "handlers", "scheduler", "models", "settings", "main"}
# Which top-level layer may import which (besides itself and settings).
ALLOWED = {
    "models": set(),
    "handlers": {"models"},
    "scheduler": {"handlers", "models"},
    "bot": {"handlers", "models"},
}


def _modules(path: Path) -> set[str]:
    """Every absolute module name imported anywhere in the file (``from a import b`` gives a and a.b)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


def _package(module: str) -> str:
    """handlers.tasks.progress → handlers.tasks; scheduler.planner → scheduler."""
    parts = module.split(".")
    if parts[0] == "handlers" and len(parts) > 1 and (ROOT / "handlers" / parts[1]).is_dir():
        return f"handlers.{parts[1]}"
    if parts[0] == "handlers" and len(parts) > 1:
        return f"handlers.{parts[1]}"  # a top-level module of handlers (features.py)
    return parts[0]


def _files(layer: str):
    return sorted((ROOT / layer).rglob("*.py"))


def _package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for layer in ALLOWED:
        for path in _files(layer):
            source = _package(".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"))
            for module in _modules(path):
                if module.split(".")[0] in OURS - {"settings", "main"}:
                    target = _package(module)
                    if target != source and target != "handlers":
                        graph[source].add(target)
    return graph


def test_no_messenger_sdk_below_bot():
    offenders = [
        f"{path.relative_to(ROOT)}: {sorted(bad)}"
        for layer in ("handlers", "scheduler", "models")
        for path in _files(layer)
        if (bad := {m.split(".")[0] for m in _modules(path)} & SDKS)
    ]
    assert offenders == []


def test_layers_point_one_way():
    offenders = []
    for layer, allowed in ALLOWED.items():
        for path in _files(layer):
            used = {m.split(".")[0] for m in _modules(path)} & (OURS - {"settings"})
            bad = used - allowed - {layer}
            if bad:
                offenders.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    assert offenders == []


def test_no_import_cycle_between_packages():
    graph = _package_graph()
    cycles = []

    def visit(node: str, stack: list[str], seen: set[str]) -> None:
        for nxt in sorted(graph.get(node, ())):
            if nxt in stack:
                cycles.append(" → ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in seen:
                seen.add(nxt)
                visit(nxt, stack + [nxt], seen)

    for start in sorted(graph):
        visit(start, [start], {start})
    assert cycles == []


def test_the_cycle_check_sees_a_cycle():
    """The detector itself: a graph with a cycle must be reported (guards against a check that cannot fail)."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}}
    found = []

    def visit(node, stack):
        for nxt in graph.get(node, ()):
            if nxt in stack:
                found.append(nxt)
            else:
                visit(nxt, stack + [nxt])

    visit("a", ["a"])
    assert found == ["a"]
    assert _package("handlers.tasks.progress") == "handlers.tasks" and _package("scheduler.planner") == "scheduler"


def test_features_do_not_register_themselves_at_import():
    """Module level in handlers/ is declarations only: no call that could mutate a registry."""
    allowed = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign,
               ast.AnnAssign, ast.If, ast.Try)
    offenders = []
    for path in _files("handlers"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
                continue  # the docstring
            if not isinstance(node, allowed):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
    assert not [p for p in _files("handlers") if any(isinstance(n, ast.Global) for n in ast.walk(ast.parse(p.read_text(encoding="utf-8"))))]


def test_the_registry_routes_every_button_the_features_send():
    """Every button prefix a feature writes is registered (a missing one would answer 'no longer valid')."""
    import re

    from handlers.features import build_registry

    registry = build_registry()
    sent = set()
    for path in _files("handlers"):
        sent |= set(re.findall(r'Button\([^)]*?f?"([a-z]+):', path.read_text(encoding="utf-8")))
    assert sent and sent <= set(registry.buttons), sorted(sent - set(registry.buttons))
