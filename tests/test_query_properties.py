"""Property tests: whatever arrives from a messenger, parse() answers within the contract."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.query import CONTRACT_KEYS, STATUSES, SUBJECTS, parse
from models.org_file import default_org

UNIT_CODES = {u.code for u in default_org().units}
BASE = datetime(2026, 11, 23, 9, 0)

# Vietnamese-looking fragments mixed into random text so the rules are exercised,
# not only the "nothing matched" path.
FRAGMENTS = st.sampled_from(
    ["hồ sơ", "hs", "qh", "trễ hạn", "tháng", "quý", "năm", "t11", "25/12", "từ", "đến", "kl", "664/",
     "%", "100%", "đã xong", "của tôi", "phòng", "chi cục", "vp", "tuần", "ngày", "tới", "0", "99999",
     "31/2", "tháng 13", "quý 9", "9999 ngày tới", "điểm", "bị trừ", "🙂", "\u0301", "\x00", " "]
)
TEXT = st.lists(st.one_of(st.text(max_size=60), FRAGMENTS), max_size=120).map(" ".join)
NOW = st.integers(min_value=-3650, max_value=3650).map(lambda d: BASE + timedelta(days=d))


def check_contract(text: str, now: datetime) -> None:
    out = parse(text, now).to_json()
    # parse() swallows internal errors by design; a property test must still see them.
    assert not any(note.startswith("parser error") for note in out["matched"]), out["matched"]
    dumped = json.dumps(out, ensure_ascii=False)
    assert json.loads(dumped) == out
    assert set(CONTRACT_KEYS) <= set(out)
    assert out["subject"] in SUBJECTS
    assert out["status"] is None or out["status"] in STATUSES
    assert out["unit"] is None or out["unit"] in UNIT_CODES
    assert isinstance(out["mine"], bool)
    assert out["conclusion"] is None or out["conclusion"].isdigit()
    assert out["percent"] is None or (isinstance(out["percent"], int) and 0 <= out["percent"] <= 100)
    if out["period"] is not None:
        assert out["period"]["from"] <= out["period"]["to"]
    if out["mine"]:
        assert out["unit"] is None
    if out["subject"] in ("help", "unknown", "progress"):
        assert out["status"] is None and out["unit"] is None and out["period"] is None and not out["mine"]
    if out["subject"] != "progress":
        assert out["percent"] is None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=5000), now=NOW)
def test_any_unicode_string_parses_within_the_contract(text, now):
    check_contract(text, now)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXT, now=NOW)
def test_vietnamese_like_noise_parses_within_the_contract(text, now):
    check_contract(text, now)
