"""A database that cannot be reached answers 503, with ``Retry-After``, never 500.

When the connection to the database is lost (the server restarted, or ended the
connection: ``pg_terminate_backend``) or cannot be made, the request that met it
is answered ``503 Service Unavailable`` with a ``Retry-After`` header: a JSON body
under ``/api/``, a plain page elsewhere. The broken connection is closed, so the
next request connects again (and, with persistent connections, Django's health
check at the start of each request finds a connection that died between requests).

A write runs in one transaction (``claims.services``), so a write that met the
outage was rolled back, or committed just before the connection went: either way it
was not acknowledged, and a client may send it again.

Only a lost or refused connection counts. An error on a working connection (a lock
or statement timeout, a deadlock, a missing table) is not an outage and stays a
server error, logged as one.

Three places answer it, one for each route an exception takes: the API's exception
handler (``claims.api.errors``) for the API's views, ``DatabaseOutageMiddleware``
for every other view, and ``handler500`` (``claims.web.views.server_error``) for
what fails outside a view (a middleware, a response rendered late).
"""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

#: Seconds a client is asked to wait before trying again.
RETRY_AFTER = 5
#: The body of the answer under ``/api/``.
DETAIL = "The database is unavailable. Try again shortly."

#: SQLSTATE codes a PostgreSQL server gives for a connection it ended or refused:
#: class 08 (connection exception) by prefix; the server shutting down or ending
#: the connection (57P01 ``pg_terminate_backend``, 57P02 a crash), starting up
#: (57P03), or out of connection slots (53300).
CONNECTION_SQLSTATE_CLASS = "08"
CONNECTION_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "53300"})


def is_outage(exc: BaseException | None) -> bool:
    """Whether ``exc`` says the database connection is lost or cannot be made.

    ``InterfaceError`` is a connection used after it closed. An
    ``OperationalError`` is an outage when the driver's error carries one of the
    connection SQLSTATEs, or none at all: then the driver itself found the socket
    closed or the server unreachable (a server's own errors always carry one)."""
    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    sqlstate = getattr(cause, "sqlstate", None)
    if not _from_postgresql(cause):
        return False  # SQLite's errors ("database is locked", ...) stay as they are
    if sqlstate is None:
        return True
    return (
        sqlstate.startswith(CONNECTION_SQLSTATE_CLASS)
        or sqlstate in CONNECTION_SQLSTATES
    )


def _from_postgresql(cause: BaseException | None) -> bool:
    return type(cause).__module__.split(".")[0] in ("psycopg", "psycopg2")


def note_outage(request, exc: BaseException) -> None:
    """Log the outage ``exc`` that ``request`` met and drop the broken connections,
    so that the next request connects again."""
    logger.warning(
        "Database unavailable, %s %s answered 503: %s",
        request.method,
        request.path,
        exc,
    )
    close_broken_connections()


def outage_response(request, exc: BaseException) -> HttpResponse:
    """The answer to a request that met the database outage ``exc`` (see
    ``note_outage``)."""
    note_outage(request, exc)
    if request.path_info.startswith("/api/"):
        response = JsonResponse({"detail": DETAIL}, status=503)
    else:
        response = HttpResponse(
            render_to_string("503.html", {"retry_after": RETRY_AFTER}), status=503
        )
    response["Retry-After"] = str(RETRY_AFTER)
    return response


def close_broken_connections() -> None:
    """Close every connection of this thread that no longer works (Django does the
    same when a request ends, but only once the response is sent, and not under the
    test client). A connection inside a transaction is left to its ``atomic``."""
    for conn in connections.all(initialized_only=True):
        if conn.connection is not None and not conn.in_atomic_block:
            conn.close_if_unusable_or_obsolete()


class DatabaseOutageMiddleware:
    """A view that met a database outage answers 503 (``outage_response``); any
    other exception goes on to Django's handling."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_outage(exception):
            return outage_response(request, exception)
        return None
