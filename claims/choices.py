"""Every fixed vocabulary of the domain, as ``TextChoices``/``IntegerChoices``."""

from django.db import models


class SourceKind(models.TextChoices):
    PERSON = "person", "Person"
    ORGANIZATION = "organization", "Organization"
    GOVERNMENT = "government", "Government body"
    INTELLIGENCE = "intelligence", "Intelligence service"
    MILITARY = "military", "Military"
    MEDIA = "media", "Media outlet"
    GROUP = "group", "Group"
    ANONYMOUS = "anonymous", "Anonymous"


class Reliability(models.TextChoices):
    """The Admiralty scale's grade of a source."""

    A = "A", "A: completely reliable"
    B = "B", "B: usually reliable"
    C = "C", "C: fairly reliable"
    D = "D", "D: not usually reliable"
    E = "E", "E: unreliable"
    F = "F", "F: reliability cannot be judged"


class AttributionKind(models.TextChoices):
    DIRECT_QUOTE = "direct_quote", "Direct quote"
    PARAPHRASE = "paraphrase", "Paraphrase"
    INDIRECT = "indirect", "Indirect"
    CITING = "citing", "Citing another source"
    ANONYMOUS = "anonymous", "Anonymous"
    OWN_VOICE = "own_voice", "The document's own voice"


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    WEEK = "week", "Week"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


class AttributionStatus(models.TextChoices):
    UNVERIFIED = "unverified", "Unverified"
    VERIFIED = "verified", "Verified"
    MISATTRIBUTED = "misattributed", "Misattributed"


class Credibility(models.IntegerChoices):
    """The Admiralty scale's grade of a piece of information."""

    CONFIRMED = 1, "1: confirmed by other sources"
    PROBABLY_TRUE = 2, "2: probably true"
    POSSIBLY_TRUE = 3, "3: possibly true"
    DOUBTFUL = 4, "4: doubtful"
    IMPROBABLE = 5, "5: improbable"
    CANNOT_BE_JUDGED = 6, "6: truth cannot be judged"


class MeasureKind(models.TextChoices):
    """How a measure moves over time."""

    LEVEL = "level", "Level (a quantity at a time; may rise or fall)"
    CUMULATIVE = "cumulative", "Cumulative (a running total that never falls)"


class Qualifier(models.TextChoices):
    EXACT = "exact", "Exact"
    APPROXIMATELY = "approximately", "Approximately"
    NEARLY = "nearly", "Nearly"
    AT_LEAST = "at_least", "At least"
    UP_TO = "up_to", "Up to"
    RANGE = "range", "Range"
    MAGNITUDE = "magnitude", "Order of magnitude"


class Relation(models.TextChoices):
    CORROBORATES = "corroborates", "Corroborates"
    CONTRADICTS = "contradicts", "Contradicts"
    REPEATS = "repeats", "Repeats"
    BASED_ON = "based_on", "Based on"


#: Relations that read the same both ways: A corroborates B is B corroborates A.
SYMMETRIC_RELATIONS = frozenset({Relation.CORROBORATES, Relation.CONTRADICTS})
#: Relations through which a claim inherits another's information: not independent.
DERIVING_RELATIONS = frozenset({Relation.REPEATS, Relation.BASED_ON})
