"""Sign-in lockout (django-axes, claims.sign_in) on every door: the pages' sign-in,
the admin's and the API's token. SIGN_IN_ATTEMPTS failures for one address and
username lock them out for SIGN_IN_WINDOW seconds; the right password is refused
too; another username or another address is not affected."""

import io
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessLog
from django.db.models import F, Sum
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from ..factories import UserFactory

pytestmark = pytest.mark.django_db

RIGHT = "a-long-test-password"
PAGE, ADMIN, TOKEN = "/accounts/login/", "/admin/login/", "/api/auth/token/"


@pytest.fixture(autouse=True)
def three_attempts(settings):
    settings.SIGN_IN_ATTEMPTS = 3
    settings.SIGN_IN_WINDOW = 900


def attempt(client, path, username, password):
    return client.post(path, {"username": username, "password": password})


def failures(username="rita"):
    attempts = AccessAttempt.objects.filter(username=username)
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_admin_sign_in_is_refused_after_the_allowed_failures(client):
    UserFactory(username="rita", is_staff=True)
    codes = [attempt(client, ADMIN, "rita", "guess").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = attempt(client, ADMIN, "rita", RIGHT)
    assert refused.status_code == 429
    assert "Too many sign-in attempts" in refused.content.decode()
    assert "Try again in 15 minutes" in refused.content.decode()
    assert not signed_in(client)


def test_the_admin_sign_in_still_works_below_the_limit(client):
    UserFactory(username="rita", is_staff=True)
    for _ in range(2):
        assert attempt(client, ADMIN, "rita", "guess").status_code == 200
    response = attempt(client, ADMIN, "rita", RIGHT)
    assert response.status_code == 302 and signed_in(client)
    assert failures() == 0, "a sign-in clears the count"


def test_token_requests_are_refused_after_the_allowed_failures():
    user = UserFactory(username="maria")
    client = APIClient()
    codes = [attempt(client, TOKEN, "maria", "guess").status_code for _ in range(4)]
    assert codes == [400, 400, 400, 429]
    refused = attempt(client, TOKEN, "maria", RIGHT)
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/json"
    assert refused.json() == {
        "detail": "Too many failed sign-ins for this username from your address. "
        "Try again in 15 minutes."
    }
    assert refused["Retry-After"] == "900"
    assert not Token.objects.filter(user=user).exists()


def test_a_token_issued_clears_the_failures():
    UserFactory(username="maria")
    client = APIClient()
    for _ in range(2):
        assert attempt(client, TOKEN, "maria", "guess").status_code == 400
    assert attempt(client, TOKEN, "maria", RIGHT).status_code == 200
    assert failures("maria") == 0
    for _ in range(2):
        assert attempt(client, TOKEN, "maria", "guess").status_code == 400
    assert attempt(client, TOKEN, "maria", RIGHT).status_code == 200


def test_token_requests_without_a_password_are_not_counted():
    UserFactory(username="maria")
    client = APIClient()
    for _ in range(4):
        response = client.post(TOKEN, {"username": "maria"})
        assert response.status_code == 400
        assert "password" in response.json()
    assert failures("maria") == 0
    assert attempt(client, TOKEN, "maria", RIGHT).status_code == 200


@pytest.mark.parametrize("path", [PAGE, ADMIN, TOKEN])
def test_another_username_from_the_same_address_is_not_locked(path):
    UserFactory(username="rita", is_staff=True)
    UserFactory(username="maria", is_staff=True)
    client = APIClient() if path == TOKEN else Client()
    for _ in range(4):
        attempt(client, path, "rita", "guess")
    assert attempt(client, path, "rita", RIGHT).status_code == 429
    assert attempt(client, path, "maria", RIGHT).status_code in (200, 302)


def test_the_same_username_from_another_address_is_not_locked():
    UserFactory(username="rita")
    here, there = Client(), Client(REMOTE_ADDR="10.0.0.2")
    for _ in range(4):
        attempt(here, PAGE, "rita", "guess")
    assert attempt(here, PAGE, "rita", RIGHT).status_code == 429
    assert attempt(there, PAGE, "rita", RIGHT).status_code == 302
    assert signed_in(there)


def test_a_forwarded_address_header_does_not_escape_the_lockout():
    UserFactory(username="rita")
    client = Client()
    for _ in range(4):
        attempt(client, PAGE, "rita", "guess")
    forged = Client(HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert attempt(forged, PAGE, "rita", RIGHT).status_code == 429


def test_the_doors_share_one_count():
    UserFactory(username="rita", is_staff=True)
    page, api = Client(), APIClient()
    assert attempt(page, PAGE, "rita", "guess").status_code == 200
    assert attempt(page, ADMIN, "rita", "guess").status_code == 200
    assert attempt(api, TOKEN, "rita", "guess").status_code == 400
    assert attempt(api, TOKEN, "rita", RIGHT).status_code == 429
    assert attempt(page, PAGE, "rita", RIGHT).status_code == 429
    assert attempt(page, ADMIN, "rita", RIGHT).status_code == 429


def test_case_and_spaces_in_the_username_share_one_count(client):
    UserFactory(username="rita")
    for name in ("Rita", "rita ", "RITA"):
        assert attempt(client, PAGE, name, "guess").status_code == 200
    assert attempt(client, PAGE, "rita", RIGHT).status_code == 429


def test_a_locked_out_attempt_is_not_counted_and_does_not_extend_the_lockout(client):
    UserFactory(username="rita")
    for _ in range(3):
        attempt(client, PAGE, "rita", "guess")
    locked_at = AccessAttempt.objects.get(username="rita").attempt_time
    for password in ("guess", RIGHT):
        assert attempt(client, PAGE, "rita", password).status_code == 429
    stored = AccessAttempt.objects.get(username="rita")
    assert (stored.failures_since_start, stored.attempt_time) == (3, locked_at)
    assert not signed_in(client)


def age(seconds: int) -> None:
    """Make the stored failures ``seconds`` older."""
    AccessAttempt.objects.update(
        attempt_time=F("attempt_time") - timedelta(seconds=seconds)
    )


def test_the_lockout_lasts_the_window_and_then_ends(client):
    UserFactory(username="rita")
    for _ in range(3):
        attempt(client, PAGE, "rita", "guess")
    age(890)
    assert attempt(client, PAGE, "rita", RIGHT).status_code == 429
    age(20)
    assert attempt(client, PAGE, "rita", RIGHT).status_code == 302
    assert signed_in(client)


def test_failures_older_than_the_window_are_not_counted(client):
    UserFactory(username="rita")
    for _ in range(2):
        attempt(client, PAGE, "rita", "guess")
    age(901)
    for _ in range(2):
        assert attempt(client, PAGE, "rita", "guess").status_code == 200
    assert failures() == 2
    assert attempt(client, PAGE, "rita", RIGHT).status_code == 302


def test_the_window_and_the_limit_are_read_from_the_settings(client, settings):
    settings.SIGN_IN_ATTEMPTS = 1
    settings.SIGN_IN_WINDOW = 60
    UserFactory(username="rita")
    assert attempt(client, PAGE, "rita", "guess").status_code == 200
    refused = attempt(client, PAGE, "rita", RIGHT)
    assert refused.status_code == 429
    assert "Try again in 1 minute." in refused.content.decode()
    age(61)
    assert attempt(client, PAGE, "rita", RIGHT).status_code == 302


def test_only_failures_are_stored(client):
    UserFactory(username="rita")
    attempt(client, PAGE, "rita", "guess")
    attempt(client, PAGE, "rita", RIGHT)
    assert not AccessAttempt.objects.exists()
    assert not AccessLog.objects.exists()


def test_an_operator_lifts_a_lockout_by_username(client):
    from django.core.management import call_command

    UserFactory(username="Rita")
    for _ in range(3):
        attempt(client, PAGE, "Rita", "guess")
    assert attempt(client, PAGE, "Rita", RIGHT).status_code == 429
    call_command("axes_reset_username", "rita", stdout=io.StringIO())
    assert attempt(client, PAGE, "Rita", RIGHT).status_code == 302


def test_the_admin_lists_the_locked_out_attempts(client):
    UserFactory(username="rita")
    for _ in range(3):
        attempt(client, PAGE, "rita", "guess")
    admin = Client()
    admin.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))
    listing = admin.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    assert "rita" in listing.content.decode()
