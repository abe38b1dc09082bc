"""Request guards that run before any view."""

from django.conf import settings
from django.http import JsonResponse


class RequestBodyLimitMiddleware:
    """Refuse a request whose declared body is over ``DATA_UPLOAD_MAX_MEMORY_SIZE``
    with 413, before anything reads it. (Django itself would read up to the limit
    and then answer 400.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        declared = request.META.get("CONTENT_LENGTH") or "0"
        try:
            size = int(declared)
        except ValueError:
            return JsonResponse(
                {"detail": "The Content-Length header is not a number."}, status=400
            )
        if limit is not None and size > limit:
            return JsonResponse(
                {
                    "detail": f"The request body is {size:,} bytes; at most {limit:,} "
                    "are accepted."
                },
                status=413,
            )
        return self.get_response(request)
