"""Finding a quote in its document's text: exactly, or after normalising typography.

Pure Python. A quote is anchored to one span of the text:
- it is looked up exactly first, then with quotation marks, apostrophes, dashes and
  runs of white space made uniform on both sides (so a quote typed with straight
  quotes matches the document's curly ones), and the span found is the document's
  own text;
- when it occurs more than once, the caller picks one the way a W3C
  TextQuoteSelector does: by the text just before it (``prefix``) and/or after it
  (``suffix``), or by its start offset (``start``);
- when it does not occur, the error shows the passage of the text nearest to it.

Offsets are in code points (Python string indices), end exclusive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from rapidfuzz import fuzz

#: Typographic variants and the one character each is read as.
_EQUIVALENT = str.maketrans(
    {
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u0060\u00b4", "'"),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
        **dict.fromkeys("\u00a0\u2007\u202f\u2009\u200a\u3000", " "),
    }
)
_SPACES = re.compile(r"\s+")
#: How much text around the nearest passage the "not found" error shows.
_CONTEXT = 20


@dataclass(frozen=True)
class Span:
    """Where a quote sits: ``text[start:end]`` is ``exact``."""

    start: int
    end: int
    exact: str


def normalized(text: str) -> tuple[str, list[int]]:
    """``text`` with typography made uniform, and for each character of the result
    the offset in ``text`` of the character it came from (one more entry: the end)."""
    out: list[str] = []
    offsets: list[int] = []
    translated = text.translate(_EQUIVALENT)
    index = 0
    for match in _SPACES.finditer(translated):
        for position in range(index, match.start()):
            out.append(translated[position])
            offsets.append(position)
        out.append(" ")
        offsets.append(match.start())
        index = match.end()
    for position in range(index, len(translated)):
        out.append(translated[position])
        offsets.append(position)
    offsets.append(len(text))
    return "".join(out), offsets


def _occurrences(haystack: str, needle: str) -> list[int]:
    starts, at = [], haystack.find(needle)
    while at >= 0:
        starts.append(at)
        at = haystack.find(needle, at + 1)
    return starts


def _error(field: str, message: str, code: str, **params) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code, params=params)})


def locate(
    text: str,
    quote: str,
    *,
    prefix: str | None = None,
    suffix: str | None = None,
    start: int | None = None,
) -> Span:
    """The one span of ``text`` that ``quote`` names, or a ``ValidationError`` on the
    ``quote`` (or ``quote_start``) field saying why there is none."""
    if not quote.strip():
        raise _error("quote", "A claim needs the quote that carries it.", "blank")
    spans = [Span(at, at + len(quote), quote) for at in _occurrences(text, quote)]
    if not spans:
        spans = _normalized_spans(text, quote)
    if not spans:
        raise _error(
            "quote",
            "The quote does not occur in the document's text, even with quotation "
            'marks, dashes and spaces made uniform. Nearest passage: "%(passage)s".',
            "quote_not_found",
            passage=nearest_passage(text, quote),
        )
    if start is not None:
        chosen = [span for span in spans if span.start == start]
        if not chosen:
            where = ", ".join(str(span.start) for span in spans[:10])
            raise _error(
                "quote_start",
                "The quote does not start at %(start)s; it starts at %(where)s.",
                "quote_start_mismatch",
                start=start,
                where=where,
            )
        spans = chosen
    if prefix or suffix:
        spans = [span for span in spans if _fits(text, span, prefix, suffix)]
        if not spans:
            raise _error(
                "quote",
                "No occurrence of the quote has the given prefix and suffix around it.",
                "quote_context_mismatch",
            )
    if len(spans) > 1:
        raise _error(
            "quote",
            "The quote occurs %(count)s times in the document's text (at %(where)s): "
            "give quote_prefix or quote_suffix (the text just before or after it), or "
            "quote_start, to say which one.",
            "ambiguous_quote",
            count=len(spans),
            where=", ".join(str(span.start) for span in spans[:10]),
        )
    return spans[0]


def _normalized_spans(text: str, quote: str) -> list[Span]:
    needle = normalized(quote)[0].strip()
    if not needle:
        return []
    haystack, offsets = normalized(text)
    spans = []
    for at in _occurrences(haystack, needle):
        begin, end = offsets[at], offsets[at + len(needle)]
        # A run of spaces at the needle's end stands for the whole run in the text.
        spans.append(Span(begin, end, text[begin:end]))
    return spans


def _fits(text: str, span: Span, prefix: str | None, suffix: str | None) -> bool:
    if prefix:
        before = normalized(text[max(0, span.start - len(prefix) * 2 - 8) : span.start])
        if not before[0].rstrip().endswith(normalized(prefix)[0].rstrip()):
            return False
    if suffix:
        after = normalized(text[span.end : span.end + len(suffix) * 2 + 8])
        if not after[0].lstrip().startswith(normalized(suffix)[0].lstrip()):
            return False
    return True


def nearest_passage(text: str, quote: str) -> str:
    """The passage of ``text`` most like ``quote`` (with a little context), for an
    error message; the start of the text when nothing resembles it."""
    if not text:
        return ""
    alignment = fuzz.partial_ratio_alignment(quote, text)
    if alignment is None or alignment.score == 0:
        begin, end = 0, min(len(text), len(quote))
    else:
        begin, end = alignment.dest_start, alignment.dest_end
    begin, end = max(0, begin - _CONTEXT), min(len(text), end + _CONTEXT)
    passage = _SPACES.sub(" ", text[begin:end]).strip()
    return ("…" if begin > 0 else "") + passage + ("…" if end < len(text) else "")
