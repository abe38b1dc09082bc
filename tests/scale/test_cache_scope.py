"""Each kind of write drops the cached comparisons it can change and keeps the
others: two stories, each with its measure; after every write the unrelated
measure's comparison still comes from the cache, and every cached answer equals
one computed afresh."""

import datetime
import random

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims import caching, services
from claims.dependencies import (
    ClaimRow,
    DocumentRow,
    Graph,
    LinkRow,
    Plan,
    SourceRow,
)
from claims.models import Claim, Document, Figure, Link, Source

from ..factories import (
    ClaimFactory,
    DocumentFactory,
    FigureFactory,
    LinkFactory,
    MeasureFactory,
    ReviewFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def story():
    r1 = SourceFactory(name="Government A")
    s1 = SourceFactory(name="Ministry A", parent=r1)
    r3 = SourceFactory(name="Government B")
    s3 = SourceFactory(name="Ministry B", parent=r3)
    d1, d2 = DocumentFactory(), DocumentFactory()
    c1 = ClaimFactory(source=s1, document=d1)
    c2 = ClaimFactory(source=r1, document=d1)
    c3 = ClaimFactory(source=s3, document=d2)
    c4 = ClaimFactory(source=r3, document=d2)
    c5 = ClaimFactory(source=SourceFactory(parent=r3), document=d2)
    repeats = LinkFactory(from_claim=c2, to_claim=c1, relation="repeats")
    m1, m2 = MeasureFactory(), MeasureFactory()
    FigureFactory(claim=c1, measure=m1, text="about 3,000")
    FigureFactory(claim=c2, measure=m1, text="about 3,500")
    FigureFactory(claim=c3, measure=m2, text="at least 100")
    FigureFactory(claim=c4, measure=m2, text="200")
    return locals()


def get(client, measure):
    with CaptureQueriesContext(connection) as queries:
        data = client.get(f"/api/measures/{measure.pk}/comparison/").json()
    return data, len(queries)


def update(kind, row, **changes):
    getattr(services, f"{kind}_update")(**{kind: row}, user=None, changes=changes)


EARLIER = datetime.datetime(2024, 10, 25, 12, tzinfo=datetime.UTC)
WRITES = {
    # name: (write, measures it drops)
    "figure text": (
        lambda s: update("figure", Figure.objects.get(claim=s["c1"]), text="4,000"),
        {"m1"},
    ),
    "new figure": (lambda s: FigureFactory(claim=s["c5"], measure=s["m2"]), {"m2"}),
    "figure deleted": (
        lambda s: services.figure_delete(
            figure=Figure.objects.get(claim=s["c4"]), user=None
        ),
        {"m2"},
    ),
    "claim's source (relayed)": (
        lambda s: update("claim", s["c1"], source=s["s3"]),
        {"m1"},
    ),
    "claim's statement": (
        lambda s: update("claim", s["c4"], statement="Some 200 were seen."),
        set(),
    ),
    "source of a claim without figures": (
        lambda s: update("claim", s["c5"], source=s["s1"]),
        set(),
    ),
    "new claim": (
        lambda s: ClaimFactory(source=s["s1"], document=s["d2"]),
        set(),
    ),
    "new repeats link": (
        lambda s: LinkFactory(from_claim=s["c4"], to_claim=s["c5"], relation="repeats"),
        {"m2"},
    ),
    "new corroboration": (
        lambda s: LinkFactory(from_claim=s["c3"], to_claim=s["c1"]),
        set(),
    ),
    "repeats link deleted": (
        lambda s: services.link_delete(link=s["repeats"], user=None),
        {"m1"},
    ),
    "repeats becomes corroborates": (
        lambda s: update("link", s["repeats"], relation="corroborates"),
        {"m1"},
    ),
    "group renamed": (
        lambda s: update("source", s["r1"], name="Government A (renamed)"),
        {"m1"},
    ),
    "source moved": (lambda s: update("source", s["s3"], parent=s["r1"]), {"m2"}),
    "source's description": (
        lambda s: update("source", s["r3"], description="A government."),
        set(),
    ),
    "new source": (lambda s: SourceFactory(parent=s["r1"]), set()),
    "publication moved": (
        lambda s: update("document", s["d1"], published_at=EARLIER),
        {"m1"},
    ),
    "document's title": (
        lambda s: update("document", s["d2"], title="Another title"),
        set(),
    ),
    "measure renamed": (
        lambda s: update("measure", s["m2"], name="Troops seen"),
        {"m2"},
    ),
    "review": (lambda s: ReviewFactory(claim=s["c1"]), set()),
}


@pytest.mark.parametrize("name", WRITES)
def test_a_write_drops_only_what_it_changes(client, story, name):
    write, dropped = WRITES[name]
    measures = {"m1": story["m1"], "m2": story["m2"]}
    for measure in measures.values():
        get(client, measure)
    write(story)
    after = {}
    for label, measure in measures.items():
        after[label], queries = get(client, measure)
        if label in dropped:
            assert queries > 1, f"{label} was not dropped"
        else:
            # Kept whole, as sent (claims.api.answers): not a query.
            assert queries == 0, f"{label} was dropped"
    cache.clear()
    for label, measure in measures.items():
        fresh, queries = get(client, measure)
        assert queries > 1
        assert after[label] == fresh, f"{label} was stale"


def test_the_query_finds_what_the_rules_find():
    """``caching.measures_of`` (SQL) against ``Graph.resolve`` on random rows."""
    rng = random.Random(7)
    roots = [SourceFactory() for _ in range(3)]
    sources = roots + [SourceFactory(parent=rng.choice(roots)) for _ in range(4)]
    sources.append(SourceFactory(parent=sources[-1]))
    documents = [DocumentFactory() for _ in range(3)]
    claims = []
    for source in sources:
        for document in rng.sample(documents, 2):
            claims.append(ClaimFactory(source=source, document=document))
    measures = [MeasureFactory() for _ in range(6)]
    for claim in rng.sample(claims, 10):
        FigureFactory(claim=claim, measure=rng.choice(measures))
    for _ in range(12):
        a, b = rng.sample(claims, 2)
        if a.pk < b.pk:
            a, b = b, a
        if not Link.objects.filter(from_claim__in=[a, b], to_claim__in=[a, b]):
            LinkFactory(
                from_claim=a, to_claim=b, relation=rng.choice(["repeats", "based_on"])
            )
    graph = Graph(
        measures={m.pk: None for m in measures},
        figures={f.pk: (f.claim_id, f.measure_id, None) for f in Figure.objects.all()},
        claims={
            c.pk: ClaimRow(c.source_id, c.document_id) for c in Claim.objects.all()
        },
        links={
            link.pk: LinkRow(link.from_claim_id, link.to_claim_id, link.relation)
            for link in Link.objects.all()
        },
        sources={s.pk: SourceRow(s.name, s.parent_id) for s in Source.objects.all()},
        documents={d.pk: DocumentRow(d.published_at) for d in Document.objects.all()},
    )
    for _ in range(40):
        plan = Plan(
            claims=frozenset(c.pk for c in rng.sample(claims, rng.randint(0, 2))),
            sources=frozenset(s.pk for s in rng.sample(sources, rng.randint(0, 1))),
            documents=frozenset(d.pk for d in rng.sample(documents, rng.randint(0, 1))),
        )
        assert caching.measures_of(plan) == graph.resolve(plan), plan


def claims_listed(page_size: int):
    """The list's count and queries, for a page size not asked before: its answer
    is not yet kept whole (claims.api.answers), so only the count may be cached."""
    from rest_framework.test import APIClient

    from ..helpers import count_queries

    # Filtered: the unfiltered list's count is the database's own, not cached.
    queries, answer = count_queries(
        APIClient(),
        "/api/claims/",
        {"attribution_kind": "paraphrase", "page_size": page_size},
    )
    return answer.json()["count"], queries


def test_a_count_survives_writes_to_tables_it_does_not_read(story):
    count, uncached = claims_listed(10)
    assert claims_listed(11) == (count, uncached - 1)  # the count is cached
    FigureFactory(claim=story["c5"], measure=story["m1"])
    update("source", story["r3"], description="A government.")
    assert claims_listed(12) == (count, uncached - 1)  # still cached
    ClaimFactory(source=story["s1"], document=story["d2"])
    assert claims_listed(13) == (count + 1, uncached)  # a claim: counted again
