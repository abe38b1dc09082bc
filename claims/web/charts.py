"""Geometry for the measure chart: a shared linear axis, nice ticks, positions in
percent of the plot's width (so the SVG stretches to any width and its text keeps
its size). Pure Python over the comparison's numbers."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

Number = Decimal | int | float


@dataclass(frozen=True)
class Axis:
    low: float
    high: float
    ticks: list[tuple[float, str]]  # (percent across, label)

    def at(self, value: Number) -> float:
        """Where ``value`` falls, in percent of the width (0 to 100)."""
        span = self.high - self.low
        return round(100 * (float(value) - self.low) / span, 3) if span else 50.0


def nice_step(span: float, target_ticks: int = 6) -> float:
    """A step of 1, 2 or 5 times a power of ten giving about ``target_ticks`` ticks."""
    if span <= 0:
        return 1.0
    raw = span / target_ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power  # pragma: no cover - the loop always returns


def label(value: float) -> str:
    """Compact, readable numbers: 1,350; 2.5k is not used; 1.5M, 20M, 0.25."""
    magnitude = abs(value)
    if magnitude >= 1_000_000:
        text = f"{value / 1_000_000:,.2f}".rstrip("0").rstrip(".")
        return f"{text}M"
    if magnitude >= 1 or value == 0:
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:.4g}"


def axis_for(values: list[Number], target_ticks: int = 6) -> Axis | None:
    """An axis covering every finite value, widened to whole ticks.

    ``None`` when there are no finite values to place.
    """
    finite = [float(v) for v in values if v is not None]
    if not finite:
        return None
    low, high = min(finite), max(finite)
    if low == high:
        pad = abs(low) * 0.1 or 1.0
        low, high = low - pad, high + pad
    step = nice_step(high - low, target_ticks)
    start = math.floor(low / step) * step
    stop = math.ceil(high / step) * step
    count = round((stop - start) / step)
    axis = Axis(start, stop, [])
    for i in range(count + 1):
        value = start + i * step
        axis.ticks.append((axis.at(value), label(round(value, 10))))
    return axis


# The evolution chart ------------------------------------------------------------------

#: The plot is drawn in a viewBox one unit wide per column and ``SCALE`` high,
#: stretched to the chart's width and ``PLOT_HEIGHT`` pixels; its text is drawn
#: outside that viewBox, so it keeps its size at any width.
SCALE = 1000
PLOT_TOP = 16
PLOT_HEIGHT = 200
LABELS_HEIGHT = 36
#: A band, and the estimates' line, never shorter than these (in viewBox units):
#: a single value shows, and the line pokes out of a band of the same value.
MIN_BAND = 24
MIN_LINE = 60
#: At most this many day labels; the others are in each column's title.
MAX_DAY_LABELS = 7
#: A column's title names this many tied best-supported stretches, then counts.
STRETCHES_NAMED = 3


def _extent(top: float, bottom: float, least: float) -> tuple[float, float]:
    """``(y, height)`` of a vertical run, widened about its middle to ``least``."""
    if bottom - top < least:
        middle = (top + bottom) / 2
        top, bottom = middle - least / 2, middle + least / 2
        shift = max(0.0, -top) - max(0.0, bottom - SCALE)  # kept inside the plot
        top, bottom = top + shift, bottom + shift
    return round(top, 3), round(bottom - top, 3)


def evolution(steps: list[dict], chosen=None) -> dict:
    """Columns, one per publication day in order, for ``steps`` of an evolution:
    each with its best-supported stretches as bands and the lowest low to highest
    high of the current estimates as a line, on one vertical axis (an open end
    reaches the edge). ``chosen`` picks out the column of that day."""
    values: list = []
    for step in steps:
        values += [step["low"], step["high"]]
        for stretch in step["best_supported"]:
            values += [stretch["low"], stretch["high"]]
    axis = axis_for(values, target_ticks=4)
    count = len(steps)
    every = max(1, math.ceil(count / MAX_DAY_LABELS))

    def y(value, open_end: float) -> float:
        if value is None or axis is None:
            return open_end
        return SCALE * (1 - axis.at(value) / 100)

    columns = []
    labelled_year = None
    for index, step in enumerate(steps):
        labelled = index % every == 0
        new_year = labelled and step["date"].year != labelled_year
        if labelled:
            labelled_year = step["date"].year
        bands: list[dict] = []
        runs = sorted(
            (
                (*_extent(y(s["high"], 0), y(s["low"], SCALE), MIN_BAND), s)
                for s in step["best_supported"]
            ),
            key=lambda run: run[:2],
        )
        for top, height, stretch in runs:
            if bands and top <= bands[-1]["y"] + bands[-1]["height"]:
                # Tied stretches that touch on the chart share one band.
                last = bands[-1]
                last["height"] = round(max(last["height"], top + height - last["y"]), 3)
                last["count"] += 1
                continue
            bands.append(
                {
                    "stretch": stretch,
                    "kind": stretch["support_kind"] or "",
                    "y": top,
                    "height": height,
                    "count": 1,
                }
            )
        line = None
        if axis is not None and step["low"] is not None and step["high"] is not None:
            top, height = _extent(y(step["high"], 0), y(step["low"], SCALE), MIN_LINE)
            line = {"y1": top, "y2": round(top + height, 3)}
        columns.append(
            {
                "step": step,
                "x": index,
                "band_x": index + 0.2,
                "centre": index + 0.5,
                "label_x": round(100 * (index + 0.5) / count, 3),
                "labelled": labelled,
                "new_year": new_year,
                "chosen": step["date"] == chosen,
                "bands": bands,
                "line": line,
                "kind": (step["best_supported"] or [{}])[0].get("support_kind"),
                "stretches": step["best_supported"][:STRETCHES_NAMED],
                "stretches_more": max(len(step["best_supported"]) - STRETCHES_NAMED, 0),
            }
        )
    ticks = []
    if axis is not None:
        for at, text in axis.ticks:
            ticks.append(
                {"y": round(PLOT_TOP + PLOT_HEIGHT * (1 - at / 100), 2), "label": text}
            )
    return {
        "columns": columns,
        "ticks": ticks,
        "scale": SCALE,
        "top": PLOT_TOP,
        "plot_height": PLOT_HEIGHT,
        "label_y": PLOT_TOP + PLOT_HEIGHT + 15,
        "height": PLOT_TOP + PLOT_HEIGHT + LABELS_HEIGHT,
        "first": steps[0] if steps else None,
        "last": columns[-1] if columns else None,
    }
