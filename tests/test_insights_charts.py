"""Chart geometry with plain values: every label fits, the target never covers a value, each axis has its unit."""

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from insights import charts

minutes = st.one_of(st.none(), st.integers(min_value=0, max_value=60 * 24 * 40).map(lambda m: timedelta(minutes=m)))
names = st.text(min_size=1, max_size=90)


def right_edge_of_value(chart, row):
    return row["value_x"] + charts.text_width(row["shown"], charts.VALUE_SIZE, bold=True)


def test_text_is_measured_with_dejavu_sans_widths_and_unknown_characters_count_as_widest():
    assert (
        charts.text_width("2 h 19 min", 14, bold=True)
        == 14 * (696 + 348 + 712 + 348 + 696 * 2 + 348 + 1042 + 343 + 712) / 1000
    )
    assert charts.text_width("Zoë", 10) == 10 * (685 + 612 + 1000) / 1000


def test_a_long_label_is_shortened_with_an_ellipsis_to_the_width_it_has():
    text = charts.fit("Payment outage reported by an enterprise customer", 150, 14)
    assert text.endswith("…") and text.startswith("Payment outage")
    assert charts.text_width(text, 14) <= 150
    assert charts.fit("Short", 150, 14) == "Short"


def test_the_value_label_starts_after_the_target_marker_even_when_the_bar_is_shorter():
    chart = charts.bars([("Payment outage", timedelta(minutes=20), timedelta(minutes=30))])
    row = chart["rows"][0]
    assert row["x"] + row["width"] < row["target_x"] < row["value_x"]
    assert row["target_text"] == "target 30 min" and not row["missed"]


def test_a_bar_over_its_target_is_marked_missed_and_its_value_follows_the_bar():
    row = charts.bars([("Slow", timedelta(minutes=139), timedelta(minutes=60))])["rows"][0]
    assert row["missed"] and row["shown"] == "2 h 19 min"
    assert row["value_x"] > row["x"] + row["width"] > row["target_x"]


def test_the_longest_duration_label_ends_inside_the_chart():
    chart = charts.bars([("a", timedelta(minutes=139), None), ("b", timedelta(days=3, hours=4), None)])
    for row in chart["rows"]:
        assert right_edge_of_value(chart, row) <= chart["width"]


def test_the_axis_starts_at_zero_reaches_past_the_largest_value_and_names_its_unit():
    chart = charts.bars([("a", timedelta(minutes=139), timedelta(minutes=60))])
    ticks = [tick["value"] for tick in chart["axis"]["ticks"]]
    assert ticks == [0, 0.5, 1, 1.5, 2, 2.5] and chart["axis_name"] == "hours"
    assert chart["axis"]["ticks"][-1]["x"] == chart["axis_x2"]
    assert charts.bars([("a", 4.5, None)], maximum=5, unit="number", axis="score")["axis_name"] == "score"


def test_each_axis_picks_round_steps_in_a_unit_that_suits_its_largest_value():
    assert charts.axis_for(20, "minutes") == ([0, 5, 10, 15, 20], 1, "minutes")
    assert charts.axis_for(52, "minutes") == ([0, 15, 30, 45, 60], 1, "minutes")
    assert charts.axis_for(900, "minutes") == ([0, 3, 6, 9, 12, 15], 60, "hours")
    assert charts.axis_for(5000, "minutes") == ([0, 1, 2, 3, 4], 1440, "days")
    assert charts.axis_for(5, "number")[0] == [0, 1, 2, 3, 4, 5]
    assert charts.axis_for(0, "number")[0] == [0, 0.2, 0.4, 0.6, 0.8, 1]  # nothing measured yet: still an axis


def test_a_column_value_is_written_in_its_axis_unit():
    hours = charts.columns([("2026 Q2", timedelta(hours=15)), ("2026 Q3", timedelta(minutes=200))])
    assert [col["shown"] for col in hours["cols"]] == ["15 h", "3.3 h"] and hours["axis_name"] == "hours"
    assert [col["full"] for col in hours["cols"]] == ["15 h 00 min", "3 h 20 min"]  # for the tooltip
    mins = charts.columns([("2026 Q3", timedelta(minutes=90)), ("2026 Q4", None)])
    assert [col["shown"] for col in mins["cols"]] == ["90 min", "—"] and mins["axis_name"] == "minutes"


@given(st.lists(st.tuples(names, minutes, minutes), min_size=1, max_size=8))
def test_no_bar_chart_text_reaches_past_its_edges(items):
    chart = charts.bars(items, missing="not established")
    for row in chart["rows"]:
        assert charts.text_width(row["label_text"], charts.LABEL_SIZE) + row["label_x"] <= chart["width"] - (
            charts.text_width(row["target_text"], charts.TICK_SIZE) + 12 if row["target_text"] else 0
        )
        assert right_edge_of_value(chart, row) <= chart["width"]
        if row["target_x"] is not None:
            assert row["value_x"] > row["target_x"] + 1.5  # the marker is 3 units wide
    ticks = chart["axis"]["ticks"]
    assert ticks[0]["x"] - charts.text_width(ticks[0]["text"], charts.TICK_SIZE) / 2 >= 0
    assert ticks[-1]["x"] + charts.text_width(ticks[-1]["text"], charts.TICK_SIZE) / 2 <= chart["width"]


@given(
    st.lists(st.tuples(st.sampled_from(["2025 Q4", "2026 Q1", "2026 Q2", "2026 Q3"]), minutes), min_size=1, max_size=6)
)
def test_every_column_label_fits_its_slot_and_every_tick_label_its_margin(series):
    chart = charts.columns(series)
    slot = (chart["width"] - chart["axis_x"]) / len(series)
    for col in chart["cols"]:
        # At least 4 units clear of the slot's edges on each side.
        assert charts.text_width(col["shown"], charts.COLUMN_SIZE, bold=True) <= slot - 8 + 1e-9
        assert charts.text_width(col["label"], charts.COLUMN_SIZE) <= slot - 8 + 1e-9
    for tick in chart["ticks"]:
        assert chart["tick_text_x"] - charts.text_width(tick["text"], charts.COLUMN_TICK_SIZE) >= 0
