"""The faster rules behind the comparison and its evolution, each checked against
the straightforward computation on random input: each group's intervals merged,
the best-supported stretches found from the merged intervals, the ends of a
changing set of intervals kept as they come and go, and the evolution kept step
by step."""

import datetime
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from claims import comparison, timeline
from claims.comparison import FigureInterval

ends = st.one_of(st.none(), st.integers(0, 12))


@st.composite
def intervals(draw):
    low, high = draw(ends), draw(ends)
    if low is not None and high is not None and low > high:
        low, high = high, low
    return low, high


@st.composite
def figure_intervals(draw, max_size=12):
    found = []
    for i in range(draw(st.integers(0, max_size))):
        low, high = draw(intervals())
        groups = draw(st.frozensets(st.integers(1, 5), max_size=2))
        found.append(FigureInterval(i + 1, groups, low, high))
    return found


def covers(low, high, value) -> bool:
    return (low is None or low <= value) and (high is None or value <= high)


def brute_stretches(figures, others=()):
    """Every piece of the line (the gap before each distinct finite end, the end,
    the gap after the last), the groups of ``figures`` covering it, and the pieces
    with the most groups, neighbours with the same groups merged."""
    if not figures:
        return []
    points = sorted({v for f in figures for v in (f.low, f.high) if v is not None})
    line, previous = [], None
    for point in points:
        line.append((previous, point, False))
        line.append((point, point, True))
        previous = point
    line.append((previous, None, False))

    def groups_on(low, high, is_point):
        def reaches(f):
            if is_point:
                return covers(f.low, f.high, low)
            starts_before = f.low is None or (low is not None and f.low <= low)
            stops_after = f.high is None or (high is not None and f.high >= high)
            return starts_before and stops_after

        return frozenset(g for f in figures if reaches(f) for g in f.groups)

    pieces = [(low, high, groups_on(low, high, p)) for low, high, p in line]
    best = max(len(groups) for _, _, groups in pieces)
    if best == 0:
        return []
    runs, joined = [], False
    for low, high, groups in pieces:
        if len(groups) != best:
            joined = False
            continue
        if joined and runs[-1][2] == groups:
            runs[-1][1] = high
        else:
            runs.append([low, high, groups])
        joined = True
    order = sorted(
        {g for f in [*figures, *others] for g in f.groups},
        key=lambda g: (str(type(g)), g),
    )
    found = []
    for low, high, groups in runs:
        consistent = {
            g
            for f in others
            if (f.low is None or (low is not None and f.low <= low))
            and (f.high is None or (high is not None and high <= f.high))
            for g in f.groups
        } - groups
        found.append(
            comparison.Stretch(
                low=low,
                high=high,
                support=best,
                supporting_groups=[g for g in order if g in groups],
                consistent_groups=[g for g in order if g in consistent],
                other_groups=[
                    g for g in order if g not in groups and g not in consistent
                ],
            )
        )
    return found


@settings(max_examples=500, deadline=None)
@given(figure_intervals(), figure_intervals(max_size=5))
def test_best_supported_is_the_straightforward_sweep(figures, others):
    assert comparison.best_supported(figures, others) == brute_stretches(
        figures, others
    )


@settings(max_examples=500, deadline=None)
@given(st.lists(intervals(), min_size=1, max_size=10))
def test_a_union_covers_what_its_intervals_cover_and_no_two_touch(given_intervals):
    merged = comparison.union(given_intervals)
    for value in [v / 2 for v in range(-2, 27)]:
        assert any(covers(lo, hi, value) for lo, hi in merged) == any(
            covers(lo, hi, value) for lo, hi in given_intervals
        ), value
    for (_, high), (low, _) in zip(merged, merged[1:], strict=False):
        assert high is not None and low is not None and high < low


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(intervals(), st.booleans()), max_size=25))
def test_a_line_keeps_the_ends_of_the_intervals_it_holds(changes):
    line, held = comparison.Line(), []
    for (low, high), remove in changes:
        if remove and held:
            low, high = held.pop(0)
            line.count(low, high, -1)
        else:
            held.append((low, high))
            line.count(low, high, 1)
    starts = Counter(low for low, _ in held if low is not None)
    stops = Counter(high for _, high in held if high is not None)
    assert line.starts == starts
    assert line.ends == stops
    assert line.open_low == sum(1 for low, _ in held if low is None)
    assert line.points == sorted(starts.keys() | stops.keys())


