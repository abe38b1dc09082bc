"""A text's paragraphs, for pages that show a document's text or a quote in context.

Pure Python. A paragraph break is a blank line (a line holding nothing but spaces
counts as blank); the break itself is not shown, each paragraph becoming its own
element. The pieces a page cuts a text into (marked quotes and the text between
them) are cut again where a paragraph ends, each fragment keeping its offset, so a
selection in any fragment still maps to the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

#: A blank line, with any further blank lines and the next line's indent.
PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` of each non-empty paragraph of ``text``, in order."""
    spans, start = [], 0
    for found in PARAGRAPH_BREAK.finditer(text):
        spans.append((start, found.start()))
        start = found.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


@dataclass(frozen=True)
class Fragment:
    start: int  # offset of the fragment in the whole text
    text: str
    piece: Any  # what the caller cut the text into: a marked quote, a plain run
    last: bool  # the piece's last fragment: where what ends with it is shown


def split_pieces(pieces: list[tuple[str, Any]]) -> list[list[Fragment]]:
    """The paragraphs of the text that ``pieces`` (``(text, piece)`` in order)
    make together, each a list of the fragments of the pieces inside it."""
    text = "".join(t for t, _ in pieces)
    bounds, at = [], 0
    for piece_text, piece in pieces:
        bounds.append((at, at + len(piece_text), piece))
        at += len(piece_text)
    paragraphs: list[list[Fragment]] = []
    last_of: dict[int, tuple[int, int]] = {}
    for p_start, p_end in paragraph_spans(text):
        fragments = []
        for index, (start, end, piece) in enumerate(bounds):
            a, b = max(start, p_start), min(end, p_end)
            if a < b:
                last_of[index] = (len(paragraphs), len(fragments))
                fragments.append(Fragment(a, text[a:b], piece, False))
        paragraphs.append(fragments)
    for paragraph, position in last_of.values():
        fragment = paragraphs[paragraph][position]
        paragraphs[paragraph][position] = Fragment(
            fragment.start, fragment.text, fragment.piece, True
        )
    return paragraphs


def lines(text: str) -> list[str]:
    """A paragraph's lines: a single line break inside a paragraph is kept."""
    return text.split("\n")
