"""Time: which figures a comparison considers, which are still current, and what
each says at the comparison's date; and how the comparison developed.

Pure Python over plain values (DOMAIN.md, "Time" and "Comparing the figures on one
measure"). A comparison is made *at* a date T and *known at* a moment K:

- *considered* figures: those whose document was published on or before K (all
  when K is not given; a document without a publication time is always known), and
  whose date lies inside the optional window and not after T. T defaults to the
  window's end, else to the latest date among the figures known at K;
- a considered figure is *superseded* when, for every source it speaks for, another
  considered figure speaking for that source is later (by date, then by its
  document's publication, then by id). The others are *current*;
- a current figure's interval *at T* is its own on a level measure; on a cumulative
  measure (a running total that never falls), a figure dated before T says only
  that the total is at least its low by T: [low, open);
- current figures read as exact, approximately, nearly, range or magnitude (or
  whose bounds, set by hand, are both finite) are *estimates*; the rest, and the
  figures projected on a cumulative measure, are *bounds*. The best-supported range
  counts the estimates' groups, or the bounds' when there is no estimate.
"""

from __future__ import annotations

import datetime
from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple, TypedDict, Unpack

from django.utils.dateparse import parse_date, parse_datetime

from claims import comparison
from claims.comparison import FigureInterval, Number

LEVEL, CUMULATIVE = "level", "cumulative"
ESTIMATE, BOUND, SUPERSEDED = "estimate", "bound", "superseded"
#: Qualifiers that read as an estimate of the value (the others bound it).
ESTIMATE_QUALIFIERS = frozenset(
    {"exact", "approximately", "nearly", "range", "magnitude"}
)

_EARLIEST_DAY = datetime.date.min
_EARLIEST_MOMENT = datetime.datetime.min.replace(tzinfo=datetime.UTC)


class DatedFigure(NamedTuple):
    """What the time rules need of a figure.

    ``date`` is the figure's date (its own ``as_of``, else its claim's, else its
    document's day); ``published`` its document's publication time (aware);
    ``sources`` and ``groups`` those of all its claim's origins. A named tuple: one
    is made for every figure of a comparison.
    """

    id: int
    low: Number | None
    high: Number | None
    qualifier: str
    date: datetime.date | None
    published: datetime.datetime | None
    sources: frozenset
    groups: frozenset
    origins: frozenset = frozenset()
    overridden: bool = False

    def order(self) -> tuple:
        """Later figures sort after earlier ones: by date, publication, id."""
        return (
            self.date or _EARLIEST_DAY,
            self.published or _EARLIEST_MOMENT,
            self.id,
        )

    def reads_as_estimate(self) -> bool:
        if self.overridden:
            return self.low is not None and self.high is not None
        return self.qualifier in ESTIMATE_QUALIFIERS


class Situated(NamedTuple):
    """A considered figure at T: its role, what superseded it, its interval at T."""

    figure: DatedFigure
    role: str
    superseded_by: int | None
    low: Number | None
    high: Number | None

    @property
    def current(self) -> bool:
        return self.role != SUPERSEDED

    def interval(self) -> FigureInterval:
        return FigureInterval(
            id=self.figure.id,
            groups=self.figure.groups,
            low=self.low,
            high=self.high,
            origins=self.figure.origins,
        )


class Counts(NamedTuple):
    figures: int
    current: int
    origins: int
    groups: int
    conflicts: int


class Result(NamedTuple):
    """A comparison at T, known at K."""

    at: datetime.date | None
    known_at: datetime.datetime | None
    figures: list[Situated]
    conflicts: list[comparison.Conflict]
    best_supported: list[comparison.Stretch]
    support_kind: str | None
    spread: object
    counts: Counts
    low: Number | None = None
    high: Number | None = None


class Step(NamedTuple):
    """The comparison known at the end of one publication day."""

    day: datetime.date
    result: Result


@dataclass
class _Window:
    after: datetime.date | None = None
    before: datetime.date | None = None

    def holds(self, day: datetime.date | None) -> bool:
        if day is None:
            return self.after is None and self.before is None
        if self.after is not None and day < self.after:
            return False
        return self.before is None or day <= self.before


