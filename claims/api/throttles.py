"""The API's throttle: one counter a client, one cache operation a request.

REST Framework's ``AnonRateThrottle`` and ``UserRateThrottle`` each keep a client's
request times as a list, read whole and written whole on every request: two cache
round trips each, and an anonymous reader was counted by both (the user rate also
counts anonymous readers, by address), so four a request, carrying a list as long as
the rate. Here a client's requests are counted by one integer in the cache,
incremented on each request (one round trip to Redis:
``tracker.cache.count_request_and_read``); the window opens with the client's
first request and lasts the rate's period, so a client makes at most the rate's
number of requests in any window of its own. The rates are the same settings
(``anon``: anonymous readers by address; ``user``: signed-in users by id); a refused
request answers 429 with ``Retry-After``, the seconds until the window closes.

A view may ask for cache entries to be read with the count (``read_with_count``):
on Redis the same round trip carries both, and ``found_with_count`` gives what was
read (nothing is, for a request past the rate). The kept answers
(``claims.api.answers``) are read so: a kept answer costs the request one round
trip to Redis, not two.
"""

from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle

from tracker.cache import count_request_and_read, window_left

_ASKED = "_read_with_count"
_FOUND = "_found_with_count"


def read_with_count(request, keys: list[str]) -> None:
    """Have the throttle read ``keys`` from its cache as it counts ``request``."""
    setattr(request, _ASKED, list(keys))


def found_with_count(request, keys: list[str]) -> dict | None:
    """What was read with the count of ``request``, if exactly ``keys`` were (as
    ``cache.get_many(keys)`` gives them); None if they were not read (none asked,
    others asked, the request refused, or Redis unavailable)."""
    read = getattr(request, _FOUND, None)
    if read is None or read[0] != keys:
        return None
    return read[1]


class RequestRateThrottle(SimpleRateThrottle):
    """``anon`` for anonymous readers (by address), ``user`` for users (by id)."""

    cache_format = "throttle:%(scope)s:%(ident)s"

    def __init__(self):
        # The scope, and so the rate, depend on the request (allow_request).
        pass

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            ident = request.user.pk
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request, view):
        authenticated = bool(request.user and request.user.is_authenticated)
        self.scope = "user" if authenticated else "anon"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        # Read once, by the first throttle that counts: another reads nothing.
        asked = request.__dict__.pop(_ASKED, ())
        count, found = count_request_and_read(
            self.cache, self.key, self.duration, asked, self.num_requests
        )
        if asked and found is not None:
            setattr(request, _FOUND, (asked, found))
        return count <= self.num_requests

    def get_rate(self):
        return self.THROTTLE_RATES.get(self.scope)

    def wait(self):
        return window_left(self.cache, self.key, self.duration)
