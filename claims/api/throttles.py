"""The API's throttle: one counter a client, one cache operation a request.

REST Framework's ``AnonRateThrottle`` and ``UserRateThrottle`` each keep a client's
request times as a list, read whole and written whole on every request: two cache
round trips each, and an anonymous reader was counted by both (the user rate also
counts anonymous readers, by address), so four a request, carrying a list as long as
the rate. Here a client's requests are counted by one integer in the cache,
incremented on each request (one round trip to Redis:
``tracker.cache.count_request``); the window opens with the client's first request and
lasts the rate's period, so a client makes at most the rate's number of requests in
any window of its own. The rates are the same settings (``anon``: anonymous readers
by address; ``user``: signed-in users by id); a refused request answers 429 with
``Retry-After``, the seconds until the window closes.
"""

from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle

from tracker.cache import count_request, window_left


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
        return count_request(self.cache, self.key, self.duration) <= self.num_requests

    def get_rate(self):
        return self.THROTTLE_RATES.get(self.scope)

    def wait(self):
        return window_left(self.cache, self.key, self.duration)
