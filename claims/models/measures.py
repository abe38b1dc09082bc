"""Measures and the figures that claims put on them."""

import datetime
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from simple_history.models import HistoricalRecords

from claims.choices import MeasureKind, Qualifier
from claims.figures import DEFAULT_TOLERANCE, parse_figure

from .base import TrackedModel

__all__ = ["Figure", "Measure"]

_NUMBER = {"max_digits": 24, "decimal_places": 4}
#: The largest magnitude a figure's value or bound may have (the parser's limit).
LARGEST = Decimal(10) ** 15 * 2
#: The largest magnitude of a measure's lower limit.
LARGEST_LIMIT = Decimal(10) ** 15


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
    kind = models.CharField(
        max_length=10,
        choices=MeasureKind.choices,
        default=MeasureKind.LEVEL,
        help_text="Level: a quantity at a time (troops training). Cumulative: a "
        "running total that never falls (deaths so far); an earlier figure then "
        "says only that the total is at least its low.",
    )
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
        **_NUMBER,
        null=True,
        blank=True,
        default=Decimal(0),
        validators=[
            MinValueValidator(-LARGEST_LIMIT),
            MaxValueValidator(LARGEST_LIMIT),
        ],
        help_text="The smallest possible value (0 for counts; empty when none), "
        'and the low end of "up to".',
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
                condition=models.Q(kind__in=MeasureKind.values),
                name="measure_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(tolerance__gte=0, tolerance__lt=1),
                name="measure_tolerance_range",
                violation_error_message="The tolerance must be at least 0 and below 1.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"

    #: The fields every figure on the measure is derived from.
    DERIVING_FIELDS = ("tolerance", "lower_limit", "unit")

    #: The figures ``clean()`` derived again with changed values, each with the
    #: error of one that cannot be read; the service stores them.
    rederived_figures: list = []

    def clean(self) -> None:
        super().clean()
        self.rederived_figures = []
        if self.pk is None or self.tolerance is None:
            return
        self.rederived_figures = self.rederived()
        failures = [
            (figure, error)
            for figure, error in self.rederived_figures
            if error is not None
        ]
        if failures:
            shown = "; ".join(
                f'figure #{figure.pk} "{figure.text}": {" ".join(error.messages)}'
                for figure, error in failures[:5]
            )
            more = f" (and {len(failures) - 5} more)" if len(failures) > 5 else ""
            changed = [
                name
                for name in self.DERIVING_FIELDS
                if getattr(self, name) != self._stored.get(name)
            ] or ["tolerance"]
            raise ValidationError(
                {
                    changed[0]: ValidationError(
                        "With this value %(count)s figure(s) on the measure could not "
                        "be read: %(shown)s%(more)s. Change or override them first.",
                        code="figures_unreadable",
                        params={"count": len(failures), "shown": shown, "more": more},
                    )
                }
            )

    @classmethod
    def from_db(cls, db, field_names, values, *args, **kwargs):
        instance = super().from_db(db, field_names, values, *args, **kwargs)
        instance._stored = {
            name: instance.__dict__.get(name) for name in cls.DERIVING_FIELDS
        }
        return instance

    def forget_stored(self) -> None:
        """Take the current values as the stored ones (after a save)."""
        self._stored = {name: getattr(self, name) for name in self.DERIVING_FIELDS}
        self.rederived_figures = []

    def deriving_changed(self) -> bool:
        """Whether a field its figures are derived from differs from the stored row."""
        stored = getattr(self, "_stored", None)
        if self.pk is None or stored is None:
            return False
        return any(getattr(self, name) != stored.get(name) for name in stored)

    def rederived(self) -> list[tuple["Figure", ValidationError | None]]:
        """Every figure on the measure whose text is read (not overridden), derived
        again with this measure's current values, with the error of each that cannot
        be; unchanged when the deriving fields did not change. Not saved."""
        if not self.deriving_changed():
            return []
        results = []
        figures = Figure.objects.filter(measure=self.pk, bounds_overridden=False)
        for figure in figures.order_by("pk"):
            figure.measure = self
            try:
                figure.derive_interval()
            except ValidationError as error:
                results.append((figure, error))
            else:
                results.append((figure, None))
        return results


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
    as_of = models.DateField(
        null=True,
        blank=True,
        help_text="The date the figure holds for. Leave it empty to follow the "
        "claim's date (or, without one, its document's publication day).",
    )
    #: Whether ``as_of`` was given by an editor; otherwise it is derived and follows
    #: the claim's date.
    as_of_given = models.BooleanField(default=False, editable=False)
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
            models.CheckConstraint(
                condition=models.Q(as_of_given=False) | models.Q(as_of__isnull=False),
                name="figure_given_date_is_a_date",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @classmethod
    def from_db(cls, db, field_names, values, *args, **kwargs):
        instance = super().from_db(db, field_names, values, *args, **kwargs)
        # A figure moved to another measure changes the comparison of both.
        instance._loaded_measure_id = instance.__dict__.get("measure_id")
        instance._loaded_derived = instance._derived()
        return instance

    def _derived(self) -> tuple:
        return tuple(self.__dict__.get(name) for name in self.DERIVED_FIELDS)

    #: The fields derived from the text and the measure.
    DERIVED_FIELDS = ("qualifier", "value", "low", "high")

    def derived_changed(self) -> bool:
        """Whether the derived values differ from the ones loaded."""
        return self._derived() != getattr(self, "_loaded_derived", None)

    def derive(self) -> None:
        """Set the derived values: qualifier, value and interval from the text (unless
        overridden), and the date unless it was given."""
        self.derive_interval()
        self.derive_date()

    def derive_interval(self) -> None:
        if self.bounds_overridden:
            return
        parsed = parse_figure(
            self.text,
            tolerance=self.measure.tolerance,
            lower_limit=self.measure.lower_limit,
            unit=self.measure.unit,
        )
        self.qualifier = parsed.qualifier
        self.value, self.low, self.high = parsed.value, parsed.low, parsed.high

    def derive_date(self) -> None:
        if self.as_of_given:
            return
        try:
            claim = self.claim
        except ObjectDoesNotExist:
            return  # a new claim's inline figure: derived when it is saved
        self.as_of = followed_date(claim)

    def clean(self) -> None:
        super().clean()
        if not self.measure_id or not self.text:
            return
        try:
            self.derive_interval()
        except ValidationError as error:
            raise ValidationError({"text": error.error_list}) from error
        if self.as_of_given and self.as_of is None:
            self.as_of_given = False
        self.derive_date()
        errors = {}
        for name in ("value", "low", "high"):
            number = getattr(self, name)
            if number is not None and abs(number) > LARGEST:
                errors[name] = ValidationError(
                    "%(number)s is beyond the largest figure this tool stores (10^15).",
                    code="too_large",
                    params={"number": number},
                )
        try:
            claim = self.claim  # maybe new, not saved yet (a figure added beside it)
        except ObjectDoesNotExist:
            claim = None
        if self.as_of_given and claim is not None:
            latest = latest_possible_date(claim)
            if self.as_of > latest:
                errors["as_of"] = ValidationError(
                    "The date %(date)s is after %(latest)s, %(what)s.",
                    code="date_after_document",
                    params={
                        "date": self.as_of.isoformat(),
                        "latest": latest.isoformat(),
                        "what": "the date of the document that reports it"
                        if claim.document_id and claim.document.published_at
                        else "today",
                    },
                )
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


def latest_possible_date(claim) -> datetime.date:
    """The last day a claim's statement or figure can hold for: its document's
    publication day, or today when the document has no date."""
    published = claim.document.published_at if claim.document_id else None
    return timezone.localdate(published) if published else timezone.localdate()


def followed_date(claim) -> datetime.date | None:
    """The date a figure without a date of its own holds for: its claim's date, or
    when that is empty, the day its document was published."""
    if claim.stated_on is not None:
        return claim.stated_on
    published = claim.document.published_at if claim.document_id else None
    return timezone.localdate(published) if published else None
