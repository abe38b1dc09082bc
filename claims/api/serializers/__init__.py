"""API serializers, in three modules: ``resources`` (each kind of row, read and
written), ``inputs`` (what computed views take) and ``outputs`` (what they answer).
Everything is importable from here."""

from claims.api.serializers.inputs import (  # noqa: F401
    BundleSerializer,
    ComparisonWindowSerializer,
    IntakeReportSerializer,
    KnownAtField,
    MomentField,
    MomentSerializer,
)
from claims.api.serializers.outputs import (  # noqa: F401
    AtIntervalSerializer,
    BundleErrorSerializer,
    ChangeSerializer,
    ComparedFigureSerializer,
    ComparisonSerializer,
    ConflictSerializer,
    CorroborationLinkSerializer,
    CorroborationSerializer,
    CountsSerializer,
    EvidenceGroupSerializer,
    EvolutionSerializer,
    EvolutionStepSerializer,
    GradeSerializer,
    HistoryEntrySerializer,
    HistoryUserSerializer,
    ImportResultSerializer,
    MeasureRefSerializer,
    RefSerializer,
    RowErrorSerializer,
    StretchSerializer,
    SuggestionSerializer,
    TopicComparisonSerializer,
)
from claims.api.serializers.resources import (  # noqa: F401
    TRACKING,
    ClaimSerializer,
    DocumentSerializer,
    FigureSerializer,
    LinkSerializer,
    MeasureSerializer,
    ReviewSerializer,
    SourceSerializer,
    StrictPrimaryKeyRelatedField,
    TopicSerializer,
    ValidatedModelSerializer,
    drf_errors,
    self_link,
)
