"""A figure whose measure shares no topic with its claim is stored, with a warning:
in the API's answers (``warnings``) and in the admin (a message)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims import caching
from claims.models import Claim, Figure, Source
from claims.selectors import OFF_TOPIC_MEASURE

from ..factories import (
    ClaimFactory,
    DocumentFactory,
    FigureFactory,
    MeasureFactory,
    TopicFactory,
    bulk_figures,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def topics():
    return TopicFactory(name="Dam collapse"), TopicFactory(name="Troops in Kursk")


def test_a_figure_on_a_measure_of_other_topics_is_stored_with_a_warning(editor, topics):
    dam, troops = topics
    claim = ClaimFactory(topics=[dam])
    measure = MeasureFactory(topics=[troops])
    answer = editor.post(
        "/api/figures/",
        {"claim": claim.pk, "measure": measure.pk, "text": "approximately 3,000"},
        format="json",
    )
    assert answer.status_code == 201
    assert answer.json()["warnings"] == [OFF_TOPIC_MEASURE]
    assert Figure.objects.filter(pk=answer.json()["id"]).exists()
    read = editor.get(f"/api/figures/{answer.json()['id']}/").json()
    assert read["warnings"] == [OFF_TOPIC_MEASURE]


@pytest.mark.parametrize(
    "claim_topics, measure_topics, warned",
    [
        (["dam"], ["troops"], True),
        ([], ["troops"], True),
        (["dam", "troops"], ["troops"], False),
        (["dam"], [], False),  # a measure without topics: nothing to check against
        ([], [], False),
    ],
)
def test_the_warning_is_given_when_the_measure_has_topics_and_shares_none(
    editor, topics, claim_topics, measure_topics, warned
):
    by_name = {"dam": topics[0], "troops": topics[1]}
    figure = FigureFactory(
        claim=ClaimFactory(topics=[by_name[t] for t in claim_topics]),
        measure=MeasureFactory(topics=[by_name[t] for t in measure_topics]),
    )
    expected = [OFF_TOPIC_MEASURE] if warned else []
    assert editor.get(f"/api/figures/{figure.pk}/").json()["warnings"] == expected
    listed = editor.get("/api/figures/").json()["results"]
    assert [f["warnings"] for f in listed if f["id"] == figure.pk] == [expected]


def test_changing_the_measure_to_one_of_the_claim_s_topics_clears_the_warning(
    editor, topics
):
    dam, troops = topics
    figure = FigureFactory(
        claim=ClaimFactory(topics=[dam]), measure=MeasureFactory(topics=[troops])
    )
    answer = editor.patch(
        f"/api/figures/{figure.pk}/",
        {"measure": MeasureFactory(topics=[dam]).pk},
        format="json",
    )
    assert answer.status_code == 200
    assert answer.json()["warnings"] == []


def test_the_list_s_warnings_cost_no_query_a_row(editor, topics):
    dam, troops = topics

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert editor.get("/api/figures/?page_size=500").status_code == 200
        return len(captured)

    measure = MeasureFactory(topics=[troops])
    document = DocumentFactory(text="")
    sources = Source.objects.bulk_create(
        [Source(name=f"Voice {n}", kind="person") for n in range(1000)]
    )
    claims = bulk_figures(measure, sources[:10], [document])
    Claim.topics.through.objects.bulk_create(
        [Claim.topics.through(claim=claim, topic=dam) for claim in claims]
    )
    caching.bump_all()  # bulk writes send no signals
    few = queries()
    claims = bulk_figures(measure, sources[10:], [document], first=10)
    Claim.topics.through.objects.bulk_create(
        [Claim.topics.through(claim=claim, topic=dam) for claim in claims]
    )
    caching.bump_all()
    assert queries() == few
    warned = editor.get("/api/figures/?page_size=500").json()["results"]
    assert all(f["warnings"] == [OFF_TOPIC_MEASURE] for f in warned)
