"""Where each piece of a marked text starts in the text, for the page's script."""

from django import template

from claims.web.new_claim import as_read

register = template.Library()


@register.filter
def with_starts(pieces) -> list[tuple[int, dict]]:
    """``(start, piece)`` for each piece of ``presentation.document_page``'s cut
    text, ``start`` its offset in the document's text as the page holds it
    (``new_claim.as_read``: a CR LF is one character): the selection script maps a
    selection inside a piece to offsets in the text, whatever the browser does to
    the text around it (the claim numbers between pieces are not text)."""
    found, start = [], 0
    for piece in pieces:
        found.append((start, piece))
        start += len(as_read(piece["text"]))
    return found
