"""Counting requests in a window (``tracker.cache.count_request``), as the API's
throttle does: on Redis in one round trip, the window being the counter's own
expiry; in a process's memory by its own operations; during an outage, from memory.
"""

import contextlib
import time
from unittest import mock

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from tracker.cache import count_request, count_request_and_read, window_left

from .helpers import free_port, redis_cache

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def round_trips():
    """What is sent to Redis, one entry a round trip: a command, or a pipeline of
    commands sent together."""
    import redis

    sent = []
    single = redis.Redis.execute_command
    piped = redis.client.Pipeline.execute

    def execute_command(self, *args, **kwargs):
        if not isinstance(self, redis.client.Pipeline):  # a pipeline's is queued
            sent.append(str(args[0]))
        return single(self, *args, **kwargs)

    def execute(self, *args, **kwargs):
        sent.append(", ".join(str(command[0][0]) for command in self.command_stack))
        return piped(self, *args, **kwargs)

    with (
        mock.patch.object(redis.Redis, "execute_command", execute_command),
        mock.patch.object(redis.client.Pipeline, "execute", execute),
    ):
        yield sent


def test_on_redis_each_count_is_one_round_trip(redis_server):
    with redis_cache(redis_server.port) as backend:
        assert count_request(backend, "window:a", 60) == 1  # loads the script
        with round_trips() as sent:
            counts = [count_request(backend, "window:a", 60) for _ in range(3)]
        assert counts == [2, 3, 4]
        assert sent == ["EVALSHA"] * 3
        # The window is the counter's expiry, set by the first request only.
        assert 59 < window_left(backend, "window:a", 60) <= 60
        assert backend.get("window:a") == 4  # the cache reads it as it wrote it
        assert count_request(backend, "window:b", 60) == 1  # a counter of its own


def test_on_redis_the_window_closes_with_its_period(redis_server):
    with redis_cache(redis_server.port) as backend:
        assert [count_request(backend, "window:c", 1) for _ in range(2)] == [1, 2]
        time.sleep(1.1)
        assert count_request(backend, "window:c", 1) == 1
        # No counter: the window closed, come back now.
        assert window_left(backend, "window:none", 60) == 0


def test_on_redis_a_counter_left_without_an_expiry_is_given_one(redis_server):
    """As the throttle before this one could leave it (its count and its expiry
    were two commands): it would have counted, and refused, for ever."""
    with redis_cache(redis_server.port) as backend:
        backend.set("window:f", 5, timeout=None)
        assert count_request(backend, "window:f", 60) == 6
        assert 59 < window_left(backend, "window:f", 60) <= 60


def test_on_redis_counting_survives_a_restart_that_forgot_the_script(redis_server):
    with redis_cache(redis_server.port) as backend:
        assert count_request(backend, "window:g", 60) == 1
        redis_server.client.script_flush()
        assert count_request(backend, "window:g", 60) == 2


def test_on_redis_a_count_reads_other_keys_in_its_round_trip(redis_server):
    with redis_cache(redis_server.port) as backend:
        backend.set_many({"kept:a": ("g1", b"{}", '"3"'), "kept:b": 7})
        asked = ["kept:a", "kept:missing", "kept:b"]
        count_request_and_read(backend, "window:j", 60, [], 9)  # loads the script
        with round_trips() as sent:
            count, found = count_request_and_read(backend, "window:j", 60, asked, 9)
        assert sent == ["EVALSHA"]
        assert count == 2
        # As get_many gives them: the values as written, the missing left out.
        assert found == {"kept:a": ("g1", b"{}", '"3"'), "kept:b": 7}
        assert found == backend.get_many(asked)
        assert count_request_and_read(backend, "window:j", 60, [], 9) == (3, {})
        assert 59 < window_left(backend, "window:j", 60) <= 60


