"""Measures and the figures that claims put on them."""

from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from claims.choices import Qualifier
from claims.figures import DEFAULT_TOLERANCE, parse_figure

from .base import TrackedModel

__all__ = ["Figure", "Measure"]

_NUMBER = {"max_digits": 24, "decimal_places": 4}


class Measure(TrackedModel):
    """A quantity narrow enough that two figures on it are comparable.

    For example "North Korean personnel training in Russia", in personnel.
    ``tolerance`` is how far "approximately" reaches either way (0.10: 10%);
    ``lower_limit`` is the smallest possible value (0 for counts; empty when none),
    and the low end of "up to".
    """

    name = models.CharField(max_length=300)
    unit = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    tolerance = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        default=DEFAULT_TOLERANCE,
        validators=[
            MinValueValidator(Decimal(0)),
            MaxValueValidator(Decimal("0.9999")),
        ],
        help_text='How far "approximately" reaches either way: 0.10 is 10%.',
    )
    lower_limit = models.DecimalField(
        **_NUMBER, null=True, blank=True, default=Decimal(0)
    )
    topics = models.ManyToManyField("claims.Topic", blank=True, related_name="measures")

    history = HistoricalRecords(m2m_fields=[topics])

    constraint_fields = {
        "measure_name_unique": "name",
        "measure_tolerance_range": "tolerance",
    }

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="measure_name_unique",
                violation_error_message="A measure with this name already exists.",
            ),
            models.CheckConstraint(
                condition=models.Q(tolerance__gte=0, tolerance__lt=1),
                name="measure_tolerance_range",
                violation_error_message="The tolerance must be at least 0 and below 1.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"


class Figure(TrackedModel):
    """One number a claim puts on a measure, and the interval it stands for.

    ``text`` is the figure as written ("approximately 3,000"); saving derives the
    ``qualifier``, nominal ``value`` and interval [``low``, ``high``] from it with the
    measure's tolerance and lower limit (an empty end is open). An editor may set
    the bounds by hand instead (``bounds_overridden``), with a ``note`` saying why.
    ``as_of`` is the date the figure holds for: the claim's date unless given.
    """

    claim = models.ForeignKey(
        "claims.Claim", on_delete=models.CASCADE, related_name="figures"
    )
    measure = models.ForeignKey(
        "claims.Measure", on_delete=models.PROTECT, related_name="figures"
    )
    text = models.CharField(max_length=300)
    qualifier = models.CharField(max_length=15, choices=Qualifier.choices, blank=True)
    value = models.DecimalField(**_NUMBER, null=True, blank=True)
    low = models.DecimalField(**_NUMBER, null=True, blank=True)
    high = models.DecimalField(**_NUMBER, null=True, blank=True)
    as_of = models.DateField(null=True, blank=True)
    bounds_overridden = models.BooleanField(
        default=False,
        help_text="Keep the qualifier, value and bounds given here instead of "
        "deriving them from the text. Say why in the note.",
    )
    note = models.TextField(blank=True)

    history = HistoricalRecords()

    constraint_fields = {
        "figure_low_not_above_high": "low",
        "figure_override_has_note": "note",
    }

    class Meta:
        ordering = ["measure", "as_of", "id"]
        indexes = [models.Index(fields=["measure", "as_of"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(low__isnull=True)
                | models.Q(high__isnull=True)
                | models.Q(low__lte=models.F("high")),
                name="figure_low_not_above_high",
                violation_error_message="The low end is above the high end.",
            ),
            models.CheckConstraint(
                condition=models.Q(bounds_overridden=False) | ~models.Q(note=""),
                name="figure_override_has_note",
                violation_error_message="Say in the note why the bounds are set by hand.",
            ),
            models.CheckConstraint(
                condition=models.Q(qualifier__in=[*Qualifier.values, ""]),
                name="figure_qualifier_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @classmethod
    def from_db(cls, db, field_names, values, *args, **kwargs):
        instance = super().from_db(db, field_names, values, *args, **kwargs)
        # A figure moved to another measure changes the comparison of both.
        instance._loaded_measure_id = instance.__dict__.get("measure_id")
        return instance

    def derive(self) -> None:
        """Set qualifier, value and interval from the text (unless overridden)."""
        if not self.bounds_overridden:
            parsed = parse_figure(
                self.text,
                tolerance=self.measure.tolerance,
                lower_limit=self.measure.lower_limit,
            )
            self.qualifier = parsed.qualifier
            self.value, self.low, self.high = parsed.value, parsed.low, parsed.high
        if self.as_of is None:
            try:
                self.as_of = self.claim.stated_on
            except ObjectDoesNotExist:
                pass  # a new claim's inline figure: the claim is not saved yet

    def clean(self) -> None:
        super().clean()
        if not self.measure_id or not self.text:
            return
        try:
            self.derive()
        except ValidationError as error:
            raise ValidationError({"text": error.messages}) from error
        errors = {}
        if self.bounds_overridden and not self.qualifier:
            errors["qualifier"] = "Give the qualifier when the bounds are set by hand."
        if self.bounds_overridden and not self.note.strip():
            errors["note"] = "Say in the note why the bounds are set by hand."
        if self.low is not None and self.high is not None and self.low > self.high:
            errors["low"] = "The low end is above the high end."
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs) -> None:
        self.derive()
        super().save(*args, **kwargs)
