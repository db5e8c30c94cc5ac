"""Reading the editable organisation file (units, aliases, known persons).

Pure data loading with no database, so the query parser and the importers can
match unit names without a session, and the migration can seed an empty
database from the same file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

DEFAULT_ORG_FILE = Path(__file__).parent / "defaults" / "org.yaml"


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    kind: str = "division"
    aliases: tuple[str, ...] = ()
    short_name: str | None = None

    @property
    def label(self) -> str:
        """Short name for phone-sized lists and charts."""
        return self.short_name or self.name


@dataclass(frozen=True)
class PersonSpec:
    name: str
    title: str | None = None
    unit: str | None = None


@dataclass(frozen=True)
class OrgSpec:
    name: str
    short_name: str
    units: tuple[UnitSpec, ...] = field(default_factory=tuple)
    parent_name: str | None = None
    place: str | None = None
    persons: tuple[PersonSpec, ...] = field(default_factory=tuple)

    def unit(self, code: str) -> UnitSpec | None:
        return next((u for u in self.units if u.code == code), None)


_configured: Path | None = None


def use_org_file(path: Path | str | None) -> None:
    """Make ``path`` (``Settings.org_file``) the org file in force; None means the default.

    Called once by the composition root, so the chat, the importers and the
    command line all read the same file that `.env` names.
    """
    global _configured
    _configured = Path(path) if path else None
    default_org.cache_clear()


def org_file_path() -> Path:
    """The org file in force: the one set by :func:`use_org_file`, else the default."""
    return _configured or DEFAULT_ORG_FILE


def load_org(path: Path | str | None = None) -> OrgSpec:
    """Parse an org file; raises ValueError with a readable reason when malformed."""
    p = Path(path) if path else org_file_path()
    raw = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    try:
        org = raw.get("organisation", {})
        units = tuple(
            UnitSpec(
                code=str(u["code"]).strip().upper(),
                name=str(u["name"]).strip(),
                kind=str(u.get("kind", "division")),
                aliases=tuple(str(a) for a in u.get("aliases", []) or []),
                short_name=str(u["short_name"]).strip() if u.get("short_name") else None,
            )
            for u in raw.get("units", [])
        )
        persons = tuple(
            PersonSpec(name=str(p_["name"]), title=p_.get("title"), unit=p_.get("unit"))
            for p_ in raw.get("persons", []) or []
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"Tệp tổ chức {p} không đúng định dạng: {exc}") from exc
    if not units:
        raise ValueError(f"Tệp tổ chức {p} không có đơn vị nào.")
    return OrgSpec(
        name=str(org.get("name", "Sở Khoa học và Công nghệ")),
        short_name=str(org.get("short_name", "Sở KH&CN")),
        units=units,
        parent_name=org.get("parent_name"),
        place=org.get("place"),
        persons=persons,
    )


@lru_cache(maxsize=4)
def default_org() -> OrgSpec:
    """The org in force, cached: parsers call this on every message."""
    return load_org()
