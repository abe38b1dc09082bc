"""The bundle format (``claims.exchange.bundle``) as a JSON Schema (draft 2020-12).

Built from what the import itself reads: the kinds and fields of ``bundle.FIELDS``
(the services' ``...Changes``), the references of ``bundle.REFERENCES``, and each
field of the models: its JSON type as the import checks it, whether the model
requires it, its choices, its maximum length and the limits of its validators. The
schema describes the shape of a bundle; what only the models' rules or the stored
rows can tell (a quote found in its document, a figure text that reads whole, a key
given twice, a reference to a row that does not exist) is left to the import.
"""

from __future__ import annotations

from django.core import validators
from django.db import models

from claims.exchange import bundle, csv_bundle
from claims.models import Topic

DIALECT = "https://json-schema.org/draft/2020-12/schema"

#: A decimal written as a string, as ``Decimal()`` reads it after stripping.
_NUMBER_TEXT = r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$"

#: Descriptions of the fields: the rows' keys, the fields that are not the models'
#: own, and those whose models give no help text.
_DESCRIPTIONS = {
    "key": (
        "The row's key, chosen by the client and unique among the rows of its kind; "
        "other rows of the bundle refer to this row by it."
    ),
    "topics": "Names of the claim's topics; a topic not stored yet is created.",
    "quote_prefix": (
        "When the quote occurs more than once in the document: the text just "
        "before the occurrence meant."
    ),
    "quote_suffix": (
        "When the quote occurs more than once in the document: the text just "
        "after the occurrence meant."
    ),
    "quote_start": (
        "When the quote occurs more than once in the document: the offset (in "
        "characters, from 0) at which the occurrence meant starts."
    ),
    "documents.title": "The document's title.",
    "documents.publisher": "Who published it (an outlet, an agency).",
    "documents.url": "Its web address; a document already stored with it is matched.",
    "documents.published_at": "When it was published.",
    "documents.byline": "Its author or authors as printed.",
    "documents.language": "Its language (a code such as en).",
    "documents.text": "Its text, which holds the quotes of its claims.",
    "documents.retrieved_at": "When it was retrieved.",
    "documents.archive_url": "The address of an archived copy.",
    "sources.name": "The source's name; a source already stored with it is matched.",
    "sources.kind": "What kind of source it is.",
    "sources.parent": "The source it belongs to (a ministry's government).",
    "sources.description": "A description of the source.",
    "sources.reliability": "The Admiralty scale's grade of the source.",
    "measures.name": "The measure's name; a measure already stored with it is matched.",
    "measures.unit": "The unit its figures count (troops, shells).",
    "measures.description": "A description of the measure.",
    "claims.source": "Who made the claim.",
    "claims.document": "The document it is made in.",
    "claims.statement": "What the claim says, in the editor's words.",
    "claims.quote": "The words of the document the claim rests on, as they occur in it.",
    "claims.attribution_kind": "How the document attributes the claim to its source.",
    "claims.stated_on": "When the claim was made.",
    "figures.claim": "The claim that puts the figure.",
    "figures.measure": "The measure the figure is of.",
    "figures.text": "The figure as the claim words it (about 3,000); read into an interval.",
    "figures.qualifier": "How the text qualifies the number; derived from the text.",
    "figures.value": "The number; derived from the text.",
    "figures.low": "The interval's low end; derived from the text.",
    "figures.high": "The interval's high end; derived from the text.",
    "figures.note": "A note on the figure.",
    "links.from_claim": "The claim the link goes from.",
    "links.to_claim": "The claim the link goes to.",
    "links.relation": "How the first claim relates to the second.",
    "links.note": "A note on the link.",
}

#: Fields whose JSON shape the model's ``clean()`` checks rather than its field type.
_SHAPES = {
    # Source.clean(): a list of names.
    ("sources", "aliases"): {"type": "array", "items": {"type": "string"}},
}


def _singular(kind: str) -> str:
    return kind[:-1]


def _reference(target: str) -> dict:
    model = bundle.MODELS[target]._meta.verbose_name
    return {
        "anyOf": [{"type": "string", "minLength": 1}, {"type": "integer"}],
        "description": (
            f"A key of this bundle's {target} (a string) or the id of a stored "
            f"{model} (an integer)."
        ),
    }


def _limits(field: models.Field) -> dict:
    """The numeric bounds of the field's validators."""
    limits = {}
    for validator in field.validators:
        if isinstance(validator, validators.MinValueValidator):
            limits["minimum"] = float(validator.limit_value)
        elif isinstance(validator, validators.MaxValueValidator):
            limits["maximum"] = float(validator.limit_value)
    return limits


