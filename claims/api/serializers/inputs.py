"""What the API's computed views take: moments, comparison windows, bundles.
Input only: query parameters and request bodies, validated, never answered."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from claims import timeline
from claims.api.serializers.resources import _datetime
from claims.exchange.intake import proposals
from claims.models import Document
from claims.selectors import DEFAULT_CONFLICT_LIMIT


class MomentField(serializers.Field):
    """A date-time, or a date meaning its end in the site's time zone."""

    default_error_messages = {
        "invalid": "Give a date (YYYY-MM-DD, meaning its end) or an ISO 8601 "
        "date-time, not {value!r}."
    }

    def to_internal_value(self, data):
        moment = timeline.parse_moment(data, timezone.get_current_timezone())
        if moment is None:
            self.fail("invalid", value=data)
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
        default=DEFAULT_CONFLICT_LIMIT,
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
    intake = serializers.DictField(
        required=False,
        help_text="What intake read (its reason and notes); not stored. Rows may "
        "also carry intake's matched, confidence and spans, not stored either.",
    )


class StringField(serializers.CharField):
    """Text given as a JSON string: a number or true is refused, not turned into
    text."""

    default_error_messages = {"not_a_string": "Expected a string, not {kind}."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string", kind=type(data).__name__)
        return super().to_internal_value(data)


class IntakeReportSerializer(serializers.Serializer):
    """A pasted report: its text and what the document row needs. The field limits
    are the document's own; the text's are intake's
    (``claims.exchange.intake.proposals.report_errors``)."""

    title = StringField(max_length=Document._meta.get_field("title").max_length)
    publisher = StringField(
        max_length=Document._meta.get_field("publisher").max_length,
        required=False,
        allow_blank=True,
        default="",
    )
    url = serializers.URLField(
        max_length=Document._meta.get_field("url").max_length,
        required=False,
        allow_blank=True,
        default="",
    )
    published_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None
    )
    text = StringField(trim_whitespace=False, allow_blank=True)

    def validate(self, data):
        report = proposals.Report(**data)
        errors = proposals.report_errors(report, timezone.now())
        if errors:
            raise serializers.ValidationError(errors)
        return {"report": report}
