"""The bundle import from a file, a chunk of rows at a time: the same rows as the
import of the whole bundle, references across chunks, kinds in any order, all or
nothing, and memory that does not grow with the file."""

import gc
import io
import json
import tracemalloc

import pytest
from django.db import connection, transaction

from claims.exchange import bundle_stream
from claims.exchange.bundle import BundleError, import_bundle
from claims.exchange.bundle_stream import NotJSON, import_bundle_file
from claims.models import Claim, Document, Figure, Link, Measure, Source, Topic
from devtools import corpus

from ..factories import ClaimFactory
from ..helpers import good_bundle

pytestmark = pytest.mark.django_db

MODELS = (Document, Source, Measure, Claim, Figure, Link, Topic)
SKIPPED = {"id", "created_at", "updated_at"}


def rows():
    """Every stored row by value, ids read through the keys they were given."""
    found = {}
    for model in MODELS:
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if f.attname not in SKIPPED and not f.attname.endswith("_id")
        ]
        found[model.__name__] = sorted(
            map(repr, model.objects.order_by("pk").values_list(*fields))
        )
    found["links"] = sorted(
        Link.objects.values_list("from_claim__quote", "to_claim__quote", "relation")
    )
    found["figures"] = sorted(
        Figure.objects.values_list("claim__quote", "measure__name", "text")
    )
    found["claims"] = sorted(
        Claim.objects.values_list("quote", "source__name", "document__url")
    )
    found["history"] = {m.__name__: m.history.count() for m in MODELS}
    return found


class Discard(Exception):
    pass


def imported(do):
    try:
        with transaction.atomic():
            result = do()
            found = rows()
            raise Discard
    except Discard:
        return result, found


def as_file(bundle) -> io.BytesIO:
    return io.BytesIO(json.dumps(bundle).encode())


def test_chunks_store_what_the_whole_bundle_stores():
    bundle = corpus.bundle(claims=95, seed=2)
    whole, expected = imported(lambda: import_bundle(bundle))
    # Chunks of 7 rows: documents, claims, figures and links refer across them.
    streamed, found = imported(lambda: import_bundle_file(as_file(bundle), chunk=7))
    assert found == expected
    assert streamed.created == whole.created
    assert streamed.created["claims"] == 95


def test_the_kinds_may_come_in_any_order(tmp_path):
    bundle = corpus.bundle(claims=40, seed=3)
    reordered = {kind: bundle[kind] for kind in reversed(list(bundle))}
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(reordered))
    result = import_bundle_file(str(path), chunk=9)
    assert result.created["links"] == len(bundle["links"]) == Link.objects.count()


def test_a_written_bundle_file_is_the_bundle(tmp_path):
    path = tmp_path / "bundle.json"
    size = corpus.write_bundle(path, claims=70, seed=4)
    assert size == path.stat().st_size
    assert json.loads(path.read_text()) == corpus.bundle(claims=70, seed=4)


def test_a_bad_row_in_a_late_chunk_leaves_nothing():
    bundle = corpus.bundle(claims=60, seed=5)
    bundle["figures"][-1]["text"] = "lots"
    with pytest.raises(BundleError) as error:
        import_bundle_file(as_file(bundle), chunk=5)
    [row] = error.value.errors
    assert (row.kind, row.key, row.field) == (
        "figures",
        bundle["figures"][-1]["key"],
        "text",
    )
    assert not Claim.objects.exists() and not Document.objects.exists()


def test_a_key_used_in_two_chunks_is_refused():
    bundle = corpus.bundle(claims=30, seed=6)
    bundle["claims"][-1]["key"] = bundle["claims"][0]["key"]
    with pytest.raises(BundleError) as error:
        import_bundle_file(as_file(bundle), chunk=4)
    assert [(e.kind, e.field, e.reason) for e in error.value.errors] == [
        ("claims", "key", "This key is used twice.")
    ]
    assert not Claim.objects.exists()


@pytest.mark.parametrize(
    "text, reason",
    [
        ('{"claims": {"key": "c"}}', "Must be a list of rows."),
        ('{"opinions": []}', "Unknown kind"),
        ("[1, 2]", "A bundle is a JSON object of lists."),
    ],
)
def test_a_bundle_of_the_wrong_shape_is_refused(text, reason):
    with pytest.raises(BundleError) as error:
        import_bundle_file(io.BytesIO(text.encode()))
    assert reason in error.value.errors[0].reason


def test_a_file_that_is_not_json_is_refused():
    with pytest.raises(NotJSON):
        import_bundle_file(io.BytesIO(b'{"claims": [{"key": '))


def test_the_good_bundle_imports_by_stored_ids_too():
    result = import_bundle_file(as_file(good_bundle()), chunk=1)
    assert result.created["claims"] == 2 == Claim.objects.count()


