import pytest
from django.core.cache import cache

from claims.seed import load_seed


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
