"""A cache outage degrades, never breaks (tracker.cache): with Redis unavailable at
start or mid-run, every page and endpoint answers as it does without a cache,
throttling counts per process, the outage is logged once per interval, and when
Redis serves again no comparison or count cached before the outage is used."""

import logging
import re
import time

import pytest
from django.test import Client
from rest_framework.test import APIClient

from claims.models import Claim, Figure, Measure, Topic

from .factories import ClaimFactory
from .helpers import RedisServer, free_port, redis_cache, redis_server_at_hand

pytestmark = pytest.mark.django_db

#: Seconds the backend leaves Redis alone after a failure (as in the settings).
INTERVAL = 30


class Clock:
    """The backend's clock, moved by the test."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float = INTERVAL) -> None:
        self.now += seconds


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr("tracker.cache.monotonic", clock)
    return clock


def without_tokens(content: bytes) -> str:
    """A page with its per-request CSRF token blanked out."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", content.decode())


@pytest.fixture
def paths(seed):
    """Pages and endpoints that read the cache: comparisons, counted lists, the
    review queue."""
    measure = Measure.objects.filter(figures__isnull=False).first()
    claim = Claim.objects.first()
    topic = Topic.objects.first()
    return [
        "/",
        "/review/",
        f"/claims/{claim.pk}/",
        f"/documents/{claim.document_id}/",
        f"/sources/{claim.source_id}/",
        f"/measures/{measure.pk}/",
        f"/topics/{topic.pk}/",
        "/search/?q=dam",
        "/api/claims/",
        "/api/figures/",
        f"/api/claims/{claim.pk}/",
        f"/api/measures/{measure.pk}/comparison/",
        f"/api/measures/{measure.pk}/evolution/",
        f"/api/topics/{topic.pk}/comparison/",
    ]


def answers(paths, reviewer_user) -> dict:
    """Each path's status and body, to an anonymous reader and to a reviewer, each
    asked twice (the second read is the cached one, when there is a cache)."""
    anonymous, reviewer = APIClient(), Client()
    reviewer.force_login(reviewer_user)
    found = {}
    for path in paths:
        for name, client in (("anonymous", anonymous), ("reviewer", reviewer)):
            for attempt in (1, 2):
                response = client.get(path)
                found[name, path, attempt] = (
                    response.status_code,
                    without_tokens(response.content),
                )
    return found


def measure_figures(client, measure) -> int:
    response = client.get(f"/api/measures/{measure.pk}/comparison/")
    assert response.status_code == 200
    return response.json()["counts"]["figures"]


# Nothing listens at the cache's address. -------------------------------------------


def test_with_nothing_listening_every_page_answers_as_without_a_cache(
    paths, reviewer_user
):
    expected = answers(paths, reviewer_user)  # the test settings' own memory
    assert {status for status, _ in expected.values()} == {200}
    with redis_cache(free_port()) as backend:
        started = time.monotonic()
        found = answers(paths, reviewer_user)
        elapsed = time.monotonic() - started
        assert backend.degraded
    assert found == expected
    assert elapsed < 10  # refused at once: no request waits on the cache


def test_writes_during_the_outage_are_seen_at_once(seed, editor):
    measure = Measure.objects.filter(figures__isnull=False).first()
    with redis_cache(free_port()):
        before = measure_figures(editor, measure)
        created = editor.post(
            "/api/figures/",
            {"claim": ClaimFactory().pk, "measure": measure.pk, "text": "12"},
        )
        assert created.status_code == 201, created.content
        assert measure_figures(editor, measure) == before + 1
        count = editor.get("/api/claims/").json()["count"]
        ClaimFactory()
        assert editor.get("/api/claims/").json()["count"] == count + 1


def test_every_operation_is_answered_from_memory_while_redis_is_unavailable(db):
    with redis_cache(free_port()) as backend:
        assert backend.add("a", 1) is True
        assert backend.degraded
        assert backend.add("a", 2) is False
        assert backend.get("a") == 1
        backend.set("b", {"x": 1})
        assert backend.get_many(["a", "b", "c"]) == {"a": 1, "b": {"x": 1}}
        assert backend.has_key("b")
        assert backend.incr("a") == 2
        with pytest.raises(ValueError):
            backend.incr("missing")
        assert backend.touch("a", 100)
        backend.set_many({"c": 3, "d": 4})
        assert backend.get_or_set("e", 5) == 5
        assert backend.delete("c")
        backend.delete_many(["d"])
        assert backend.get_many(["a", "c", "d", "e"]) == {"a": 2, "e": 5}
        backend.clear()
        assert backend.get("a") is None


