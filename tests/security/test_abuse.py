"""Oversized bodies, throttling, sign-in guessing, CSP and CSRF."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from claims.models import Claim

from ..factories import ClaimFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_body_over_the_documented_size_is_413_before_it_is_read(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = APIClient()
    response = client.post(
        "/api/import/", {"claims": [{"key": "x" * 2000}]}, format="json"
    )
    assert response.status_code == 413
    assert "at most 1,000" in response.json()["detail"]
    assert not Claim.objects.exists()


def test_a_body_within_the_size_goes_through(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    assert APIClient().post("/api/import/", {}, format="json").status_code == 401


def test_anonymous_readers_are_throttled(tight_rates):
    client = APIClient()
    codes = [client.get("/api/claims/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_users_are_throttled_by_their_own_rate(tight_rates):
    client = APIClient()
    client.force_authenticate(UserFactory())
    codes = [client.get("/api/claims/").status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]


def test_token_requests_are_throttled(settings):
    settings.SIGN_IN_ATTEMPTS = 2
    UserFactory(username="maria")
    client = APIClient()
    codes = [
        client.post(
            "/api/auth/token/", {"username": "maria", "password": "guess"}
        ).status_code
        for _ in range(3)
    ]
    assert codes == [400, 400, 429]


def test_sign_in_guessing_is_refused_after_the_allowed_failures(client, settings):
    settings.SIGN_IN_ATTEMPTS = 3
    UserFactory(username="rita")
    wrong = {"username": "rita", "password": "guess"}
    codes = [client.post("/accounts/login/", wrong).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    right = {"username": "rita", "password": "a-long-test-password"}
    refused = client.post("/accounts/login/", right)
    assert (
        refused.status_code == 429
        and "Too many sign-in attempts" in refused.content.decode()
    )
    assert "_auth_user_id" not in client.session


def test_a_successful_sign_in_clears_the_failures(client, settings):
    settings.SIGN_IN_ATTEMPTS = 3
    UserFactory(username="rita")
    for _ in range(2):
        client.post("/accounts/login/", {"username": "rita", "password": "guess"})
    right = {"username": "rita", "password": "a-long-test-password"}
    assert client.post("/accounts/login/", right).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(2):
        client.post("/accounts/login/", {"username": "rita", "password": "guess"})
    assert client.post("/accounts/login/", right).status_code == 302


@pytest.mark.parametrize(
    "path", ["/", "/review/", "/api/claims/", "/api/docs/", "/admin/login/"]
)
def test_every_answer_carries_a_content_security_policy(client, path):
    ClaimFactory()
    policy = client.get(path)["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "default-src 'self'" in policy and "object-src 'none'" in policy


def test_page_forms_need_a_csrf_token(db):
    UserFactory(username="rita")
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        "/accounts/login/", {"username": "rita", "password": "a-long-test-password"}
    )
    assert response.status_code == 403
    assert "_auth_user_id" not in strict.session


def test_session_writes_to_the_api_need_a_csrf_token(editor_user):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor_user)
    response = strict.post(
        "/api/topics/", {"name": "Kursk"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
