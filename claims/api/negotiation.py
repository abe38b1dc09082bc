"""Content negotiation, answering the commonest requests without parsing: no
``format`` asked, and an ``Accept`` header that is absent, ``*/*`` or
``application/json``. Any other request is negotiated by REST Framework, as before;
the answer is the same either way."""

from __future__ import annotations

from rest_framework.negotiation import DefaultContentNegotiation

JSON = "application/json"


class QuickContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        if (
            renderers
            and not format_suffix
            and self.settings.URL_FORMAT_OVERRIDE not in request.query_params
        ):
            accept = request.META.get("HTTP_ACCEPT", "*/*")
            if accept == "*/*":
                # REST Framework: the first renderer, with its own media type.
                return renderers[0], renderers[0].media_type
            if accept == JSON:
                for renderer in renderers:
                    if renderer.media_type == JSON:
                        return renderer, JSON
                    if "*" in renderer.media_type:
                        break  # it might match first: negotiate as usual
        return super().select_renderer(request, renderers, format_suffix)
