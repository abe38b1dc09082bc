"""Reviews: a reviewer's judgement of a claim."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from claims.choices import AttributionStatus, Credibility

from .base import TrackedModel

__all__ = ["Review"]


class Review(TrackedModel):
    """One reviewer's judgement of a claim, with the reason for it.

    The latest review is the claim's current grade (copied onto the claim by
    ``claims.services.review_create``); earlier reviews stay on record.
    """

    claim = models.ForeignKey(
        "claims.Claim", on_delete=models.PROTECT, related_name="reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reviews",
        null=True,
        blank=True,
    )
    attribution_status = models.CharField(
        max_length=15,
        choices=AttributionStatus.choices,
        error_messages={
            "invalid_choice": "Attribution status must be unverified, verified or "
            "misattributed, not %(value)s."
        },
    )
    credibility = models.PositiveSmallIntegerField(
        choices=Credibility.choices,
        error_messages={"invalid_choice": "Credibility is a grade from 1 to 6."},
    )
    rationale = models.TextField()

    history = HistoricalRecords()

    constraint_fields = {
        "review_credibility_in_scale": "credibility",
        "review_has_rationale": "rationale",
        "review_attribution_status_valid": "attribution_status",
    }

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(credibility__gte=1, credibility__lte=6),
                name="review_credibility_in_scale",
                violation_error_message="Credibility is a grade from 1 to 6.",
            ),
            models.CheckConstraint(
                condition=~models.Q(rationale=""),
                name="review_has_rationale",
                violation_error_message="Say why: a review needs a rationale.",
            ),
            models.CheckConstraint(
                condition=models.Q(attribution_status__in=AttributionStatus.values),
                name="review_attribution_status_valid",
                violation_error_message="Attribution status must be unverified, "
                "verified or misattributed.",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"Review of claim #{self.claim_id}: {self.attribution_status}, "
            f"{self.credibility}"
        )
