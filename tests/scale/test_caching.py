"""Computed comparisons are cached and dropped by any write they depend on."""

import functools
import os

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from claims import caching, selectors
from claims.exchange.bundle import import_bundle
from claims.models import Figure, Link

from ..factories import ClaimFactory, FigureFactory, MeasureFactory, SourceFactory

pytestmark = pytest.mark.django_db


def get(client, measure):
    with CaptureQueriesContext(connection) as queries:
        data = client.get(f"/api/measures/{measure.pk}/comparison/").json()
    return data, len(queries)


@pytest.fixture
def measure():
    measure = MeasureFactory()
    FigureFactory(measure=measure, text="around 1,500")
    FigureFactory(measure=measure, text="approximately 3,000")
    return measure


def test_a_second_read_comes_from_the_cache(client, measure):
    first, queries = get(client, measure)
    again, cached_queries = get(client, measure)
    assert again == first
    assert cached_queries == 0 < queries  # its answer is kept as sent
    # Indented JSON is written on each request, from the cached comparison: only
    # the measure itself is read.
    with CaptureQueriesContext(connection) as indented:
        answer = client.get(
            f"/api/measures/{measure.pk}/comparison/",
            HTTP_ACCEPT="application/json; indent=2",
        )
    assert answer.json() == first and b"\n  " in answer.content
    assert len(indented) == 1


def test_a_new_figure_on_the_measure_drops_it(client, measure):
    claim = ClaimFactory()
    get(client, measure)
    Figure.objects.create(claim=claim, measure=measure, text="10,000")
    data, queries = get(client, measure)
    assert data["counts"]["figures"] == 3 and queries > 1


def test_a_figure_on_another_measure_does_not(client, measure):
    claim = ClaimFactory()
    get(client, measure)
    Figure.objects.create(claim=claim, measure=MeasureFactory(), text="10")
    assert get(client, measure)[1] == 0


def test_moving_a_figure_drops_both_measures(client, measure):
    other = MeasureFactory()
    get(client, measure)
    get(client, other)
    figure = measure.figures.first()
    figure.measure = other
    figure.save()
    assert get(client, measure)[0]["counts"]["figures"] == 1
    assert get(client, other)[0]["counts"]["figures"] == 1


@pytest.mark.parametrize("write", ["link", "source", "claim", "delete", "import"])
def test_writes_to_links_sources_and_claims_drop_it(client, measure, write):
    before, _ = get(client, measure)
    figures = list(measure.figures.select_related("claim__source"))
    if write == "link":
        Link.objects.create(
            from_claim=figures[0].claim, to_claim=figures[1].claim, relation="repeats"
        )
    elif write == "source":
        source = figures[1].claim.source
        source.parent = SourceFactory(name="A new government")
        source.save()
    elif write == "claim":
        claim = figures[0].claim
        claim.source = figures[1].claim.source
        claim.save()
    elif write == "delete":
        figures[0].delete()
    else:
        import_bundle(
            {
                "links": [
                    {
                        "key": "l",
                        "from_claim": figures[0].claim_id,
                        "to_claim": figures[1].claim_id,
                        "relation": "repeats",
                    }
                ]
            }
        )
    after, queries = get(client, measure)
    assert queries > 1
    assert after != before


def test_the_measure_page_shares_the_cache(client, measure):
    client.get(f"/measures/{measure.pk}/")
    # The API's comparison, asked with no options, is the same entry: options at
    # their defaults (the conflict limit) are left out of the key.
    key = caching.comparison_key(measure.pk, {"view": "compare_measure"})
    assert caches["default"].get(key)["counts"]["figures"] == 2
    with CaptureQueriesContext(connection) as queries:
        client.get(f"/api/measures/{measure.pk}/comparison/")
    assert len(queries) == 1  # the measure itself; the comparison is cached


REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_answers() -> bool:
    import redis

    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.mark.skipif(
    not redis_answers() and os.environ.get("REQUIRE_REDIS") != "1",
    reason="no Redis answers",
)
def test_the_cache_works_on_redis(client, measure):
    settings = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"test-{os.getpid()}",
        }
    }
    with override_settings(CACHES=settings):
        caches["default"].clear()
        first, queries = get(client, measure)
        assert get(client, measure) == (first, 0)
        Figure.objects.create(claim=ClaimFactory(), measure=measure, text="7")
        assert get(client, measure)[0]["counts"]["figures"] == 3
        caches["default"].clear()


def test_options_given_as_their_defaults_are_the_same_comparison(measure):
    """Given as their defaults (as the API and the pages pass the conflict limit)
    or left out: one entry, one computation. None is not a default's stand-in
    where the default is not None: a limit of None lists every conflict."""
    computed = []

    @functools.wraps(selectors.compare_measure)
    def compare_measure(measure, **options):
        computed.append(options)
        return selectors.compare_measure(measure, **options)

    omitted = caching.cached_comparison(measure, compare_measure)
    given = caching.cached_comparison(
        measure,
        compare_measure,
        at=None,
        conflict_limit=selectors.DEFAULT_CONFLICT_LIMIT,
    )
    caching.cached_comparison(measure, compare_measure, conflict_limit=1)
    caching.cached_comparison(measure, compare_measure, conflict_limit=None)
    assert given == omitted
    assert computed == [{}, {"conflict_limit": 1}, {"conflict_limit": None}]
