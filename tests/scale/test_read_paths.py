"""What the busiest reads ask of the database: the list's order is read off an
index (not sorted), and a claim's corroboration reads only what it is made of."""

import contextlib
import json
import random
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims import representations, selectors
from claims.models import Document, Figure, Link

from ..factories import (
    ClaimFactory,
    DamStory,
    FigureFactory,
    LinkFactory,
    MeasureFactory,
    SourceFactory,
    TopicFactory,
    claims_beside,
    grow_figures,
)


def _plan(sql: str, params) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            return "\n".join(str(row[-1]) for row in cursor.fetchall())
        # A test database is small enough that a sequential scan and a sort would
        # win; forbid both to see whether the index can give the order at all.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.django_db
@pytest.mark.parametrize(
    "where, params",
    [
        ("", []),
        ("WHERE attribution_kind = %s AND stated_on >= %s", ["x", "2023-01-01"]),
    ],
)
def test_a_page_of_the_list_is_read_in_index_order_without_a_sort(where, params):
    sql = representations._list_sql(connection.vendor)
    head, _, order = sql.partition(" ORDER BY ")
    plan = _plan(f"{head} {where} ORDER BY {order} LIMIT 50", params)
    # One kind of attribution has an index of its own in the same order.
    assert "claim_list_order" in plan or "claim_kind_order" in plan, plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan


@pytest.mark.django_db
@pytest.mark.parametrize(
    "where, params",
    [
        ("attribution_kind = %s", ["paraphrase"]),
        ("attribution_kind = %s AND stated_on >= %s", ["paraphrase", "2023-01-01"]),
    ],
)
def test_a_kind_s_count_is_read_from_its_index_alone(where, params):
    """A list of one kind of attribution counts its rows off ``claim_kind_order``
    (with a date range too), not by reading every claim of the range."""
    plan = _plan(f"SELECT COUNT(*) FROM claims_claim WHERE {where}", params)
    assert "claim_kind_order" in plan, plan
    if connection.vendor == "sqlite":
        assert "COVERING INDEX" in plan, plan


@pytest.mark.django_db
def test_a_corroboration_reads_its_claim_links_origins_sources_and_figures_only(
    client,
):
    claim = ClaimFactory()
    claim.topics.add(TopicFactory())
    LinkFactory(from_claim=ClaimFactory(), to_claim=claim, relation="corroborates")
    with CaptureQueriesContext(connection) as queries:
        answer = client.get(f"/api/claims/{claim.pk}/corroboration/")
    assert answer.status_code == 200
    assert len(answer.json()["corroborating_groups"]) == 1
    statements = [q["sql"] for q in queries.captured_queries]
    # The claim's own row (its columns the answer reads, no topics), its links,
    # the ends of its chains, the source tree and the claim's figures: no more.
    assert len(statements) == 5, statements
    assert not any("claims_claim_topics" in sql for sql in statements)
    assert '"statement"' not in statements[0] and '"quote"' not in statements[0]


@pytest.mark.django_db
def test_a_comparison_walks_chains_only_from_the_claims_that_derive():
    measure = MeasureFactory()
    grow_figures(measure, 30)  # every third claim repeats the one before it
    deriving = set(
        Link.objects.filter(relation="repeats").values_list("from_claim_id", flat=True)
    )
    found = selectors.origins_of_measures([measure.pk])
    assert set(found) == deriving and len(deriving) == 10
    for claim_id, origins in found.items():
        repeated = Link.objects.get(from_claim_id=claim_id).to_claim
        assert origins == [selectors.Origin(repeated.pk, repeated.source_id)]
    # The others are their own origins, as every comparison takes them.
    tree = selectors.SourceTree.load()
    for figure in Figure.objects.filter(measure=measure).select_related("claim"):
        voices = selectors.Voices.of(
            figure.claim_id, figure.claim.source_id, found, tree
        )
        if figure.claim_id not in deriving:
            assert voices.origins == (figure.claim_id,)
            assert voices.groups == {tree.group_of(figure.claim.source_id)}


