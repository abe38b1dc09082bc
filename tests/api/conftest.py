import pytest
from rest_framework.test import APIClient

from claims.permissions import EDITORS, REVIEWERS, ensure_groups

from ..factories import member_of


@pytest.fixture
def groups(db):
    ensure_groups()


def member(group: str | None):
    return member_of(group)


@pytest.fixture
def anonymous(db):
    return APIClient()


@pytest.fixture
def outsider(groups):
    client = APIClient()
    client.force_authenticate(member(None))
    return client


@pytest.fixture
def editor(groups):
    client = APIClient()
    client.user = member(EDITORS)
    client.force_authenticate(client.user)
    return client


@pytest.fixture
def reviewer(groups):
    client = APIClient()
    client.user = member(REVIEWERS)
    client.force_authenticate(client.user)
    return client
