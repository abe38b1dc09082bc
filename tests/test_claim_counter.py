"""The number of claims the database keeps (migration 0010): after every kind of
write (a save, a delete and its cascade, a refused delete, ``bulk_create``, a
queryset's delete, raw SQL, an import, a restore, a rollback, ``flush``) it equals
``COUNT(*)``, and the unfiltered claim list reads it instead of counting."""

import importlib
import threading

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from claims.exchange.archive import export_archive, import_archive
from claims.exchange.bundle import BundleError, import_bundle
from claims.models import Claim, Figure
from claims.representations import ROW_COUNT_TABLE, ClaimList, kept_claim_count

from .factories import (
    ClaimFactory,
    FigureFactory,
    LinkFactory,
    ReviewFactory,
    SourceFactory,
    TopicFactory,
    claims_beside,
)
from .helpers import count_queries, good_bundle
from .test_archive import wipe

pytestmark = pytest.mark.django_db

_migration = importlib.import_module("claims.migrations.0010_claim_row_count")

#: A claim's columns but its id, copied by the raw inserts (without the quote's
#: span, which a claim may hold once in its source's document).
_COPIED = (
    "source_id, document_id, statement, quote, attribution_kind, stated_on, "
    "stated_on_precision, attribution_status, credibility, version, created_at, "
    "updated_at"
)


def counted() -> int | None:
    """The claims table's count as the list reads it: the stored count, and on
    PostgreSQL what this transaction has added since (stored at commit)."""
    return kept_claim_count()


def stored() -> int:
    """The stored count alone (on PostgreSQL, without what is pending)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT row_count FROM {ROW_COUNT_TABLE} WHERE table_name = %s",
            ["claims_claim"],
        )
        return cursor.fetchone()[0]


def settled() -> int:
    """The stored count, with nothing pending (none added since the last commit,
    or since the deferred triggers last ran)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {_migration.PENDING_TABLE}")
            assert cursor.fetchone() == (0,)
            cursor.execute(
                "SELECT current_setting(%s, true)",
                [_migration.PENDING + "claims_claim"],
            )
            assert cursor.fetchone()[0] in (None, "")
    return stored()


def exact() -> int:
    """The kept count, held equal to ``COUNT(*)`` (the reference); returned."""
    stored = Claim.objects.count()
    assert counted() == stored
    return stored


def raw_copies(claim_ids) -> None:
    """Insert a copy of each of these claims in one raw statement."""
    ids = list(claim_ids)
    among = f"id IN ({', '.join(['%s'] * len(ids))})" if ids else "1 = 0"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO claims_claim ({_COPIED}) SELECT {_COPIED} FROM claims_claim "
            f"WHERE {among}",
            ids,
        )


def raw_delete(claim_ids) -> int:
    """Delete these claims (without topics or dependants) in one raw statement."""
    ids = list(claim_ids)
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM claims_claim WHERE id IN ({marks})", ids)
        return cursor.rowcount


def plain_claims(count: int) -> list[Claim]:
    """``count`` claims of one source in one document, in one ``bulk_create``."""
    if not count:
        return []
    first = ClaimFactory()
    return [first, *claims_beside(first, count - 1)]


def test_the_database_keeps_one_count_for_the_claims_table():
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT table_name FROM {ROW_COUNT_TABLE}")
        assert [row[0] for row in cursor.fetchall()] == ["claims_claim"]
    assert exact() == 0


