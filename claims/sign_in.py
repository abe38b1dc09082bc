"""Sign-in lockout, by django-axes, on every door: the pages' sign-in
(``/accounts/login/``), the admin's (``/admin/login/``) and the API's token
(``/api/auth/token/``).

Axes counts failed sign-ins per address and username (``AXES_LOCKOUT_PARAMETERS``)
in the database; the settings in ``tracker.settings.base`` name the callables here,
which read ``SIGN_IN_ATTEMPTS`` and ``SIGN_IN_WINDOW`` at each request. The rule:

- a failure is counted when its address and username already have a failure less
  than ``SIGN_IN_WINDOW`` seconds old, else the count starts again at one;
- the failure that reaches ``SIGN_IN_ATTEMPTS`` is answered as any failure is; from
  then on every attempt for that address and username, right password or not, is
  answered 429 for ``SIGN_IN_WINDOW`` seconds (attempts meanwhile are not counted
  and do not extend it);
- a successful sign-in, or a token issued, clears the count.
"""

from datetime import timedelta

from axes.utils import reset
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

#: The page that answers a locked-out sign-in (the pages' and the admin's).
LOCKED_OUT_TEMPLATE = "registration/too_many_attempts.html"


def failure_limit(request: HttpRequest, credentials: dict | None) -> int:
    """``AXES_FAILURE_LIMIT``: failures that lock out an address and username."""
    return settings.SIGN_IN_ATTEMPTS


def cool_off(request: HttpRequest | None) -> timedelta:
    """``AXES_COOLOFF_TIME``: how long a failure counts, and a lockout lasts."""
    return timedelta(seconds=settings.SIGN_IN_WINDOW)


def address(request: HttpRequest) -> str:
    """``AXES_CLIENT_IP_CALLABLE``: the address the connection came from. Headers a
    client can write (``X-Forwarded-For``) are not read."""
    return request.META.get("REMOTE_ADDR", "")


def username(request: HttpRequest, credentials: dict | None) -> str:
    """``AXES_USERNAME_CALLABLE``: the username tried, trimmed and lower-cased, so
    that ``Rita`` and ``rita `` share one count."""
    if credentials:
        name = credentials.get("username")
    else:
        name = request.POST.get("username")
    return str(name or "").strip().lower()[:150]


def clear_failures(request: HttpRequest, username_given: str) -> int:
    """Clear the failures of a username that just signed in from this address, as
    axes does on a session sign-in (``AXES_RESET_ON_SUCCESS``), for a sign-in that
    is not one (a token issued). Returns how many records were removed."""
    return reset(
        ip=address(request), username=username(request, {"username": username_given})
    )


def lockout_minutes() -> int:
    """The lockout's length in whole minutes, as the answers state it."""
    return max(1, settings.SIGN_IN_WINDOW // 60)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials
) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: the answer to a sign-in axes marked as locked out.

    Axes marks both the failure that reaches the limit and every attempt after it.
    The first carries its count (``axes_failures_since_start``; an attempt refused
    because of an earlier lockout is not counted, so carries none) and is answered
    as the failure it is: the form again, or the API's 400. The others answer 429:
    the too-many-attempts page, or JSON under ``/api/``."""
    counted = getattr(request, "axes_failures_since_start", None) is not None
    if counted and original_response is not None:
        return original_response
    minutes = lockout_minutes()
    if request.path_info.startswith("/api/"):
        plural = "" if minutes == 1 else "s"
        response = JsonResponse(
            {
                "detail": (
                    "Too many failed sign-ins for this username from your address. "
                    f"Try again in {minutes} minute{plural}."
                )
            },
            status=429,
        )
        response["Retry-After"] = str(settings.SIGN_IN_WINDOW)
        return response
    return render(request, LOCKED_OUT_TEMPLATE, {"minutes": minutes}, status=429)