@pytest.mark.django_db
def test_the_chain_walk_looks_links_up_by_index_without_scanning_them_all():
    """Once the planner has statistics, a condition on the link alone made SQLite
    build a Bloom filter of the whole link table on every walk (22 ms for four
    claims among 300,000 links); PostgreSQL must look them up by index too."""
    claims = [ClaimFactory() for _ in range(6)]
    Link.objects.bulk_create(
        [
            Link(from_claim=a, to_claim=b, relation=relation)
            for a, b, relation in [
                (claims[0], claims[1], "repeats"),
                (claims[1], claims[2], "based_on"),
                (claims[3], claims[4], "corroborates"),
                (claims[5], claims[0], "contradicts"),
            ]
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    with CaptureQueriesContext(connection) as queries:
        found = selectors.origins_of_claims([c.pk for c in claims])
    assert [o.claim_id for o in found[claims[0].pk]] == [claims[2].pk]
    assert [o.claim_id for o in found[claims[3].pk]] == [claims[3].pk]
    (walk,) = queries.captured_queries
    plan = _plan(walk["sql"], None)
    assert "BLOOM" not in plan, plan
    if connection.vendor == "postgresql":
        assert "claims_link" in plan and "Seq Scan on claims_link" not in plan, plan


@pytest.mark.django_db
def test_a_comparison_s_figures_read_by_compiled_sql_equal_the_orm_s_rows():
    story = DamStory()
    measure = MeasureFactory()
    grow_figures(measure, 12)
    figure = Figure.objects.filter(measure=measure).order_by("id").first()
    Figure.objects.filter(pk=figure.pk).update(
        bounds_overridden=True, note="Set by hand.", value=None, as_of=None
    )
    Document.objects.filter(claims__figures__measure=measure).update(published_at=None)
    for measures in (
        [measure],
        [story.measure],
        [measure, story.measure],
        [story.measure, measure, story.measure],
    ):
        expected = list(
            map(selectors.FigureRow._make, selectors._figure_values(measures))
        )
        found = selectors._figure_rows(measures)
        # As the database gives them: a naive time and 0 or 1 on SQLite, made
        # aware and a bool when each becomes a figure to compare, as the ORM does.
        aware = selectors._aware_moments()
        found = [
            row._replace(
                claim__document__published_at=aware(row.claim__document__published_at),
                bounds_overridden=bool(row.bounds_overridden),
            )
            for row in found
        ]
        assert found == expected and len(found) > 0
        for row, orm in zip(found, expected, strict=True):
            assert [type(v) for v in row] == [type(v) for v in orm]
    assert selectors._figure_rows([]) == []


@pytest.mark.django_db
def test_the_chain_walk_reads_only_the_links_of_the_claims_it_walks_on_postgresql():
    """A recursive query's size is unknown to PostgreSQL's planner, which planned
    the walk's joins for thousands of claims: it merged or hashed every link (170
    ms for 162 claims among 300,000 links). Each claim's links are looked up."""
    if connection.vendor != "postgresql":
        pytest.skip("the plan's rows are read from PostgreSQL's EXPLAIN ANALYZE")
    claim = ClaimFactory()
    others = claims_beside(claim, 3000)
    Link.objects.bulk_create(
        [
            Link(from_claim=a, to_claim=b, relation="repeats")
            for a, b in zip(others[::2], others[1::2], strict=True)
        ]
        + [Link(from_claim=claim, to_claim=others[0], relation="based_on")]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    with CaptureQueriesContext(connection) as queries:
        found = selectors.origins_of_claims([claim.pk])
    assert [o.claim_id for o in found[claim.pk]] == [others[1].pk]
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN (ANALYZE, FORMAT JSON) " + queries.captured_queries[0]["sql"]
        )
        plan = cursor.fetchone()[0]
    plan = plan if isinstance(plan, list) else json.loads(plan)

    def link_rows(node) -> int:
        own = (
            node.get("Actual Rows", 0) * node.get("Actual Loops", 1)
            if node.get("Relation Name") == "claims_link"
            else 0
        )
        return own + sum(link_rows(child) for child in node.get("Plans", []))

    assert link_rows(plan[0]["Plan"]) < 20, plan


@pytest.mark.django_db
def test_every_page_of_the_list_is_the_orm_s_page_in_its_order():
    """A page past the first steps over the claims before it by their ids alone
    (``representations._deep_page_sql``): the same rows, in the same order."""
    import datetime
    import random

    from claims.models import Claim

    claim = ClaimFactory()
    claims_beside(claim, 36)
    rng = random.Random(3)
    for made in Claim.objects.exclude(pk=claim.pk):
        made.stated_on = rng.choice(
            [None, datetime.date(2024, 1, rng.randint(1, 5)), datetime.date(2023, 5, 1)]
        )
        made.save(update_fields=["stated_on"])
    expected = list(Claim.objects.values_list("id", flat=True))
    listed = representations.ClaimList()
    for size in (1, 5, 8):
        pages = [
            [row["id"] for row in listed[start : start + size]]
            for start in range(0, len(expected), size)
        ]
        assert [pk for page in pages for pk in page] == expected
    assert listed[40:50] == []


@pytest.mark.django_db
def test_a_deep_page_steps_over_the_claims_before_it_in_the_index_alone():
    plan = _plan(representations._deep_page_sql(connection.vendor), [50, 5000])
    if connection.vendor == "sqlite":
        assert "COVERING INDEX claim_list_order" in plan, plan
    else:
        assert "Index Only Scan using claim_list_order" in plan, plan


@pytest.mark.django_db
@pytest.mark.parametrize("seed", range(5))
def test_a_lineage_of_sources_is_every_ancestor_and_nothing_else(seed):
    """``SourceTree.load(among)`` against the whole tree walked by hand: the
    sources asked for and every ancestor, with their parents and names; none
    other, so a comparison reads what speaks in it, not every source."""
    rng = random.Random(seed)
    sources = []
    for _ in range(40):
        parent = rng.choice([None, None, *sources]) if sources else None
        sources.append(SourceFactory(parent=parent))
    whole = selectors.SourceTree.load()
    among = rng.sample([s.pk for s in sources], rng.randint(0, 8))
    expected = set()
    for pk in among:
        while pk is not None and pk not in expected:
            expected.add(pk)
            pk = whole.parents[pk]
    lineage = selectors.SourceTree.load(among)
    assert set(lineage.parents) == set(lineage.names) == expected
    for pk in expected:
        assert lineage.parents[pk] == whole.parents[pk]
        assert lineage.names[pk] == whole.names[pk]
        assert lineage.group_of(pk) == whole.group_of(pk)


@contextlib.contextmanager
def trees_asked():
    """What each ``SourceTree.load`` is asked for (None: every source)."""
    asked = []
    load = selectors.SourceTree.load.__func__

    def recorded(cls, among=None):
        asked.append(among)
        return load(cls, among)

    with mock.patch.object(selectors.SourceTree, "load", classmethod(recorded)):
        yield asked


@pytest.mark.django_db
def test_a_comparison_reads_the_sources_that_speak_in_it_not_all_of_them():
    measure = MeasureFactory()
    grow_figures(measure, 12)  # every third claim repeats the one before it
    elsewhere = SourceFactory(parent=SourceFactory())
    with trees_asked() as asked:
        found = selectors.compare_measure(measure)
    speaking = {
        f.claim.source_id
        for f in Figure.objects.filter(measure=measure).select_related("claim")
    }
    origins = selectors.origins_of_measures([measure.pk])
    assert origins  # the repeated claims' sources are among those that speak
    speaking |= {o.source_id for found in origins.values() for o in found}
    assert asked == [speaking] and elsewhere.pk not in speaking
    # Many sources speak: every source is read (one scan, cheaper than the walk).
    with mock.patch.object(selectors, "LINEAGE_UP_TO", len(speaking) - 1):
        with trees_asked() as asked:
            assert selectors.compare_measure(measure) == found
        assert asked == [None]
    # The same comparison as with every source at hand.
    results, tree, voices = selectors._situations(
        [measure], tree=selectors.SourceTree.load()
    )
    assert found == selectors._comparison_of(
        measure, *results[measure.pk], tree, voices
    )


@pytest.mark.django_db
def test_a_comparison_reads_the_lineage_of_an_origin_that_has_no_figure():
    """A figure whose claim repeats a claim of another source speaks for that
    source's group: the origin's source and its ancestors are read with the
    rest, though no figure on the measure is theirs."""
    measure = MeasureFactory()
    grow_figures(measure, 6)
    top = SourceFactory(name="Top of the origin's tree")
    origin = ClaimFactory(source=SourceFactory(parent=SourceFactory(parent=top)))
    relay = FigureFactory(measure=measure, text="about 9,000")
    LinkFactory(from_claim=relay.claim, to_claim=origin, relation="repeats")
    with trees_asked() as asked:
        found = selectors.compare_measure(measure)
    ((among,),) = [asked]
    assert {origin.source_id, relay.claim.source_id} <= among
    (figure,) = [f for f in found["figures"] if f["id"] == relay.pk]
    assert figure["group"] == {"id": top.pk, "name": top.name}
    assert figure["origin_claim_id"] == origin.pk
