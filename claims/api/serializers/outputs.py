"""What the API's computed answers hold: history, comparisons, evolution,
corroboration, import results and refusals. Output only: nothing is written
through these."""

from rest_framework import serializers


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
    line = serializers.IntegerField(
        required=False, help_text="CSV only: the line (the header is 1)."
    )
    column = serializers.CharField(
        required=False, allow_blank=True, help_text="CSV only: the column's name."
    )


class BundleErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = RowErrorSerializer(many=True)
