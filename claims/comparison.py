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

Number = Decimal | int | float
SPREAD_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class FigureInterval:
    """What the comparison needs of a figure: its interval and its groups."""

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


@dataclass(frozen=True)
class Conflict:
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

    Sweeps the distinct finite ends in order. The values between two neighbouring
    ends are covered by the intervals that reach across both; an end itself is also
    covered by the intervals that start or stop there. Neighbouring pieces with the
    same best support from the same groups merge into one stretch.
    """
    if not figures:
        return []
    all_groups = sorted(
        {g for f in [*figures, *others] for g in f.groups}, key=_group_order
    )
    points = sorted({v for f in figures for v in (f.low, f.high) if v is not None})
    starts: dict[Number, list] = {}
    ends: dict[Number, list] = {}
    counts: dict = {}
    for f in figures:
        if f.low is None:
            for group in f.groups:
                counts[group] = counts.get(group, 0) + 1
        else:
            starts.setdefault(f.low, []).extend(f.groups)
        if f.high is not None:
            ends.setdefault(f.high, []).extend(f.groups)

    # One pass over the pieces: the gap before each point, the point, and the gap
    # after the last. The groups of a piece are taken (as a set) only where its
    # support reaches the best so far and they changed since last taken.
    best, runs = 0, []
    joined = False  # whether the last run reaches the previous piece
    taken: frozenset | None = None

    def piece(low, high) -> None:
        nonlocal best, runs, joined, taken
        support = len(counts)
        if support == 0 or support < best:
            joined = False
            return
        if support > best:
            best, runs, joined = support, [], False
        if taken is None:
            taken = frozenset(counts)
        if joined and runs[-1][2] == taken:
            runs[-1][1] = high
        else:
            runs.append([low, high, taken])
        joined = True

    previous = None
    for point in points:
        piece(previous, point)
        for group in starts.get(point, ()):
            held = counts.get(group, 0)
            counts[group] = held + 1
            if not held:
                taken = None
        piece(point, point)
        for group in ends.get(point, ()):
            counts[group] -= 1
            if not counts[group]:
                del counts[group]
                taken = None
        previous = point
    piece(previous, None)
    if best == 0:
        return []
    return [_stretch(run, best, all_groups, others) for run in runs]


def _group_order(group):
    return (str(type(group)), group)


def _stretch(run: list, support: int, all_groups: list, others) -> Stretch:
    low, high, groups = run
    consistent = {
        g for f in others if f.covers(low, high) for g in f.groups if g not in groups
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
    ratio = Decimal(str(max(highs))) / Decimal(str(min(lows)))
    return ratio.quantize(SPREAD_PLACES)


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