def _text(field: models.Field) -> dict:
    """A text field: its choices, maximum length, format and pattern; the empty
    string wherever the model allows a blank."""
    schema: dict = {"type": "string"}
    if field.choices:
        values = [value for value, _ in field.flatchoices]
        schema["enum"] = [*values, ""] if field.blank else values
        return schema
    if field.max_length:
        schema["maxLength"] = field.max_length
    if not field.blank:
        schema["minLength"] = 1
    checks: dict = {}
    if isinstance(field, models.URLField):
        checks["format"] = "uri"
    for validator in field.validators:
        if isinstance(validator, validators.RegexValidator) and not isinstance(
            validator, validators.URLValidator
        ):
            checks["pattern"] = validator.regex.pattern
    if checks:
        # The model runs its validators on a value that is not blank only.
        schema["anyOf"] = [checks, {"const": ""}] if field.blank else [checks]
    return schema


def _value(field: models.Field) -> dict:
    """A field's value as ``bundle._shape_of_value`` and the model take it."""
    if isinstance(field, models.BooleanField):
        return {"type": "boolean"}
    if isinstance(field, models.DateTimeField):
        return {
            "type": "string",
            "anyOf": [{"format": "date-time"}, {"format": "date"}],
        }
    if isinstance(field, models.DateField):
        return {"type": "string", "format": "date"}
    if isinstance(field, models.IntegerField | models.FloatField | models.DecimalField):
        return {
            "anyOf": [
                {"type": "number", **_limits(field)},
                {"type": "string", "pattern": _NUMBER_TEXT},
            ]
        }
    return _text(field)


def _field(kind: str, name: str) -> dict:
    if name == "topics":
        return {
            "type": "array",
            "items": {
                "type": "string",
                "pattern": r"\S",
                "maxLength": Topic._meta.get_field("name").max_length,
            },
            "description": _DESCRIPTIONS[name],
        }
    if name == "quote_start":
        return {
            "type": ["integer", "null"],
            "minimum": 0,
            "description": _DESCRIPTIONS[name],
        }
    if name in bundle.QUOTE_SELECTORS:
        return {"type": ["string", "null"], "description": _DESCRIPTIONS[name]}
    if target := bundle.REFERENCES.get(kind, {}).get(name):
        schema = _reference(target)
        if bundle.MODELS[kind]._meta.get_field(name).null:
            schema["anyOf"].append({"type": "null"})
        if described := _DESCRIPTIONS.get(f"{kind}.{name}"):
            schema["description"] = f"{described} {schema['description']}"
        return schema
    field = bundle.MODELS[kind]._meta.get_field(name)
    schema = _SHAPES.get((kind, name)) or _value(field)
    if field.null and not isinstance(field, models.JSONField):
        # None, or an empty string, which the import reads as none.
        alternatives = schema["anyOf"] if set(schema) == {"anyOf"} else [schema]
        schema = {"anyOf": [*alternatives, {"type": "null"}, {"const": ""}]}
    description = (
        str(field.help_text)
        or _DESCRIPTIONS.get(f"{kind}.{name}")
        or f"{str(field.verbose_name).capitalize()}."
    )
    if field.choices:
        labels = "; ".join(f"{value}: {label}" for value, label in field.flatchoices)
        description = f"{description} One of {labels}."
    return {**schema, "description": description}


def _required(kind: str, name: str) -> bool:
    """Whether the model refuses a row without the field: not blank, no default."""
    if name in bundle.QUOTE_SELECTORS or name == "topics":
        return False
    field = bundle.MODELS[kind]._meta.get_field(name)
    return not field.blank and not field.has_default()


_SPAN = {
    "type": "array",
    "items": {"type": "integer", "minimum": 0},
    "minItems": 2,
    "maxItems": 2,
}
#: What intake's proposals say a row was read from (``bundle.ROW_ANNOTATIONS``):
#: accepted by the import and never stored.
_ANNOTATIONS = {
    "matched": {
        "type": ["integer", "null"],
        "description": "Intake: the id of the stored row this one was matched to, "
        "or null for a new one. Not stored.",
    },
    "confidence": {
        "type": "object",
        "properties": {
            "score": {"type": "number", "minimum": 0, "maximum": 1},
            "word": {"enum": ["high", "medium", "low"]},
        },
        "description": "Intake: how sure the reading is of this row. Not stored.",
    },
    "speaker": {"type": "string", "description": "Intake: the speaker as written."},
    "speaker_span": {
        **_SPAN,
        "description": "Intake: [start, end] of the speaker in the text.",
    },
    "cue": {"type": "string", "description": "Intake: the attribution cue."},
    "cue_span": {**_SPAN, "description": "Intake: [start, end] of the cue."},
    "quote_span": {**_SPAN, "description": "Intake: [start, end] of the quote."},
    "span": {**_SPAN, "description": "Intake: [start, end] of the figure's text."},
    "interval": {
        "type": "object",
        "description": "Intake: the figure as read (qualifier, value, low, high).",
    },
    "candidates": {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
        },
        "description": "Intake: stored sources a new source may be instead.",
    },
}