def parse_moment(text, tz: datetime.tzinfo) -> datetime.datetime | None:
    """K from text: a date (YYYY-MM-DD) means the end of that day in ``tz``; an ISO
    8601 date-time without an offset is in ``tz``. ``None`` when the text is
    neither, or names no such day (2024-02-30)."""
    text = str(text).strip()
    try:
        day = parse_date(text) if len(text) == 10 else None
    except ValueError:
        return None
    if day is not None:
        return datetime.datetime.combine(day, datetime.time.max, tzinfo=tz)
    try:
        moment = parse_datetime(text)
    except ValueError:
        return None
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment


def known(
    figures: Iterable[DatedFigure], known_at: datetime.datetime | None
) -> list[DatedFigure]:
    """The figures whose document was published by ``known_at`` (all without it)."""
    if known_at is None:
        return list(figures)
    return [f for f in figures if f.published is None or f.published <= known_at]


def default_at(
    figures: Iterable[DatedFigure], before: datetime.date | None = None
) -> datetime.date | None:
    """T when none is given: the window's end, else the latest figure date."""
    if before is not None:
        return before
    return max((f.date for f in figures if f.date is not None), default=None)


def situate(
    figures: Iterable[DatedFigure],
    *,
    kind: str = LEVEL,
    at: datetime.date | None = None,
    known_at: datetime.datetime | None = None,
    after: datetime.date | None = None,
    before: datetime.date | None = None,
) -> tuple[datetime.date | None, list[Situated]]:
    """T, and every considered figure with its role and its interval at T, in the
    order of the figures given."""
    visible = known(figures, known_at)
    at = at if at is not None else default_at(visible, before)
    if after is None and before is None:  # no window: every date holds
        considered = [
            f for f in visible if f.date is None or at is None or f.date <= at
        ]
    else:
        window = _Window(after, before)
        considered = [
            f
            for f in visible
            if window.holds(f.date) and (f.date is None or at is None or f.date <= at)
        ]
    # Each source's latest figure, with its order: each figure's order taken once.
    keys = [f.order() for f in considered]
    latest: dict = {}
    for f, key in zip(considered, keys, strict=True):
        for source in f.sources:
            held = latest.get(source)
            if held is None or held[0] < key:
                latest[source] = (key, f)
    situated = []
    append = situated.append
    cumulative = kind == CUMULATIVE and at is not None
    for f in considered:
        sources = f.sources
        if len(sources) == 1:  # most figures: superseded when not their source's
            (source,) = sources
            by = latest[source][1]
            if by is not f:
                append(Situated(f, SUPERSEDED, by.id, None, None))
                continue
        elif sources:
            newer = [latest[s] for s in sources]
            if all(held[1] is not f for held in newer):
                by = max(newer, key=_first)[1]
                append(Situated(f, SUPERSEDED, by.id, None, None))
                continue
        projected = cumulative and (f.date is None or f.date < at)
        if projected:
            append(Situated(f, BOUND, None, f.low, None))
        else:
            role = ESTIMATE if f.reads_as_estimate() else BOUND
            append(Situated(f, role, None, f.low, f.high))
    return at, situated


def _first(pair: tuple):
    return pair[0]


class When(TypedDict, total=False):
    """Where a comparison stands (``situate``'s arguments): the measure's kind, T,
    K and the as_of window."""

    kind: str
    at: datetime.date | None
    known_at: datetime.datetime | None
    after: datetime.date | None
    before: datetime.date | None


def compare_at(
    figures: Iterable[DatedFigure],
    *,
    conflict_limit: int | None = None,
    **when: Unpack[When],
) -> Result:
    """The comparison at T known at K (``When``): conflicts among current figures,
    the best-supported stretches (of estimates, else of bounds), the spread, the
    counts, and the lowest low and highest high of the current estimates."""
    at, situated = situate(figures, **when)
    current, intervals, estimates, bounds = [], [], [], []
    for s in situated:
        if s.role == SUPERSEDED:
            continue
        f = s.figure
        interval = FigureInterval(f.id, f.groups, s.low, s.high, f.origins)
        current.append(f)
        intervals.append(interval)
        (estimates if s.role == ESTIMATE else bounds).append(interval)
    return _summary(
        at,
        when.get("known_at"),
        situated,
        current,
        intervals,
        estimates,
        bounds,
        considered=len(situated),
        conflicts=comparison.conflicts(intervals, conflict_limit),
    )


