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
