"""The API's throttle (``claims.api.throttles``): one counter a client, one cache
operation a request, a 429 with Retry-After once the rate is spent."""

import time

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from claims.api.throttles import RequestRateThrottle

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


class CountingCache:
    """The cache, counting the operations the throttle asks of it."""

    def __init__(self):
        self.operations = []

    def __getattr__(self, name):
        operation = getattr(cache, name)

        def counted(*args, **kwargs):
            self.operations.append(name)
            return operation(*args, **kwargs)

        return counted


@pytest.fixture
def rates(monkeypatch):
    def set_rates(anon, user):
        monkeypatch.setattr(
            SimpleRateThrottle, "THROTTLE_RATES", {"anon": anon, "user": user}
        )

    return set_rates


@pytest.fixture
def counting(monkeypatch):
    counting = CountingCache()
    monkeypatch.setattr(RequestRateThrottle, "cache", counting)
    return counting


def test_a_request_costs_one_cache_operation_once_the_window_is_open(rates, counting):
    rates("100/minute", "100/minute")
    client = APIClient()
    assert client.get("/api/sources/").status_code == 200
    opened = list(counting.operations)
    for _ in range(5):
        counting.operations.clear()
        assert client.get("/api/sources/").status_code == 200
        assert counting.operations == ["incr"]
    # A kept answer is read with the count (on Redis, in its round trip).
    counting.operations.clear()
    assert client.get("/api/claims/").status_code == 200
    assert counting.operations == ["incr", "get_many"]
    # The first found no counter: it opened the window.
    assert opened == ["incr", "add", "set"]


def test_a_refused_request_says_when_to_come_back(rates):
    rates("2/minute", "100/minute")
    client = APIClient()
    codes = [client.get("/api/claims/").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    refused = client.get("/api/claims/")
    assert refused.status_code == 429
    assert 55 <= int(refused["Retry-After"]) <= 60


def test_anonymous_readers_are_counted_by_the_anonymous_rate_alone(rates):
    rates("4/minute", "2/minute")
    client = APIClient()
    codes = [client.get("/api/claims/").status_code for _ in range(5)]
    assert codes == [200] * 4 + [429]


def test_each_user_has_a_count_of_their_own(rates):
    rates("1/minute", "2/minute")
    first, second = APIClient(), APIClient()
    first.force_authenticate(UserFactory())
    second.force_authenticate(UserFactory())
    assert [first.get("/api/claims/").status_code for _ in range(3)] == [
        200,
        200,
        429,
    ]
    assert second.get("/api/claims/").status_code == 200


def test_the_window_reopens_after_the_period(rates):
    rates("1/second", "1/second")
    client = APIClient()
    assert [client.get("/api/claims/").status_code for _ in range(2)] == [200, 429]
    time.sleep(1.1)
    assert client.get("/api/claims/").status_code == 200
