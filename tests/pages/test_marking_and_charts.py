"""The pure helpers of the pages: quote segments and chart geometry."""

import datetime
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claims.web import charts
from claims.web.charts import axis_for, label, nice_step
from claims.web.marking import Span, excerpt, segments


def test_segments_cut_the_text_at_every_span_boundary():
    text = "Officials said 3,000 troops train there."
    pieces = segments(text, [Span(1, 15, 27), Span(2, 0, 14)])
    assert [(p.text, p.covering, p.ending) for p in pieces] == [
        ("Officials said", (2,), (2,)),
        (" ", (), ()),
        ("3,000 troops", (1,), (1,)),
        (" train there.", (), ()),
    ]


def test_overlapping_and_identical_spans_share_segments():
    pieces = segments("abcdef", [Span(1, 0, 4), Span(2, 2, 6), Span(3, 2, 6)])
    assert [(p.text, p.covering, p.ending) for p in pieces] == [
        ("ab", (1,), ()),
        ("cd", (1, 2, 3), (1,)),
        ("ef", (2, 3), (2, 3)),
    ]


@given(
    text=st.text(max_size=30),
    spans=st.lists(st.tuples(st.integers(-5, 40), st.integers(-5, 40)), max_size=5),
)
def test_segments_always_rebuild_the_text(text, spans):
    pieces = segments(text, [Span(i, a, b) for i, (a, b) in enumerate(spans)])
    assert "".join(p.text for p in pieces) == text


def test_excerpt_trims_at_words_with_ellipses():
    text = "one two three four five six seven"
    before, quote, after = excerpt(text, 14, 18, context=7)
    assert (before, quote, after) == ("…three ", "four", " five…")


def test_nice_steps_are_one_two_or_five_times_a_power_of_ten():
    assert nice_step(2000) == 500
    assert nice_step(7) == 2
    assert nice_step(0.03) == 0.005


def test_the_axis_covers_every_value_on_whole_ticks():
    axis = axis_for([D(1350), D(1650), D(2700), D(3300), None])
    assert (axis.low, axis.high) == (1000, 3500)
    assert axis.ticks[0] == (0.0, "1,000") and axis.ticks[-1] == (100.0, "3,500")
    assert axis.at(D(2250)) == 50.0


def test_an_axis_of_one_value_is_widened_around_it():
    axis = axis_for([D(3000)])
    assert axis.low < 3000 < axis.high


def test_no_finite_values_give_no_axis():
    assert axis_for([None, None]) is None


def test_labels_are_compact():
    assert label(1_500_000) == "1.5M"
    assert label(2500) == "2,500"
    assert label(0.25) == "0.25"


@given(st.lists(st.integers(-(10**9), 10**9), min_size=1, max_size=6))
def test_every_value_falls_within_the_axis(values):
    axis = axis_for(values)
    for value in values:
        assert 0 <= axis.at(value) <= 100


def step(day, stretches=(), low=None, high=None, kind="estimates"):
    return {
        "date": datetime.date(2024, 6, day),
        "best_supported": [
            {"low": a, "high": b, "support": 1, "support_kind": kind}
            for a, b in stretches
        ],
        "low": low,
        "high": high,
        "counts": {},
    }


def test_the_evolution_has_one_column_per_day_on_one_vertical_axis():
    steps = [
        step(3, [(12, 12)], 12, 12),
        step(4, [(100, 200)], 100, 300),
        step(5, [(120, None)], kind="bounds"),
    ]
    chart = charts.evolution(steps, chosen=datetime.date(2024, 6, 4))
    first, second, third = chart["columns"]
    assert [c["x"] for c in chart["columns"]] == [0, 1, 2]
    assert [c["chosen"] for c in chart["columns"]] == [False, True, False]
    # Higher values are higher up (smaller y); one value still shows.
    (band,) = second["bands"]
    assert band["y"] == pytest.approx(1000 * (1 - 200 / 300), abs=0.01)
    assert band["height"] > 300
    assert first["bands"][0]["height"] == charts.MIN_BAND
    assert first["line"]["y2"] - first["line"]["y1"] == charts.MIN_LINE
    assert first["bands"][0]["y"] + charts.MIN_BAND <= charts.SCALE
    # An open end reaches the top; no estimate, no line.
    (bound,) = third["bands"]
    assert bound["y"] == 0 and bound["kind"] == "bounds" and third["line"] is None
    assert [t["label"] for t in chart["ticks"]][0] == "0"


def test_tied_stretches_that_touch_share_a_band_and_few_days_are_labelled():
    ties = [(1000 + i, 1000 + i) for i in range(50)]
    steps = [step(1 + i % 28, ties, 900, 1200) for i in range(30)]
    chart = charts.evolution(steps)
    assert len(chart["columns"][0]["bands"]) == 1
    assert chart["columns"][0]["bands"][0]["count"] == 50
    assert len(chart["columns"][0]["stretches"]) == charts.STRETCHES_NAMED
    assert chart["columns"][0]["stretches_more"] == 50 - charts.STRETCHES_NAMED
    labelled = [c for c in chart["columns"] if c["labelled"]]
    assert 1 < len(labelled) <= charts.MAX_DAY_LABELS
    assert labelled[0]["new_year"] and not labelled[1]["new_year"]


def test_no_steps_draw_nothing():
    chart = charts.evolution([])
    assert chart["columns"] == [] and chart["ticks"] == []
