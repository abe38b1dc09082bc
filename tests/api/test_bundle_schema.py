"""The bundle format as a JSON Schema at /api/import/schema/: valid draft 2020-12,
accepting the bundles the import writes and refusing those it refuses for their
shape, and the README's example bundle with it."""

import copy
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from claims.choices import AttributionKind, Relation, SourceKind
from claims.exchange.bundle import (
    BUNDLE_ANNOTATION,
    FIELDS,
    KINDS,
    MODELS,
    ROW_ANNOTATIONS,
    BundleError,
    import_bundle,
)
from devtools.corpus import bundle as corpus_bundle

from ..helpers import good_bundle, stored_rows

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture
def schema(client):
    response = client.get("/api/import/schema/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/schema+json"
    return response.json()


def validator(schema) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def readme_bundle() -> dict:
    """The example bundle of the README's bulk import paragraph."""
    paragraph = README.read_text().split("- **Bulk import**", 1)[1]
    block = re.search(r"```json\n(.*?)```", paragraph, re.S).group(1)
    return yaml.safe_load(block)  # JSON is YAML; the README's block is indented


def test_the_schema_is_a_valid_draft_2020_12_schema(schema):
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_the_schema_describes_every_kind_and_field(schema):
    assert set(schema["properties"]) == {*KINDS, BUNDLE_ANNOTATION}
    assert schema["additionalProperties"] is False
    for kind in KINDS:
        row = schema["$defs"][kind[:-1]]
        assert set(row["properties"]) == {"key", *FIELDS[kind], *ROW_ANNOTATIONS}
        assert row["additionalProperties"] is False
        assert all(field["description"] for field in row["properties"].values())
    claim = schema["$defs"]["claim"]
    assert set(claim["required"]) == {
        "key",
        "source",
        "document",
        "statement",
        "quote",
        "attribution_kind",
    }
    assert claim["properties"]["attribution_kind"]["enum"] == AttributionKind.values
    assert schema["$defs"]["source"]["properties"]["kind"]["enum"] == SourceKind.values
    assert schema["$defs"]["link"]["properties"]["relation"]["enum"] == Relation.values
    title = schema["$defs"]["document"]["properties"]["title"]
    assert title["maxLength"] == MODELS["documents"]._meta.get_field("title").max_length
    reference = claim["properties"]["source"]["anyOf"]
    assert reference == [{"type": "string", "minLength": 1}, {"type": "integer"}]


def test_reading_the_schema_is_closed_when_reading_is(anonymous, outsider, settings):
    settings.API_OPEN_READ = False
    assert anonymous.get("/api/import/schema/").status_code == 401
    assert outsider.get("/api/import/schema/").status_code == 200


def test_the_import_operation_links_the_schema(client):
    openapi = yaml.safe_load(client.get("/api/schema/").content)
    description = openapi["paths"]["/api/import/"]["post"]["description"]
    assert "/api/import/schema/" in description
    assert "/api/import/schema/" in openapi["paths"]


def test_the_readmes_example_is_valid_and_imports(schema, editor):
    example = readme_bundle()
    validator(schema).validate(example)
    response = editor.post("/api/import/", example, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["created"] == {kind: len(example[kind]) for kind in KINDS}


def test_the_bundles_the_import_writes_are_valid(schema):
    check = validator(schema)
    check.validate(good_bundle())
    check.validate(corpus_bundle(claims=60, seed=3))


def _claim(bundle: dict) -> dict:
    return bundle["claims"][0]


#: Bundles the import refuses for their shape: how each is made from the good
#: bundle, and the field the import names.
REFUSED = {
    "an unknown kind": (lambda b: b.update(reviews=[]), ""),
    "a kind that is not a list": (lambda b: b.update(measures={}), ""),
    "a row without a key": (lambda b: b["measures"][0].pop("key"), "key"),
    "an unknown field": (lambda b: _claim(b).update(rumour="yes"), "rumour"),
    "a date that is a number": (
        lambda b: _claim(b).update(stated_on=20241027),
        "stated_on",
    ),
    "a reference that is true/false": (
        lambda b: b["sources"][1].update(parent=True),
        "parent",
    ),
    "topics that are not a list": (
        lambda b: _claim(b).update(topics="Arrivals"),
        "topics",
    ),
    "a null where none is taken": (
        lambda b: _claim(b).update(statement=None),
        "statement",
    ),
    "a missing required field": (lambda b: _claim(b).pop("quote"), "quote"),
    "a missing required reference": (
        lambda b: b["figures"][0].pop("measure"),
        "measure",
    ),
    "a value not among the choices": (
        lambda b: _claim(b).update(attribution_kind="rumour"),
        "attribution_kind",
    ),
    "a text over its maximum length": (
        lambda b: b["measures"][0].update(unit="x" * 101),
        "unit",
    ),
    "a negative quote offset": (
        lambda b: _claim(b).update(quote_start=-1),
        "quote_start",
    ),
}


@pytest.mark.parametrize("change", REFUSED.values(), ids=REFUSED.keys())
def test_what_the_schema_refuses_the_import_refuses(schema, change):
    make, field = change
    bundle = copy.deepcopy(good_bundle())
    make(bundle)
    assert not validator(schema).is_valid(bundle)
    before = stored_rows()
    with pytest.raises(BundleError) as refused:
        import_bundle(bundle)
    assert field in {error.field for error in refused.value.errors}
    assert stored_rows() == before
