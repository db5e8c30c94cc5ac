"""What the parser could not use, said plainly instead of silently ignored:
a unit name that matches no unit, a month or quarter that does not exist."""

from __future__ import annotations

import re

from handlers.text.i18n import _
from handlers.core.messages import Reply
from handlers.text.fold import fold
from models.org_file import default_org

_UNIT_WORDS = re.compile(r"\b(phong|chi cuc|trung tam|don vi)\s+([a-z0-9&]{2,})")
# Words after "phòng"/"đơn vị" that are not names: possessives, question words, fillers.
_NOT_A_NAME = {"nao", "minh", "em", "toi", "anh", "chi", "ban", "do", "nay", "ay", "kia", "cac", "va", "hop",
               "lam", "viec", "khac", "ben", "chung", "nha", "oi", "a", "nhe", "voi", "co", "con", "thuoc", "truc"}
_BAD_MONTH = re.compile(r"\bthang\s*(1[3-9]|[2-9]\d|0)\b")
_BAD_QUARTER = re.compile(r"\bquy\s*([5-9]|\d{2,})\b")


def named_unit(text: str) -> str | None:
    """The unit code a message names, read the way the question parser reads it
    (the parser itself leaves ``unit`` empty when it cannot tell the subject)."""
    from handlers.query.normalise import normalise
    from handlers.text.units import matcher_for

    found = matcher_for(default_org()).find(normalise(text).text)
    return found.codes[0] if found and len(found.codes) == 1 else None


def unknown_unit(text: str) -> Reply | None:
    """'việc của phòng abc' → say no such unit and list the real ones."""
    match = _UNIT_WORDS.search(fold(text))
    if match is None or match.group(2) in _NOT_A_NAME or named_unit(text):
        return None
    org = default_org()
    known = ", ".join(f"{u.label} ({u.code})" for u in org.units if u.code != "BGD")
    return Reply(_("I could not find the unit \"{name}\". Units: {units}.").format(
        name=f"{match.group(1)} {match.group(2)}", units=known))


def impossible_period(text: str) -> Reply | None:
    key = fold(text)
    if _BAD_MONTH.search(key):
        return Reply(_("There is no such month. Please write a month from 1 to 12, e.g. \"tháng 11\"."))
    if _BAD_QUARTER.search(key):
        return Reply(_("There is no such quarter. Please write a quarter from 1 to 4, e.g. \"quý 3\"."))
    return None
