"""Writes need authentication and the model permission they touch (the groups are
bundles of those permissions); reads are open unless turned off."""

import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from claims.models import Claim, Review
from claims.permissions import EDITORS, REVIEWERS

from ..factories import (
    ClaimFactory,
    DocumentFactory,
    FigureFactory,
    LinkFactory,
    MeasureFactory,
    ReviewFactory,
    SourceFactory,
    TopicFactory,
    UserFactory,
    member_of,
    user_holding,
)
from ..helpers import (
    DOMAIN,
    EVERY_CLAIMS_PERMISSION,
    api_client,
    good_bundle,
    payloads,
    stored,
)

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
    yield "import a bundle", "post", "import", False


WRITES = list(write_requests())


def prepare(method, kind, needs_object):
    """(method, url, body) of one write, with the rows it needs stored."""
    if kind == "reviews":
        claim = ClaimFactory()
        body = {
            "claim": claim.pk,
            "attribution_status": "verified",
            "credibility": 3,
            "rationale": "Checked against the ministry's release.",
        }
        return "post", "/api/reviews/", body
    if kind == "import":
        return "post", "/api/import/", good_bundle()
    if not needs_object:
        return "post", f"/api/{kind}/", payloads()[kind]
    obj = FACTORIES[kind]()
    url = f"/api/{kind}/{obj.pk}/"
    if method == "delete":
        return "delete", url, None
    body = APIClient().get(url).json()
    if method == "patch":
        body = {}
    return method, url, body


def call(client, method, url, body):
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, body, format="json")


def send(client, method, kind, needs_object):
    return call(client, *prepare(method, kind, needs_object))


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
    client = api_client(UserFactory(is_superuser=True, is_staff=True))
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


# Who may write: the model permissions, whoever holds them ---------------------------

MODEL_NAMES = {**{kind: kind.removesuffix("s") for kind in EDITED}, "reviews": "review"}
ACTIONS = {"post": "add", "put": "change", "patch": "change", "delete": "delete"}
#: What a bundle import needs: the add permission of every kind a bundle may write.
IMPORT_NEEDS = [
    "add_document",
    "add_source",
    "add_measure",
    "add_claim",
    "add_figure",
    "add_link",
    "add_topic",
]


def needs(method: str, kind: str) -> list[str]:
    """The codenames (app ``claims``) one write needs."""
    if kind == "import":
        return IMPORT_NEEDS
    return [f"{ACTIONS[method]}_{MODEL_NAMES[kind]}"]


def holding(*codenames: str) -> APIClient:
    """A client signed in as a user given exactly these permissions, no group."""
    return api_client(user_holding(*codenames))


def client_of(who: str, method: str, kind: str) -> APIClient:
    if who == "superuser":
        return api_client(UserFactory(is_superuser=True, is_staff=True))
    if who in ("editor", "reviewer"):
        return api_client(member_of(EDITORS if who == "editor" else REVIEWERS))
    if who == "no permission":
        return holding()
    if who == "only what it needs":
        return holding(*needs(method, kind))
    if who == "everything but what it needs":
        return holding(
            *(c for c in EVERY_CLAIMS_PERMISSION if c not in needs(method, kind))
        )
    return api_client()  # anonymous


def may(who: str, kind: str) -> bool:
    return {
        "anonymous": False,
        "no permission": False,
        "editor": kind != "reviews",
        "reviewer": kind == "reviews",
        "superuser": True,
        "only what it needs": True,
        "everything but what it needs": False,
    }[who]


def assert_refused(client, method, kind, needs_object, status, label=""):
    """The write is refused with ``status`` and a clear reason; nothing is stored."""
    request = prepare(method, kind, needs_object)
    before = stored(*DOMAIN)
    response = call(client, *request)
    assert response.status_code == status, (label, response.content[:300])
    assert response.json()["detail"] == (
        "Authentication credentials were not provided."
        if status == 401
        else "You do not have permission to perform this action."
    )
    assert stored(*DOMAIN) == before, label


