"""The resources' serializers: what each kind of row reads as and is written with
(read-only and write-only fields where the two differ). Every write runs the
model's own ``full_clean()``, so the API refuses exactly what the admin refuses,
with the same messages."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from rest_framework import serializers
from rest_framework.settings import api_settings

from claims import selectors, services
from claims.models import Claim, Document, Figure, Link, Measure, Review, Source, Topic


def drf_errors(error: DjangoValidationError) -> serializers.ValidationError:
    """A Django validation error as DRF's, field by field."""
    if hasattr(error, "error_dict"):
        detail = {
            (
                api_settings.NON_FIELD_ERRORS_KEY
                if field == NON_FIELD_ERRORS
                else field
            ): messages
            for field, messages in error.message_dict.items()
        }
    else:
        detail = {api_settings.NON_FIELD_ERRORS_KEY: error.messages}
    return serializers.ValidationError(detail)


class StrictPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference by id that must be a whole number: ``1.5``, ``true`` or ``"1e0"``
    are refused, not read as another object's id."""

    default_error_messages = {
        "not_whole": "Expected the id of a stored object as a whole number, not "
        "{value!r}."
    }

    def to_internal_value(self, data):
        whole = (isinstance(data, int) and not isinstance(data, bool)) or (
            isinstance(data, str) and data.isascii() and data.isdigit()
        )
        if not whole:
            self.fail("not_whole", value=data)
        return super().to_internal_value(data)


class ValidatedModelSerializer(serializers.ModelSerializer):
    """Reads the input field by field; the write itself, with the model's whole
    validation (``full_clean()``, so the API refuses what the admin refuses, with
    the same messages), is the service's (``claims.services``), called by the view.
    """

    serializer_related_field = StrictPrimaryKeyRelatedField

    # Reading: a plan per serializer, so a page of rows is not walked through
    # DRF's per-field machinery (about five times slower for the same output).

    def to_representation(self, instance):
        plan = self.__dict__.get("_plan")
        if plan is None:
            plan = self._plan = self._read_plan()
        data = {}
        for name, kind, source in plan:
            if kind == "link":
                data[name] = source.format(instance.pk)
                continue
            if kind == "many":
                # Prefetched rows, read without building a related manager per row.
                cached = getattr(instance, "_prefetched_objects_cache", {}).get(source)
                rows = cached if cached is not None else getattr(instance, source).all()
                data[name] = [related.pk for related in rows]
                continue
            if kind == "field":
                value = source.get_attribute(instance)
                data[name] = None if value is None else source.to_representation(value)
                continue
            value = getattr(instance, source)
            if value is None:
                data[name] = None
            elif kind == "datetime":
                data[name] = _datetime(value)
            elif kind == "date":
                data[name] = value.isoformat()
            else:
                data[name] = value
        return data

    def _read_plan(self) -> list[tuple[str, str, object]]:
        model_fields = {f.name: f for f in self.Meta.model._meta.concrete_fields}
        plan = []
        for field in self._readable_fields:
            name = field.field_name
            if isinstance(field, serializers.HyperlinkedIdentityField):
                plan.append((name, "link", self._link_template(field)))
            elif isinstance(field, serializers.ManyRelatedField):
                plan.append((name, "many", field.source))
            elif isinstance(field, serializers.PrimaryKeyRelatedField):
                plan.append((name, "plain", model_fields[field.source].attname))
            elif field.source in model_fields and isinstance(field, _PLAIN_FIELDS):
                kind = (
                    "datetime"
                    if isinstance(field, serializers.DateTimeField)
                    else "date"
                    if isinstance(field, serializers.DateField)
                    else "plain"
                )
                plan.append((name, kind, field.source))
            else:
                plan.append((name, "field", field))
        return plan

    def _link_template(self, field) -> str:
        marker = 987654321
        url = field.get_url(
            _Marker(marker), field.view_name, self.context.get("request"), None
        )
        return url.replace(str(marker), "{}")


class _Marker:
    """Stands in for an object when building a URL template."""

    def __init__(self, pk):
        self.pk = pk


def _datetime(value) -> str:
    """As DRF writes a datetime: ISO 8601 in the current time zone, UTC as Z."""
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


_PLAIN_FIELDS = (
    serializers.CharField,
    serializers.IntegerField,
    serializers.BooleanField,
    serializers.ChoiceField,
    serializers.DecimalField,
    serializers.DateField,
    serializers.DateTimeField,
    serializers.ListField,
    serializers.JSONField,
    serializers.FloatField,
)


