"""A Redis cache whose outage slows the app down instead of breaking it.

The cache is an accelerator: every value in it can be computed again. When Redis
does not answer (refused, unreachable, too slow, out of memory), each operation is
answered by a cache in the process's own memory instead, as if there were no shared
cache; DRF's throttling, which keeps its counts in the same cache, then counts per
process.

After a failure Redis is left alone for ``RETRY_INTERVAL`` seconds: requests do not
wait on it, and the outage is logged once per interval, not per request. The first
operation after the interval asks Redis again (one ``PING``). When it answers, the
``ON_RECOVERY`` callable, given this cache, runs first against Redis: writes made
during the outage could not reach Redis, so what it holds may describe rows that have
changed since; the callable makes those entries unreachable (for the tracker,
``claims.caching.forget_everything``). Then the process's own memory is emptied and
Redis serves again.

The state (up, or down until when) is kept per process and per address and prefix,
shared by the threads of a process whatever cache instance each holds.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from time import monotonic, time
from urllib.parse import urlsplit

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.utils.module_loading import import_string
from redis import exceptions

logger = logging.getLogger(__name__)

#: The errors that mean Redis cannot serve, rather than a mistake in a call.
UNAVAILABLE = (
    exceptions.ConnectionError,  # refused, reset, unreachable, still loading
    exceptions.TimeoutError,
    exceptions.OutOfMemoryError,
    exceptions.ReadOnlyError,
)

#: Seconds to wait for a connection and for each answer. Redis answers in well under
#: a millisecond; a slower Redis costs a request at most this once per interval.
CONNECT_TIMEOUT = 0.5
ANSWER_TIMEOUT = 1.0
RETRY_INTERVAL = 30.0
#: Counts one request at KEYS[1]; a counter with no expiry (just created) is given
#: ARGV[1] ms. Atomic: the counter cannot expire between the count and the expiry,
#: which would leave it counting for ever. Returns the count; given more keys, the
#: count and their values (MGET), read in the same round trip, unless the count
#: is past ARGV[2] (a refused request reads nothing more).
_COUNT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if redis.call('PTTL', KEYS[1]) < 0 then
    redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
if #KEYS == 1 or count > tonumber(ARGV[2]) then
    return count
end
return {count, redis.call('MGET', unpack(KEYS, 2))}
"""


def _unavailable_in_script(error: exceptions.ResponseError) -> Exception:
    """A script's error as the one it stands for: Redis before 7 reports a
    command's out-of-memory or read-only refusal inside a script as a script
    error, which would otherwise fail the request instead of the cache."""
    message = str(error)
    if "OOM" in message:
        return exceptions.OutOfMemoryError(message)
    if "READONLY" in message:
        return exceptions.ReadOnlyError(message)
    return error


#: Entries the process's own memory holds during an outage.
FALLBACK_MAX_ENTRIES = 1000


def _shown(servers: list[str]) -> str:
    """The addresses, for the log: without any user name or password."""
    shown = []
    for server in servers:
        parts = urlsplit(server)
        if parts.hostname is not None:
            host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
            netloc = host + (f":{parts.port}" if parts.port else "")
            server = parts._replace(netloc=netloc).geturl()
        shown.append(server)
    return ", ".join(shown)


