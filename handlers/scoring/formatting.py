"""Vietnamese number and date formatting for scoring texts.

Reports write "80,08 điểm", "93,18%" and "25/12/2020"; the bot must match or
its figures look foreign next to the province's. Babel does the numbers so
the decimal comma comes from CLDR, not from string replacement.
"""

from __future__ import annotations

from datetime import date

from babel.numbers import format_decimal

LOCALE = "vi"
MINUS = "\u2212"


def fmt_points(x: float) -> str:
    """Points always with two decimals, as PAR results are published: 0,75; 80,08."""
    return format_decimal(round(x, 2), format="#,##0.00", locale=LOCALE)


def fmt_loss(x: float) -> str:
    """A deduction with a true minus sign: −0,75."""
    return f"{MINUS}{fmt_points(abs(x))}"


def fmt_number(x: float) -> str:
    """A plain figure without trailing zeros: 1,5; 3; 0,25."""
    return format_decimal(round(x, 2), format="#,##0.##", locale=LOCALE)


def fmt_percent(ratio: float) -> str:
    """A share as a percentage with at most two decimals: 45%, 93,18%."""
    return f"{format_decimal(round(ratio * 100, 2), format='#,##0.##', locale=LOCALE)}%"


def fmt_date(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def list_codes(codes: list[str], limit: int = 5) -> str:
    """A short code list for one line: 'HS-001, HS-017, HS-230' or '…, và 4 hồ sơ khác'."""
    shown = ", ".join(codes[:limit])
    rest = len(codes) - limit
    return f"{shown} và {rest} mục khác" if rest > 0 else shown
