"""The JSON shape of the errors under the API that Django answers itself."""

import json

from rest_framework.response import Response

#: What an error answer under the API says when Django, not the API, wrote it.
API_ERROR_DETAILS = {404: "Not found.", 500: "Server error."}


class ApiErrorsAsJsonMiddleware:
    """Every error under ``/api/`` answers ``{"detail": "..."}`` as JSON.

    The API's views answer their own errors in JSON, and so do ``handler404`` and
    ``handler500`` when ``DEBUG`` is off. Some errors are answered by Django
    itself, as an HTML page: a path no route matches, or an exception, while
    ``DEBUG`` is on (its debug pages bypass the handlers), and a request Django
    refuses before any view (a disallowed host answers 400). Their body is replaced
    here; the status and the headers stay. The exception is still logged, with
    its traceback, as Django logs any other.

    An answer the API rendered as HTML on purpose (its browsable pages, for a
    browser that asks for HTML) is left as it is. Outermost in ``MIDDLEWARE``, so
    that it sees the errors of every other middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and request.path_info.startswith("/api/")
            and not isinstance(response, Response)
            and not response.streaming
            and not _is_json(response)
        ):
            _as_json(response)
        return response


def _is_json(response) -> bool:
    content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    return content_type == "application/json" or content_type.endswith("+json")


def _as_json(response) -> None:
    status = response.status_code
    detail = API_ERROR_DETAILS.get(status, f"{response.reason_phrase}.")
    response.content = json.dumps({"detail": detail}).encode()
    response["Content-Type"] = "application/json"
    if response.has_header("Content-Length"):
        response["Content-Length"] = str(len(response.content))
