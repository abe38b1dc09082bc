"""The claim page's ClaimReview in a browser: read as data under the page's
Content-Security-Policy, which reports no violation for it."""

import json

import pytest

from claims import services
from claims.models import Claim
from tests.factories import UserFactory

from .test_reviewing import watch_csp

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_claimreview_block_is_read_and_breaks_no_policy(page, live_server, seed):
    claim = Claim.objects.order_by("pk").first()
    services.review_create(
        claim=claim,
        reviewer=UserFactory(),
        attribution_status="verified",
        credibility=2,
        rationale="Matches NATO's own statement.",
    )
    violations = watch_csp(page)
    page.goto(f"{live_server.url}/claims/{claim.pk}/")
    text = page.locator('script[type="application/ld+json"]').text_content()
    document = json.loads(text)
    assert document["@type"] == "ClaimReview"
    assert document["claimReviewed"] == claim.statement
    assert document["reviewRating"]["alternateName"] == "Probably true"
    assert violations == []
