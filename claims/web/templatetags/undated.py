"""The reason a claim is undated, for the pages that list claims
(``claims.undated``): read from the claim's own columns, no query."""

from django import template

from claims.undated import undated_reason as _reason

register = template.Library()


@register.filter
def undated_reason(claim) -> str:
    """Why ``claim`` has no date ("no date in the report"), or "" when dated."""
    return _reason(claim.stated_on, claim.quote_start)
