"""The incremental evolution equals a comparison known at the end of each
publication day, computed from scratch, on random figures."""

import datetime
import zoneinfo

from hypothesis import given, settings
from hypothesis import strategies as st

from claims import timeline

from .test_evolution_sweep import dated_figures

KYIV = zoneinfo.ZoneInfo("Europe/Kyiv")


def summary(result: timeline.Result):
    """All a step says, its stretches' groups of every kind included."""
    return (
        result.at,
        result.known_at,
        result.best_supported,
        result.support_kind,
        result.spread,
        result.counts,
        result.low,
        result.high,
    )


@settings(max_examples=400, deadline=None)
@given(
    # Figures of their own origin; and more, some derived, in fewer groups.
    st.one_of(
        dated_figures(max_size=12, sources=4, days=5, groups=3, derived=False),
        dated_figures(),
    ),
    st.sampled_from([timeline.LEVEL, timeline.CUMULATIVE]),
    st.sampled_from([datetime.UTC, KYIV]),
)
def test_the_evolution_is_the_comparison_known_at_each_days_end(figures, kind, tz):
    steps = timeline.evolution(figures, kind=kind, tz=tz)
    days = timeline.publication_days(figures, tz)
    assert [step.day for step in steps] == days
    for step in steps:
        again = timeline.compare_at(
            figures, kind=kind, known_at=timeline.end_of_day(step.day, tz)
        )
        assert summary(step.result) == summary(again), step.day


def test_a_day_is_taken_in_the_site_time_zone():
    late = timeline.DatedFigure(
        id=1,
        low=1,
        high=1,
        qualifier="exact",
        date=datetime.date(2024, 6, 1),
        # 22:30 UTC on the 1st is already the 2nd in Kyiv.
        published=datetime.datetime(2024, 6, 1, 22, 30, tzinfo=datetime.UTC),
        sources=frozenset({1}),
        groups=frozenset({1}),
    )
    assert timeline.publication_days([late], datetime.UTC) == [
        datetime.date(2024, 6, 1)
    ]
    assert timeline.publication_days([late], KYIV) == [datetime.date(2024, 6, 2)]
