"""API serializers. Every write runs the model's own ``full_clean()``, so the API
refuses exactly what the admin refuses, with the same messages."""

import datetime

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import api_settings

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
        fields = [
            "id",
            "url",
            "name",
            "unit",
            "kind",
            "tolerance",
            "lower_limit",
            "description",
            "topics",
            *TRACKING,
        ]


class FigureSerializer(ValidatedModelSerializer):
    """``qualifier``, ``value``, ``low`` and ``high`` are derived from ``text``; they
    are taken as given only with ``bounds_overridden`` and a ``note``. ``as_of`` is
    the date the figure holds for: given, it is the figure's own
    (``as_of_given``); left empty, it follows the claim's date."""

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
            "as_of_given",
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
    kind = serializers.ChoiceField(choices=["level", "cumulative"])


class AtIntervalSerializer(serializers.Serializer):
    low = serializers.FloatField(allow_null=True, help_text="null: open below")
    high = serializers.FloatField(allow_null=True, help_text="null: open above")


class ComparedFigureSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    claim_id = serializers.IntegerField()
    source = RefSerializer()
    group = RefSerializer(help_text="The first of its groups (see groups).")
    groups = RefSerializer(
        many=True,
        help_text="Every independence group it belongs to: the top of the parent "
        "chain of the source of each of its claim's origins.",
    )
    origin_claim_id = serializers.IntegerField(help_text="The first of its origins.")
    origin_claim_ids = serializers.ListField(child=serializers.IntegerField())
    text = serializers.CharField()
    qualifier = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    low = serializers.FloatField(allow_null=True, help_text="null: open below")
    high = serializers.FloatField(allow_null=True, help_text="null: open above")
    as_of = serializers.DateField(allow_null=True)
    date = serializers.DateField(
        allow_null=True,
        help_text="The date it holds for: its own as_of, else its claim's date, "
        "else its document's publication day.",
    )
    role = serializers.ChoiceField(
        choices=["estimate", "bound", "superseded"],
        help_text="superseded: a later figure speaks for every source it speaks "
        "for; bound: at_least, up_to, or projected on a cumulative measure.",
    )
    superseded_by = serializers.IntegerField(
        allow_null=True, help_text="The current figure that superseded it."
    )
    at_interval = AtIntervalSerializer(
        allow_null=True, help_text="Its interval at T; null when superseded."
    )


class ConflictSerializer(serializers.Serializer):
    figure_ids = serializers.ListField(
        child=serializers.IntegerField(), min_length=2, max_length=2
    )
    same_group = serializers.BooleanField()


class StretchSerializer(serializers.Serializer):
    low = serializers.FloatField(allow_null=True)
    high = serializers.FloatField(allow_null=True)
    support = serializers.IntegerField(help_text="Distinct independence groups.")
    support_kind = serializers.ChoiceField(
        choices=["estimates", "bounds"],
        help_text="Whose groups were counted: the current estimates, or the "
        "bounds when there is no estimate.",
    )
    supporting_groups = serializers.ListField(child=serializers.IntegerField())
    consistent_groups = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Groups with a bound covering the stretch: consistent, not "
        "evidence for it.",
    )
    other_groups = serializers.ListField(child=serializers.IntegerField())


class CountsSerializer(serializers.Serializer):
    figures = serializers.IntegerField(help_text="Figures considered.")
    current = serializers.IntegerField(help_text="Considered and not superseded.")
    origins = serializers.IntegerField()
    groups = serializers.IntegerField()
    conflicts = serializers.IntegerField(
        help_text="Every conflicting pair, listed or not (see conflict_limit)."
    )


class ComparisonSerializer(serializers.Serializer):
    measure = MeasureRefSerializer()
    at = serializers.DateField(allow_null=True, help_text="T")
    known_at = serializers.DateTimeField(allow_null=True, help_text="K")
    figures = ComparedFigureSerializer(many=True)
    conflicts = ConflictSerializer(many=True)
    best_supported = StretchSerializer(many=True)
    spread = serializers.FloatField(allow_null=True)
    counts = CountsSerializer()


class EvolutionStepSerializer(serializers.Serializer):
    date = serializers.DateField(help_text="A day a document with a figure appeared.")
    at = serializers.DateField(allow_null=True)
    best_supported = StretchSerializer(many=True)
    low = serializers.FloatField(
        allow_null=True, help_text="Lowest low of the current estimates."
    )
    high = serializers.FloatField(
        allow_null=True, help_text="Highest high of the current estimates."
    )
    counts = CountsSerializer()


class EvolutionSerializer(serializers.Serializer):
    measure = MeasureRefSerializer()
    steps = EvolutionStepSerializer(many=True)


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


class EvidenceGroupSerializer(RefSerializer):
    by = serializers.ChoiceField(
        choices=["link", "figure"],
        help_text="A link between the claims, or their figures (where no link speaks).",
    )
    figures = serializers.ListField(
        child=serializers.IntegerField(),
        allow_null=True,
        help_text="For figure evidence: this claim's figure, then the group's.",
    )


class CorroborationSerializer(serializers.Serializer):
    claim_id = serializers.IntegerField()
    origin_claim_ids = serializers.ListField(child=serializers.IntegerField())
    group = RefSerializer(help_text="The first of its groups.")
    groups = RefSerializer(many=True)
    known_at = serializers.DateTimeField(allow_null=True)
    links = CorroborationLinkSerializer(many=True)
    corroborating_groups = EvidenceGroupSerializer(many=True)
    contradicting_groups = EvidenceGroupSerializer(many=True)
    suggested_credibility = SuggestionSerializer()
    current = GradeSerializer()


class MomentField(serializers.Field):
    """A date-time, or a date meaning its end in the site's time zone."""

    default_error_messages = {
        "invalid": "Give a date (YYYY-MM-DD, meaning its end) or an ISO 8601 "
        "date-time, not {value!r}."
    }

    def to_internal_value(self, data):
        text = str(data).strip()
        try:
            day = parse_date(text) if len(text) == 10 else None
        except ValueError:  # well formed, but no such day (2024-02-30)
            self.fail("invalid", value=data)
        if day is not None:
            return datetime.datetime.combine(
                day, datetime.time.max, tzinfo=timezone.get_current_timezone()
            )
        try:
            moment = parse_datetime(text)
        except ValueError:
            moment = None
        if moment is None:
            self.fail("invalid", value=data)
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return moment

    def to_representation(self, value):
        return _datetime(value)


@extend_schema_field(
    {
        "type": "string",
        "description": "A date (its end, in the site's time zone) or a date-time.",
        "example": "2024-10-28",
    }
)
class KnownAtField(MomentField):
    pass


class MomentSerializer(serializers.Serializer):
    known_at = KnownAtField(
        required=False,
        help_text="What was known then: only figures and claims whose document was "
        "published by this moment count. A date means its end.",
    )


class ComparisonWindowSerializer(MomentSerializer):
    at = serializers.DateField(
        required=False,
        help_text="The date T the comparison is made at: figures dated after it are "
        "not considered. Default: the window's end, else the latest figure date "
        "known at known_at.",
    )
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

    def validate(self, attrs):
        after, before = attrs.get("as_of_after"), attrs.get("as_of_before")
        if after and before and after > before:
            raise serializers.ValidationError(
                {"as_of_after": "The window's start is after its end."}
            )
        return attrs


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