def test_on_redis_a_count_past_the_limit_reads_nothing_more(redis_server):
    """A refused request does not fetch what it will not be given."""
    with redis_cache(redis_server.port) as backend:
        backend.set("kept:e", b"x" * 100_000)
        counts = [
            count_request_and_read(backend, "window:m", 60, ["kept:e"], 2)
            for _ in range(3)
        ]
        assert [count for count, _ in counts] == [1, 2, 3]
        assert [found for _, found in counts] == [{"kept:e": b"x" * 100_000}] * 2 + [
            None
        ]


def test_in_memory_a_count_reads_other_keys_too():
    cache.set("kept:c", 1)
    counts = [
        count_request_and_read(cache, "window:k", 60, ["kept:c", "kept:x"], 1)
        for _ in range(2)
    ]
    assert counts == [(1, {"kept:c": 1}), (2, None)]


def test_with_redis_unavailable_a_count_reads_nothing_more():
    """What the process's memory holds is not what the other processes see: the
    reader reads again for itself (and finds the cache not shared)."""
    with redis_cache(free_port()) as backend:
        backend.set("kept:d", 2)  # in memory: Redis is not there
        assert count_request_and_read(backend, "window:l", 60, ["kept:d"], 9) == (
            1,
            None,
        )
        assert backend.degraded


def test_in_memory_the_same_counts_and_window():
    assert [count_request(cache, "window:d", 60) for _ in range(3)] == [1, 2, 3]
    assert 59 < window_left(cache, "window:d", 60) <= 60
    # Not known (its opening evicted from a full memory): the whole period.
    assert window_left(cache, "window:none", 60) == 60


def test_with_redis_unavailable_counts_are_kept_in_memory():
    with redis_cache(free_port()) as backend:
        assert [count_request(backend, "window:e", 60) for _ in range(3)] == [1, 2, 3]
        assert backend.degraded
        assert 59 < window_left(backend, "window:e", 60) <= 60


