"""Template filters of the intake page."""

from django import template

from claims.web import intake

register = template.Library()


@register.filter
def may_take_in(user) -> bool:
    """Whether ``user`` may use the intake page (holds the import's permissions)."""
    return intake.may_take_in(user)
