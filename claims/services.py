"""Writes that span more than one row: validated, atomic, recorded in history."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from claims.models import Claim, Review


@transaction.atomic
def review_create(
    *,
    claim: Claim,
    reviewer: AbstractBaseUser | None,
    attribution_status: str,
    credibility: int,
    rationale: str,
) -> Review:
    """Record a review and make it the claim's current grade.

    The claim row is locked first, so two reviews saved at once leave the claim
    graded by the one saved last.
    """
    locked = Claim.objects.select_for_update().get(pk=claim.pk)
    review = Review(
        claim=locked,
        reviewer=reviewer,
        attribution_status=attribution_status,
        credibility=credibility,
        rationale=rationale,
    )
    review.full_clean()
    review.save()
    locked.attribution_status = review.attribution_status
    locked.credibility = review.credibility
    locked._change_reason = f"Review #{review.pk}"
    locked.save(update_fields=["attribution_status", "credibility", "updated_at"])
    claim.attribution_status, claim.credibility = (
        locked.attribution_status,
        locked.credibility,
    )
    return review
