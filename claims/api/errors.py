"""One shape for every error body: a JSON object (see claims.api.schema)."""

from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """DRF's handler, with a bare list of messages (as a filter's ValidationError
    gives) turned into ``{"detail": "..."}`` like every other error."""
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, list):
        response.data = {"detail": " ".join(str(message) for message in response.data)}
    return response
