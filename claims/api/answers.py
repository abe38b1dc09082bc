"""The API's hottest reads kept as the bytes it sends, dropped by the writes that can
change them.

A page of claims, a claim, its corroboration and a measure's comparison and
evolution are read far more often than the rows under them are written. Each is
cached as its JSON body (and the ETag it carries), under a key holding:

- the generation of what it is read from (``claims.caching``): the tables a page or
  a claim is read from, the tables a corroboration is computed from, the measure's
  comparison generation; a write to any of them gives a new generation, so the old
  body is never found again (the cache's own expiry clears it out);
- the request's absolute URL (an answer's links name its host and scheme) and the
  media type it accepts.

An answer does not depend on who asks: every reader may read every row, and one
who may not read at all is refused before the view runs. Only the compact JSON is
cached (``FastJSONRenderer``); the browsable pages, CSV and indented JSON are
written on every request, as before. A hit writes no JSON: the cached body is sent
as it is (``orjson.Fragment``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import orjson
from django.core.cache import cache
from rest_framework.response import Response

from claims import caching
from claims.api.renderers import FastJSONRenderer
from claims.models import Claim, Topic

#: Seconds a body is kept: a crawler paging through every list leaves no more than
#: this much behind it, and a generation that changes clears nothing by itself.
TIMEOUT = 10 * 60


def cacheable(request) -> bool:
    """Whether the answer to ``request`` is the compact JSON that is cached, and
    the cache is shared (``caching.shared``)."""
    if not caching.shared():
        return False
    renderer = getattr(request, "accepted_renderer", None)
    if type(renderer) is not FastJSONRenderer:
        return False
    media = getattr(request, "accepted_media_type", "") or ""
    return renderer.get_indent(media, {}) is None


def key_for(request, generation: str) -> str:
    """The cache key of the answer to ``request`` at ``generation``."""
    asked = f"{request.accepted_media_type}\n{request.build_absolute_uri()}"
    digest = hashlib.sha256(asked.encode()).hexdigest()[:32]
    return f"answers:{generation}:{digest}"


def cached(
    request,
    generation: Callable[[], str],
    build: Callable[[], Any],
    etag: Callable[[Any], str | None] | None = None,
) -> tuple[Response, str | None]:
    """The answer to ``request``: its cached body, or ``build()``'s data written
    once and kept; with the ETag ``etag(data)`` gives, kept beside it.

    ``generation()`` names the state of what the answer is read from. ``build`` may
    raise (a 404): nothing is kept. A body is kept once written, if its status is
    200."""
    key = None
    if cacheable(request):
        key = key_for(request, generation())
        hit = cache.get(key)
        if hit is not None:
            body, tag = hit
            return Response(orjson.Fragment(body)), tag
    data = build()
    tag = etag(data) if etag is not None else None
    response = Response(data)
    if key is not None:
        # Kept as written for this answer, once it is: no second rendering.
        def keep(rendered) -> None:
            if rendered.status_code == 200:
                cache.set(key, (rendered.content, tag), timeout=TIMEOUT)

        response.add_post_render_callback(keep)
    return response, tag


def claims_generation(*also) -> str:
    """The generation of what a claim's answer is read from: the claims, their
    topics and the topics' names (which order them); and the tables of the models
    ``also`` names."""
    tables = [*caching.model_tables(Claim), Topic._meta.db_table]
    for model in also:
        tables += caching.model_tables(model)
    return caching.rows_generation(tables)
