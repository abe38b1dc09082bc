"""A text's paragraphs (a document's text, a quote in its context) as the pages
show them: each its own ``<p>``, the text inside still escaped by the template,
and where each piece of a document's marked text starts in the text, for the
page's script."""

from django import template

from claims.web import paragraphs as _paragraphs
from claims.web.new_claim import as_read

register = template.Library()


@register.filter
def paragraphs(pieces) -> list[list[dict]]:
    """The document page's pieces cut into paragraphs: for each paragraph, its
    fragments ``{"start", "text", "piece", "last"}``, ``start`` the fragment's
    offset in the text as the page holds it (``new_claim.as_read``: a CR LF is one
    character; the selection script maps a selection inside a fragment to offsets
    in the text, whatever the browser does around it), ``last``
    whether the claims ending with the piece are numbered after this fragment.
    The blank lines between paragraphs are left out of the page."""
    found = _paragraphs.split_pieces([(as_read(p["text"]), p) for p in pieces])
    return [[vars(fragment) for fragment in paragraph] for paragraph in found]


@register.filter
def context_paragraphs(context: dict) -> list[list[dict]]:
    """A quote in its context (``{"before", "quote", "after"}``) cut into
    paragraphs: for each, its fragments ``{"text", "quote", "lines"}``, ``quote``
    whether the fragment is part of the quote, ``lines`` its lines (a single
    line break inside a paragraph is kept)."""
    found = _paragraphs.split_pieces(
        [
            (context.get("before") or "", False),
            (context.get("quote") or "", True),
            (context.get("after") or "", False),
        ]
    )
    return [
        [
            {
                "text": fragment.text,
                "quote": fragment.piece,
                "lines": _paragraphs.lines(fragment.text),
            }
            for fragment in paragraph
        ]
        for paragraph in found
    ]
