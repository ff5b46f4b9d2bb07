"""Quarter arithmetic (core/quarters.py) with plain dates."""

from datetime import date

import pytest

from core.quarters import Quarter


@pytest.mark.parametrize(
    ("day", "quarter", "start", "end"),
    [
        (date(2026, 1, 1), Quarter(2026, 1), date(2026, 1, 1), date(2026, 4, 1)),
        (date(2026, 12, 31), Quarter(2026, 4), date(2026, 10, 1), date(2027, 1, 1)),
        (date(2024, 2, 29), Quarter(2024, 1), date(2024, 1, 1), date(2024, 4, 1)),
    ],
)
def test_a_day_falls_in_its_quarter_between_start_and_end(day, quarter, start, end):
    assert Quarter.containing(day) == quarter
    assert (quarter.start, quarter.end) == (start, end)
    assert quarter.start <= day < quarter.end


def test_quarters_step_across_years_and_read_as_labels_and_parameters():
    q1 = Quarter(2026, 1)
    assert q1.previous() == Quarter(2025, 4) and Quarter(2025, 4).next() == q1
    assert [q.param for q in q1.recent(3)] == ["2026-Q1", "2025-Q4", "2025-Q3"]
    assert q1.label == "2026 Q1" and q1.last_day == date(2026, 3, 31)


@pytest.mark.parametrize("text", ["2026-Q5", "2026-Q0", "26-Q1", "", None, "2026-Q1 ", "0001-Q1", "²⁰²⁶-Q1"])
def test_anything_but_a_quarter_parameter_in_range_parses_to_none(text):
    assert Quarter.parse(text) is None
