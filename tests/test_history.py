"""Every change to every model is kept in history, with who and when."""

import pytest
from simple_history.models import HistoricalRecords

from claims import caching
from claims.history import history_entries, history_paused, record_entry, set_related
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
from .helpers import topic_changes

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


# Many-to-many fields kept in history: topics. -----------------------------------------


def created_with_topics(factory, *topics, user=None):
    """An object whose first history entry already holds its topics, as a service
    writes it: saved and given its topics with history paused, then one entry."""
    obj = factory.build(**_saved_parents(factory))
    with history_paused(obj):
        obj.save()
        obj.topics.set(topics)
    record_entry(obj, "+", user=user)
    return obj


def _saved_parents(factory):
    if factory is ClaimFactory:
        return {"source": SourceFactory(), "document": DocumentFactory()}
    return {}


@pytest.mark.parametrize(
    "model, factory", [(Claim, ClaimFactory), (Measure, MeasureFactory)]
)
def test_set_related_writes_one_entry_with_the_change_its_user_and_reason(
    model, factory
):
    a, b, c = TopicFactory(), TopicFactory(), TopicFactory()
    obj = created_with_topics(factory, a)
    editor = UserFactory()

    assert set_related(obj, "topics", [c, b.pk], user=editor, reason="Retopiced")

    assert sorted(obj.topics.values_list("pk", flat=True)) == sorted([b.pk, c.pk])
    entries = history_entries(model, obj.pk)
    assert [e["type"] for e in entries] == ["created", "changed"]
    assert topic_changes(entries[0]) == [
        {"field": "topics", "old": None, "new": [a.pk]}
    ]
    assert entries[1]["changes"] == [
        {"field": "topics", "old": [a.pk], "new": sorted([b.pk, c.pk])}
    ]
    assert entries[1]["user"] == {"id": editor.pk, "username": editor.username}
    assert entries[1]["reason"] == "Retopiced"


def test_set_related_to_the_same_topics_writes_nothing():
    a, b = TopicFactory(), TopicFactory()
    claim = created_with_topics(ClaimFactory, a, b)
    before = claim.history.count()
    assert not set_related(claim, "topics", [str(b.pk), a])
    assert claim.history.count() == before
    assert set_related(claim, "topics", [])
    assert history_entries(Claim, claim.pk)[-1]["changes"] == [
        {"field": "topics", "old": sorted([a.pk, b.pk]), "new": []}
    ]


def test_set_related_still_drops_the_caches(monkeypatch):
    bumps = []
    monkeypatch.setattr(caching, "bump_rows", lambda: bumps.append(1))
    claim = ClaimFactory()
    bumps.clear()
    set_related(claim, "topics", [TopicFactory()])
    assert bumps, "m2m_changed reached the cache receivers"


def test_set_related_takes_the_request_user_by_default(rf):
    editor = UserFactory()
    claim = ClaimFactory()
    request = rf.get("/")
    request.user = editor
    HistoricalRecords.context.request = request
    try:
        set_related(claim, "topics", [TopicFactory()])
    finally:
        del HistoricalRecords.context.request
    assert claim.history.first().history_user == editor


def test_set_related_with_history_paused_writes_no_entry():
    claim = ClaimFactory()
    before = claim.history.count()
    with history_paused(claim):
        assert set_related(claim, "topics", [TopicFactory()])
    assert claim.history.count() == before
    assert claim.topics.count() == 1


def test_an_entry_whose_only_change_is_the_topics_shows_it():
    claim = ClaimFactory()
    topic = TopicFactory()
    claim.topics.add(topic)  # simple-history's own entry, on m2m_changed
    entries = history_entries(Claim, claim.pk)
    assert [e["type"] for e in entries] == ["created", "changed"]
    assert topic_changes(entries[0]) == []  # created without topics: none listed
    assert entries[1]["changes"] == [{"field": "topics", "old": [], "new": [topic.pk]}]


def test_history_entries_reads_topics_in_a_fixed_number_of_queries(
    django_assert_num_queries,
):
    claim = created_with_topics(ClaimFactory, TopicFactory())
    topics = [TopicFactory() for _ in range(6)]
    # One query for the entries, one for their topics.
    with django_assert_num_queries(2):
        assert len(history_entries(Claim, claim.pk)) == 1
    for i in range(1, 6):
        set_related(claim, "topics", topics[:i])
    with django_assert_num_queries(2):
        entries = history_entries(Claim, claim.pk)
    assert len(entries) == 6
    assert entries[-1]["changes"] == [
        {
            "field": "topics",
            "old": [t.pk for t in topics[:4]],
            "new": [t.pk for t in topics[:5]],
        }
    ]
    with django_assert_num_queries(1):  # no many-to-many field kept in history
        history_entries(Source, claim.source_id)


def test_an_entry_whose_topics_changed_names_the_topics_added_and_removed():
    kept, removed, added = TopicFactory(), TopicFactory(), TopicFactory()
    claim = created_with_topics(ClaimFactory, kept, removed)
    assert set_related(claim, "topics", [kept, added], reason="Retopiced")
    [change] = history_entries(Claim, claim.pk)[-1]["changes"]
    assert change["field"] == "topics"
    assert set(change["old"]) - set(change["new"]) == {removed.pk}
    assert set(change["new"]) - set(change["old"]) == {added.pk}
    assert change == {
        "field": "topics",
        "old": sorted([kept.pk, removed.pk]),
        "new": sorted([kept.pk, added.pk]),
    }
    # As simple-history's own diff of the entry against the one before finds it.
    new, old = claim.history.order_by("-history_date", "-history_id")[:2]
    [delta] = new.diff_against(old).changes
    assert delta.field == "topics"
    assert [row["topic"] for row in delta.old] == change["old"]
    assert [row["topic"] for row in delta.new] == change["new"]