def peak(claims: int, tmp_path) -> int:
    """The most memory Python held while importing a bundle of ``claims`` claims
    from a file, in chunks of 20 rows (a chunk of documents holds 600 claims'
    text)."""
    path = tmp_path / f"bundle-{claims}.json"
    corpus.write_bundle(path, claims=claims, seed=claims)
    tracemalloc.start()
    try:
        with transaction.atomic():
            import_bundle_file(str(path), chunk=20)
            transaction.set_rollback(True)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_file(tmp_path, monkeypatch):
    monkeypatch.setattr(bundle_stream, "COLLECT_EVERY", 40)
    # A first import fills the bounded caches of Django, Python and the database
    # driver (its statement cache holds up to 128 statements of every shape).
    peak(2_400, tmp_path)
    small = peak(600, tmp_path)
    large = peak(2_400, tmp_path)  # four times the rows
    # Held in proportion, four times the rows would take about four times the
    # memory; the peak varies with when the garbage is collected.
    assert large < small * 1.6, (small, large)


# Reading the stored rows a chunk at a time --------------------------------------------


def linked(claims: int, seed: int) -> dict:
    """A generated bundle whose claims also corroborate others (its repeats links
    make chains; corroborates asks for the relations already between two claims)."""
    bundle = corpus.bundle(claims=claims, seed=seed)
    bundle["links"] += [
        {
            "key": f"k{i}",
            "from_claim": f"c{i}",
            "to_claim": f"c{i - 2}",
            "relation": "corroborates",
        }
        for i in range(4, claims, 5)
    ]
    return bundle


def queries(bundle, chunk: int) -> int:
    """The statements the import sends (counted as they run: the import empties
    the connection's log of queries after each chunk)."""
    sent = []

    def count(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        import_bundle_file(as_file(bundle), chunk=chunk)
    return len(sent)


def test_a_chunk_takes_as_many_queries_whatever_its_rows():
    # One chunk a kind, each referring to the rows of earlier chunks by their
    # stored ids: each row is validated against the stored rows (the claims
    # holding its quote, the links between and out of its claims), read for the
    # whole chunk at once rather than a row at a time.
    small = queries(linked(30, seed=7), chunk=1_000)
    large = queries(linked(120, seed=8), chunk=1_000)
    assert small == large


def test_a_chunk_takes_as_many_queries_whatever_is_stored():
    empty = queries(linked(30, seed=9), chunk=10)
    import_bundle_file(as_file(linked(120, seed=10)), chunk=10)
    assert queries(linked(30, seed=11), chunk=10) == empty


@pytest.mark.parametrize("chunk", [1, 1_000])
def test_a_quote_a_claim_of_the_bundle_holds_is_refused(chunk):
    # In chunks of one row the first claim is stored when the third is checked.
    bundle = good_bundle()
    bundle["claims"].append({**bundle["claims"][0], "key": "c3"})
    with pytest.raises(BundleError) as error:
        import_bundle_file(as_file(bundle), chunk=chunk)
    [row] = error.value.errors
    assert (row.kind, row.key, row.field) == ("claims", "c3", "quote")
    assert "already holds this quote" in row.reason
    assert not Claim.objects.exists()


@pytest.mark.parametrize("text", ["", None])
def test_a_quote_a_stored_claim_holds_is_refused(text):
    stored = ClaimFactory()
    if text is not None:  # without text the quote has no span: compared as text
        Document.objects.filter(pk=stored.document_id).update(text=text)
    other = ClaimFactory(document=stored.document)
    row = {
        "source": stored.source_id,
        "document": stored.document_id,
        "quote": stored.quote,
        "statement": "Again.",
        "attribution_kind": "paraphrase",
    }
    bundle = {
        "claims": [
            {**row, "key": "new", "source": other.source_id, "quote": "personnel"},
            {**row, "key": "again"},
        ]
    }
    with pytest.raises(BundleError) as error:
        import_bundle_file(as_file(bundle))
    [found] = error.value.errors
    assert (found.kind, found.key, found.field) == ("claims", "again", "quote")
    assert f"Claim #{stored.pk} already holds" in found.reason


@pytest.mark.parametrize(
    "second, field, reason",
    [
        ("contradicts", "relation", "already linked"),
        ("repeats", "to_claim", "cycle of repeats/based_on links: #"),
    ],
)
def test_links_of_earlier_chunks_are_seen(second, field, reason):
    bundle = good_bundle()
    first = "corroborates" if second == "contradicts" else "based_on"
    bundle["links"] = [
        {"key": "a", "from_claim": "c1", "to_claim": "c2", "relation": first},
        {"key": "b", "from_claim": "c2", "to_claim": "c1", "relation": second},
    ]
    for chunk in (1, 1_000):
        with pytest.raises(BundleError) as error:
            import_bundle_file(as_file(bundle), chunk=chunk)
        [row] = error.value.errors
        assert (row.kind, row.key, row.field) == ("links", "b", field)
        assert reason in row.reason
    assert not Link.objects.exists()


@pytest.mark.parametrize("bad", [False, True])
def test_the_import_leaves_the_garbage_collector_as_it_found_it(bad):
    # The objects alive before the import are frozen during it (its collections
    # read only the objects it made), and thawed after it, refused or not.
    bundle = good_bundle()
    if bad:
        bundle["figures"][-1]["text"] = "lots"
    assert gc.get_freeze_count() == 0
    frozen = []
    try:
        import_bundle_file(
            as_file(bundle),
            chunk=1,
            progress=lambda *a: frozen.append(gc.get_freeze_count()),
        )
    except BundleError:
        assert bad
    assert frozen and min(frozen) > 0
    assert gc.get_freeze_count() == 0
