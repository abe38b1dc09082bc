"""Every change to every model is kept in history, with who and when."""

import pytest

from claims.models import Claim, Document, Figure, Link, Measure, Review, Source, Topic

from .factories import (
    ClaimFactory,
    DocumentFactory,
    FigureFactory,
    LinkFactory,
    MeasureFactory,
    ReviewFactory,
    SourceFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CASES = [
    (Source, SourceFactory, "description"),
    (Document, DocumentFactory, "byline"),
    (Claim, ClaimFactory, "statement"),
    (Measure, MeasureFactory, "description"),
    (Figure, FigureFactory, "note"),
    (Link, LinkFactory, "note"),
    (Review, ReviewFactory, "rationale"),
    (Topic, TopicFactory, "description"),
]


@pytest.mark.parametrize(
    "model, factory, field", CASES, ids=lambda c: getattr(c, "__name__", "")
)
def test_creation_change_and_deletion_are_each_recorded(model, factory, field):
    editor = UserFactory()
    obj = factory()
    obj._history_user = editor
    setattr(obj, field, "Changed by an editor.")
    obj.save()
    pk = obj.pk
    obj._history_user = editor
    obj.delete()
    rows = list(model.history.filter(id=pk).order_by("history_date", "history_id"))
    assert [row.history_type for row in rows] == ["+", "~", "-"]
    assert getattr(rows[1], field) == "Changed by an editor."
    assert rows[1].history_user == editor and rows[2].history_user == editor
    assert all(row.history_date for row in rows)


def test_a_change_of_a_claim_topics_is_recorded():
    claim = ClaimFactory()
    topic = TopicFactory(name="Kursk")
    claim.topics.add(topic)
    latest = claim.history.first()
    assert [t.topic_id for t in latest.topics.all()] == [topic.pk]
