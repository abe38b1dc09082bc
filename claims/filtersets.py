"""One FilterSet per model, shared by the API and the reviewer pages."""

import datetime

import django_filters as filters
from django.db.models import Exists, OuterRef, Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from claims.choices import AttributionKind, AttributionStatus, Credibility, Relation
from claims.models import Claim, Document, Figure, Link, Measure, Review, Source, Topic
from claims.selectors import SourceTree


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(filters.ModelChoiceFilter):
    """Takes an object's id; filtered by the FilterSet's own method."""


class UtcDateTimeField(filters.fields.IsoDateTimeField):
    """An ISO 8601 date and time, compared in UTC: any offset Python reads is
    accepted, including ones (up to +-23:59) the database would refuse."""

    def clean(self, value):
        cleaned = super().clean(value)
        return cleaned.astimezone(datetime.UTC) if cleaned is not None else None


class UtcDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


def _with_descendants(queryset, field_name: str, source: Source):
    """Rows whose ``field_name`` is ``source`` or any source under it."""
    return queryset.filter(
        **{f"{field_name}__in": SourceTree.load().descendants(source.pk)}
    )


class SourceFilter(filters.FilterSet):
    kind = filters.MultipleChoiceFilter(
        choices=Source._meta.get_field("kind").choices, distinct=False
    )
    top_level = filters.BooleanFilter(
        field_name="parent", lookup_expr="isnull", label="Only sources with no parent"
    )

    class Meta:
        model = Source
        fields = ["kind", "country", "parent", "reliability"]


class DocumentFilter(filters.FilterSet):
    published_after = UtcDateTimeFilter(field_name="published_at", lookup_expr="gte")
    published_before = UtcDateTimeFilter(field_name="published_at", lookup_expr="lte")

    class Meta:
        model = Document
        fields = ["publisher", "language"]


# Choice filters on a row's own column cannot repeat a row: no DISTINCT (django-filter's
# default for MultipleChoiceFilter), which would make the count and the page sort and
# compare every column.


class ClaimFilter(filters.FilterSet):
    source = IdFilter(
        queryset=Source.objects.all(),
        method="filter_source",
        label="Source, including every source under it",
    )
    topic = filters.ModelChoiceFilter(queryset=Topic.objects.all(), field_name="topics")
    attribution_kind = filters.MultipleChoiceFilter(
        choices=AttributionKind.choices, distinct=False
    )
    attribution_status = filters.MultipleChoiceFilter(
        choices=AttributionStatus.choices, distinct=False
    )
    credibility = filters.MultipleChoiceFilter(
        choices=Credibility.choices, distinct=False
    )
    stated_after = filters.DateFilter(field_name="stated_on", lookup_expr="gte")
    stated_before = filters.DateFilter(field_name="stated_on", lookup_expr="lte")
    reviewed = filters.BooleanFilter(method="filter_reviewed")

    class Meta:
        model = Claim
        fields = ["document"]

    def filter_source(self, queryset, name, value):
        return _with_descendants(queryset, "source", value) if value else queryset

    def filter_reviewed(self, queryset, name, value):
        if value is None:
            return queryset
        reviewed = Exists(Review.objects.filter(claim=OuterRef("pk")))
        return queryset.filter(reviewed if value else ~reviewed)


class MeasureFilter(filters.FilterSet):
    topic = filters.ModelChoiceFilter(queryset=Topic.objects.all(), field_name="topics")

    class Meta:
        model = Measure
        fields = ["unit"]


class FigureFilter(filters.FilterSet):
    source = IdFilter(
        queryset=Source.objects.all(),
        method="filter_source",
        label="Source of the figure's claim, including every source under it",
    )
    as_of_after = filters.DateFilter(field_name="as_of", lookup_expr="gte")
    as_of_before = filters.DateFilter(field_name="as_of", lookup_expr="lte")

    class Meta:
        model = Figure
        fields = ["measure", "claim", "qualifier"]

    def filter_source(self, queryset, name, value):
        return (
            _with_descendants(queryset, "claim__source", value) if value else queryset
        )


class LinkFilter(filters.FilterSet):
    relation = filters.MultipleChoiceFilter(choices=Relation.choices, distinct=False)
    claim = IdFilter(
        queryset=Claim.objects.all(), method="filter_claim", label="Either end"
    )

    class Meta:
        model = Link
        fields = ["from_claim", "to_claim"]

    def filter_claim(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Q(from_claim=value) | Q(to_claim=value))


class ReviewFilter(filters.FilterSet):
    class Meta:
        model = Review
        fields = ["claim", "reviewer", "attribution_status", "credibility"]


class TopicFilter(filters.FilterSet):
    class Meta:
        model = Topic
        fields = ["name"]