def _summary(
    at,
    known_at,
    situated,
    current,
    intervals,
    estimates,
    bounds,
    *,
    considered,
    conflicts,
) -> Result:
    """The comparison of the current figures (``current``, their ``intervals`` at
    T, split into ``estimates`` and ``bounds``), for ``compare_at``."""
    if estimates:
        stretches = comparison.best_supported(estimates, bounds)
        support_kind = ESTIMATE + "s"
    else:
        stretches = comparison.best_supported(bounds)
        support_kind = BOUND + "s" if bounds else None
    lows = [e.low for e in estimates]
    highs = [e.high for e in estimates]
    return Result(
        at=at,
        known_at=known_at,
        figures=situated,
        conflicts=conflicts,
        best_supported=stretches,
        support_kind=support_kind,
        spread=comparison.spread(intervals),
        counts=Counts(
            figures=considered,
            current=len(current),
            origins=len(
                {o for f in current for o in (f.origins or {("figure", f.id)})}
            ),
            groups=len({g for f in current for g in f.groups}),
            conflicts=comparison.count_conflicts(intervals),
        ),
        low=None if not lows or None in lows else min(lows),
        high=None if not highs or None in highs else max(highs),
    )


def publication_days(
    figures: Iterable[DatedFigure], tz: datetime.tzinfo
) -> list[datetime.date]:
    """Each day, in ``tz``, on which a document holding a figure was published."""
    return sorted(
        {f.published.astimezone(tz).date() for f in figures if f.published is not None}
    )


def end_of_day(day: datetime.date, tz: datetime.tzinfo) -> datetime.datetime:
    """The last moment of ``day`` in ``tz``."""
    return datetime.datetime.combine(day, datetime.time.max, tzinfo=tz)


def evolution(
    figures: Iterable[DatedFigure], *, kind: str = LEVEL, tz: datetime.tzinfo
) -> list[Step]:
    """For each publication day, in order, the comparison known at its end (its T,
    best-supported stretches, lowest low and highest high of the current estimates,
    counts; no conflict list).

    The same as ``compare_at(figures, kind=kind, known_at=end_of_day(day, tz))``
    for each day, computed incrementally: each figure is admitted once, in order of
    publication, and what the comparison counts (``_Known``) is kept as figures
    become current and are superseded; a step sweeps only the ends of each group's
    merged intervals.
    """
    figures = list(figures)
    days = publication_days(figures, tz)
    if not days:
        return []
    pending = sorted(
        (f for f in figures if f.published is not None), key=lambda f: f.published
    )
    state = _Known(kind)
    for f in figures:
        if f.published is None:
            state.admit(f)
    steps, index = [], 0
    for day in days:
        moment = end_of_day(day, tz)
        while index < len(pending) and pending[index].published <= moment:
            state.admit(pending[index])
            index += 1
        steps.append(Step(day=day, result=state.result(moment)))
    return steps


