"""Fixtures every test may ask for: an empty cache, the seed article's data, the
groups, signed-in API clients and their users, and the dam story."""

import pytest
from django.core.cache import cache
from rest_framework.throttling import SimpleRateThrottle

from claims.permissions import EDITORS, REVIEWERS, ensure_groups
from claims.seed import load_seed

from .factories import DamStory, UserFactory, member_of
from .helpers import RedisServer, api_client, redis_server_at_hand


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: ids repeat across tests."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def seed(db):
    """The seed article's data, loaded as ``make run`` loads it."""
    assert load_seed()


# Users and API clients. They need ``db``, which also serves tests that ask for
# ``transactional_db`` or ``live_server``: the transactional database wins. --------


@pytest.fixture
def groups(db):
    """The editors and reviewers groups, as ``make run`` makes them."""
    ensure_groups()


@pytest.fixture
def editor_user(groups):
    """A user in the editors group."""
    return member_of(EDITORS)


@pytest.fixture
def reviewer_user(groups):
    """A user in the reviewers group, "rita" (password "a-long-test-password")."""
    return member_of(REVIEWERS, username="rita")


@pytest.fixture
def anonymous(db):
    """An API client signed in as nobody."""
    return api_client()


@pytest.fixture
def outsider(groups):
    """An API client of a user in no group, holding no permission."""
    return api_client(UserFactory())


@pytest.fixture
def editor(editor_user):
    """An API client of ``editor_user`` (``force_authenticate``; its ``.user``)."""
    return api_client(editor_user)


@pytest.fixture
def reviewer(reviewer_user):
    """An API client of ``reviewer_user`` (``force_authenticate``; its ``.user``)."""
    return api_client(reviewer_user)


@pytest.fixture
def story(db):
    """The dam story (``factories.DamStory``)."""
    return DamStory()


@pytest.fixture
def unthrottled_seed(seed, settings):
    """The seed data, so that generated ids sometimes find a row; no throttling
    (it has its own tests)."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_CLASSES": [],
    }


@pytest.fixture
def tight_rates(monkeypatch):
    """Throttling at 3 requests a minute for anonymous callers, 5 for users."""
    monkeypatch.setattr(
        SimpleRateThrottle,
        "THROTTLE_RATES",
        {"anon": "3/minute", "user": "5/minute"},
    )


@pytest.fixture
def redis_server():
    """A redis-server of the test's own, on a free port (skipped without one)."""
    if not redis_server_at_hand():
        pytest.skip("no redis-server to start")
    server = RedisServer()
    yield server
    server.stop()
