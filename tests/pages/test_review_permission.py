"""Recording a review on the claim page needs ``claims.add_review``, however the user
holds it (the reviewers group, given directly, or as a superuser); the form is shown
only to those who may send it."""

import pytest
from django.urls import reverse

from claims.models import Claim, Review
from claims.permissions import EDITORS, REVIEWERS

from ..factories import ClaimFactory, UserFactory, member_of, user_holding
from ..helpers import EVERY_CLAIMS_PERMISSION, stored

pytestmark = pytest.mark.django_db

REVIEW = {
    "attribution_status": "verified",
    "credibility": "2",
    "rationale": "The agency's statement says so.",
}
USERS = {
    "anonymous": lambda: None,
    "no permission": lambda: UserFactory(),
    "editor": lambda: member_of(EDITORS),
    "reviewer": lambda: member_of(REVIEWERS),
    "superuser": lambda: UserFactory(is_superuser=True, is_staff=True),
    "only add_review": lambda: user_holding("add_review"),
    "only add_source": lambda: user_holding("add_source"),
    "everything but add_review": lambda: user_holding(
        *(c for c in EVERY_CLAIMS_PERMISSION if c != "add_review")
    ),
}
MAY_REVIEW = {"reviewer", "superuser", "only add_review"}


@pytest.mark.parametrize("who", list(USERS))
def test_the_review_form_and_its_post_follow_the_permission(client, who):
    user = USERS[who]()
    if user is not None:
        client.force_login(user)
    claim = ClaimFactory()
    url = reverse("claim", args=[claim.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert ("Record a review" in page.content.decode()) == (who in MAY_REVIEW)
    before = stored(Claim, Review)
    response = client.post(url, REVIEW)
    if who in MAY_REVIEW:
        assert response.status_code == 302
        review = Review.objects.get()
        assert (review.claim, review.reviewer) == (claim, user)
        claim.refresh_from_db()
        assert (claim.attribution_status, claim.credibility) == ("verified", 2)
    else:
        assert response.status_code == 403
        assert stored(Claim, Review) == before
