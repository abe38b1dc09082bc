"""Conflicts, best-supported range, spread and counts, over plain values."""

from decimal import Decimal as D
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from claims.comparison import (
    FigureInterval,
    best_supported,
    compare,
    conflicts,
    count_conflicts,
    overlaps,
    spread,
)


def figure_interval(id, group, low, high, origin=None):
    """A ``FigureInterval`` in ``group`` (or a set of groups)."""
    groups = frozenset(group) if isinstance(group, frozenset | set) else {group}
    return FigureInterval(
        id=id,
        groups=frozenset(groups),
        low=low,
        high=high,
        origins=frozenset() if origin is None else frozenset({origin}),
    )


# The worked example of the seed article -------------------------------------------

US = figure_interval(1, "us", D(2700), D(3300))
NIS = figure_interval(2, "kr", D(1350), D(1650))


def test_the_worked_example_conflicts_across_groups():
    (conflict,) = conflicts([US, NIS])
    assert conflict.figure_ids == (2, 1) and conflict.same_group is False


def test_the_worked_example_has_two_stretches_each_with_one_group():
    stretches = best_supported([US, NIS])
    assert [(s.low, s.high, s.support) for s in stretches] == [
        (D(1350), D(1650), 1),
        (D(2700), D(3300), 1),
    ]
    assert stretches[0].supporting_groups == ["kr"]
    assert stretches[0].other_groups == ["us"]


def test_the_worked_example_spread():
    assert spread([US, NIS]) == D("2.4444")


# Conflicts -------------------------------------------------------------------------


def test_touching_closed_intervals_overlap():
    assert overlaps(figure_interval(1, 1, 1, 2), figure_interval(2, 2, 2, 3))
    assert conflicts([figure_interval(1, 1, 1, 2), figure_interval(2, 2, 2, 3)]) == []


def test_an_open_end_overlaps_everything_beyond_it():
    at_least = figure_interval(1, 1, 3000, None)
    assert overlaps(at_least, figure_interval(2, 2, 10**9, 10**9))
    assert not overlaps(at_least, figure_interval(3, 3, 0, 2999))
    up_to = figure_interval(4, 4, None, 100)
    assert overlaps(up_to, figure_interval(5, 5, -50, -40))
    assert conflicts([up_to, at_least]) == conflicts([at_least, up_to])
    assert [c.figure_ids for c in conflicts([up_to, at_least])] == [(4, 1)]


def test_conflicts_inside_one_group_are_reported_and_marked():
    (conflict,) = conflicts(
        [figure_interval(1, "g", 1, 2), figure_interval(2, "g", 5, 6)]
    )
    assert conflict.same_group is True


def test_every_non_overlapping_pair_is_one_conflict_widest_first():
    figures = [
        figure_interval(1, 1, 0, 1),
        figure_interval(2, 2, 2, 3),
        figure_interval(3, 3, 4, 5),
        figure_interval(4, 4, 0, 5),
    ]
    assert [c.figure_ids for c in conflicts(figures)] == [(1, 3), (1, 2), (2, 3)]
    assert count_conflicts(figures) == 3


def test_a_limit_lists_the_widest_conflicts_and_the_count_stays_whole():
    figures = [
        figure_interval(1, 1, 0, 1),
        figure_interval(2, 2, 2, 3),
        figure_interval(3, 3, 4, 5),
    ]
    assert [c.figure_ids for c in conflicts(figures, limit=2)] == [(1, 3), (1, 2)]
    result = compare(figures, conflict_limit=1)
    assert len(result.conflicts) == 1 and result.conflict_count == 3


# Best-supported range -----------------------------------------------------------------


def test_no_figures_support_nothing():
    assert best_supported([]) == []


def test_figures_of_one_group_count_once():
    stretches = best_supported(
        [
            figure_interval(1, "us", 0, 10),
            figure_interval(2, "us", 0, 10),
            figure_interval(3, "kr", 20, 30),
        ]
    )
    assert [(s.low, s.high, s.support) for s in stretches] == [(0, 10, 1), (20, 30, 1)]


def test_the_overlap_of_independent_groups_is_best_supported():
    (stretch,) = best_supported(
        [figure_interval(1, "a", 0, 10), figure_interval(2, "b", 5, 15)]
    )
    assert (stretch.low, stretch.high, stretch.support) == (5, 10, 2)
    assert stretch.supporting_groups == ["a", "b"] and stretch.other_groups == []


def test_a_single_shared_point_can_be_the_best_supported_stretch():
    (stretch,) = best_supported(
        [figure_interval(1, "a", 0, 10), figure_interval(2, "b", 10, 20)]
    )
    assert (stretch.low, stretch.high, stretch.support) == (10, 10, 2)


def test_open_ends_give_open_stretches():
    (stretch,) = best_supported(
        [figure_interval(1, "a", 3000, None), figure_interval(2, "b", 5000, None)]
    )
    assert (stretch.low, stretch.high) == (5000, None)
    (stretch,) = best_supported([figure_interval(1, "a", None, 10)])
    assert (stretch.low, stretch.high) == (None, 10)


