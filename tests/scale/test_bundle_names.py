"""New sources and measures of a bundle: written a generation at a time in a fixed
number of queries, their names unique whatever the case, within the bundle too."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.exchange.bundle import BundleError, import_bundle
from claims.models import Measure, Source

from ..factories import MeasureFactory, SourceFactory
from ..helpers import snapshot

pytestmark = pytest.mark.django_db


def _bundle(sources: int, measures: int, *, depth: int = 1, name: str = "") -> dict:
    """``sources`` new sources in ``depth`` generations (each under one of the
    generation above), and ``measures`` new measures, their names after ``name``."""
    rows = []
    for n in range(sources):
        level = n % depth
        row = {"key": f"s{n}", "name": f"{name}Source {n}", "kind": "person"}
        if level:
            row["parent"] = f"s{n - 1}"
        rows.append(row)
    return {
        "documents": [],
        "sources": rows,
        "measures": [
            {"key": f"m{n}", "name": f"{name}Measure {n}", "unit": "troops"}
            for n in range(measures)
        ],
        "claims": [],
        "figures": [],
        "links": [],
    }


def _queries(bundle: dict) -> int:
    with CaptureQueriesContext(connection) as queries:
        import_bundle(bundle)
    return len(queries)


def test_new_sources_and_measures_cost_the_same_queries_for_10_and_1000():
    few = _queries(_bundle(10, 10, depth=2, name="Few "))
    many = _queries(_bundle(1000, 1000, depth=2, name="Many "))
    assert few == many
    assert Source.objects.count() == 1010 and Measure.objects.count() == 1010
    child = Source.objects.get(name="Many Source 999")
    assert child.parent.name == "Many Source 998"


def test_each_generation_of_sources_is_written_at_once():
    shallow = _queries(_bundle(12, 0, depth=1, name="Flat "))
    deep = _queries(_bundle(12, 0, depth=3, name="Deep "))
    # Each generation more: a check of its names, then its rows and their history
    # written together (in a savepoint).
    assert deep - shallow == 2 * 5
    assert Source.objects.filter(parent__parent__isnull=False).count() == 4


def _refused(bundle: dict) -> list[tuple]:
    before = snapshot(Source, Measure)
    with pytest.raises(BundleError) as error:
        import_bundle(bundle)
    assert snapshot(Source, Measure) == before
    return [(e.kind, e.key, e.field, e.reason) for e in error.value.errors]


def test_two_new_sources_of_one_name_in_any_case_refuse_the_second():
    bundle = _bundle(2, 0)
    bundle["sources"][1]["name"] = "SOURCE 0"
    assert _refused(bundle) == [
        ("sources", "s1", "name", "A source with this name already exists.")
    ]


def test_a_child_named_as_a_new_parent_is_refused_not_a_database_error():
    bundle = _bundle(2, 0, depth=2)
    bundle["sources"][1]["name"] = "source 0"
    assert _refused(bundle) == [
        ("sources", "s1", "name", "A source with this name already exists.")
    ]


def test_two_new_measures_of_one_name_in_any_case_refuse_the_second():
    bundle = _bundle(0, 3)
    bundle["measures"][2]["name"] = "measure 1"
    assert _refused(bundle) == [
        ("measures", "m2", "name", "A measure with this name already exists.")
    ]


def test_a_stored_name_lower_case_only_by_python_is_matched_or_refused_by_key():
    # The import matches stored names by Python's lower(); SQLite's LOWER() folds
    # ASCII letters only, so there these names are not matched, yet still taken.
    SourceFactory(name="Émile Ørsted")
    MeasureFactory(name="Ärzte im Einsatz")
    bundle = _bundle(2, 2)
    bundle["sources"][1]["name"] = "ÉMILE ØRSTED"
    bundle["measures"][0]["name"] = "ÄRZTE IM EINSATZ"
    if connection.vendor == "sqlite":
        assert _refused(bundle) == [
            ("sources", "s1", "name", "A source with this name already exists.")
        ]
        bundle["sources"][1]["name"] = "Someone else"
        assert _refused(bundle) == [
            ("measures", "m0", "name", "A measure with this name already exists.")
        ]
    else:  # the database folds them as Python does: matched, not created again
        result = import_bundle(bundle)
        assert result.matched == {"sources": 1, "measures": 1}
        assert Source.objects.filter(name__iexact="émile ørsted").count() == 1
