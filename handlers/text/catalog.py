"""Extract, update and check the gettext catalogs (used by tests and `main.py i18n`).

Kept in code rather than in a shell recipe so the same steps run for the
developer, in CI and in the test that fails on a missing translation.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from handlers.text.i18n import LOCALES_DIR, SUPPORTED

SOURCE_DIRS = ("handlers", "bot", "scheduler")
KEYWORDS = {"_": None, "ngettext": (1, 2)}


def extract(root: Path) -> Catalog:
    """All translatable strings of the project, from the source folders."""
    catalog = Catalog(project="cchc-bot", charset="utf-8")
    for folder in SOURCE_DIRS:
        for filename, lineno, message, comments, context in extract_from_dir(
            root / folder, method_map=[("**.py", "python")], keywords=KEYWORDS, strip_comment_tags=True
        ):
            catalog.add(message, locations=[(f"{folder}/{filename}", lineno)], auto_comments=comments, context=context)
    return catalog


def update(root: Path, locales_dir: Path = LOCALES_DIR) -> dict[str, list[str]]:
    """Write messages.pot and merge it into each locale; returns untranslated ids per locale."""
    template = extract(root)
    with (locales_dir / "messages.pot").open("wb") as fh:
        write_po(fh, template, omit_header=False, sort_output=True, no_location=True)
    missing: dict[str, list[str]] = {}
    for locale in SUPPORTED:
        po = locales_dir / locale / "LC_MESSAGES" / "messages.po"
        po.parent.mkdir(parents=True, exist_ok=True)
        if po.exists():
            with po.open("rb") as fh:
                catalog = read_po(fh, locale=locale)
        else:
            catalog = Catalog(locale=locale, charset="utf-8")
        catalog.update(template, no_fuzzy_matching=True)
        if locale == "en":  # English message ids translate to themselves
            for msg in catalog:
                if msg.id and not all(msg.string if isinstance(msg.string, tuple) else (msg.string,)):
                    msg.string = msg.id
        with po.open("wb") as fh:
            write_po(fh, catalog, sort_output=True, no_location=True, ignore_obsolete=True)
        missing[locale] = untranslated(po)
    return missing


def untranslated(po: Path) -> list[str]:
    with po.open("rb") as fh:
        catalog = read_po(fh)
    out = []
    for msg in catalog:
        if not msg.id:
            continue
        strings = msg.string if isinstance(msg.string, tuple) else (msg.string,)
        if not all(strings) or msg.fuzzy:
            out.append(msg.id if isinstance(msg.id, str) else msg.id[0])
    return out
