"""Dependencies point one way: no messenger SDK below bot/."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SDKS = ("telegram", "aiohttp", "httpx")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_no_messenger_sdk_in_core_layers():
    offenders = []
    for layer in ("handlers", "scheduler", "models"):
        for path in (ROOT / layer).rglob("*.py"):
            bad = _imports(path) & set(SDKS)
            if bad:
                offenders.append(f"{path.relative_to(ROOT)}: {sorted(bad)}")
    assert offenders == []


def test_models_do_not_import_handlers_or_bot():
    offenders = [
        str(p.relative_to(ROOT)) for p in (ROOT / "models").rglob("*.py")
        if _imports(p) & {"handlers", "bot", "scheduler"}
    ]
    assert offenders == []
