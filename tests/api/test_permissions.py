"""Writes need authentication and the right group; reads are open unless turned off."""

import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from claims.models import Claim
from claims.permissions import EDITORS

from ..factories import (
    ClaimFactory,
    DocumentFactory,
    FigureFactory,
    LinkFactory,
    MeasureFactory,
    SourceFactory,
    TopicFactory,
    UserFactory,
)
from .test_crud import payloads

pytestmark = pytest.mark.django_db

FACTORIES = {
    "sources": SourceFactory,
    "documents": DocumentFactory,
    "claims": ClaimFactory,
    "measures": MeasureFactory,
    "figures": FigureFactory,
    "links": LinkFactory,
    "topics": TopicFactory,
}
EDITED = list(FACTORIES)


def write_requests():
    """(label, method, kind, needs_object) for every write the API offers."""
    for kind in EDITED:
        yield f"create {kind}", "post", kind, False
        yield f"replace {kind}", "put", kind, True
        yield f"change {kind}", "patch", kind, True
        yield f"delete {kind}", "delete", kind, True
    yield "create reviews", "post", "reviews", False


WRITES = list(write_requests())


def send(client, method, kind, needs_object):
    if kind == "reviews":
        claim = ClaimFactory()
        body = {
            "claim": claim.pk,
            "attribution_status": "verified",
            "credibility": 3,
            "rationale": "Checked against the ministry's release.",
        }
        return client.post("/api/reviews/", body, format="json")
    if not needs_object:
        return client.post(f"/api/{kind}/", payloads()[kind], format="json")
    obj = FACTORIES[kind]()
    url = f"/api/{kind}/{obj.pk}/"
    if method == "delete":
        return client.delete(url)
    body = APIClient().get(url).json()
    if method == "patch":
        body = {}
    return getattr(client, method)(url, body, format="json")


@pytest.mark.parametrize(
    "label, method, kind, needs_object", WRITES, ids=[w[0] for w in WRITES]
)
@pytest.mark.parametrize(
    "who, expected",
    [
        ("anonymous", {401}),
        ("outsider", {403}),
        ("member", {200, 201, 204}),
    ],
)
def test_every_write_endpoint_by_who_is_asking(
    request, label, method, kind, needs_object, who, expected
):
    if who == "member":
        client = request.getfixturevalue("reviewer" if kind == "reviews" else "editor")
    else:
        client = request.getfixturevalue(who)
    response = send(client, method, kind, needs_object)
    assert response.status_code in expected, (label, who, response.content[:300])
    if who == "anonymous":
        assert response["WWW-Authenticate"] == "Token"


def test_an_editor_cannot_review_and_a_reviewer_cannot_edit(editor, reviewer):
    assert send(editor, "post", "reviews", False).status_code == 403
    assert send(reviewer, "post", "claims", False).status_code == 403


def test_a_superuser_may_write_anything(groups):
    client = APIClient()
    client.force_authenticate(UserFactory(is_superuser=True, is_staff=True))
    assert send(client, "post", "claims", False).status_code == 201
    assert send(client, "post", "reviews", False).status_code == 201


def test_reading_is_open_to_anonymous_users(anonymous):
    claim = ClaimFactory()
    assert anonymous.get("/api/claims/").status_code == 200
    assert anonymous.get(f"/api/claims/{claim.pk}/").status_code == 200


def test_a_setting_closes_reading_to_anonymous_users(anonymous, outsider, settings):
    settings.API_OPEN_READ = False
    ClaimFactory()
    assert anonymous.get("/api/claims/").status_code == 401
    assert outsider.get("/api/claims/").status_code == 200


def test_a_token_is_issued_for_a_username_and_password(groups):
    user = UserFactory(username="maria")
    anonymous = APIClient()
    response = anonymous.post(
        "/api/auth/token/", {"username": "maria", "password": "a-long-test-password"}
    )
    assert response.status_code == 200
    token = response.json()["token"]
    user.groups.add(Group.objects.get(name=EDITORS))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert (
        client.post("/api/claims/", payloads()["claims"], format="json").status_code
        == 201
    )
    assert Claim.objects.filter(statement="They are training.").exists()


def test_a_wrong_password_gets_no_token(groups):
    UserFactory(username="maria")
    response = APIClient().post(
        "/api/auth/token/", {"username": "maria", "password": "wrong"}
    )
    assert response.status_code == 400
    assert "token" not in response.json()