class _Known:
    """The figures known so far, which of them are current (the latest word, by
    ``DatedFigure.order``, of at least one of their sources), and what the
    comparison of the current figures is made of, kept up to date as figures come
    and go: each current figure is *placed* (its interval at T and role counted in)
    once, and *lifted* when it is superseded or, on a cumulative measure, when a
    later T projects it."""

    def __init__(self, kind: str):
        self.kind = kind
        self.count = 0
        self.at: datetime.date | None = None
        self.latest: dict = {}
        self.holds: dict[int, int] = {}
        #: Each current figure by id, with its place: (low, high, estimate).
        self.current: dict[int, DatedFigure] = {}
        self.placed: dict[int, tuple] = {}
        #: Current figures not projected (cumulative measures only).
        self.unprojected: dict[int, DatedFigure] = {}
        self.origins: dict = {}
        self.groups: dict = {}
        self.lows: list = []  # every current interval's finite low, sorted
        self.highs: list = []  # and finite high
        self.conflicts = 0
        self.estimates = 0
        self.open_estimates = [0, 0]  # estimates without a low, without a high
        self.estimate_lows: list = []
        self.estimate_highs: list = []
        #: By role (True: estimates), each group's counted intervals; their union
        #: (``comparison.union``) as counted in the role's line; and the groups
        #: whose intervals changed since.
        self.by_group: tuple[dict, dict] = ({}, {})
        self.merged: tuple[dict, dict] = ({}, {})
        self.lines = (comparison.Line(), comparison.Line())
        self.changed: tuple[set, set] = (set(), set())
        self.bounds: dict[int, FigureInterval] = {}
        #: The current figures' groups in order, dropped when they change.
        self.group_order: list | None = None

    def admit(self, f: DatedFigure) -> None:
        self.count += 1
        if f.date is not None and (self.at is None or f.date > self.at):
            self.at = f.date
            if self.kind == CUMULATIVE:
                self._project()
        if not f.sources:
            self._place(f)
            return
        order = f.order()
        for source in f.sources:
            held = self.latest.get(source)
            if held is not None and held.order() > order:
                continue
            if held is not None:
                self.holds[held.id] -= 1
                if not self.holds[held.id] and held.id in self.current:
                    self._lift(held)
            self.latest[source] = f
            self.holds[f.id] = self.holds.get(f.id, 0) + 1
        if self.holds.get(f.id):
            self._place(f)

    def _projects(self, f: DatedFigure) -> bool:
        return (
            self.kind == CUMULATIVE
            and self.at is not None
            and (f.date is None or f.date < self.at)
        )

    def _project(self) -> None:
        """T moved: place again, projected, the current figures dated before it."""
        for f in [f for f in self.unprojected.values() if self._projects(f)]:
            self._lift(f)
            self._place(f)

    def _place(self, f: DatedFigure) -> None:
        projected = self._projects(f)
        low, high = f.low, (None if projected else f.high)
        estimate = not projected and f.reads_as_estimate()
        if self.kind == CUMULATIVE and not projected:
            self.unprojected[f.id] = f
        self.current[f.id] = f
        self.placed[f.id] = (low, high, estimate)
        counts = self.origins
        for key in f.origins or (("figure", f.id),):
            counts[key] = counts.get(key, 0) + 1
        counts = self.groups
        for key in f.groups:
            held = counts.get(key, 0)
            counts[key] = held + 1
            if not held:
                self.group_order = None
        lows, highs = self.lows, self.highs
        if high is not None:
            self.conflicts += len(lows) - bisect_right(lows, high)
            if low is not None and low > high:
                self.conflicts += 1
            insort(highs, high)
        if low is not None:
            self.conflicts += bisect_left(highs, low) - (
                high is not None and high < low
            )
            insort(lows, low)
        if estimate:
            self.estimates += 1
            if low is None:
                self.open_estimates[0] += 1
            else:
                insort(self.estimate_lows, low)
            if high is None:
                self.open_estimates[1] += 1
            else:
                insort(self.estimate_highs, high)
        else:
            self.bounds[f.id] = FigureInterval(f.id, f.groups, low, high, f.origins)
        by_group = self.by_group[estimate]
        for group in f.groups:
            found = by_group.get(group)
            if found is None:
                by_group[group] = [(low, high)]
            else:
                found.append((low, high))
        self.changed[estimate].update(f.groups)

    def _lift(self, f: DatedFigure) -> None:
        del self.current[f.id]
        self.unprojected.pop(f.id, None)
        low, high, estimate = self.placed.pop(f.id)
        counts = self.origins
        for key in f.origins or (("figure", f.id),):
            held = counts[key] - 1
            if held:
                counts[key] = held
            else:
                del counts[key]
        counts = self.groups
        for key in f.groups:
            held = counts[key] - 1
            if held:
                counts[key] = held
            else:
                del counts[key]
                self.group_order = None
        lows, highs = self.lows, self.highs
        if low is not None:
            del lows[bisect_left(lows, low)]
        if high is not None:
            del highs[bisect_left(highs, high)]
            self.conflicts -= len(lows) - bisect_right(lows, high)
            if low is not None and low > high:
                self.conflicts -= 1
        if low is not None:
            self.conflicts -= bisect_left(highs, low)
        if estimate:
            self.estimates -= 1
            if low is None:
                self.open_estimates[0] -= 1
            else:
                del self.estimate_lows[bisect_left(self.estimate_lows, low)]
            if high is None:
                self.open_estimates[1] -= 1
            else:
                del self.estimate_highs[bisect_left(self.estimate_highs, high)]
        else:
            del self.bounds[f.id]
        by_group = self.by_group[estimate]
        for group in f.groups:
            intervals = by_group[group]
            intervals.remove((low, high))
            if not intervals:
                del by_group[group]
        self.changed[estimate].update(f.groups)

    def _line(self, estimate: bool) -> comparison.Line:
        """The ends of each group's counted intervals merged (``comparison.union``),
        brought up to date."""
        by_group, merged = self.by_group[estimate], self.merged[estimate]
        line, changed = self.lines[estimate], self.changed[estimate]
        for group in changed:
            intervals = by_group.get(group)
            found = comparison.union(intervals) if intervals else []
            held = merged.get(group, [])
            if found == held:
                continue
            for low, high in held:
                line.count(low, high, -1)
            for low, high in found:
                line.count(low, high, 1)
            if found:
                merged[group] = found
            else:
                del merged[group]
        changed.clear()
        return line

    def _groups_at(self, estimate: bool):
        """``comparison.line_stretches``'s ``groups_at`` of a role's line."""
        merged = self.merged[estimate]

        def groups_at(value) -> frozenset:
            return frozenset(
                group
                for group, found in merged.items()
                for low, high in found
                if (low is None or low <= value) and (high is None or high >= value)
            )

        return groups_at

    def result(self, known_at: datetime.datetime) -> Result:
        if self.group_order is None:
            self.group_order = sorted(self.groups, key=comparison.group_key)
        all_groups = self.group_order
        if self.estimates:
            support_kind = ESTIMATE + "s"
            stretches = self._line(True).stretches(
                self._groups_at(True), list(self.bounds.values()), all_groups
            )
        else:
            support_kind = BOUND + "s" if self.bounds else None
            stretches = self._line(False).stretches(
                self._groups_at(False), (), all_groups
            )
        lows, highs = self.lows, self.highs
        positive = bisect_right(lows, 0)
        spread = None
        if highs and positive < len(lows):
            spread = comparison.ratio(highs[-1], lows[positive])
        no_low, no_high = self.open_estimates
        return Result(
            at=self.at,
            known_at=known_at,
            figures=[],
            conflicts=[],
            best_supported=stretches,
            support_kind=support_kind,
            spread=spread,
            counts=Counts(
                figures=self.count,
                current=len(self.current),
                origins=len(self.origins),
                groups=len(self.groups),
                conflicts=self.conflicts,
            ),
            low=self.estimate_lows[0] if self.estimates and not no_low else None,
            high=self.estimate_highs[-1] if self.estimates and not no_high else None,
        )


