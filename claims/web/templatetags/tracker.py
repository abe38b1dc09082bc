"""Template filters of the reviewer pages."""

from urllib.parse import urlsplit

from django import template

register = template.Library()


@register.filter
def web_url(value) -> str:
    """``value`` if it is an http(s) address, else "": a stored URL is linked only
    when following it opens a web page (never ``javascript:`` or ``data:``).
    Validation refuses such URLs; this guards rows that came around it."""
    text = str(value or "").strip()
    try:
        scheme = urlsplit(text).scheme.lower()
    except ValueError:
        return ""
    return text if scheme in ("http", "https") else ""
