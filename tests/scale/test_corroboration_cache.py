"""A claim's corroboration is cached while nothing it is computed from is written:
a repeated request computes nothing, and any write to its links, claims, documents,
figures, measures, sources or reviews gives a fresh answer equal to a computation."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.models import Claim, Document, Figure, Source

from ..factories import DamStory, LinkFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def _get(client, claim, **query):
    with CaptureQueriesContext(connection) as queries:
        answer = client.get(f"/api/claims/{claim.pk}/corroboration/", query)
    assert answer.status_code == 200
    return answer.json(), len(queries)


def _fresh(client, claim, **query):
    """What a computation gives now, through the same renderer."""
    from django.core.cache import cache

    cache.clear()
    return _get(client, claim, **query)[0]


def test_a_repeated_corroboration_is_read_from_the_cache(client):
    story = DamStory()
    claim = story.estimate.claim  # "about 400": the ministry's 410 agrees
    first, computed = _get(client, claim)
    again, cached = _get(client, claim)
    assert again == first and first["corroborating_groups"]
    assert cached == 0 < computed  # the answer is kept whole (claims.api.answers)
    moment = {"known_at": "2024-10-04"}
    assert _get(client, claim, **moment)[0] == _fresh(client, claim, **moment)


@pytest.mark.parametrize(
    "write",
    [
        "link",
        "figure",
        "source",
        "document",
        "claim",
        "review",
    ],
)
def test_every_write_it_reads_gives_a_fresh_corroboration(client, write):
    story = DamStory()
    claim = story.bound.claim
    before, _ = _get(client, claim)
    if write == "link":
        LinkFactory(
            from_claim=story.wednesday.claim, to_claim=claim, relation="corroborates"
        )
    elif write == "figure":
        figure = Figure.objects.get(pk=story.thursday.pk)
        figure.delete()
    elif write == "source":
        source = Source.objects.get(pk=story.charity.pk)
        source.parent = story.government
        source.save()
    elif write == "document":
        document = Document.objects.get(pk=story.thursday.claim.document_id)
        document.published_at = document.published_at.replace(year=2030)
        document.save()
    elif write == "claim":
        other = Claim.objects.get(pk=story.estimate.claim_id)
        other.statement += " (revised)"
        other.save()
    elif write == "review":
        ReviewFactory(claim=claim)
    after, queries = _get(client, claim)
    assert queries > 1  # computed again
    assert after == _fresh(client, claim)
    if write in ("link", "source"):
        assert after != before
