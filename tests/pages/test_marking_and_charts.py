"""The pure helpers of the pages: quote segments and chart geometry."""

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from claims.charts import axis_for, label, nice_step
from claims.marking import Span, excerpt, segments


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