@dataclass
class FigureEvidence:
    conflicts: dict = field(default_factory=dict)
    agreements: dict = field(default_factory=dict)


def figure_evidence(
    own: Iterable[int], result: Result, own_groups: Iterable = ()
) -> FigureEvidence:
    """For the claim's current figures ``own`` (ids) in a comparison, the other
    groups whose current figures conflict with one of them, and those whose current
    estimates overlap one of its estimates; the first pair found names each."""
    own = set(own)
    exclude = set(own_groups)
    current = [s for s in result.figures if s.current]
    mine = [s for s in current if s.figure.id in own]
    theirs = [s for s in current if s.figure.id not in own]
    evidence = FigureEvidence()
    for a in mine:
        ia = a.interval()
        for b in theirs:
            ib = b.interval()
            clash = not comparison.overlaps(ia, ib)
            agree = not clash and a.role == ESTIMATE and b.role == ESTIMATE
            for group in sorted(b.figure.groups - exclude, key=repr):
                pair = (a.figure.id, b.figure.id)
                if clash:
                    evidence.conflicts.setdefault(group, pair)
                elif agree:
                    evidence.agreements.setdefault(group, pair)
    return evidence


def add_figure_evidence(
    corroborating: dict, contradicting: dict, conflicts: dict, agreements: dict
) -> None:
    """Add what figures say where no link already speaks (DOMAIN.md, "Suggested
    credibility"): a group whose current figure conflicts goes to ``contradicting``,
    one whose estimate overlaps to ``corroborating``; a group that would go to both
    contradicts. Both dicts map a group to why it is there; a figure entry names the
    claim's figure and the group's: ``{"by": "figure", "figures": (own, other)}``."""
    linked = set(corroborating) | set(contradicting)
    for group, pair in conflicts.items():
        if group not in linked:
            contradicting[group] = {"by": "figure", "figures": pair}
    for group, pair in agreements.items():
        if group not in linked and group not in contradicting:
            corroborating[group] = {"by": "figure", "figures": pair}
