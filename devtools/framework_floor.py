"""The framework floor: a bare Django view answering a ``JsonResponse`` of the same
``values()`` rows a benchmark case reads, behind the same middleware, timed in
process as the case is (``manage.py benchmark``'s ``framework floor ms``).

What a case costs above it is the cost of Django REST Framework and of our own
code (filters, pagination, serializers, computation), not of Django itself.
``benchmark`` serves it by pointing ``ROOT_URLCONF`` at this module (the app's
URLs and this one) for the time of the measurement and naming each case's rows in
``ROWS``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, JsonResponse
from django.urls import path

from tracker import urls as app_urls

#: Each case's rows by its name: a callable returning a ``values()`` queryset.
ROWS: dict[str, Callable[[], object]] = {}


def rows_view(request, name: str):
    rows = ROWS.get(name)
    if rows is None:
        raise Http404(name)
    return JsonResponse(list(rows()), safe=False)


#: The floor's URL, then every URL of the app: the cases and their floors are
#: resolved by the same URLconf.
urlpatterns = [path("floor/<str:name>/", rows_view), *app_urls.urlpatterns]
