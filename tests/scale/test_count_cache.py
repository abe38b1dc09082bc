"""A list's row count is cached until any row of the tracker is written: the next
page is one query cheaper, and every kind of write shows in the count at once."""

import pytest
from rest_framework.test import APIClient

from claims.exchange.bundle import import_bundle
from claims.models import Claim

from ..factories import (
    ClaimFactory,
    DocumentFactory,
    FigureFactory,
    LinkFactory,
    MeasureFactory,
    ReviewFactory,
    SourceFactory,
    TopicFactory,
)
from ..helpers import count_queries, good_bundle

pytestmark = pytest.mark.django_db


def listed(path="/api/claims/", **params):
    queries, answer = count_queries(APIClient(), path, params)
    return answer.json()["count"], queries


def test_the_count_is_read_once_per_state_of_the_data():
    # A filtered list: the unfiltered one reads the count the database keeps
    # (tests/test_claim_counter.py).
    ClaimFactory.create_batch(3)
    count, queries = listed(attribution_kind="paraphrase")
    # Another page size: its answer is not kept yet (claims.api.answers), the
    # count is.
    again, cached = listed(attribution_kind="paraphrase", page_size=20)
    assert count == again == 3
    assert cached == queries - 1
    # Then the answer is kept whole.
    assert listed(attribution_kind="paraphrase", page_size=20) == (3, 0)


def test_a_created_or_deleted_claim_shows_at_once():
    claims = ClaimFactory.create_batch(3)
    assert listed()[0] == 3
    ClaimFactory()
    assert listed()[0] == 4
    claims[0].delete()
    assert listed()[0] == 3


def test_a_review_shows_in_a_list_filtered_by_status(reviewer):
    claim = ClaimFactory()
    ClaimFactory()
    assert listed(attribution_status="verified")[0] == 0
    answer = reviewer.post(
        "/api/reviews/",
        {
            "claim": claim.pk,
            "attribution_status": "verified",
            "credibility": 2,
            "rationale": "Checked against the transcript.",
        },
        format="json",
    )
    assert answer.status_code == 201
    assert listed(attribution_status="verified")[0] == 1
    assert listed(reviewed="true")[0] == 1


def test_a_topic_added_to_a_claim_shows_in_a_list_filtered_by_topic():
    claim = ClaimFactory()
    topic = TopicFactory()
    assert listed(topic=topic.pk)[0] == 0
    claim.topics.add(topic)
    assert listed(topic=topic.pk)[0] == 1
    claim.topics.remove(topic)
    assert listed(topic=topic.pk)[0] == 0


def test_a_bulk_import_shows_at_once():
    assert listed()[0] == 0
    assert listed("/api/sources/")[0] == 0
    import_bundle(good_bundle())
    assert listed()[0] == 2
    assert listed("/api/sources/")[0] == 3


def test_an_edit_through_the_api_shows_in_a_filtered_list(editor):
    claim = ClaimFactory(attribution_kind="paraphrase")
    assert listed(attribution_kind="paraphrase")[0] == 1
    answer = editor.patch(
        f"/api/claims/{claim.pk}/", {"attribution_kind": "anonymous"}, format="json"
    )
    assert answer.status_code == 200
    assert listed(attribution_kind="paraphrase")[0] == 0
    assert Claim.objects.filter(attribution_kind="anonymous").count() == 1


def test_the_review_queue_page_counts_from_the_cache_too(client):
    ClaimFactory.create_batch(2)
    first = client.get("/review/")
    assert first.context["page"].paginator.count == 2
    ClaimFactory()
    after = client.get("/review/")
    assert after.context["page"].paginator.count == 3


@pytest.mark.parametrize(
    "path, factory",
    [
        ("/api/sources/", SourceFactory),
        ("/api/documents/", DocumentFactory),
        ("/api/topics/", TopicFactory),
        ("/api/measures/", MeasureFactory),
        ("/api/figures/", FigureFactory),
        ("/api/links/", LinkFactory),
        ("/api/reviews/", ReviewFactory),
    ],
)
def test_a_write_to_any_kind_shows_in_its_list_at_once(path, factory):
    factory()
    before, _ = listed(path)
    again, _ = listed(path)  # now from the cache
    made = factory()
    assert listed(path)[0] == before + 1 == again + 1
    made.delete()
    assert listed(path)[0] == before
