"""Every error under /api/ is a JSON object ``{"detail": "..."}``, whatever the
settings: with DEBUG on (``make run``), Django answers a path no route matches and an
exception with its HTML debug pages, bypassing handler404 and handler500."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from claims.api import views

from ..helpers import RESOURCES

ROOT = Path(__file__).resolve().parent.parent.parent

#: Sub-routes of one object, per resource (every resource has a history).
SUB_ROUTES = {
    "claims": ["history", "corroboration"],
    "measures": ["history", "comparison"],
    "topics": ["history", "comparison"],
}

#: Paths that match no route at all.
UNROUTED = [
    "/api/nothing/",
    "/api/nothing",
    "/api/nothing/at/all/",
    "/api/v2/claims/",
    "/api/%E2%98%83/",
    "/api/claims/1/nothing/",
    "/api/claims/1/history/more/",
    "/api/auth/token/more/",
]

#: Ids the routes refuse: the routes take digits only, so these match no route.
MALFORMED_IDS = ["abc", "-1", "1.5", "1e3", "0x10", "%20", "%D9%A1"]


def malformed_paths():
    for resource in RESOURCES:
        for bad_id in MALFORMED_IDS:
            yield f"/api/{resource}/{bad_id}/"
        for sub_route in ["history", *SUB_ROUTES.get(resource, [])]:
            yield f"/api/{resource}/abc/{sub_route}/"
            yield f"/api/{resource}/-1/{sub_route}/"


NOT_FOUND_PATHS = [*UNROUTED, *malformed_paths()]


@pytest.fixture(params=[True, False], ids=["debug", "no-debug"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


def assert_json_detail(answer, status):
    assert answer.status_code == status, answer.content[:300]
    assert answer["Content-Type"] == "application/json", answer.content[:300]
    body = json.loads(answer.content)
    assert isinstance(body, dict) and set(body) == {"detail"}, body
    assert isinstance(body["detail"], str) and body["detail"]
    if answer.has_header("Content-Length"):
        assert int(answer["Content-Length"]) == len(answer.content)
    return body


@pytest.mark.django_db
@pytest.mark.parametrize("path", NOT_FOUND_PATHS)
def test_a_path_no_route_matches_is_a_json_404(debug, path):
    assert assert_json_detail(APIClient().get(path), 404) == {"detail": "Not found."}


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options"])
@pytest.mark.parametrize("path", ["/api/nothing/", "/api/claims/abc/"])
def test_a_write_to_a_path_no_route_matches_is_a_json_404(debug, editor, method, path):
    answer = getattr(editor, method)(path, {"name": "x"}, format="json")
    assert assert_json_detail(answer, 404) == {"detail": "Not found."}


@pytest.mark.parametrize("resource", RESOURCES)
def test_an_id_no_row_has_is_a_json_404(debug, seed, resource):
    assert_json_detail(APIClient().get(f"/api/{resource}/987654321/"), 404)
    for sub_route in ["history", *SUB_ROUTES.get(resource, [])]:
        path = f"/api/{resource}/987654321/{sub_route}/"
        assert_json_detail(APIClient().get(path), 404)


def test_a_path_without_its_slash_is_still_redirected_to_it(debug, db):
    answer = APIClient().get("/api/claims")
    assert answer.status_code == 301 and answer["Location"] == "/api/claims/"


def test_an_exception_in_a_view_is_a_json_500_and_is_logged(
    debug, db, monkeypatch, caplog
):
    def fail(*args, **kwargs):
        raise RuntimeError("the view failed")

    monkeypatch.setattr(views.SourceViewSet, "list", fail)
    answer = APIClient(raise_request_exception=False).get("/api/sources/")
    assert assert_json_detail(answer, 500) == {"detail": "Server error."}
    assert b"the view failed" not in answer.content
    [logged] = [r for r in caplog.records if r.name == "django.request"]
    assert logged.levelname == "ERROR" and logged.exc_info[0] is RuntimeError


def test_a_request_refused_before_any_view_is_json(debug, db):
    answer = APIClient().get("/api/claims/", HTTP_HOST="not-an-allowed-host.example")
    assert assert_json_detail(answer, 400) == {"detail": "Bad Request."}


def test_outside_the_api_django_s_pages_stay(debug, db, client):
    answer = client.get("/no-such-page/")
    assert answer.status_code == 404 and answer["Content-Type"].startswith("text/html")


def test_a_browser_that_asks_for_html_still_gets_the_browsable_api(debug, seed):
    answer = APIClient().get("/api/claims/987654321/", HTTP_ACCEPT="text/html")
    assert answer.status_code == 404 and answer["Content-Type"].startswith("text/html")


# Under each settings module as it is run: ``make run`` (local, DEBUG on by
# default), production and the test suite's, each in a process of its own.

PROBE = """
import json, sys
import django
django.setup()
from django.conf import settings
from django.test import Client
client = Client(HTTP_HOST=sys.argv[1], HTTP_X_FORWARDED_PROTO="https")
answers = []
for path in json.loads(sys.argv[2]):
    answer = client.get(path)
    answers.append([path, answer.status_code, answer["Content-Type"],
                    answer.content.decode(errors="replace")[:200]])
print(json.dumps({"debug": settings.DEBUG, "answers": answers}))
"""

SETTINGS_MODULES = {
    # module: (environment, host, DEBUG as configured)
    "tracker.settings.local": ({}, "localhost", True),
    "tracker.settings.production": (
        {
            "DJANGO_SECRET_KEY": "x7!kq" * 12,
            "DJANGO_ALLOWED_HOSTS": "facts.example.org",
        },
        "facts.example.org",
        False,
    ),
    "tracker.settings.test": ({}, "testserver", False),
}


@pytest.mark.parametrize("module", sorted(SETTINGS_MODULES))
def test_every_settings_module_answers_json_404s_under_the_api(module):
    extra, host, debug_on = SETTINGS_MODULES[module]
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DJANGO_") and key != "DATABASE_URL"
    }
    environment |= {"DJANGO_SETTINGS_MODULE": module, **extra}
    paths = [*UNROUTED, "/api/claims/abc/", "/api/measures/abc/comparison/"]
    result = subprocess.run(
        [sys.executable, "-c", PROBE, host, json.dumps(paths)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["debug"] is debug_on
    for path, status, content_type, body in report["answers"]:
        assert (status, content_type) == (404, "application/json"), (path, body)
        assert json.loads(body) == {"detail": "Not found."}, path