def test_ties_with_different_groups_are_separate_stretches():
    figures = [
        figure_interval(1, "a", 0, 10),
        figure_interval(2, "b", 5, 15),
        figure_interval(3, "c", 12, 20),
    ]
    stretches = best_supported(figures)
    assert [(s.low, s.high, s.supporting_groups) for s in stretches] == [
        (5, 10, ["a", "b"]),
        (12, 15, ["b", "c"]),
    ]


# Spread and counts -----------------------------------------------------------------


def test_spread_is_none_without_a_positive_low_or_a_finite_high():
    assert spread([figure_interval(1, 1, 0, 10)]) is None
    assert spread([figure_interval(1, 1, 5, None)]) is None
    assert spread([]) is None


def test_a_figure_of_several_groups_supports_each_of_them():
    (stretch,) = best_supported(
        [
            figure_interval(1, frozenset({"us", "uk"}), 0, 10),
            figure_interval(2, "kr", 5, 20),
        ]
    )
    assert (stretch.low, stretch.high, stretch.support) == (5, 10, 3)
    assert stretch.supporting_groups == ["kr", "uk", "us"]


def test_conflicting_figures_sharing_any_group_are_marked_same_group():
    (conflict,) = conflicts(
        [
            figure_interval(1, frozenset({"us", "uk"}), 0, 1),
            figure_interval(2, frozenset({"uk", "fr"}), 5, 6),
        ]
    )
    assert conflict.same_group is True


def test_a_bound_covering_a_stretch_makes_its_group_consistent_not_supporting():
    estimates = [
        figure_interval(1, "ministry", 500, 700),
        figure_interval(2, "ngo", 550, 650),
    ]
    bounds = [
        figure_interval(3, "press", 120, None),
        figure_interval(4, "army", None, 100),
    ]
    (stretch,) = best_supported(estimates, bounds)
    assert (stretch.low, stretch.high) == (550, 650)
    assert stretch.supporting_groups == ["ministry", "ngo"]
    assert stretch.consistent_groups == ["press"]
    assert stretch.other_groups == ["army"]


def test_counts_are_of_figures_origins_and_groups():
    figures = [
        figure_interval(1, "us", 1, 2, origin=10),
        figure_interval(2, "us", 1, 2, origin=10),
        figure_interval(3, "us", 1, 2, origin=11),
        figure_interval(4, "kr", 1, 2, origin=12),
    ]
    result = compare(figures)
    assert (result.figures, result.origins, result.groups) == (4, 3, 2)


# Properties against brute force -------------------------------------------------------

ends = st.one_of(st.none(), st.integers(min_value=-20, max_value=20))


@st.composite
def intervals(draw):
    n = draw(st.integers(min_value=0, max_value=8))
    figures = []
    for i in range(n):
        low, high = draw(ends), draw(ends)
        if low is not None and high is not None and low > high:
            low, high = high, low
        groups = draw(st.sets(st.integers(0, 3), min_size=1, max_size=2))
        figures.append(figure_interval(i, frozenset(groups), low, high))
    return figures


def covers(f, x):
    return (f.low is None or f.low <= x) and (f.high is None or x <= f.high)


def probe_points():
    # Every integer, every half-way point, and points beyond the ends.
    return [Fraction(n, 2) for n in range(-44, 45)]


def brute_support(figures, x):
    return {g for f in figures if covers(f, x) for g in f.groups}


@settings(max_examples=300)
@given(intervals())
def test_best_supported_matches_a_brute_force_count(figures):
    stretches = best_supported(figures)
    best = max((len(brute_support(figures, x)) for x in probe_points()), default=0)
    if best == 0:
        assert stretches == []
        return
    assert {s.support for s in stretches} == {best}
    for x in probe_points():
        groups = brute_support(figures, x)
        inside = [
            s
            for s in stretches
            if (s.low is None or s.low <= x) and (s.high is None or x <= s.high)
        ]
        if len(groups) == best:
            # Every best-supported value lies in a stretch with exactly its groups.
            assert any(sorted(groups) == s.supporting_groups for s in inside), x
        else:
            # A value with less support may only be an excluded end of a stretch.
            for s in inside:
                assert x in (s.low, s.high), (x, s)
    for s in stretches:
        assert s.low is None or s.high is None or s.low <= s.high
        assert sorted(s.supporting_groups + s.other_groups) == sorted(
            {g for f in figures for g in f.groups}
        )


@settings(max_examples=300)
@given(intervals())
def test_conflicts_match_a_brute_force_pairing(figures):
    expected = {
        frozenset((a.id, b.id))
        for a in figures
        for b in figures
        if a.id < b.id
        and not any(covers(a, x) and covers(b, x) for x in probe_points())
    }
    found = conflicts(figures)
    assert {frozenset(c.figure_ids) for c in found} == expected
    assert len(found) == len(expected) == count_conflicts(figures)
