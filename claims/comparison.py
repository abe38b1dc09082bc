"""Comparing the figures on one measure: conflicts, best-supported range, spread.

Pure Python over plain values. An interval is closed; ``None`` for ``low`` or ``high``
is an open end, which reaches everything beyond it. Support counts distinct
independence groups, never figures: ten outlets repeating one briefing are one voice.
A figure belongs to every group of its origins (a claim based on a US and a UK report
speaks for both), so it counts once for each of them.

Which figures take part, and with which interval, is the time module's
(``claims.timeline``): these functions compare the intervals they are given.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

Number = Decimal | int | float
SPREAD_PLACES = Decimal("0.0001")


class FigureInterval(NamedTuple):
    """What the comparison needs of a figure: its interval and its groups (a named
    tuple: one is made for every current figure)."""

    id: int
    groups: frozenset
    low: Number | None
    high: Number | None
    origins: frozenset = frozenset()

    def covers(self, low: Number | None, high: Number | None) -> bool:
        """Whether this interval holds all of [low, high] (``None``: open)."""
        if self.low is not None and (low is None or low < self.low):
            return False
        if self.high is not None and (high is None or high > self.high):
            return False
        return True


class Conflict(NamedTuple):
    figure_ids: tuple[int, int]
    same_group: bool


@dataclass(frozen=True)
class Stretch:
    """A run of values covered by the largest number of distinct groups.

    Every group with a figure in the comparison is exactly one of: *supporting*
    (one of its counted figures covers the stretch), *consistent* (none of its
    counted figures does, but another of its figures does: a bound), *other*.
    """

    low: Number | None
    high: Number | None
    support: int
    supporting_groups: list = field(default_factory=list)
    consistent_groups: list = field(default_factory=list)
    other_groups: list = field(default_factory=list)


@dataclass(frozen=True)
class Comparison:
    conflicts: list[Conflict]
    conflict_count: int
    best_supported: list[Stretch]
    spread: Decimal | None
    figures: int
    origins: int
    groups: int


def overlaps(a: FigureInterval, b: FigureInterval) -> bool:
    """Closed intervals overlap when neither lies wholly above the other."""
    if a.high is not None and b.low is not None and a.high < b.low:
        return False
    if b.high is not None and a.low is not None and b.high < a.low:
        return False
    return True


def _sorted_lows(figures: list[FigureInterval]) -> tuple[list[FigureInterval], list]:
    with_low = sorted(
        (f for f in figures if f.low is not None), key=lambda f: (f.low, f.id)
    )
    return with_low, [f.low for f in with_low]


def count_conflicts(figures: list[FigureInterval]) -> int:
    """How many pairs of figures do not overlap, without listing them: O(n log n)."""
    with_low, lows = _sorted_lows(figures)
    return sum(
        len(lows) - bisect_right(lows, f.high) for f in figures if f.high is not None
    )


def conflicts(
    figures: list[FigureInterval], limit: int | None = None
) -> list[Conflict]:
    """Pairs of figures whose intervals do not overlap, the lower figure first.

    The most widely separated come first: lower figures by their high end
    ascending, and for each, the figures above it by their low end descending. A
    figure conflicts with exactly the figures whose low end lies above its high end,
    a suffix of the figures sorted by low end, so the cost is O(n log n) plus the
    pairs listed; ``limit`` caps the list (``count_conflicts`` gives the total).
    """
    with_low, lows = _sorted_lows(figures)
    found: list[Conflict] = []
    lowers = sorted(
        (f for f in figures if f.high is not None), key=lambda f: (f.high, f.id)
    )
    for lower in lowers:
        start = bisect_right(lows, lower.high)
        for upper in reversed(with_low[start:]):
            if limit is not None and len(found) >= limit:
                return found
            found.append(
                Conflict(
                    figure_ids=(lower.id, upper.id),
                    same_group=bool(lower.groups & upper.groups),
                )
            )
    return found


def best_supported(
    figures: list[FigureInterval], others: list[FigureInterval] = ()
) -> list[Stretch]:
    """The stretches of values covered by the most distinct groups of ``figures``
    (the counted ones); every tie. ``others`` are the comparison's other figures
    (bounds, when estimates are counted): they make their groups *consistent* with
    a stretch they cover, never supporting.

    Where a group is covered depends only on the union of its intervals, so each
    group's intervals are merged first (``union``) and the merged ones swept
    (``stretches``).
    """
    if not figures:
        return []
    all_groups = sorted(
        {g for f in [*figures, *others] for g in f.groups}, key=_group_order
    )
    by_group: dict = {}
    for f in figures:
        for group in f.groups:
            by_group.setdefault(group, []).append((f.low, f.high))
    return stretches(
        [
            (low, high, group)
            for group, intervals in by_group.items()
            for low, high in union(intervals)
        ],
        others,
        all_groups,
    )


def union(intervals: list[tuple]) -> list[tuple]:
    """The closed intervals ``(low, high)`` (``None``: open) merged where they
    overlap or touch: the fewest disjoint intervals covering the same values, in
    order, no two touching."""
    merged: list[tuple] = []
    ordered = sorted(intervals, key=_by_low)
    low, high = ordered[0]
    for next_low, next_high in ordered[1:]:
        if high is None:
            break
        if next_low is None or next_low <= high:
            if next_high is None or next_high > high:
                high = next_high
            continue
        merged.append((low, high))
        low, high = next_low, next_high
    merged.append((low, high))
    return merged


def _by_low(interval: tuple) -> tuple:
    low = interval[0]
    return (low is not None, low)


def stretches(pieces: list[tuple], others, all_groups: list) -> list[Stretch]:
    """The best-supported stretches of ``pieces``, each ``(low, high, group)``:
    one group's intervals, as ``union`` merges them (none of a group's touch).
    ``all_groups`` is every group of them and of ``others``, in order.

    Sweeps the distinct finite ends in order. The values between two neighbouring
    ends are covered by the pieces that reach across both; an end itself is also
    covered by the pieces that start or stop there. A group's pieces never touch,
    so the support of a piece of the line is the number of pieces covering it.
    Neighbouring pieces of the line with the same best support from the same groups
    merge into one stretch.
    """
    starts: dict[Number, list] = {}
    ends: dict[Number, list] = {}
    active: set = set()
    for low, high, group in pieces:
        if low is None:
            active.add(group)
        else:
            starts.setdefault(low, []).append(group)
        if high is not None:
            ends.setdefault(high, []).append(group)
    # One pass over the pieces of the line: the gap before each point, the point,
    # and the gap after the last. A run is [low, high, groups]; the groups of a
    # piece are taken (as a set) only where its support reaches the best so far
    # and they changed since last taken.
    best, runs, joined, taken = 0, [], False, None
    previous = None
    for point in sorted(starts.keys() | ends.keys()):
        support = len(active)
        if support and support >= best:
            best, taken = _reach(runs, best, joined, taken, active, previous, point)
            joined = True
        else:
            joined = False
        begun = starts.get(point)
        if begun:
            active.update(begun)
            taken = None
        support = len(active)
        if support and support >= best:
            best, taken = _reach(runs, best, joined, taken, active, point, point)
            joined = True
        else:
            joined = False
        ended = ends.get(point)
        if ended:
            active.difference_update(ended)
            taken = None
        previous = point
    support = len(active)
    if support and support >= best:
        best, taken = _reach(runs, best, joined, taken, active, previous, None)
    if best == 0:
        return []
    return [_stretch(run, best, all_groups, others) for run in runs]


def _reach(runs: list, best: int, joined: bool, taken, active: set, low, high):
    """A piece of the line from ``low`` to ``high`` covered by the groups
    ``active``, at least as many as the best so far: start or extend a run (the
    last one when ``joined``, it reaching the piece before). The best support and
    the piece's groups, as a set."""
    if len(active) > best:
        best, joined = len(active), False
        runs.clear()
    if taken is None:
        taken = frozenset(active)
    if joined and runs[-1][2] == taken:
        runs[-1][1] = high
    else:
        runs.append([low, high, taken])
    return best, taken


