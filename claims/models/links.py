"""Links between claims: corroborates, contradicts, repeats, based on."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Greatest, Least
from simple_history.models import HistoricalRecords

from claims.choices import DERIVING_RELATIONS, SYMMETRIC_RELATIONS, Relation
from claims.independence import path_that_a_link_would_close

from .base import TrackedModel

__all__ = ["Link"]


class Link(TrackedModel):
    """A relation between two claims.

    ``corroborates`` and ``contradicts`` read the same both ways. ``repeats`` (relays
    the same information) and ``based_on`` (derived from it) point from the later
    claim to the one it draws on; those two make the claims one voice, so they may
    never form a cycle. One link per pair of claims and relation, whichever way round.
    """

    from_claim = models.ForeignKey(
        "claims.Claim", on_delete=models.PROTECT, related_name="links_out"
    )
    to_claim = models.ForeignKey(
        "claims.Claim", on_delete=models.PROTECT, related_name="links_in"
    )
    relation = models.CharField(max_length=15, choices=Relation.choices)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    history = HistoricalRecords()

    constraint_fields = {
        "link_one_per_pair_and_relation": "to_claim",
        "link_not_to_itself": "to_claim",
    }

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(from_claim=models.F("to_claim")),
                name="link_not_to_itself",
                violation_error_message="A claim cannot be linked to itself.",
            ),
            models.UniqueConstraint(
                Least("from_claim", "to_claim"),
                Greatest("from_claim", "to_claim"),
                "relation",
                name="link_one_per_pair_and_relation",
                violation_error_message=(
                    "These two claims are already linked with this relation."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(relation__in=Relation.values),
                name="link_relation_valid",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"#{self.from_claim_id} {self.get_relation_display()} #{self.to_claim_id}"
        )

    def clean(self) -> None:
        super().clean()
        if not (self.from_claim_id and self.to_claim_id and self.relation):
            return
        if self.from_claim_id == self.to_claim_id:
            raise ValidationError({"to_claim": "A claim cannot be linked to itself."})
        if self.relation in SYMMETRIC_RELATIONS:
            (opposite,) = SYMMETRIC_RELATIONS - {self.relation}
            if opposite in self._relations_between():
                raise ValidationError(
                    {
                        "relation": f"These claims are already linked as "
                        f"“{Relation(opposite).label.lower()}”: a claim cannot both "
                        "corroborate and contradict another."
                    }
                )
        if self.relation in DERIVING_RELATIONS:
            cycle = path_that_a_link_would_close(
                self.from_claim_id, self.to_claim_id, self._derives_from
            )
            if cycle:
                shown = " → ".join(f"#{claim}" for claim in cycle)
                raise ValidationError(
                    {
                        "to_claim": "This link would make a cycle of repeats/based_on "
                        f"links: {shown}."
                    }
                )

    # The two reads below are what validation knows of the other links; a bulk import
    # replaces them on the instance to answer from the stored links and its own rows.

    def _relations_between(self) -> set[str]:
        """The relations of the other links between this link's two claims."""
        pair = models.Q(from_claim=self.from_claim_id, to_claim=self.to_claim_id) | (
            models.Q(from_claim=self.to_claim_id, to_claim=self.from_claim_id)
        )
        return set(
            Link.objects.filter(pair)
            .exclude(pk=self.pk)
            .values_list("relation", flat=True)
        )

    def _derives_from(self, frontier: set[int]) -> dict[int, list[int]]:
        """Existing deriving links out of ``frontier``: one query a step of depth."""
        steps: dict[int, list[int]] = {}
        rows = (
            Link.objects.filter(
                from_claim__in=frontier, relation__in=DERIVING_RELATIONS
            )
            .exclude(pk=self.pk)
            .values_list("from_claim_id", "to_claim_id")
        )
        for source, target in rows:
            steps.setdefault(source, []).append(target)
        return steps
