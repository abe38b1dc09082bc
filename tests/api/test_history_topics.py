"""Topics changed through the API show in the history endpoint as a change."""

import pytest

from ..factories import ClaimFactory, TopicFactory, retopiced
from ..helpers import count_queries, topic_changes

pytestmark = pytest.mark.django_db


def test_topics_given_on_create_and_on_update_show_in_the_history(editor):
    a, b = TopicFactory(), TopicFactory()
    claim = ClaimFactory()
    url = f"/api/claims/{claim.pk}/"
    assert editor.patch(url, {"topics": [a.pk]}, format="json").status_code == 200
    entries = editor.get(url + "history/").json()
    assert topic_changes(*entries) == [{"field": "topics", "old": [], "new": [a.pk]}]
    assert entries[-1]["user"]["id"] == editor.user.pk

    created = editor.post(
        "/api/claims/",
        {
            "source": claim.source_id,
            "document": claim.document_id,
            "quote": "around 1,500 troops were training",
            "statement": "Again.",
            "attribution_kind": "paraphrase",
            "stated_on": "2024-10-22",
            "topics": [b.pk],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    entries = editor.get(f"/api/claims/{created.json()['id']}/history/").json()
    assert entries[0]["type"] == "created"
    assert [c["new"] for c in topic_changes(*entries)][-1] == [b.pk]


def test_replacing_topics_through_the_api_is_one_change_from_old_to_new(editor):
    a, b, c = TopicFactory(), TopicFactory(), TopicFactory()
    claim = ClaimFactory()
    claim.topics.set([a])
    url = f"/api/claims/{claim.pk}/"
    before = len(editor.get(url + "history/").json())
    response = editor.patch(url, {"topics": [c.pk, b.pk]}, format="json")
    assert response.status_code == 200
    entries = editor.get(url + "history/").json()[before:]
    # No entry in between with the old topics removed and the new not yet added.
    assert topic_changes(*entries) == [
        {"field": "topics", "old": [a.pk], "new": sorted([b.pk, c.pk])}
    ]
    assert all(e["user"]["id"] == editor.user.pk for e in entries)


def test_an_entry_names_the_topics_added_and_removed_after_the_fields(editor):
    kept, removed, added = TopicFactory(), TopicFactory(), TopicFactory()
    claim = ClaimFactory(topics=[kept, removed])
    url = f"/api/claims/{claim.pk}/"
    response = editor.patch(
        url, {"statement": "Restated.", "topics": [added.pk, kept.pk]}, format="json"
    )
    assert response.status_code == 200
    last = editor.get(url + "history/").json()[-1]
    assert last["changes"] == [
        {
            "field": "statement",
            "old": "About 3,000 personnel are training.",
            "new": "Restated.",
        },
        {
            "field": "topics",
            "old": sorted([kept.pk, removed.pk]),
            "new": sorted([kept.pk, added.pk]),
        },
    ]


def test_the_history_endpoint_reads_100_entries_in_as_many_queries_as_10(editor):
    def read(claim):
        queries, answer = count_queries(editor, f"/api/claims/{claim.pk}/history/")
        return queries, len(answer.json())

    few, short = read(retopiced(10))
    many, long = read(retopiced(100))
    assert (short, long) == (10, 100)
    assert many == few