def row_schema(kind: str) -> dict:
    """The schema of one row of ``kind`` (``"claims"``, ...)."""
    names = bundle.FIELDS[kind]
    model = bundle.MODELS[kind]._meta.verbose_name
    return {
        "title": f"A {model}",
        "type": "object",
        "properties": {
            "key": {
                "type": "string",
                "minLength": 1,
                "description": _DESCRIPTIONS["key"],
            },
            **{name: _field(kind, name) for name in names},
            **{name: _ANNOTATIONS[name] for name in bundle.ROW_ANNOTATIONS},
        },
        "required": ["key", *(name for name in names if _required(kind, name))],
        "additionalProperties": False,
    }


def bundle_schema() -> dict:
    """The JSON Schema of a whole bundle."""
    return {
        "$schema": DIALECT,
        "title": "Import bundle",
        "description": (
            "Rows of six kinds to import in one transaction, all of them or none. "
            "Each row has a key the client chooses; a reference is a key of this "
            "bundle (a string) or the id of a stored row (an integer). A document "
            "whose URL, or a source or measure whose name, is already stored is "
            "matched to the stored one. Every row is then validated by the models' "
            "own rules. No text may hold a NUL character."
        ),
        "type": "object",
        "properties": {
            kind: {
                "type": "array",
                "items": {"$ref": f"#/$defs/{_singular(kind)}"},
            }
            for kind in bundle.KINDS
        }
        | {
            bundle.BUNDLE_ANNOTATION: {
                "type": "object",
                "description": "Intake: why nothing was proposed (reason) and what "
                "was read but not proposed (notes). Not stored.",
            }
        },
        "additionalProperties": False,
        "$defs": {_singular(kind): row_schema(kind) for kind in bundle.KINDS},
        "x-csv": csv_schema(),
    }


def csv_schema() -> dict:
    """The columns of claims as CSV (``claims.exchange.csv_bundle``), which the
    import also takes (``Content-Type: text/csv``): an annotation of the schema,
    ignored by validators."""
    claim = row_schema("claims")["properties"]
    columns = {
        "key": "The claim's key; by default line N, its line in the file.",
        "source": "The id of a stored source, or a source's name: matched to the "
        "stored source of that name, or created with the kind in source_kind.",
        "source_kind": "For a source created by its name: "
        + row_schema("sources")["properties"]["kind"]["description"],
        "document": "The id of a stored document, or its URL.",
        "topics": f"Topic names separated by {csv_bundle.TOPIC_SEPARATOR!r}; a "
        "topic not stored yet is created.",
        **{
            name: claim[name]["description"]
            for name in csv_bundle.CLAIM_COLUMNS
            if name not in ("key", "source", "source_kind", "document", "topics")
        },
        "figure_text": _DESCRIPTIONS["figures.text"],
        "figure_measure": "The id of a stored measure, or a measure's name: matched "
        "to the stored measure of that name, or created with figure_unit.",
        "figure_unit": _DESCRIPTIONS["measures.unit"],
        "figure_as_of": row_schema("figures")["properties"]["as_of"]["description"],
        "figure_note": _DESCRIPTIONS["figures.note"],
    }
    return {
        "mediaType": "text/csv",
        "description": (
            "Claims with figures as CSV: the first line names the columns, each "
            "further line is a claim. A claim's second figure is in figure2_text, "
            "figure2_measure, ..., its third in figure3_..., and so on. An empty "
            "cell is a value not given. The rows are validated as a bundle's are, "
            "all or none written; each error names its line and column. Cells "
            "are separated by commas, semicolons or tabs (the header's own is "
            "used for the whole file); column names are read in any case; the "
            "text is UTF-8 (a byte order mark is skipped) unless the "
            "Content-Type names another charset."
        ),
        "columns": columns,
    }
