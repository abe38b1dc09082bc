"""API serializers. Every write runs the model's own ``full_clean()``, so the API
refuses exactly what the admin refuses, with the same messages."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils import timezone
from rest_framework import serializers
from rest_framework.settings import api_settings

from claims import services
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


class ValidatedModelSerializer(serializers.ModelSerializer):
    """Builds the instance from the input and runs ``full_clean()`` on it.

    DRF's ModelSerializer skips ``Model.clean()``; here validation ends with the
    model's own, and the instance it validated (with its derived fields: quote
    offsets, figure intervals) is the one saved.
    """

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

    def _many_to_many(self) -> set[str]:
        return {f.name for f in self.Meta.model._meta.many_to_many}

    def validate(self, attrs):
        attrs = super().validate(attrs)
        instance = self.instance if self.instance is not None else self.Meta.model()
        for name, value in attrs.items():
            if name not in self._many_to_many():
                setattr(instance, name, value)
        try:
            instance.full_clean()
        except DjangoValidationError as error:
            raise drf_errors(error) from error
        self._validated = instance
        # Already on the instance, and full_clean() may have normalised them (a week
        # is stored as its Monday): saving must not set them again.
        self._applied = set(attrs)
        return attrs

    def create(self, validated_data):
        return self._save(self._validated, validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)

    def _save(self, instance: models.Model, validated_data: dict) -> models.Model:
        related = {}
        for name, value in validated_data.items():
            if name in self._many_to_many():
                related[name] = value
            elif name not in self._applied:  # set by save(): created_by, reviewer
                setattr(instance, name, value)
        instance.save()
        for name, value in related.items():
            getattr(instance, name).set(value)
        return instance


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
        fields = [
            "id",
            "url",
            "name",
            "kind",
            "parent",
            "country",
            "aliases",
            "description",
            "reliability",
            *TRACKING,
        ]


class DocumentSerializer(ValidatedModelSerializer):
    """``url`` is the document's own address; ``api_url`` is its place in the API."""

    api_url = self_link("document")

    class Meta:
        model = Document
        fields = [
            "id",
            "api_url",
            "title",
            "publisher",
            "url",
            "published_at",
            "byline",
            "language",
            "text",
            "retrieved_at",
            "archive_url",
            *TRACKING,
        ]


class ClaimSerializer(ValidatedModelSerializer):
    url = self_link("claim")

    class Meta:
        model = Claim
        fields = [
            "id",
            "url",
            "source",
            "document",
            "statement",
            "quote",
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
            "quote_start",
            "quote_end",
            "attribution_status",
            "credibility",
        ]


class MeasureSerializer(ValidatedModelSerializer):
    url = self_link("measure")

    class Meta:
        model = Measure
        fields = [
            "id",
            "url",
            "name",
            "unit",
            "tolerance",
            "lower_limit",
            "description",
            "topics",
            *TRACKING,
        ]


class FigureSerializer(ValidatedModelSerializer):
    """``qualifier``, ``value``, ``low`` and ``high`` are derived from ``text``; they
    are taken as given only with ``bounds_overridden`` and a ``note``."""

    url = self_link("figure")

    class Meta:
        model = Figure
        fields = [
            "id",
            "url",
            "claim",
            "measure",
            "text",
            "as_of",
            "qualifier",
            "value",
            "low",
            "high",
            "bounds_overridden",
            "note",
            *TRACKING,
        ]


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

    def create(self, validated_data):
        try:
            return services.review_create(
                claim=validated_data["claim"],
                reviewer=validated_data.get("reviewer"),
                attribution_status=validated_data["attribution_status"],
                credibility=validated_data["credibility"],
                rationale=validated_data["rationale"],
            )
        except DjangoValidationError as error:
            raise drf_errors(error) from error


class HistoryUserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class HistoryEntrySerializer(serializers.Serializer):
    history_id = serializers.IntegerField()
    type = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    user = HistoryUserSerializer(allow_null=True)
    date = serializers.DateTimeField()
    reason = serializers.CharField(allow_null=True)
    changes = ChangeSerializer(many=True)


# Computed views: these describe, for the schema, the dicts the selectors build. --------


class RefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class MeasureRefSerializer(RefSerializer):
    unit = serializers.CharField()


class ComparedFigureSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    claim_id = serializers.IntegerField()
    source = RefSerializer()
    group = RefSerializer(
        help_text="The independence group: the top of the parent "
        "chain of the source of the figure's origin."
    )
    origin_claim_id = serializers.IntegerField()
    text = serializers.CharField()
    qualifier = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    low = serializers.FloatField(allow_null=True, help_text="null: open below")
    high = serializers.FloatField(allow_null=True, help_text="null: open above")
    as_of = serializers.DateField(allow_null=True)


class ConflictSerializer(serializers.Serializer):
    figure_ids = serializers.ListField(
        child=serializers.IntegerField(), min_length=2, max_length=2
    )
    same_group = serializers.BooleanField()


class StretchSerializer(serializers.Serializer):
    low = serializers.FloatField(allow_null=True)
    high = serializers.FloatField(allow_null=True)
    support = serializers.IntegerField(help_text="Distinct independence groups.")
    supporting_groups = serializers.ListField(child=serializers.IntegerField())
    other_groups = serializers.ListField(child=serializers.IntegerField())


class CountsSerializer(serializers.Serializer):
    figures = serializers.IntegerField()
    origins = serializers.IntegerField()
    groups = serializers.IntegerField()
    conflicts = serializers.IntegerField(
        help_text="Every conflicting pair, listed or not (see conflict_limit)."
    )


class ComparisonSerializer(serializers.Serializer):
    measure = MeasureRefSerializer()
    figures = ComparedFigureSerializer(many=True)
    conflicts = ConflictSerializer(many=True)
    best_supported = StretchSerializer(many=True)
    spread = serializers.FloatField(allow_null=True)
    counts = CountsSerializer()


class TopicComparisonSerializer(serializers.Serializer):
    topic = RefSerializer()
    measures = ComparisonSerializer(many=True)


class CorroborationLinkSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    relation = serializers.CharField()
    direction = serializers.ChoiceField(choices=["outgoing", "incoming"])
    other_claim_id = serializers.IntegerField()
    note = serializers.CharField(allow_blank=True)


class SuggestionSerializer(serializers.Serializer):
    credibility = serializers.IntegerField(min_value=1, max_value=6)
    reason = serializers.CharField()


class GradeSerializer(serializers.Serializer):
    attribution_status = serializers.CharField()
    credibility = serializers.IntegerField()


class CorroborationSerializer(serializers.Serializer):
    claim_id = serializers.IntegerField()
    origin_claim_ids = serializers.ListField(child=serializers.IntegerField())
    group = RefSerializer()
    links = CorroborationLinkSerializer(many=True)
    corroborating_groups = RefSerializer(many=True)
    contradicting_groups = RefSerializer(many=True)
    suggested_credibility = SuggestionSerializer()
    current = GradeSerializer()


class ComparisonWindowSerializer(serializers.Serializer):
    as_of_after = serializers.DateField(required=False, help_text="Inclusive.")
    as_of_before = serializers.DateField(required=False, help_text="Inclusive.")
    conflict_limit = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=100_000,
        default=1_000,
        help_text="How many conflicts to list, the most widely separated first; "
        "counts.conflicts has them all.",
    )


class BundleSerializer(serializers.Serializer):
    """A bundle: lists of rows by kind; each row has a ``key`` and the kind's write
    fields, references being keys of the bundle or stored ids."""

    documents = serializers.ListField(child=serializers.DictField(), required=False)
    sources = serializers.ListField(child=serializers.DictField(), required=False)
    measures = serializers.ListField(child=serializers.DictField(), required=False)
    claims = serializers.ListField(child=serializers.DictField(), required=False)
    figures = serializers.ListField(child=serializers.DictField(), required=False)
    links = serializers.ListField(child=serializers.DictField(), required=False)


class ImportResultSerializer(serializers.Serializer):
    created = serializers.DictField(child=serializers.IntegerField())
    matched = serializers.DictField(child=serializers.IntegerField())
    ids = serializers.DictField(
        child=serializers.DictField(child=serializers.IntegerField()),
        help_text="For each kind, the id given to each key of the bundle.",
    )


class RowErrorSerializer(serializers.Serializer):
    kind = serializers.CharField()
    key = serializers.CharField()
    field = serializers.CharField(allow_blank=True)
    reason = serializers.CharField()


class BundleErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = RowErrorSerializer(many=True)