def test_redis_is_left_alone_within_the_interval(db, clock, monkeypatch):
    client = APIClient()
    with redis_cache(free_port()) as backend:
        assert client.get("/api/claims/").status_code == 200
        asked = []
        real = type(backend._cache).get_client
        monkeypatch.setattr(
            type(backend._cache),
            "get_client",
            lambda *args, **kwargs: asked.append(1) or real(*args, **kwargs),
        )
        for _ in range(10):
            assert client.get("/api/claims/").status_code == 200
        clock.advance(INTERVAL - 1)
        assert client.get("/api/claims/").status_code == 200
        assert asked == []
        clock.advance(1)
        assert client.get("/api/claims/").status_code == 200
        assert asked == [1]  # one PING, refused


def test_throttling_counts_per_process_during_the_outage(db, tight_rates):
    with redis_cache(free_port()) as backend:
        client = APIClient()
        codes = [client.get("/api/claims/").status_code for _ in range(4)]
        assert backend.degraded
    assert codes == [200, 200, 200, 429]


def test_the_outage_is_logged_once_per_interval(db, caplog):
    caplog.set_level(logging.INFO, logger="tracker.cache")
    client = APIClient()
    with redis_cache(free_port()):
        for _ in range(20):
            assert client.get("/api/claims/").status_code == 200
    assert len(caplog.records) == 1
    assert caplog.records[0].levelname == "WARNING"
    assert "unavailable" in caplog.messages[0]


def test_the_log_shows_no_password(db, caplog):
    port = free_port()
    location = f"redis://tracker:s3cret@127.0.0.1:{port}/0"
    with redis_cache(port, LOCATION=location) as backend:
        backend.get("a")
    assert len(caplog.messages) == 1
    assert "s3cret" not in caplog.messages[0]
    assert f"redis://127.0.0.1:{port}/0" in caplog.messages[0]


def test_redis_is_asked_again_once_per_interval(db, caplog, clock):
    caplog.set_level(logging.INFO, logger="tracker.cache")
    client = APIClient()
    with redis_cache(free_port()):
        for _ in range(3):
            for _ in range(10):
                assert client.get("/api/claims/").status_code == 200
            clock.advance(INTERVAL / 2)
            assert client.get("/api/claims/").status_code == 200
            clock.advance(INTERVAL / 2)
        assert client.get("/api/claims/").status_code == 200
    # The outage, then one failed attempt after each interval.
    assert len(caplog.records) == 4
    assert "still unavailable" in caplog.messages[-1]


# A Redis that stops answering mid-run. ----------------------------------------------


def test_a_redis_that_stops_answering_mid_run(
    redis_server, paths, reviewer_user, clock
):
    expected = answers(paths, reviewer_user)
    with redis_cache(redis_server.port) as backend:
        assert answers(paths, reviewer_user) == expected
        assert redis_server.keys("*comparisons:*")  # Redis serves
        redis_server.freeze()
        started = time.monotonic()
        assert answers(paths, reviewer_user) == expected
        # One answer waited for the socket's timeout; none after it.
        assert time.monotonic() - started < 10
        assert backend.degraded
        redis_server.thaw()
        clock.advance()
        assert answers(paths, reviewer_user) == expected
        assert not backend.degraded


def test_caching_resumes_when_redis_answers_again(redis_server, seed, caplog, clock):
    caplog.set_level(logging.INFO, logger="tracker.cache")
    measure = Measure.objects.filter(figures__isnull=False).first()
    client = APIClient()
    with redis_cache(redis_server.port) as backend:
        redis_server.freeze()
        measure_figures(client, measure)
        assert backend.degraded
        redis_server.thaw()
        clock.advance()
        redis_server.client.flushdb()
        measure_figures(client, measure)
        assert not backend.degraded
        assert redis_server.keys("*comparisons:*")
    assert [record.levelname for record in caplog.records] == ["WARNING", "INFO"]
    assert "serves again" in caplog.messages[-1]


