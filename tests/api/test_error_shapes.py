"""Every error the API gives is a JSON object the schema documents; found by the
schema fuzzer (tests/fuzz) and pinned here."""

import json

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_a_search_that_matches_nothing_is_an_empty_page(seed):
    for query in ["zzzyyyxxx", "\x00", "!!!"]:
        answer = APIClient().get("/api/claims/", {"search": query})
        assert answer.status_code == 200, answer.content
        assert answer.json()["count"] == 0


def test_a_search_that_matches_nothing_can_still_be_ordered(seed):
    answer = APIClient().get("/api/claims/", {"search": "zzzyyyxxx", "ordering": "id"})
    assert answer.status_code == 200 and answer.json()["results"] == []


def test_a_filter_error_is_an_object_not_a_bare_list(seed):
    answer = APIClient().get("/api/sources/", {"search": "a\x00b"})
    assert answer.status_code == 400
    assert answer.json() == {"detail": "Null characters are not allowed."}


def test_a_path_no_route_matches_answers_json_under_the_api(db):
    answer = APIClient().get("/api/claims/not-a-number/")
    assert answer.status_code == 404
    assert answer["Content-Type"] == "application/json"
    assert answer.json() == {"detail": "Not found."}


def test_a_page_outside_the_api_keeps_django_s_404_page(db, client):
    answer = client.get("/no-such-page/")
    assert answer.status_code == 404 and answer["Content-Type"].startswith("text/html")


def test_a_body_that_is_not_json_is_refused_like_a_bad_bundle(editor):
    answer = editor.post("/api/import/", b"\x00", content_type="application/json")
    assert answer.status_code == 400
    body = answer.json()
    assert body["errors"][0]["kind"] == "bundle"
    assert "JSON parse error" in body["detail"]


def test_the_schema_documents_each_operation_s_error_answers(db):
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    claim = schema["paths"]["/api/claims/{id}/"]
    assert set(claim["put"]["responses"]) >= {"200", "400", "404", "412", "413"}
    assert set(claim["delete"]["responses"]) >= {"204", "404", "409"}
    assert set(schema["paths"]["/api/claims/"]["get"]["responses"]) >= {"200", "400"}
    assert "400" not in claim["get"]["responses"], "a plain read takes no input"


def test_a_time_with_an_offset_the_database_does_not_take_is_compared_in_utc(seed):
    answer = APIClient().get(
        "/api/documents/", {"published_after": "0503-07-28T06:39:30+19:40"}
    )
    assert answer.status_code == 200
    assert answer.json()["count"] == 1  # the seed article, published long after


def test_a_server_error_answers_json_under_the_api_and_a_page_elsewhere(rf):
    from claims.web.views import server_error

    answer = server_error(rf.get("/api/claims/"))
    assert answer.status_code == 500 and answer["Content-Type"] == "application/json"
    assert json.loads(answer.content) == {"detail": "Server error."}
    page = server_error(rf.get("/review/"))
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")