@pytest.mark.parametrize("path", ["/api/sources/", "/api/claims/"])
def test_the_api_refuses_past_the_rate_on_redis_and_says_when(
    redis_server, seed, monkeypatch, path
):
    """A source list is not kept; a claim list is, and read with the count: the
    count decides all the same."""
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/minute", "user": "9/minute"}
    )
    with redis_cache(redis_server.port):
        client = APIClient()
        codes = [client.get(path).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        refused = client.get(path)
        assert refused.status_code == 429
        assert 55 <= int(refused["Retry-After"]) <= 60


def test_a_kept_answer_on_redis_costs_one_round_trip(redis_server, seed):
    """The throttle's count, the generations and the body together, for each kind
    of kept answer."""
    from claims.models import Claim, Measure

    claim = Claim.objects.first()
    measure = Measure.objects.filter(figures__isnull=False).first()
    with redis_cache(redis_server.port):
        client = APIClient()
        for path in (
            f"/api/claims/{claim.pk}/",
            "/api/claims/",
            "/api/claims/?search=troops&ordering=-id&page_size=5",
            f"/api/claims/?source={claim.source_id}",
            f"/api/claims/{claim.pk}/corroboration/",
            f"/api/measures/{measure.pk}/comparison/",
            f"/api/measures/{measure.pk}/comparison/?at=2024-06-01",
            f"/api/measures/{measure.pk}/evolution/",
        ):
            first = client.get(path)
            with round_trips() as sent:
                again = client.get(path)
            assert again.status_code == first.status_code == 200
            assert again.content == first.content
            assert sent == ["EVALSHA"], path


def test_a_refused_request_reads_no_kept_answer(redis_server, seed, monkeypatch):
    from tracker.cache import DegradingRedisCache

    path = "/api/claims/?page_size=500"
    with redis_cache(redis_server.port):
        client = APIClient()
        assert client.get(path).status_code == 200  # kept
        monkeypatch.setattr(
            SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/minute", "user": "2/m"}
        )
        read = []
        real = DegradingRedisCache.count_and_read

        def recorded(self, *args):
            count, found = real(self, *args)
            read.append(found)
            return count, found

        monkeypatch.setattr(DegradingRedisCache, "count_and_read", recorded)
        codes = [client.get(path).status_code for _ in range(3)]
        assert codes == [200, 429, 429]  # the first was counted when kept
        assert read[0] and read[1:] == [None, None]


def test_a_second_throttle_counts_without_reading_again(
    redis_server, seed, monkeypatch
):
    """The keys are read by the first throttle that counts; another (a scope of
    its own) only counts."""
    from claims.api.throttles import RequestRateThrottle
    from claims.api.views import ClaimViewSet
    from tracker.cache import DegradingRedisCache

    class Burst(RequestRateThrottle):
        cache_format = "burst:%(scope)s:%(ident)s"

    monkeypatch.setattr(ClaimViewSet, "throttle_classes", [RequestRateThrottle, Burst])
    asked = []
    real = DegradingRedisCache.count_and_read

    def recorded(self, key, seconds, keys, up_to):
        asked.append((key.split(":")[0], list(keys)))
        return real(self, key, seconds, keys, up_to)

    monkeypatch.setattr(DegradingRedisCache, "count_and_read", recorded)
    with redis_cache(redis_server.port):
        client = APIClient()
        first = client.get("/api/claims/")
        asked.clear()
        with round_trips() as sent:
            again = client.get("/api/claims/")
        assert again.content == first.content
        assert sent == ["EVALSHA", "EVALSHA"]
        assert [scope for scope, _ in asked] == ["throttle", "burst"]
        assert asked[0][1] and asked[1][1] == []


def test_an_answer_not_read_with_the_count_is_read_by_itself(redis_server, seed):
    """A view whose generations differ from those it named before it ran (or a
    throttle that did not read them) costs a second round trip, never a wrong
    answer."""
    from claims.api import throttles

    path = "/api/claims/"
    with redis_cache(redis_server.port):
        client = APIClient()
        first = client.get(path)
        with (
            mock.patch.object(throttles, "read_with_count"),
            round_trips() as sent,
        ):
            again = client.get(path)
        assert again.content == first.content
        assert sent == ["EVALSHA", "MGET"]
        # Other keys read ahead than the answer's own: not taken for them.
        real = throttles.read_with_count

        def others(request, keys):
            real(request, [*keys[:-1], "answers:another"])

        with (
            mock.patch.object(throttles, "read_with_count", others),
            round_trips() as sent,
        ):
            again = client.get(path)
        assert again.content == first.content
        assert sent == ["EVALSHA", "MGET"]


def test_one_redis_client_serves_every_operation(redis_server):
    """Not a new ``redis.Redis`` an operation (Django's own client makes one)."""
    with redis_cache(redis_server.port) as backend:
        client = backend._cache.get_client("a", write=True)
        backend.set("a", 1)
        assert backend.get_many(["a", "b"]) == {"a": 1}
        assert backend._cache.get_client("b") is client


@pytest.mark.parametrize(
    "refusal",
    [
        "Error running script (call to f_1): @user_script:2: OOM command not "
        "allowed when used memory > 'maxmemory'.",
        "Error running script (call to f_1): @user_script:2: READONLY You can't "
        "write against a read only replica.",
    ],
)
def test_a_refusal_inside_the_script_counts_in_memory(redis_server, refusal):
    """Redis before 7 reports them as script errors: the cache is unavailable all
    the same, and the request is counted, not failed."""
    import redis

    with redis_cache(redis_server.port) as backend:
        assert count_request(backend, "window:h", 60) == 1
        with mock.patch.object(
            redis.commands.core.Script,
            "__call__",
            side_effect=redis.exceptions.ResponseError(refusal),
        ):
            assert count_request(backend, "window:h", 60) == 1  # in memory
        assert backend.degraded


def test_another_script_error_is_raised(redis_server):
    import redis

    with redis_cache(redis_server.port) as backend:
        count_request(backend, "window:i", 60)
        with mock.patch.object(
            redis.commands.core.Script,
            "__call__",
            side_effect=redis.exceptions.ResponseError("WRONGTYPE"),
        ):
            with pytest.raises(redis.exceptions.ResponseError):
                count_request(backend, "window:i", 60)
        assert not backend.degraded