def test_the_triggers_that_keep_it_are_in_place():
    """A migration that rebuilds the claims table on SQLite drops its triggers:
    it has to put these back (and recount), or this fails."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger "
                "WHERE tgrelid = 'claims_claim'::regclass AND NOT tgisinternal"
            )
            expected = {"insert", "delete", "truncate"}
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master "
                "WHERE type = 'trigger' AND tbl_name = 'claims_claim'"
            )
            expected = {"insert", "delete"}
        names = {row[0] for row in cursor.fetchall()}
    assert {f"claims_claim_count_{event}" for event in expected} <= names


def test_the_migration_counts_the_claims_already_there():
    plain_claims(4)
    connection.check_constraints()  # PostgreSQL: nothing left pending
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {ROW_COUNT_TABLE} SET row_count = 99")
        cursor.execute(_migration.RECOUNT)
    assert exact() == 4


def test_saves_and_deletes_of_one_claim():
    first = ClaimFactory()
    second = ClaimFactory()
    assert exact() == 2
    second.statement = "Edited."
    second.save()
    assert exact() == 2
    first.delete()
    assert exact() == 1


def test_a_delete_that_cascades_to_figures_and_topics_counts_the_claim_once():
    figure = FigureFactory()
    figure.claim.topics.add(TopicFactory(), TopicFactory())
    assert exact() == 1
    figure.claim.delete()
    assert not Figure.objects.exists()
    assert exact() == 0


def test_refused_deletes_leave_the_count_alone():
    link = LinkFactory()
    review = ReviewFactory()
    assert exact() == 3
    with pytest.raises(ProtectedError):
        link.to_claim.delete()
    with pytest.raises(ProtectedError):
        Claim.objects.filter(pk=review.claim_id).delete()
    with pytest.raises(ProtectedError):
        link.from_claim.source.delete()  # the source's claims are protected too
    assert exact() == 3


def test_bulk_create_and_queryset_deletes():
    claims = plain_claims(50)
    assert exact() == 50
    Claim.objects.filter(pk__in=[c.pk for c in claims[:20]]).delete()
    assert exact() == 30
    Claim.objects.all().delete()
    assert exact() == 0


def test_a_bulk_create_that_skips_conflicts_counts_only_what_it_inserted():
    kept = plain_claims(3)
    copies = [
        Claim(
            pk=claim.pk,
            source_id=claim.source_id,
            document_id=claim.document_id,
            statement="Another.",
            quote="q",
            attribution_kind="paraphrase",
        )
        for claim in kept
    ]
    fresh = Claim(
        source_id=kept[0].source_id,
        document_id=kept[0].document_id,
        statement="New.",
        quote="q",
        attribution_kind="paraphrase",
    )
    Claim.objects.bulk_create([*copies, fresh], ignore_conflicts=True)
    assert exact() == 4


def test_raw_sql_inserts_and_deletes():
    claims = plain_claims(5)
    raw_copies(c.pk for c in claims)  # five rows in one statement
    assert exact() == 10
    raw_copies([])  # a statement inserting nothing
    assert exact() == 10
    assert raw_delete(c.pk for c in claims[:3]) == 3
    assert exact() == 7
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM claims_claim")  # no WHERE: not a truncation
    assert exact() == 0


def test_writes_rolled_back_to_a_savepoint_are_not_counted():
    plain_claims(2)
    with pytest.raises(RuntimeError), transaction.atomic():
        plain_claims(10)
        Claim.objects.order_by("pk")[:1].get().delete()
        raise RuntimeError
    assert exact() == 2


def test_an_import_counts_its_claims_and_a_refused_one_nothing():
    import_bundle(good_bundle())
    assert exact() == 2
    refused = good_bundle()
    refused["claims"][1]["source"] = "no-such-key"
    with pytest.raises(BundleError):
        import_bundle(refused)
    assert exact() == 2


def test_a_restore_counts_the_claims_it_puts_back(tmp_path):
    ClaimFactory.create_batch(3)
    LinkFactory()
    assert exact() == 5
    path = tmp_path / "tracker.jsonl"
    export_archive(path)
    wipe()  # raw deletes of every table
    assert exact() == 0
    import_archive(path)
    assert exact() == 5


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL only"
)


@postgresql_only
def test_a_transaction_stores_what_it_added_once_at_commit():
    before = stored()
    plain_claims(3)
    raw_copies(Claim.objects.values_list("pk", flat=True))
    Claim.objects.order_by("pk")[:1].get().delete()
    assert exact() == 5
    assert stored() == before  # not written yet: not locked by this transaction
    connection.check_constraints()  # what a commit runs: the deferred triggers
    assert settled() == exact() == 5
    plain_claims(2)  # after that, a new sum, stored the same way
    assert exact() == 7
    connection.check_constraints()
    assert settled() == 7


@postgresql_only
def test_a_truncation_resets_it():
    plain_claims(4)
    with connection.cursor() as cursor:
        # The foreign keys' checks of the inserts are due now, not at commit: a
        # table with checks pending cannot be truncated.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        plain_claims(3)  # added while the constraints are checked at once
        cursor.execute("TRUNCATE claims_claim CASCADE")
        assert exact() == 0
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    plain_claims(2)
    assert exact() == 2
    connection.check_constraints()
    assert settled() == 2


_writes = st.lists(
    st.tuples(
        st.sampled_from(
            ["save", "bulk", "raw insert", "delete", "raw delete", "undo", "apply"]
        ),
        st.integers(min_value=0, max_value=6),
    ),
    max_size=8,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(writes=_writes)
def test_any_sequence_of_writes_keeps_it_exact(writes):
    with transaction.atomic():
        claim = ClaimFactory()
        for kind, n in writes:
            ids = list(Claim.objects.order_by("-pk").values_list("pk", flat=True)[:n])
            if kind == "save":
                ClaimFactory.create_batch(n)
            elif kind == "bulk":
                claims_beside(claim, n)
            elif kind == "raw insert" and ids:
                raw_copies(ids)
            elif kind == "delete":
                Claim.objects.filter(pk__in=ids).delete()
            elif kind == "raw delete" and ids:
                raw_delete(ids)
            elif kind == "apply":
                connection.check_constraints()  # PostgreSQL: stores the sum
                assert settled() == Claim.objects.count()
            elif kind == "undo":
                with pytest.raises(RuntimeError), transaction.atomic():
                    claims_beside(claim, n)
                    Claim.objects.filter(pk__in=ids).delete()
                    raise RuntimeError
            exact()
        transaction.set_rollback(True)
    assert exact() == 0


# Whole transactions: committed, rolled back, refused at commit, flushed. -----------


@pytest.mark.django_db(transaction=True)
def test_committed_and_rolled_back_transactions():
    with transaction.atomic():
        plain_claims(3)
    assert settled() == exact() == 3
    with pytest.raises(RuntimeError), transaction.atomic():
        plain_claims(7)
        raise RuntimeError
    assert settled() == exact() == 3
    ClaimFactory()  # a statement of its own (autocommit)
    assert settled() == exact() == 4


@pytest.mark.django_db(transaction=True)
def test_a_delete_refused_at_commit_by_a_reference_is_not_counted():
    link = LinkFactory()
    assert exact() == 2
    # The foreign keys are checked at commit: the raw delete goes through, and
    # the whole transaction is then refused.
    with pytest.raises(IntegrityError), transaction.atomic():
        assert raw_delete([link.to_claim_id]) == 1
    assert settled() == exact() == 2


@pytest.mark.django_db(transaction=True)
def test_flush_leaves_it_at_zero():
    """``flush`` (and the test database's cleaning after a transactional test)
    truncates the claims table on PostgreSQL and deletes its rows on SQLite."""
    plain_claims(5)
    call_command("flush", interactive=False, verbosity=0)
    assert settled() == exact() == 0
    plain_claims(2)
    assert settled() == exact() == 2


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_writer_does_not_wait_for_another_writer_s_transaction():
    """The count's row is written at commit only: a transaction that has added
    claims and is still open holds no lock another writer of claims waits for."""
    claim = ClaimFactory()
    added = threading.Event()
    done = threading.Event()

    def open_transaction():
        try:
            with transaction.atomic():
                claims_beside(claim, 3)
                added.set()
                assert done.wait(10)
        finally:
            connection.close()

    other = threading.Thread(target=open_transaction)
    other.start()
    try:
        assert added.wait(10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        try:
            claims_beside(claim, 2)  # would time out waiting for the open one
            assert settled() == exact() == 3
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")
    finally:
        done.set()
        other.join(10)
    assert settled() == exact() == 6


# The unfiltered list reads it. -------------------------------------------------------


def listed(*, clear=True, **params):
    if clear:
        cache.clear()
    queries, answer = count_queries(APIClient(), "/api/claims/", params)
    return answer.json()["count"], queries


def test_the_list_counts_every_write_at_once_even_one_no_signal_reports():
    claims = plain_claims(3)  # bulk_create: no signal
    assert listed()[0] == 3
    raw_copies(c.pk for c in claims)  # no signal, no cache bumped
    # A page not asked before (a page asked before is kept whole until a write
    # that bumps the cache: claims.api.answers), its count not cached.
    assert listed(clear=False, page_size=10)[0] == 6
    raw_delete([claims[1].pk, claims[2].pk])
    assert listed(clear=False, page_size=11)[0] == 4
    Claim.objects.filter(pk=claims[0].pk).delete()
    assert listed()[0] == 3
    assert len(ClaimList()) == ClaimList().count() == 3


def test_the_uncached_list_reads_the_count_in_one_query_whatever_the_size():
    claim = ClaimFactory()
    claims_beside(claim, 9)
    count, few = listed()
    assert count == 10
    claims_beside(claim, 990)
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        answer = APIClient().get("/api/claims/")
    assert answer.json()["count"] == 1000
    assert len(queries) == few
    # No query counts the claims' rows: the count is one row read by its key.
    assert not [q for q in queries if "COUNT(" in q["sql"].upper()]
    assert [q for q in queries if ROW_COUNT_TABLE in q["sql"]]


def test_a_missing_count_falls_back_to_counting():
    plain_claims(2)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {ROW_COUNT_TABLE}")
    assert ClaimList().count() == 2
    assert listed()[0] == 2


def test_a_source_s_claims_in_another_list_are_still_counted_there():
    """The filtered lists keep their own count (``COUNT(*)`` of the filter)."""
    source = SourceFactory()
    ClaimFactory(source=source)
    ClaimFactory()
    cache.clear()
    _, answer = count_queries(APIClient(), "/api/claims/", {"source": source.pk})
    assert answer.json()["count"] == 1
