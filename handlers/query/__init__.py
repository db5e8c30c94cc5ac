"""Vietnamese questions → Query (subject, status, unit, period, mine, conclusion, percent).

Pure and database-free: handlers execute the Query; this package only reads
text. ``parse`` never raises and is deterministic for a given ``now``.
"""

from .model import CONTRACT_KEYS, STATUSES, SUBJECTS, Query
from .parser import parse

__all__ = ["CONTRACT_KEYS", "STATUSES", "SUBJECTS", "Query", "parse"]