@pytest.mark.parametrize(
    "label, method, kind, needs_object", WRITES, ids=[w[0] for w in WRITES]
)
@pytest.mark.parametrize(
    "who",
    [
        "anonymous",
        "no permission",
        "editor",
        "reviewer",
        "superuser",
        "only what it needs",
        "everything but what it needs",
    ],
)
def test_every_write_endpoint_by_the_permissions_held(
    groups, label, method, kind, needs_object, who
):
    client = client_of(who, method, kind)
    if may(who, kind):
        response = send(client, method, kind, needs_object)
        assert response.status_code in {200, 201, 204}, (label, who, response.content)
    else:
        status = 401 if who == "anonymous" else 403
        assert_refused(client, method, kind, needs_object, status, (label, who))


@pytest.mark.parametrize(
    "label, method, kind, needs_object", WRITES, ids=[w[0] for w in WRITES]
)
def test_a_user_given_only_add_source_may_create_sources_and_nothing_else(
    groups, label, method, kind, needs_object
):
    client = holding("add_source")
    if (method, kind) == ("post", "sources"):
        assert send(client, method, kind, needs_object).status_code == 201
    else:
        assert_refused(client, method, kind, needs_object, 403, label)


@pytest.mark.parametrize(
    "label, method, kind, needs_object", WRITES, ids=[w[0] for w in WRITES]
)
def test_a_user_given_only_add_review_may_review_and_nothing_else(
    groups, label, method, kind, needs_object
):
    client = holding("add_review")
    if kind == "reviews":
        assert send(client, method, kind, needs_object).status_code == 201
        assert Review.objects.get().reviewer == client.user
    else:
        assert_refused(client, method, kind, needs_object, 403, label)


@pytest.mark.parametrize("missing", IMPORT_NEEDS)
def test_an_import_needs_every_add_permission_a_bundle_may_use(groups, missing):
    """Even a bundle without topics needs ``add_topic``: what is needed does not
    depend on what the bundle holds."""
    client = holding(*(c for c in IMPORT_NEEDS if c != missing))
    assert_refused(client, "post", "import", False, 403, missing)
    bundle = good_bundle()
    del bundle["claims"][0]["topics"]
    before = stored(*DOMAIN)
    assert client.post("/api/import/", bundle, format="json").status_code == 403
    assert stored(*DOMAIN) == before


@pytest.mark.parametrize(
    "who, status",
    [
        ("anonymous", 401),
        ("no permission", 403),
        ("editor", 403),
        ("reviewer", 405),
        ("only what it needs", 405),
        ("superuser", 405),
    ],
)
def test_a_review_is_never_changed_and_only_its_writers_are_told_why(
    groups, who, status
):
    client = client_of(who, "post", "reviews")
    review = ReviewFactory()
    url = f"/api/reviews/{review.pk}/"
    before = stored(*DOMAIN)
    for method in ("put", "patch", "delete"):
        response = call(client, method, url, {"credibility": 1})
        assert response.status_code == status, (method, response.content)
    assert stored(*DOMAIN) == before


@pytest.mark.parametrize(
    "who, status",
    [
        ("anonymous", 401),
        ("reviewer", 403),
        ("editor", 405),
        ("only add_source", 403),
        ("only change_measure", 405),
    ],
)
def test_a_write_to_a_computed_view_is_refused_as_before(groups, who, status):
    if who.startswith("only "):
        client = holding(who.removeprefix("only "))
    else:
        client = client_of(who, "post", "measures")
    measure = MeasureFactory()
    response = client.post(f"/api/measures/{measure.pk}/comparison/", {})
    assert response.status_code == status, response.content


def test_reading_needs_no_permission_when_reading_is_closed(settings, groups):
    settings.API_OPEN_READ = False
    claim = ClaimFactory()
    client = holding()
    assert client.get(f"/api/claims/{claim.pk}/").status_code == 200
    assert client.get("/api/reviews/").status_code == 200


def test_a_token_is_open_to_anyone(groups):
    UserFactory(username="nadia")
    response = APIClient().post(
        "/api/auth/token/", {"username": "nadia", "password": "a-long-test-password"}
    )
    assert response.status_code == 200
