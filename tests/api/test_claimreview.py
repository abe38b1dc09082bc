"""ClaimReview (schema.org JSON-LD): one reviewed claim's, and every reviewed claim's
with the claim list's filters; checked by expanding them with a JSON-LD processor
against the vendored schema.org context."""

import datetime
import json

import pytest
from django.test import override_settings

from claims import caching, services
from claims.models import Claim, Review
from tests.factories import ClaimFactory, DocumentFactory, SourceFactory
from tests.helpers import count_queries
from tests.jsonld import SCHEMA, expand, node, value

pytestmark = pytest.mark.django_db


def review(claim, user, credibility=2, status="verified"):
    return services.review_create(
        claim=claim,
        reviewer=user,
        attribution_status=status,
        credibility=credibility,
        rationale="Checked against the ministry's own statement.",
    )


def test_a_reviewed_claim_has_a_claimreview_with_every_required_and_recommended_field(
    seed, reviewer
):
    claim = Claim.objects.select_related("source", "document").order_by("pk").first()
    review(claim, reviewer.user, credibility=2)
    response = reviewer.get(f"/api/claims/{claim.pk}/claimreview/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"

    [expanded] = expand(response.json())
    assert expanded["@type"] == [f"{SCHEMA}ClaimReview"]
    assert value(expanded, f"{SCHEMA}claimReviewed") == claim.statement
    assert value(expanded, f"{SCHEMA}url") == f"http://testserver/claims/{claim.pk}/"
    assert value(expanded, f"{SCHEMA}datePublished")  # the review's date
    author = node(expanded, f"{SCHEMA}author")
    assert author["@type"] == [f"{SCHEMA}Organization"]
    assert value(author, f"{SCHEMA}name") == "Fact tracker"
    rating = node(expanded, f"{SCHEMA}reviewRating")
    assert rating["@type"] == [f"{SCHEMA}Rating"]
    assert value(rating, f"{SCHEMA}alternateName") == "Probably true"
    assert value(rating, f"{SCHEMA}ratingValue") == 5
    assert value(rating, f"{SCHEMA}bestRating") == 6
    assert value(rating, f"{SCHEMA}worstRating") == 2
    item = node(expanded, f"{SCHEMA}itemReviewed")
    assert item["@type"] == [f"{SCHEMA}Claim"]
    assert value(node(item, f"{SCHEMA}author"), f"{SCHEMA}name") == claim.source.name
    assert value(item, f"{SCHEMA}datePublished") == claim.stated_on.isoformat()
    appearance = node(item, f"{SCHEMA}appearance")
    assert value(appearance, f"{SCHEMA}headline") == claim.document.title
    expected_url = claim.document.url or (
        f"http://testserver/documents/{claim.document_id}/"
    )
    assert value(appearance, f"{SCHEMA}url") == expected_url


@pytest.mark.parametrize(
    ("credibility", "status", "words", "rating"),
    [
        (1, "verified", "Confirmed by other sources", 6),
        (5, "verified", "Improbable", 2),
        (6, "unverified", "Truth cannot be judged", None),
        (4, "misattributed", "Misattributed", 3),
    ],
)
def test_the_rating_is_the_latest_grade_in_words_and_on_the_scale(
    reviewer, credibility, status, words, rating
):
    claim = ClaimFactory()
    review(claim, reviewer.user, credibility=3)
    review(claim, reviewer.user, credibility=credibility, status=status)
    [expanded] = expand(reviewer.get(f"/api/claims/{claim.pk}/claimreview/").json())
    found = node(expanded, f"{SCHEMA}reviewRating")
    assert value(found, f"{SCHEMA}alternateName") == words
    if rating is None:
        assert f"{SCHEMA}ratingValue" not in found
    else:
        assert value(found, f"{SCHEMA}ratingValue") == rating


def test_a_claim_never_reviewed_has_no_claimreview(reviewer):
    claim = ClaimFactory()
    response = reviewer.get(f"/api/claims/{claim.pk}/claimreview/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "never been reviewed" in response.json()["detail"]
    assert reviewer.get("/api/claims/999999/claimreview/").status_code == 404


@pytest.mark.parametrize(
    ("zone", "day"), [("UTC", "2024-01-01"), ("Pacific/Auckland", "2024-01-02")]
)
def test_the_review_is_dated_the_day_the_sites_readers_had(
    reviewer, settings, zone, day
):
    settings.TIME_ZONE = zone
    claim = ClaimFactory()
    review(claim, reviewer.user)
    evening = datetime.datetime(2024, 1, 1, 20, 0, tzinfo=datetime.UTC)
    Review.objects.filter(claim=claim).update(created_at=evening)
    caching.bump_rows()
    for answer in (
        reviewer.get(f"/api/claims/{claim.pk}/claimreview/").json(),
        reviewer.get("/api/claimreviews/").json()["itemListElement"][0],
    ):
        assert answer["datePublished"] == day


@override_settings(
    REVIEW_PUBLISHER={"name": "Example Checks", "url": "https://checks.example/"}
)
def test_the_publisher_is_a_setting(reviewer):
    claim = ClaimFactory()
    review(claim, reviewer.user)
    [expanded] = expand(reviewer.get(f"/api/claims/{claim.pk}/claimreview/").json())
    author = node(expanded, f"{SCHEMA}author")
    assert value(author, f"{SCHEMA}name") == "Example Checks"
    assert value(author, f"{SCHEMA}url") == "https://checks.example/"


def test_the_list_holds_reviewed_claims_only_and_takes_the_list_filters(reviewer):
    rutte, putin = SourceFactory(name="Rutte"), SourceFactory(name="Putin")
    reviewed = [ClaimFactory(source=rutte), ClaimFactory(source=putin)]
    ClaimFactory(source=rutte)  # never reviewed
    for claim in reviewed:
        review(claim, reviewer.user)
    response = reviewer.get("/api/claimreviews/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    [listed] = expand(response.json())
    assert value(listed, f"{SCHEMA}numberOfItems") == 2
    urls = {value(item, f"{SCHEMA}url") for item in listed[f"{SCHEMA}itemListElement"]}
    assert urls == {f"http://testserver/claims/{c.pk}/" for c in reviewed}

    only = reviewer.get("/api/claimreviews/", {"source": rutte.pk}).json()
    assert [r["url"] for r in only["itemListElement"]] == [
        f"http://testserver/claims/{reviewed[0].pk}/"
    ]


def test_the_list_is_paginated_with_link_headers(reviewer):
    for claim in [ClaimFactory() for _ in range(3)]:
        review(claim, reviewer.user)
    first = reviewer.get("/api/claimreviews/", {"page_size": 2})
    assert first.json()["numberOfItems"] == 3
    assert len(first.json()["itemListElement"]) == 2
    assert 'rel="next"' in first["Link"]
    second = reviewer.get("/api/claimreviews/", {"page_size": 2, "page": 2})
    assert len(second.json()["itemListElement"]) == 1
    assert 'rel="prev"' in second["Link"]


def test_a_bad_filter_is_refused_as_plain_json(reviewer):
    response = reviewer.get("/api/claimreviews/", {"credibility": "nine"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"


def test_the_list_makes_the_same_queries_for_10_reviews_and_1000(reviewer):
    document, source = DocumentFactory(text=""), SourceFactory()

    def grow(count):
        claims = Claim.objects.bulk_create(
            Claim(
                source=source,
                document=document,
                statement="A claim.",
                quote=f"q{Claim.objects.count()}-{i}",
                attribution_kind="paraphrase",
                credibility=2,
                attribution_status="verified",
            )
            for i in range(count)
        )
        Review.objects.bulk_create(
            Review(
                claim=claim,
                reviewer=reviewer.user,
                attribution_status="verified",
                credibility=2,
                rationale="Checked.",
            )
            for claim in claims
        )
        caching.bump_rows()

    grow(10)
    at_10, _ = count_queries(reviewer, "/api/claimreviews/")
    grow(990)
    at_1000, answer = count_queries(reviewer, "/api/claimreviews/", {"page_size": 500})
    assert at_1000 == at_10
    assert answer.json()["numberOfItems"] == 1000
    assert len(answer.json()["itemListElement"]) == 500


def test_the_api_root_lists_the_claimreviews(anonymous):
    assert anonymous.get("/api/").json()["claimreviews"].endswith("/api/claimreviews/")


# The claim page embeds the same ClaimReview. -------------------------------------


def embedded(html: str):
    start = html.index('<script type="application/ld+json" id="claim-review">')
    start = html.index(">", start) + 1
    return html[start : html.index("</script>", start)]


def test_the_claim_page_embeds_the_claimreview_as_data(client, reviewer):
    claim = ClaimFactory(statement="Troops </script><script>alert(1)</script> & more")
    review(claim, reviewer.user)
    page = client.get(f"/claims/{claim.pk}/")
    html = page.content.decode()
    text = embedded(html)
    assert "</script>" not in text and "<" not in text  # cannot end the element
    assert (
        json.loads(text) == reviewer.get(f"/api/claims/{claim.pk}/claimreview/").json()
    )
    assert json.loads(text)["claimReviewed"] == claim.statement
    # The policy still allows no inline script: the block is data, not run.
    policy = page["Content-Security-Policy"]
    script_src = next(p for p in policy.split(";") if "script-src" in p)
    assert "unsafe-inline" not in script_src


def test_a_claim_page_never_reviewed_embeds_no_claimreview(client):
    claim = ClaimFactory()
    html = client.get(f"/claims/{claim.pk}/").content.decode()
    assert "application/ld+json" not in html


def test_a_client_asking_for_plain_json_gets_the_same_document(reviewer):
    claim = ClaimFactory()
    review(claim, reviewer.user)
    url = f"/api/claims/{claim.pk}/claimreview/"
    plain = reviewer.get(url, HTTP_ACCEPT="application/json")
    assert plain["Content-Type"] == "application/json"
    assert plain.json() == reviewer.get(url).json()