def _group_order(group):
    return (str(type(group)), group)


def _stretch(run: list, support: int, all_groups: list, others) -> Stretch:
    low, high, groups = run
    # The groups of the ``others`` that cover [low, high] (``FigureInterval.covers``).
    consistent = {
        g
        for f in others
        if (f.low is None or (low is not None and low >= f.low))
        and (f.high is None or (high is not None and high <= f.high))
        for g in f.groups
        if g not in groups
    }
    return Stretch(
        low=low,
        high=high,
        support=support,
        supporting_groups=[g for g in all_groups if g in groups],
        consistent_groups=[g for g in all_groups if g in consistent],
        other_groups=[g for g in all_groups if g not in groups and g not in consistent],
    )


def spread(figures: list[FigureInterval]) -> Decimal | None:
    """The largest finite high over the smallest positive low, to four places.

    ``None`` when there is no finite high or no positive low to divide by.
    """
    highs = [f.high for f in figures if f.high is not None]
    lows = [f.low for f in figures if f.low is not None and f.low > 0]
    if not highs or not lows:
        return None
    return ratio(max(highs), min(lows))


def ratio(high: Number, low: Number) -> Decimal:
    """``high`` over ``low`` (positive), to four places: the spread."""
    return (Decimal(str(high)) / Decimal(str(low))).quantize(SPREAD_PLACES)


def compare(
    figures: list[FigureInterval], conflict_limit: int | None = None
) -> Comparison:
    """Everything the comparison view reports about one set of figures; at most
    ``conflict_limit`` conflicts are listed, all are counted."""
    return Comparison(
        conflicts=conflicts(figures, conflict_limit),
        conflict_count=count_conflicts(figures),
        best_supported=best_supported(figures),
        spread=spread(figures),
        figures=len(figures),
        origins=len({o for f in figures for o in (f.origins or {("figure", f.id)})}),
        groups=len({g for f in figures for g in f.groups}),
    )
