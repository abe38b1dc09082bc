"""No lost updates (ETag and If-Match), and history readable through the API."""

import pytest

from claims.models import Claim

from ..factories import ClaimFactory, SourceFactory, TopicFactory
from ..helpers import count_queries, snapshot

pytestmark = pytest.mark.django_db


def test_a_retrieve_answers_an_etag_that_changes_with_each_write(editor):
    claim = ClaimFactory()
    url = f"/api/claims/{claim.pk}/"
    first = editor.get(url)["ETag"]
    response = editor.patch(url, {"statement": "Restated."}, HTTP_IF_MATCH=first)
    assert response.status_code == 200
    assert response["ETag"] != first
    assert editor.get(url)["ETag"] == response["ETag"]


def test_two_writers_with_if_match_lose_no_update(editor):
    claim = ClaimFactory(statement="Original.")
    url = f"/api/claims/{claim.pk}/"
    etag_a = editor.get(url)["ETag"]  # writer A reads
    etag_b = editor.get(url)["ETag"]  # writer B reads the same version
    assert (
        editor.patch(url, {"statement": "A's edit."}, HTTP_IF_MATCH=etag_a).status_code
        == 200
    )
    before = snapshot(Claim)
    late = editor.patch(url, {"statement": "B's edit."}, HTTP_IF_MATCH=etag_b)
    assert late.status_code == 412
    assert "has changed since you read it" in late.json()["detail"]
    assert snapshot(Claim) == before
    assert Claim.objects.get(pk=claim.pk).statement == "A's edit."
    # B reads again and reapplies: now it goes through.
    fresh = editor.get(url)["ETag"]
    assert (
        editor.patch(url, {"statement": "B's edit."}, HTTP_IF_MATCH=fresh).status_code
        == 200
    )


def test_a_stale_delete_is_refused(editor):
    source = SourceFactory()
    url = f"/api/sources/{source.pk}/"
    stale = editor.get(url)["ETag"]
    editor.patch(url, {"description": "Changed."})
    assert editor.delete(url, HTTP_IF_MATCH=stale).status_code == 412
    assert editor.get(url).status_code == 200


def test_a_malformed_if_match_is_refused(editor):
    claim = ClaimFactory()
    response = editor.patch(
        f"/api/claims/{claim.pk}/", {"statement": "x"}, HTTP_IF_MATCH="yesterday"
    )
    assert response.status_code == 412
    assert Claim.objects.get().statement == claim.statement


def test_if_match_star_and_no_header_both_apply(editor):
    claim = ClaimFactory()
    url = f"/api/claims/{claim.pk}/"
    assert (
        editor.patch(url, {"statement": "One."}, HTTP_IF_MATCH="*").status_code == 200
    )
    assert editor.patch(url, {"statement": "Two."}).status_code == 200


def test_history_lists_changes_with_user_time_and_fields(editor):
    response = editor.post("/api/sources/", {"name": "NIS", "kind": "intelligence"})
    url = f"/api/sources/{response.json()['id']}/"
    editor.patch(url, {"reliability": "B", "country": "KR"})
    entries = editor.get(url + "history/").json()
    assert [e["type"] for e in entries] == ["created", "changed"]
    assert all(
        e["user"] == {"id": editor.user.pk, "username": editor.user.username}
        for e in entries
    )
    assert all(e["date"] for e in entries)
    assert sorted(entries[1]["changes"], key=lambda c: c["field"]) == [
        {"field": "country", "old": "", "new": "KR"},
        {"field": "reliability", "old": "F", "new": "B"},
    ]


def test_history_of_a_deleted_object_stays_readable(editor):
    source = SourceFactory()
    url = f"/api/sources/{source.pk}/"
    editor.delete(url)
    entries = editor.get(url + "history/").json()
    assert [e["type"] for e in entries] == ["created", "deleted"]
    assert entries[1]["user"]["id"] == editor.user.pk


def test_history_of_an_object_that_never_was_is_404(client):
    assert client.get("/api/claims/999/history/").status_code == 404


def test_a_review_shows_in_the_claim_history(reviewer):
    claim = ClaimFactory()
    reviewer.post(
        "/api/reviews/",
        {
            "claim": claim.pk,
            "attribution_status": "verified",
            "credibility": 2,
            "rationale": "Checked.",
        },
    )
    last = reviewer.get(f"/api/claims/{claim.pk}/history/").json()[-1]
    assert {c["field"] for c in last["changes"]} == {
        "attribution_status",
        "credibility",
    }
    assert last["user"]["id"] == reviewer.user.pk
    assert last["reason"].startswith("Review #")


def test_the_history_endpoint_reads_in_as_many_queries_for_many_entries(editor):
    claim = ClaimFactory()
    topics = [TopicFactory() for _ in range(6)]
    url = f"/api/claims/{claim.pk}/history/"

    def queries() -> int:
        return count_queries(editor, url)[0]

    few = queries()
    for i in range(1, 7):
        claim.topics.set(topics[:i])
        claim.statement = f"Restated {i}."
        claim.save()
    assert len(editor.get(url).json()) > 12
    assert queries() == few
