"""One shape for every error body: a JSON object (see claims.api.schema)."""

from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from claims import outage


def exception_handler(exc, context):
    """DRF's handler, with a bare list of messages (as a filter's ValidationError
    gives) turned into ``{"detail": "..."}`` like every other error, and a database
    outage answered 503 with ``Retry-After`` (claims.outage)."""
    if outage.is_outage(exc):
        return _outage(exc, context)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, list):
        response.data = {"detail": " ".join(str(message) for message in response.data)}
    return response


def _outage(exc, context) -> Response:
    set_rollback()
    outage.note_outage(context["request"], exc)
    return Response(
        {"detail": outage.DETAIL},
        status=503,
        headers={"Retry-After": str(outage.RETRY_AFTER)},
    )
