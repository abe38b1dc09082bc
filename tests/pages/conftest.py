import pytest


@pytest.fixture
def reviewer(client, reviewer_user):
    """Django's test client signed in (a session) as ``reviewer_user``, its
    ``.user``."""
    client.force_login(reviewer_user)
    client.user = reviewer_user
    return client