class _Availability:
    """Whether a Redis is believed up, per process; when down, until when."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.down_since: float | None = None
        self.retry_at = 0.0

    @property
    def down(self) -> bool:
        return self.down_since is not None

    def due(self) -> bool:
        return monotonic() >= self.retry_at


_AVAILABILITY: dict[str, _Availability] = {}
_AVAILABILITY_LOCK = threading.Lock()


def _availability(name: str) -> _Availability:
    with _AVAILABILITY_LOCK:
        return _AVAILABILITY.setdefault(name, _Availability())


class _ClientPerPool(RedisCacheClient):
    """Django's Redis client, keeping one ``redis.Redis`` per connection pool.

    Django's makes a new ``redis.Redis`` for every operation, each filling a
    case-insensitive table of some 170 answer callbacks: a quarter of a cached
    request's time. A ``redis.Redis`` is safe to share between threads (its pool
    gives each command a connection of its own)."""

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(pool)
        if client is None:
            client = clients[pool] = self._client(connection_pool=pool)
        return client


class DegradingRedisCache(RedisCache):
    """Django's Redis cache, answered from the process's own memory while Redis is
    unavailable (see the module's description).

    Beyond RedisCache's parameters: ``RETRY_INTERVAL`` (seconds), ``ON_RECOVERY``
    (a dotted path to a callable taking the cache) and ``FALLBACK_MAX_ENTRIES``.
    ``OPTIONS`` default to short socket timeouts."""

    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        options.setdefault("socket_connect_timeout", CONNECT_TIMEOUT)
        options.setdefault("socket_timeout", ANSWER_TIMEOUT)
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._class = _ClientPerPool
        self.retry_interval = float(params.get("RETRY_INTERVAL", RETRY_INTERVAL))
        on_recovery = params.get("ON_RECOVERY")
        self._on_recovery: Callable[[DegradingRedisCache], object] | None = (
            import_string(on_recovery) if isinstance(on_recovery, str) else on_recovery
        )
        name = f"{','.join(self._servers)}|{self.key_prefix}"
        self._availability = _availability(name)
        # LocMemCache instances of one name share their memory: one per process.
        self._fallback = LocMemCache(
            f"fallback:{name}",
            {
                "TIMEOUT": params.get("TIMEOUT", 300),
                "KEY_PREFIX": params.get("KEY_PREFIX", ""),
                "VERSION": params.get("VERSION", 1),
                "KEY_FUNCTION": params.get("KEY_FUNCTION"),
                "OPTIONS": {
                    "MAX_ENTRIES": params.get(
                        "FALLBACK_MAX_ENTRIES", FALLBACK_MAX_ENTRIES
                    )
                },
            },
        )
        self._recovering = False

    @property
    def degraded(self) -> bool:
        """Whether operations are answered from the process's own memory."""
        return self._availability.down

    def reachable(self) -> bool:
        """Whether Redis serves: asked (one PING) unless it failed within the
        retry interval. For readiness checks."""
        availability = self._availability
        if availability.down:
            return self._recover()
        try:
            self._cache.get_client(write=True).ping()
        except UNAVAILABLE as error:
            self._went_down(error)
            return False
        return True

    # Every operation of the cache goes through _either. ------------------------

    def _either(self, operation: str, *args, **kwargs):
        return self._redis_or_fallback(
            lambda: getattr(RedisCache, operation)(self, *args, **kwargs),
            lambda: getattr(self._fallback, operation)(*args, **kwargs),
        )

    def _redis_or_fallback(self, on_redis: Callable, on_fallback: Callable):
        if self._recovering:  # the recovery callable talks to Redis itself
            return on_redis()
        if self._availability.down and not self._recover():
            return on_fallback()
        try:
            return on_redis()
        except UNAVAILABLE as error:
            self._went_down(error)
            return on_fallback()

    def count_and_read(
        self, key: str, seconds: int, keys: Iterable[str], up_to: int
    ) -> tuple[int, dict | None]:
        """``count_request_and_read`` in one round trip: one script, run
        atomically, that counts, gives the counter its expiry if it has none (a
        new counter, or one an earlier version left without) and reads ``keys``."""
        keys = list(keys)

        def on_redis() -> tuple[int, dict | None]:
            made = self.make_and_validate_key(key)
            read = {self.make_and_validate_key(k): k for k in keys}
            client = self._cache.get_client(made, write=True)
            script = self.__dict__.get("_count_script")
            if script is None:
                script = self._count_script = client.register_script(_COUNT_SCRIPT)
            try:
                answer = script(
                    keys=[made, *read],
                    args=[int(seconds * 1000), up_to],
                    client=client,
                )
            except exceptions.ResponseError as error:
                raise _unavailable_in_script(error) from error
            if isinstance(answer, int):  # nothing asked, or past the limit
                return answer, (None if read else {})
            count, values = answer
            loads = self._cache._serializer.loads
            found = {
                asked: loads(value)
                for asked, value in zip(read.values(), values, strict=True)
                if value is not None
            }
            return count, found

        # In the process's own memory nothing is read: what it holds is not what
        # the other processes see (the read's caller reads again if it must).
        return self._redis_or_fallback(
            on_redis, lambda: (_count_in_window(self._fallback, key, seconds), None)
        )

    def window_left(self, key: str, seconds: int) -> float:
        """``window_left``: the counter's own expiry."""

        def on_redis() -> float:
            made = self.make_and_validate_key(key)
            left = self._cache.get_client(made).pttl(made)
            # -2: no counter (the window closed); -1: none could be left so.
            return max(0.0, left / 1000) if left != -1 else float(seconds)

        return self._redis_or_fallback(
            on_redis, lambda: _window_left(self._fallback, key, seconds)
        )

    def _went_down(self, error: Exception) -> None:
        availability = self._availability
        with availability.lock:
            if availability.down:  # another thread saw it first
                return
            availability.down_since = monotonic()
            availability.retry_at = availability.down_since + self.retry_interval
        logger.warning(
            "The cache at %s is unavailable (%s): each process caches in its own "
            "memory; Redis is asked again every %g s.",
            _shown(self._servers),
            error,
            self.retry_interval,
        )

    def _recover(self) -> bool:
        """Ask Redis again if the interval has passed; True once it serves again."""
        availability = self._availability
        if not availability.due():
            return False
        if not availability.lock.acquire(blocking=False):
            return False  # another thread is asking
        try:
            if not availability.down:
                return True
            if not availability.due():
                return False
            self._recovering = True
            try:
                self._cache.get_client(write=True).ping()
                if self._on_recovery is not None:
                    self._on_recovery(self)
            except UNAVAILABLE as error:
                availability.retry_at = monotonic() + self.retry_interval
                logger.warning(
                    "The cache at %s is still unavailable after %.0f s (%s); asked "
                    "again in %g s.",
                    _shown(self._servers),
                    monotonic() - availability.down_since,
                    error,
                    self.retry_interval,
                )
                return False
            except Exception:
                # A failing recovery must not fail requests: Redis stays unused, as
                # what it holds may be stale, and is asked again after the interval.
                availability.retry_at = monotonic() + self.retry_interval
                logger.exception(
                    "The cache at %s answers, but forgetting what it held failed; "
                    "asked again in %g s.",
                    _shown(self._servers),
                    self.retry_interval,
                )
                return False
            finally:
                self._recovering = False
            self._fallback.clear()
            outage = monotonic() - availability.down_since
            availability.down_since = None
        finally:
            availability.lock.release()
        logger.info(
            "The cache at %s serves again after %.0f s unavailable.",
            _shown(self._servers),
            outage,
        )
        return True

    def add(self, *args, **kwargs):
        return self._either("add", *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._either("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._either("set", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._either("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._either("delete", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._either("get_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._either("has_key", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._either("incr", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._either("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._either("delete_many", *args, **kwargs)

    def clear(self):
        return self._either("clear")


# Counting requests in a window (the API's throttle) ----------------------------------


def count_request(cache, key: str, seconds: int) -> int:
    """Count one more request at ``key``, in the window of ``seconds`` its first
    request opened; the count so far in the window. One round trip to Redis."""
    return count_request_and_read(cache, key, seconds, (), 0)[0]


def count_request_and_read(
    cache, key: str, seconds: int, keys: Iterable[str], up_to: int
) -> tuple[int, dict | None]:
    """``count_request``, and ``cache.get_many(keys)`` if the count is at most
    ``up_to`` (a refused request reads nothing more): on Redis in the one round
    trip of the count. The values found, as ``get_many`` gives them ({} when no
    key is asked); None when they were not read (past the limit, or Redis
    unavailable)."""
    both = getattr(cache, "count_and_read", None)
    if both is not None:
        return both(key, seconds, keys, up_to)
    count = _count_in_window(cache, key, seconds)
    keys = list(keys)
    if not keys:
        return count, {}
    return count, None if count > up_to else cache.get_many(keys)


def window_left(cache, key: str, seconds: int) -> float:
    """The seconds until the window at ``key`` closes: on Redis, the counter's
    expiry (0 when it is gone: the window closed); in memory, from the time the
    window opened, the whole period when that is not known (evicted)."""
    left = getattr(cache, "window_left", None)
    if left is not None:
        return left(key, seconds)
    return _window_left(cache, key, seconds)


def _count_in_window(cache, key: str, seconds: int) -> int:
    """``count_request`` by a cache's own operations (a cache in memory)."""
    try:
        return cache.incr(key)
    except ValueError:  # the window's first request (or its counter was lost)
        if cache.add(key, 1, timeout=seconds):
            cache.set(f"{key}:opened", time(), timeout=seconds)
            return 1
        try:  # another request opened it first
            return cache.incr(key)
        except ValueError:  # and it closed meanwhile
            return 1


def _window_left(cache, key: str, seconds: int) -> float:
    opened = cache.get(f"{key}:opened")
    if opened is None:
        return float(seconds)
    return max(0.0, seconds - (time() - opened))


class ProcessCache(LocMemCache):
    """A process's own memory, where a server of several processes has no shared
    cache: it counts the throttle's requests (per process) but keeps nothing
    computed from the rows (``claims.caching.shared``). A write answered by one
    process could not drop what another kept, which would serve it until expiry."""

    shared_between_processes = False
