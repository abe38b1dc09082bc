"""The API's hottest reads kept as the bytes it sends, dropped by the writes that can
change them.

A page of claims, a claim, its corroboration and a measure's comparison and
evolution are read far more often than the rows under them are written. Each is
cached as its JSON body (and the ETag it carries), beside the generation of what it
is read from (``claims.caching``): the tables a page or a claim is read from, the
tables a corroboration is computed from, the measure's comparison generation. A
write to any of them gives a new generation, so the body kept beside the old one is
never served again. The key is the request's absolute URL (an answer's links name
its host and scheme), the media type it accepts, and the generations' keys: the
generations and the body are read together, and with the throttle's count of the
request when the view names the generations before it runs (``read_ahead``): one
round trip to a shared cache.

An answer does not depend on who asks: every reader may read every row, and one
who may not read at all is refused before the view runs. Only the compact JSON is
cached (``FastJSONRenderer``); the browsable pages, CSV and indented JSON are
written on every request, as before. A hit writes no JSON: the cached body is sent
as it is (``as_kept``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.http import HttpResponse
from rest_framework.response import Response

from claims import caching
from claims.api import throttles
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


def key_for(request, generation_keys: list[str]) -> str:
    """The cache key of the answer to ``request``, read at the generations of
    ``generation_keys``."""
    asked = "\n".join(
        [request.accepted_media_type, request.build_absolute_uri(), *generation_keys]
    )
    digest = hashlib.sha256(asked.encode()).hexdigest()[:32]
    return f"answers:{digest}"


#: Where a request keeps its answer's generation keys and key once worked out.
_NAMED = "_kept_answer"


def _named(request, generation_keys: list[str]) -> str:
    """``key_for``, worked out once a request (ahead, and again by ``cached``)."""
    named = getattr(request, _NAMED, None)
    if named is not None and named[0] == generation_keys:
        return named[1]
    key = key_for(request, generation_keys)
    setattr(request, _NAMED, (generation_keys, key))
    return key


def read_ahead(request, generation_keys: list[str]) -> None:
    """Have the answer to ``request``, read at ``generation_keys``, read with the
    throttle's count of the request (one round trip for both), if it is kept."""
    if cacheable(request):
        key = _named(request, generation_keys)
        throttles.read_with_count(request, [*generation_keys, key])


def as_kept(request, body: bytes) -> HttpResponse:
    """The kept bytes of an answer, sent as they are, with the headers the JSON
    renderer's answer has (its media type): nothing is written again."""
    renderer = request.accepted_renderer
    content_type = renderer.media_type
    if renderer.charset is not None:
        content_type = f"{content_type}; charset={renderer.charset}"
    return HttpResponse(body, content_type=content_type)


def cached(
    request,
    generation_keys: Callable[[], list[str]],
    build: Callable[[], Any],
    etag: Callable[[Any], str | None] | None = None,
) -> tuple[HttpResponse, str | None]:
    """The answer to ``request``: its cached body, or ``build()``'s data written
    once and kept; with the ETag ``etag(data)`` gives, kept beside it.

    ``generation_keys()`` names the generations of what the answer is read from: a
    body kept at other generations than theirs now is not served. ``build`` may
    raise (a 404): nothing is kept. A body is kept once written, if its status is
    200."""
    key = None
    if cacheable(request):
        keys = generation_keys()
        key = _named(request, keys)
        read = throttles.found_with_count(request, [*keys, key])
        generation, hit = caching.generation_and(keys, key, read)
        if hit is not None and hit[0] == generation:
            _, body, tag = hit
            return as_kept(request, body), tag
    data = build()
    tag = etag(data) if etag is not None else None
    response = Response(data)
    if key is not None:
        # Kept as written for this answer, once it is: no second rendering. Kept
        # at the generation read before ``build``: a write meanwhile bumped it, so
        # an answer built from the rows before that write is not served after it.
        def keep(rendered) -> None:
            if rendered.status_code == 200:
                kept = (generation, rendered.content, tag)
                cache.set(key, kept, timeout=TIMEOUT)

        response.add_post_render_callback(keep)
    return response, tag


def claims_keys(*also) -> list[str]:
    """The generations a claim's answer is read at: of the claims, their topics and
    the topics' names (which order them); and of the tables of the models ``also``
    names."""
    tables = [*caching.model_tables(Claim), Topic._meta.db_table]
    for model in also:
        tables += caching.model_tables(model)
    return caching.rows_generation_keys(tables)
