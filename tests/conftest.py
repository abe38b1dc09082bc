import pytest

from claims.seed import load_seed


@pytest.fixture
def seed(db):
    """The seed article's data, loaded as ``make run`` loads it."""
    assert load_seed()
