"""The columns of the province's table TÌNH HÌNH TIẾP NHẬN VÀ GIẢI QUYẾT TTHC.

One list drives both the spreadsheet (three header rows with merged cells)
and the Word report's figure table, so the two documents cannot disagree on
what a column means or where its number comes from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from handlers.dossiers.figures import PeriodFigures, format_int_vi, format_percent_vi


@dataclass(frozen=True)
class StatColumn:
    key: str
    path: tuple[str, str, str]  # header levels, "" where the cell merges upwards
    value: Callable[[PeriodFigures], int | float | None]
    is_rate: bool = False

    @property
    def label(self) -> str:
        """'Đã giải quyết – Trước hạn – Kỳ trước' for one-line contexts."""
        return " – ".join(p for p in self.path if p)

    def number(self, fig: PeriodFigures) -> int | float | None:
        """The cell value: ints as is, rates rounded to 2 decimals (None if undefined)."""
        v = self.value(fig)
        return round(v, 2) if self.is_rate and v is not None else v

    def text_vi(self, fig: PeriodFigures) -> str:
        v = self.value(fig)
        return format_percent_vi(v) if self.is_rate else format_int_vi(int(v or 0))


def _attr(name: str) -> Callable[[PeriodFigures], int | float | None]:
    return lambda f: getattr(f, name)


_R, _H, _O = "Tiếp nhận", "Đã giải quyết", "Đang giải quyết"

# Each row adds up: Tiếp nhận – Tổng số = Đã giải quyết – Tổng số + Trả lại/rút
# + Đang giải quyết – Tổng số; Đã giải quyết = trước hạn + đúng hạn + quá hạn.
STAT_COLUMNS: tuple[StatColumn, ...] = (
    StatColumn("received_total", (_R, "Tổng số", ""), _attr("received_total")),
    StatColumn("received_carried_over", (_R, "Kỳ trước chuyển sang", ""), _attr("received_carried_over")),
    StatColumn("received_in_period", (_R, "Mới tiếp nhận trong kỳ", "Tổng"), _attr("received_in_period")),
    StatColumn("received_online", (_R, "Mới tiếp nhận trong kỳ", "Trực tuyến"), _attr("received_online")),
    StatColumn("received_direct", (_R, "Mới tiếp nhận trong kỳ", "Trực tiếp"), _attr("received_direct")),
    StatColumn("received_postal", (_R, "Mới tiếp nhận trong kỳ", "BCCI"), _attr("received_postal")),
    StatColumn("resolved_total", (_H, "Tổng số", ""), _attr("resolved_total")),
    StatColumn("early_carried_over", (_H, "Trước hạn", "Kỳ trước"), _attr("early_carried_over")),
    StatColumn("early_in_period", (_H, "Trước hạn", "Trong kỳ"), _attr("early_in_period")),
    StatColumn("on_time_carried_over", (_H, "Đúng hạn", "Kỳ trước"), _attr("on_time_carried_over")),
    StatColumn("on_time_in_period", (_H, "Đúng hạn", "Trong kỳ"), _attr("on_time_in_period")),
    StatColumn("late_carried_over", (_H, "Quá hạn", "Kỳ trước"), _attr("late_carried_over")),
    StatColumn("late_in_period", (_H, "Quá hạn", "Trong kỳ"), _attr("late_in_period")),
    StatColumn("on_time_rate", (_H, "Tỷ lệ trước hạn và đúng hạn (%)", ""), _attr("on_time_rate"), True),
    StatColumn("returned_or_withdrawn", ("Trả lại / công dân rút hồ sơ", "", ""), _attr("returned_or_withdrawn")),
    StatColumn("in_progress_total", (_O, "Tổng số", ""), _attr("in_progress_total")),
    StatColumn("in_progress_within_due", (_O, "Trong hạn", ""), _attr("in_progress_within_due")),
    StatColumn("in_progress_past_due", (_O, "Quá hạn", ""), _attr("in_progress_past_due")),
    StatColumn("waiting_supplement", (_O, "Trong đó: chờ bổ sung, nghĩa vụ tài chính", ""),
               _attr("waiting_supplement")),
    StatColumn("stopped", (_O, "Trong đó: dừng xử lý", ""), _attr("stopped")),
    StatColumn("rejected", ("Không được tiếp nhận (không tính vào tiếp nhận)", "", ""), _attr("rejected")),
    StatColumn("online_share", ("Tỷ lệ tiếp nhận trực tuyến (%)", "", ""), _attr("online_share"), True),
)

COLUMN_BY_LABEL = {c.label: c for c in STAT_COLUMNS}
