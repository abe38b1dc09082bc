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

from bisect import bisect_left, bisect_right, insort
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from itertools import accumulate, repeat
from operator import add, sub
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


_new = tuple.__new__


class Stretch(NamedTuple):
    """A run of values covered by the largest number of distinct groups.

    Every group with a figure in the comparison is exactly one of: *supporting*
    (one of its counted figures covers the stretch), *consistent* (none of its
    counted figures does, but another of its figures does: a bound), *other*.
    """

    low: Number | None
    high: Number | None
    support: int
    supporting_groups: list
    consistent_groups: list
    other_groups: list


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
        uppers = with_low[bisect_right(lows, lower.high) :]
        if not uppers:
            continue
        uppers.reverse()
        room = None if limit is None else limit - len(found)
        if room is not None and len(uppers) >= room:
            del uppers[room:]
        lower_id, apart = lower.id, lower.groups.isdisjoint
        # Made by tuple's own constructor: a named tuple's is a Python function,
        # most of the cost of listing a thousand conflicts.
        found += [
            _new(Conflict, ((lower_id, u.id), not apart(u.groups))) for u in uppers
        ]
        if room is not None and len(found) >= limit:
            break
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
        {g for f in [*figures, *others] for g in f.groups}, key=group_key
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

    The line is cut at the distinct finite ends, the points: the gap before each
    point, the point, and the gap after the last. Since a group's pieces never
    touch, a piece of the line is supported by as many groups as pieces cover it:
    at a point, those of the gap before it and those that start there; in the gap
    after it, those less the ones that stop there. The best support is therefore
    reached at points (or, without any, in the one gap), counted in one pass.

    A stretch is a longest run of pieces of the line supported by the best number
    of groups, the same ones. It holds a point of best support and, when no piece
    starts there, the gap before it; when none stops there, the gap after it and
    the next point, where none can start.
    """
    starts = Counter(low for low, _, _ in pieces)
    ends = Counter(high for _, high, _ in pieces)
    open_low = starts.pop(None, 0)
    ends.pop(None, None)
    points = sorted(starts.keys() | ends.keys())
    groups_at = partial(_groups_at, pieces)
    return line_stretches(starts, ends, open_low, points, groups_at, others, all_groups)


def _groups_at(pieces, value) -> frozenset:
    """The groups of the ``pieces`` covering ``value`` (when ``value`` is
    ``None``, there are no finite ends: all of them)."""
    return frozenset(
        group
        for start, end, group in pieces
        if (start is None or start <= value) and (end is None or end >= value)
    )


def line_stretches(
    starts: dict, ends: dict, open_low: int, points: list, groups_at, others, all_groups
) -> list[Stretch]:
    """``stretches`` of pieces from their ends, counted: how many start and stop at
    each finite value, how many have no low, and the ``points``, sorted (what
    ``Line`` keeps as pieces come and go); ``groups_at(value)`` gives the groups of
    the pieces covering a value (``_groups_at``)."""
    if not points:  # every piece covers every value
        if not open_low:
            return []
        run = [None, None, groups_at(None)]
        return [_stretch(run, open_low, all_groups, others)]
    begun = list(map(starts.get, points, repeat(0)))
    ended = list(map(ends.get, points, repeat(0)))
    before = accumulate(map(sub, begun, ended), initial=open_low)
    at_point = list(map(add, before, begun))
    best = max(at_point)
    if not best:
        return []
    runs = []
    last = len(points) - 1
    i = at_point.index(best)
    while True:
        value = points[i]
        low = value if begun[i] else (points[i - 1] if i else None)
        while not ended[i] and i < last:
            i += 1
        high = points[i] if ended[i] else None
        runs.append([low, high, groups_at(value)])
        try:
            i = at_point.index(best, i + 1)
        except ValueError:
            break
    return [_stretch(run, best, all_groups, others) for run in runs]


class Line:
    """The ends of a changing set of pieces, as ``line_stretches`` takes them."""

    def __init__(self):
        self.starts: dict = {}
        self.ends: dict = {}
        self.open_low = 0
        self.points: list = []

    def count(self, low, high, step: int) -> None:
        """Count the piece from ``low`` to ``high`` in (``step`` 1) or out (-1)."""
        if low is None:
            self.open_low += step
        else:
            self._end(self.starts, self.ends, low, step)
        if high is not None:
            self._end(self.ends, self.starts, high, step)

    def _end(self, counts: dict, others: dict, value, step: int) -> None:
        held = counts.get(value, 0) + step
        if held:
            counts[value] = held
            if held == 1 and step == 1 and value not in others:
                insort(self.points, value)
        else:
            del counts[value]
            if value not in others:
                del self.points[bisect_left(self.points, value)]

    def stretches(self, groups_at, others, all_groups) -> list[Stretch]:
        return line_stretches(
            self.starts,
            self.ends,
            self.open_low,
            self.points,
            groups_at,
            others,
            all_groups,
        )


def group_key(group):
    """The key groups are listed in: by type, then value."""
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
    supporting, consistent_groups, other = [], [], []
    for g in all_groups:
        if g in groups:
            supporting.append(g)
        elif g in consistent:
            consistent_groups.append(g)
        else:
            other.append(g)
    return Stretch(
        low=low,
        high=high,
        support=support,
        supporting_groups=supporting,
        consistent_groups=consistent_groups,
        other_groups=other,
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