START = datetime.datetime(2024, 6, 1, tzinfo=datetime.UTC)
QUALIFIERS = ["exact", "approximately", "range", "at_least", "up_to", "magnitude"]


@st.composite
def dated_figures(draw, max_size=25, sources=6, days=6, groups=4, derived=True):
    """Figures of ``sources`` sources in ``groups`` groups, stated and published over
    ``days`` days; with ``derived``, some of them relaying one of three origins
    (else each its own)."""
    found = []
    for i in range(draw(st.integers(0, max_size))):
        low, high = draw(intervals())
        said_by = draw(st.sets(st.integers(1, sources), max_size=2))
        hours = draw(st.one_of(st.none(), st.integers(0, 24 * days)))
        day = draw(st.one_of(st.none(), st.integers(0, days)))
        own = frozenset({i + 1})
        found.append(
            timeline.DatedFigure(
                id=i + 1,
                low=low,
                high=high,
                qualifier=draw(st.sampled_from(QUALIFIERS)),
                date=None if day is None else datetime.date(2024, 6, 1 + day),
                published=None
                if hours is None
                else START + datetime.timedelta(hours=hours),
                sources=frozenset(said_by),
                groups=frozenset(s % groups for s in said_by),
                origins=draw(st.sampled_from([frozenset(), frozenset({i % 3})]))
                if derived
                else own,
                overridden=draw(st.booleans()),
            )
        )
    return found


def test_a_superseded_figure_leaves_the_counts_and_the_stretches():
    def figure(id, low, high, hours, source):
        return timeline.DatedFigure(
            id=id,
            low=low,
            high=high,
            qualifier="range",
            date=datetime.date(2024, 6, 1),
            published=START + datetime.timedelta(hours=hours),
            sources=frozenset({source}),
            groups=frozenset({source}),
        )

    steps = timeline.evolution(
        [figure(1, 0, 5, 1, 1), figure(2, 4, 9, 2, 2), figure(3, 20, 30, 30, 1)],
        tz=datetime.UTC,
    )
    first, second = (step.result for step in steps)
    assert [(s.low, s.high, s.support) for s in first.best_supported] == [(4, 5, 2)]
    assert first.counts == timeline.Counts(2, 2, 2, 2, 0)
    # The second day's figure of source 1 supersedes its first: no overlap left.
    assert second.counts == timeline.Counts(3, 2, 2, 2, 1)
    assert [(s.low, s.high) for s in second.best_supported] == [(4, 9), (20, 30)]


@settings(max_examples=400, deadline=None)
@given(figure_intervals(max_size=15), st.one_of(st.none(), st.integers(0, 20)))
def test_the_listed_conflicts_are_the_widest_pairs_in_order(figures, limit):
    lowers = sorted(
        (f for f in figures if f.high is not None), key=lambda f: (f.high, f.id)
    )
    uppers = sorted(
        (f for f in figures if f.low is not None),
        key=lambda f: (f.low, f.id),
        reverse=True,
    )
    pairs = [
        comparison.Conflict((a.id, b.id), bool(a.groups & b.groups))
        for a in lowers
        for b in uppers
        if b.low > a.high
    ]
    expected = pairs if limit is None else pairs[:limit]
    assert comparison.conflicts(figures, limit) == expected
    assert comparison.count_conflicts(figures) == len(pairs)
