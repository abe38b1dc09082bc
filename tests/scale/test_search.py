"""Full-text search: one selector over PostgreSQL's GIN-indexed tsvector or SQLite's
FTS5 table, kept in step by triggers, ranked."""

import pytest
from django.db import connection

from claims import search
from claims.models import Claim, Document, Source

from ..factories import ClaimFactory, DocumentFactory, SourceFactory

pytestmark = pytest.mark.django_db

TEXT = (
    "Officials said artillery shells arrived. Shells and artillery were counted. "
    "The minister spoke about drones. A rumour spread."
)


@pytest.fixture
def claims():
    document = DocumentFactory(text=TEXT)
    nis = SourceFactory(name="National Intelligence Service", aliases=["NIS"])
    return {
        "both": ClaimFactory(
            document=document,
            quote="Shells and artillery were counted",
            statement="Artillery shells were counted.",
        ),
        "quote": ClaimFactory(
            document=document,
            quote="Officials said artillery shells arrived",
            statement="Deliveries arrived.",
        ),
        "source": ClaimFactory(
            document=document,
            source=nis,
            quote="A rumour spread",
            statement="A rumour spread.",
        ),
        "other": ClaimFactory(
            document=document,
            quote="The minister spoke about drones",
            statement="Drones were discussed.",
        ),
    }


def test_statements_and_quotes_match_and_rank(claims):
    ids = search.matching_ids("artillery shells")
    assert ids[:2] == [claims["both"].pk, claims["quote"].pk]
    assert claims["other"].pk not in ids


def test_source_names_and_aliases_match(claims):
    assert search.matching_ids("NIS") == [claims["source"].pk]
    assert search.matching_ids("intelligence service") == [claims["source"].pk]


def test_the_last_word_matches_as_a_prefix(claims):
    assert search.matching_ids("dro") == [claims["other"].pk]


def test_words_are_stemmed(claims):
    assert claims["other"].pk in search.matching_ids("drone")


@pytest.mark.parametrize(
    "query", ['"', "NOT", "a AND (", "*", "'; DROP TABLE x; --", "NEAR(", "col:umn", ""]
)
def test_operators_and_quotes_in_a_query_are_harmless(claims, query):
    assert isinstance(search.matching_ids(query), list)
    assert Claim.objects.count() == 4


def test_renaming_a_source_reindexes_its_claims(claims):
    source = claims["source"].source
    source.name = "Seoul spy agency"
    source.aliases = []
    source.save()
    assert search.matching_ids("spy") == [claims["source"].pk]
    assert search.matching_ids("NIS") == []


def test_editing_and_deleting_claims_keep_the_index_in_step(claims):
    claim = claims["other"]
    Claim.objects.filter(pk=claim.pk).update(statement="Balloons were discussed.")
    assert search.matching_ids("balloons") == [claim.pk]
    claim.delete()
    assert search.matching_ids("balloons") == []


def test_bulk_created_claims_are_indexed():
    document = Document.objects.create(title="Bulk", text="zeppelins over Kursk")
    source = Source.objects.create(name="Bulk source", kind="group")
    Claim.objects.bulk_create(
        [
            Claim(
                source=source,
                document=document,
                statement=f"Zeppelins {i}.",
                quote="zeppelins over Kursk",
                attribution_kind="paraphrase",
            )
            for i in range(3)
        ]
    )
    assert len(search.matching_ids("zeppelins")) == 3


def test_the_search_is_served_by_an_index(claims):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET enable_seqscan = off")
            cursor.execute(
                "EXPLAIN SELECT claim_id FROM claims_claim_search "
                "WHERE document @@ to_tsquery('english', 'artillery')"
            )
            plan = " ".join(row[0] for row in cursor.fetchall())
            assert "claims_claim_search_document" in plan
        else:
            cursor.execute(
                "EXPLAIN QUERY PLAN SELECT rowid FROM claims_claim_fts "
                "WHERE claims_claim_fts MATCH 'artillery'"
            )
            plan = " ".join(str(row) for row in cursor.fetchall())
            assert "VIRTUAL TABLE INDEX" in plan


def test_the_api_search_is_ranked(client, claims):
    rows = client.get("/api/claims/", {"search": "artillery shells"}).json()["results"]
    assert [r["id"] for r in rows] == [claims["both"].pk, claims["quote"].pk]


def test_the_search_page_uses_it(client, claims):
    response = client.get("/search/", {"q": "NIS"})
    assert [c.pk for c in response.context["claims"]] == [claims["source"].pk]


def rows_written(action) -> int:
    """Rows written by ``action``, triggers' writes included."""
    if connection.vendor == "sqlite":
        raw = connection.connection
        before = raw.total_changes
        action()
        return raw.total_changes - before
    counted = (
        "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) "
        "FROM pg_stat_xact_user_tables"
    )
    with connection.cursor() as cursor:
        cursor.execute(counted)
        before = cursor.fetchone()[0]
        action()
        cursor.execute(counted)
        return cursor.fetchone()[0] - before


def test_a_source_s_edit_rewrites_its_claims_entries_only_when_its_names_change():
    """A save names every column; the index is rewritten only when a name or an
    alias differs, so an edit of a description costs the same whatever the number
    of the source's claims (migration 0012)."""
    from claims import services

    busy, idle = SourceFactory(name="Busy agency"), SourceFactory(name="Idle agency")
    for _ in range(5):
        ClaimFactory(source=busy)

    def edit(source, **changes):
        fresh = Source.objects.get(pk=source.pk)
        return lambda: services.source_update(source=fresh, user=None, changes=changes)

    described = rows_written(edit(busy, description="A busy agency."))
    assert described == rows_written(edit(idle, description="An idle agency."))
    renamed = rows_written(edit(busy, name="Bustling agency"))
    assert renamed >= rows_written(edit(idle, name="Sleepy agency")) + 5
    assert len(search.matching_ids("bustling")) == 5
    rows_written(edit(busy, aliases=["The hive"]))
    assert len(search.matching_ids("hive")) == 5


def test_a_claim_s_save_rewrites_its_entry_only_when_its_text_or_source_change():
    claim = ClaimFactory(statement="Drones were counted.")
    unchanged = rows_written(lambda: Claim.objects.get(pk=claim.pk).save())
    saved = Claim.objects.get(pk=claim.pk)
    saved.statement = "Gliders were counted."
    changed = rows_written(saved.save)
    assert changed > unchanged
    assert search.matching_ids("gliders") == [claim.pk]
    assert search.matching_ids("drones") == []
