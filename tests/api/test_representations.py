"""The claims' read representations (``claims.representations``, built from
``values()`` rows) equal the serializer's output, row for row, on the seed data and
on generated data; the API's list and detail answer them."""

import pytest
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from claims import representations
from claims.api.serializers import ClaimSerializer
from claims.models import Claim, Topic
from devtools import corpus

pytestmark = pytest.mark.django_db


def request_for(path: str = "/api/claims/") -> Request:
    return Request(APIRequestFactory().get(path))


def serialized(claims, request: Request) -> list[dict]:
    """The serializer's output, as the views answered before the representations."""
    return [
        dict(ClaimSerializer(claim, context={"request": request}).data)
        for claim in claims
    ]


def with_two_topics() -> Claim:
    """A claim with two topics whose names sort against their ids: the order the
    serializer gives is by name."""
    claim = Claim.objects.order_by("id").first()
    zulu = Topic.objects.create(name="Zulu topic")
    alpha = Topic.objects.create(name="Alpha topic")
    claim.topics.add(zulu, alpha)
    return claim


def all_pages(client, path: str) -> list[dict]:
    rows, url = [], path
    while url:
        answer = client.get(url)
        assert answer.status_code == 200, answer.content[:300]
        data = answer.json()
        rows += data["results"]
        url = data["next"]
    return rows


def assert_reads_equal_the_serializer(client):
    """Every claim, read from its row, in the list and alone, equals the
    serializer's output for that claim."""
    request = request_for()
    claims = list(Claim.objects.prefetch_related("topics"))
    expected = serialized(claims, request)
    assert len(expected) >= 10
    assert any(len(row["topics"]) >= 2 for row in expected)

    template = representations.claim_url_template(request)
    rows = list(representations.claim_values(Claim.objects.all()))
    assert representations.claims(rows, template) == expected
    for claim, wanted in zip(claims[:25], expected, strict=False):
        assert representations.claim_by_id(claim.pk, template) == wanted

    # The API answers them: the list page by page, in its order, and the detail.
    assert all_pages(client, "/api/claims/?page_size=37") == expected
    for claim, wanted in zip(claims[:10], expected, strict=False):
        answer = client.get(f"/api/claims/{claim.pk}/")
        assert answer.json() == wanted
        assert answer["ETag"] == f'"{claim.version}"'


def test_the_seed_s_claims_read_from_rows_equal_the_serializer(seed, anonymous):
    with_two_topics()
    assert_reads_equal_the_serializer(anonymous)


def test_generated_claims_read_from_rows_equal_the_serializer(anonymous):
    corpus.generate(claims=300, seed=5)
    with_two_topics()
    assert_reads_equal_the_serializer(anonymous)


def test_times_are_written_in_the_current_time_zone_as_the_serializer_does(seed):
    request = request_for()
    claim = Claim.objects.prefetch_related("topics").order_by("id").first()
    template = representations.claim_url_template(request)
    with timezone.override("Asia/Kolkata"):
        fast = representations.claim_by_id(claim.pk, template)
        assert fast == serialized([claim], request)[0]
    assert fast["created_at"].endswith("+05:30")


def test_a_filtered_searched_and_ordered_list_equals_the_serializer(anonymous):
    corpus.generate(claims=300, seed=6)
    request = request_for()
    claims = Claim.objects.prefetch_related("topics")
    dates = sorted(d for d in claims.values_list("stated_on", flat=True) if d)
    middle = dates[len(dates) // 2].isoformat()
    cases = {
        f"attribution_kind=paraphrase&stated_after={middle}": claims.filter(
            attribution_kind="paraphrase", stated_on__gte=middle
        ),
        "ordering=-credibility,id": claims.order_by("-credibility", "id"),
    }
    for query, expected in cases.items():
        rows = all_pages(anonymous, f"/api/claims/?page_size=100&{query}")
        assert rows == serialized(expected, request), query
        assert rows
    searched = all_pages(anonymous, "/api/claims/?page_size=100&search=drones")
    assert searched
    by_id = {c.pk: c for c in claims}
    assert searched == serialized([by_id[row["id"]] for row in searched], request)


def test_a_missing_claim_answers_404_as_before(anonymous):
    answer = anonymous.get("/api/claims/999999/")
    assert answer.status_code == 404
    assert answer.json()["detail"] == "No Claim matches the given query."
    assert "ETag" not in answer


def test_the_list_and_detail_make_the_same_queries_for_10_claims_and_1000(anonymous):
    from tests.helpers import count_queries

    corpus.generate(claims=10, seed=7)
    first = Claim.objects.order_by("id").first()
    list_10, _ = count_queries(anonymous, "/api/claims/?page_size=500")
    detail_10, _ = count_queries(anonymous, f"/api/claims/{first.pk}/")
    corpus.generate(claims=1000, seed=8)
    list_1000, answer = count_queries(anonymous, "/api/claims/?page_size=500")
    detail_1000, _ = count_queries(anonymous, f"/api/claims/{first.pk}/")
    assert len(answer.json()["results"]) == 500
    assert list_1000 == list_10
    assert detail_1000 == detail_10 == 2


def test_a_list_builds_only_the_filters_its_query_names(seed, anonymous):
    from claims.api.views import AskedFiltersBackend, ClaimViewSet

    view = ClaimViewSet(action="list", format_kwarg=None)
    request = request_for("/api/claims/?attribution_kind=paraphrase&page=2&x=1")
    view.request = request
    filterset = AskedFiltersBackend().get_filterset(request, Claim.objects.all(), view)
    assert set(filterset.filters) == {"attribution_kind"}
    # A bad value of a named filter is still refused, and the schema still lists
    # every filter.
    refused = anonymous.get("/api/claims/?credibility=9&stated_after=yesterday")
    assert refused.status_code == 400
    assert set(refused.json()) == {"credibility", "stated_after"}
    schema = anonymous.get("/api/schema/?format=json")
    names = {
        p["name"] for p in schema.json()["paths"]["/api/claims/"]["get"]["parameters"]
    }
    assert {"source", "topic", "reviewed", "stated_before", "credibility"} <= names


def test_the_unfiltered_list_s_rows_equal_the_orm_s_page_by_page():
    corpus.generate(claims=120, seed=7)
    everything = representations.ClaimList()
    ordered = representations.claim_values(Claim.objects.all())
    assert len(everything) == Claim.objects.count() >= 120
    total = len(everything)
    for start, stop in [(0, 50), (50, 100), (total - 7, total), (total, total + 50)]:
        assert everything[start:stop] == list(ordered[start:stop])
    assert everything[10:10] == []
