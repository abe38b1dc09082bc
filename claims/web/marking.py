"""Marking quote spans in a document's text: overlapping spans become segments.

Pure Python. Quotes may overlap or coincide (two claims can share one sentence); the
text is cut at every span boundary, and each piece knows which spans cover it, so a
template can mark it without building HTML in Python.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    key: int
    start: int
    end: int


@dataclass(frozen=True)
class Segment:
    text: str
    covering: tuple[int, ...]  # keys of the spans over this piece, by start then key
    ending: tuple[int, ...]  # keys of the spans that end with this piece


def segments(text: str, spans: list[Span]) -> list[Segment]:
    """Cut ``text`` at every span boundary; spans outside the text are clipped."""
    valid = [
        Span(s.key, max(0, s.start), min(len(text), s.end))
        for s in spans
        if s.start < s.end and s.start < len(text) and s.end > 0
    ]
    cuts = sorted({0, len(text), *(s.start for s in valid), *(s.end for s in valid)})
    ordered = sorted(valid, key=lambda s: (s.start, s.key))
    pieces = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        covering = tuple(s.key for s in ordered if s.start <= start and end <= s.end)
        ending = tuple(s.key for s in ordered if s.end == end)
        pieces.append(Segment(text[start:end], covering, ending))
    return pieces


def excerpt(
    text: str, start: int, end: int, context: int = 280
) -> tuple[str, str, str]:
    """The text before a span, the span, and the text after, trimmed to ``context``
    characters either side at word boundaries, with an ellipsis where cut."""
    before_start = max(0, start - context)
    after_end = min(len(text), end + context)
    before = text[before_start:start]
    after = text[end:after_end]
    if before_start > 0:
        before = "…" + before[before.find(" ") + 1 :] if " " in before else "…" + before
    if after_end < len(text):
        after = (after[: after.rfind(" ")] if " " in after else after) + "…"
    return before, text[start:end], after