@pytest.mark.parametrize("forgets", [True, False], ids=["forgets", "would-not"])
def test_no_entry_cached_before_the_outage_is_served_after_it(
    redis_server, seed, forgets, clock
):
    """A comparison and a count cached before the outage, their inputs changed
    during it: after it, the fresh ones. Without forgetting, the stale ones would
    be served (the second case shows the test can tell)."""
    measure = Measure.objects.filter(figures__isnull=False).first()
    client = APIClient()
    recovery = {} if forgets else {"ON_RECOVERY": None}
    with redis_cache(redis_server.port, **recovery) as backend:
        figures = measure_figures(client, measure)
        claims = client.get("/api/claims/").json()["count"]
        redis_server.freeze()
        assert measure_figures(client, measure) == figures
        assert backend.degraded
        # Unlike the read that timed out, which a thawed Redis still carries out,
        # this write never reaches Redis.
        Figure.objects.create(claim=ClaimFactory(), measure=measure, text="12")
        assert measure_figures(client, measure) == figures + 1
        assert client.get("/api/claims/").json()["count"] == claims + 1
        assert backend.degraded
        redis_server.thaw()
        clock.advance()
        after = measure_figures(client, measure), client.get("/api/claims/").json()
        assert not backend.degraded
    if forgets:
        assert after[0] == figures + 1
        assert after[1]["count"] == claims + 1
    else:
        assert after[0] == figures
        assert after[1]["count"] == claims


@pytest.mark.skipif(not redis_server_at_hand(), reason="no redis-server to start")
def test_a_redis_unavailable_at_start_then_started(seed, clock):
    port = free_port()
    measure = Measure.objects.filter(figures__isnull=False).first()
    client = APIClient()
    with redis_cache(port) as backend:
        figures = measure_figures(client, measure)
        assert backend.degraded
        server = RedisServer(port)
        try:
            clock.advance()
            assert measure_figures(client, measure) == figures
            assert not backend.degraded
            assert server.keys("*comparisons:*")
        finally:
            server.stop()


def _failing_recovery(backend):
    raise RuntimeError("a mistake in the recovery")


def test_a_failing_recovery_keeps_redis_unused_and_requests_answered(
    redis_server, seed, clock, caplog
):
    measure = Measure.objects.filter(figures__isnull=False).first()
    client = APIClient()
    with redis_cache(redis_server.port, ON_RECOVERY=_failing_recovery) as backend:
        figures = measure_figures(client, measure)
        redis_server.freeze()
        assert measure_figures(client, measure) == figures
        redis_server.thaw()
        clock.advance()
        assert measure_figures(client, measure) == figures
        assert backend.degraded
    assert "forgetting what it held failed" in caplog.messages[-1]


# Two processes during an outage. ---------------------------------------------------


def test_a_write_in_one_process_shows_in_another_during_an_outage():
    """Each process answers from its own memory while Redis is unavailable: what
    one keeps, a write made in another cannot drop. So nothing computed is kept or
    looked up then (claims.caching.shared): every read computes."""
    from claims import services

    from .factories import DamStory

    story = DamStory()
    claim = story.estimate.claim
    port = free_port()
    paths = [
        f"/api/claims/{claim.pk}/",
        "/api/claims/?attribution_kind=paraphrase",
        f"/api/claims/{claim.pk}/corroboration/",
        story.api_url(),
        story.api_url("evolution"),
    ]

    def read(process):
        with redis_cache(port, KEY_PREFIX=f"process-{process}") as backend:
            found = {path: APIClient().get(path) for path in paths}
            assert backend.degraded
        return {
            path: (r.status_code, r.content, r.get("ETag")) for path, r in found.items()
        }

    read("b")  # the other process reads everything once
    with redis_cache(port, KEY_PREFIX="process-a"):
        services.claim_update(
            claim=Claim.objects.get(pk=claim.pk),
            user=None,
            changes={"statement": "About 400 people are dead."},
        )
        Figure.objects.create(
            claim=story.thursday.claim, measure=story.measure, text="about 450"
        )
    theirs = read("b")
    assert b"About 400 people are dead." in theirs[paths[0]][1]
    assert theirs[paths[0]][2] == f'"{Claim.objects.get(pk=claim.pk).version}"'
    assert theirs == read("fresh")  # a process that never read before