def self_link(view_name: str) -> serializers.HyperlinkedIdentityField:
    return serializers.HyperlinkedIdentityField(view_name=f"api:{view_name}-detail")


TRACKING = ["version", "created_at", "updated_at"]


class TopicSerializer(ValidatedModelSerializer):
    url = self_link("topic")

    class Meta:
        model = Topic
        fields = ["id", "url", "name", "description", *TRACKING]


class SourceSerializer(ValidatedModelSerializer):
    url = self_link("source")
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False
    )

    class Meta:
        model = Source
        fields = ["id", "url", *services.writable(services.SourceChanges), *TRACKING]


class DocumentSerializer(ValidatedModelSerializer):
    """``url`` is the document's own address; ``api_url`` is its place in the API."""

    api_url = self_link("document")

    class Meta:
        model = Document
        fields = [
            "id",
            "api_url",
            *services.writable(services.DocumentChanges),
            *TRACKING,
        ]


class ClaimSerializer(ValidatedModelSerializer):
    """``quote`` must occur in the document's text; when it occurs more than once,
    ``quote_prefix``/``quote_suffix`` (the text just before or after it) or
    ``quote_start`` pick the occurrence. ``quote_start``/``quote_end`` are where it
    was found."""

    url = self_link("claim")
    quote_prefix = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        help_text="Text just before the quote, to pick one of several occurrences.",
    )
    quote_suffix = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        help_text="Text just after the quote, to pick one of several occurrences.",
    )
    quote_start = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        help_text="Where the quote starts in the document's text (code points). "
        "Given, it picks one of several occurrences.",
    )

    class Meta:
        model = Claim
        fields = [
            "id",
            "url",
            "source",
            "document",
            "statement",
            "quote",
            "quote_prefix",
            "quote_suffix",
            "quote_start",
            "quote_end",
            "attribution_kind",
            "stated_on",
            "stated_on_precision",
            "topics",
            "attribution_status",
            "credibility",
            *TRACKING,
        ]
        read_only_fields = [
            "quote_end",
            "attribution_status",
            "credibility",
        ]


class MeasureSerializer(ValidatedModelSerializer):
    url = self_link("measure")

    class Meta:
        model = Measure
        fields = ["id", "url", *services.writable(services.MeasureChanges), *TRACKING]


class FigureSerializer(ValidatedModelSerializer):
    """``qualifier``, ``value``, ``low`` and ``high`` are derived from ``text``; they
    are taken as given only with ``bounds_overridden`` and a ``note``. ``as_of`` is
    the date the figure holds for: given, it is the figure's own
    (``as_of_given``); left empty, it follows the claim's date."""

    url = self_link("figure")
    warnings = serializers.SerializerMethodField(
        help_text="What to check without refusing the figure: its measure has "
        "topics and shares none with its claim (most often a missed pick)."
    )

    class Meta:
        model = Figure
        fields = [
            "id",
            "url",
            "claim",
            "measure",
            "text",
            "as_of",
            "as_of_given",
            "qualifier",
            "value",
            "low",
            "high",
            "bounds_overridden",
            "note",
            "warnings",
            *TRACKING,
        ]

    def get_warnings(self, figure) -> list[str]:
        return selectors.figure_warnings(figure)


class LinkSerializer(ValidatedModelSerializer):
    url = self_link("link")

    class Meta:
        model = Link
        fields = [
            "id",
            "url",
            "from_claim",
            "to_claim",
            "relation",
            "note",
            "created_by",
            *TRACKING,
        ]
        read_only_fields = ["created_by"]


class ReviewSerializer(ValidatedModelSerializer):
    """A review is recorded once and never edited; the latest grades its claim."""

    url = self_link("review")

    class Meta:
        model = Review
        fields = [
            "id",
            "url",
            "claim",
            "reviewer",
            "attribution_status",
            "credibility",
            "rationale",
            "created_at",
        ]
        read_only_fields = ["reviewer"]
        # The same words as the model's, so the admin and the API say the same.
        extra_kwargs = {
            "credibility": {
                "error_messages": {
                    "invalid_choice": "Credibility is a grade from 1 to 6."
                }
            },
            "attribution_status": {
                "error_messages": {
                    "invalid_choice": "Attribution status must be unverified, "
                    "verified or misattributed, not {input}."
                }
            },
        }
