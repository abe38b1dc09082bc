"""Sources: who asserts something, and where they sit."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from claims.choices import Reliability, SourceKind
from claims.independence import ancestors

from .base import TrackedModel

__all__ = ["Source"]


def _default_aliases() -> list[str]:
    return []


class Source(TrackedModel):
    """Who asserts something: a person, a body, a group, or someone unnamed.

    ``parent`` places the source in a hierarchy (Mark Rutte under NATO; a former
    Kremlin official under the Kremlin under Russia's government); the top of that
    chain is the source's independence group. ``reliability`` is the Admiralty grade
    of the source, F (cannot be judged) until someone grades it.
    """

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=SourceKind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    country = models.CharField(
        max_length=2,
        blank=True,
        help_text="ISO 3166-1 alpha-2 code, e.g. US, KR, UA, RU.",
        validators=[
            RegexValidator(r"^[A-Z]{2}$", "Use a two-letter ISO country code, e.g. US.")
        ],
    )
    aliases = models.JSONField(
        default=_default_aliases,
        blank=True,
        help_text='Other names it goes by, e.g. ["NIS", "National Intelligence Service"].',
    )
    description = models.TextField(blank=True)
    reliability = models.CharField(
        max_length=1,
        choices=Reliability.choices,
        default=Reliability.F,
        error_messages={
            "invalid_choice": "Reliability is a grade from A to F, not %(value)s."
        },
    )

    history = HistoricalRecords()

    constraint_fields = {
        "source_name_unique": "name",
        "source_not_own_parent": "parent",
    }

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="source_name_unique",
                violation_error_message="A source with this name already exists.",
            ),
            models.CheckConstraint(
                condition=models.Q(reliability__in=Reliability.values),
                name="source_reliability_valid",
                violation_error_message="Reliability must be a grade from A to F.",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=SourceKind.values),
                name="source_kind_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("pk")),
                name="source_not_own_parent",
                violation_error_message="A source cannot be its own parent.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if not isinstance(self.aliases, list) or not all(
            isinstance(alias, str) for alias in self.aliases
        ):
            raise ValidationError({"aliases": "Aliases must be a list of names."})
        self.aliases = [alias.strip() for alias in self.aliases if alias.strip()]
        if self.parent_id is not None and self.parent_id == self.pk:
            raise ValidationError({"parent": "A source cannot be its own parent."})
        if self.parent_id is not None and self.pk is not None:
            chain = [self.parent_id, *ancestors(self.parent_id, self._parent_map())]
            if self.pk in chain:
                raise ValidationError(
                    {
                        "parent": "A source cannot be its own ancestor: "
                        f"{self.parent} already sits under {self}."
                    }
                )

    def _parent_map(self) -> dict[int, int | None]:
        """Parent of every source on the proposed parent's chain, one query a level."""
        parents: dict[int, int | None] = {}
        node: int | None = self.parent_id
        while node is not None and node not in parents and node != self.pk:
            parent = (
                Source.objects.filter(pk=node)
                .values_list("parent_id", flat=True)
                .first()
            )
            parents[node] = parent
            node = parent
        return parents
