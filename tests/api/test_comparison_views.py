"""The computed views: a measure's comparison, a claim's corroboration, a topic's
comparison; on the seed's worked example and at scale in a fixed number of queries."""

import pytest

from claims import caching
from claims.models import Claim, Link, Measure, Topic

from ..factories import (
    ClaimFactory,
    LinkFactory,
    MeasureFactory,
    claims_beside,
    grow_figures,
)
from ..helpers import count_queries, figures_by_id

pytestmark = pytest.mark.django_db

TRAINING = "North Korean personnel training in Russia"


def test_the_seed_worked_example(client, seed):
    measure = Measure.objects.get(name=TRAINING)
    data = client.get(f"/api/measures/{measure.pk}/comparison/").json()
    assert data["measure"] == {
        "id": measure.pk,
        "name": TRAINING,
        "unit": "personnel",
        "kind": "level",
    }
    assert (data["at"], data["known_at"]) == ("2024-10-28", None)
    by_source = {f["source"]["name"]: f for f in data["figures"]}
    us, nis = by_source["U.S. officials"], by_source["National Intelligence Service"]
    assert (us["low"], us["high"], us["qualifier"]) == (2700, 3300, "approximately")
    assert (nis["low"], nis["high"]) == (1350, 1650)
    assert us["group"]["name"] == "United States government"
    assert nis["group"]["name"] == "Government of South Korea"
    assert [g["name"] for g in us["groups"]] == ["United States government"]
    assert (us["role"], nis["role"]) == ("estimate", "estimate")
    assert us["superseded_by"] is None
    assert us["at_interval"] == {"low": 2700, "high": 3300}
    assert data["conflicts"] == [
        {"figure_ids": [nis["id"], us["id"]], "same_group": False}
    ]
    assert [(s["low"], s["high"], s["support"]) for s in data["best_supported"]] == [
        (1350, 1650, 1),
        (2700, 3300, 1),
    ]
    us_group, nis_group = us["groups"][0]["id"], nis["groups"][0]["id"]
    assert [
        (s["support_kind"], s["supporting_groups"], s["consistent_groups"])
        for s in data["best_supported"]
    ] == [("estimates", [nis_group], []), ("estimates", [us_group], [])]
    assert data["best_supported"][0]["other_groups"] == [us_group]
    assert data["spread"] == pytest.approx(2.4444)
    assert data["counts"] == {
        "figures": 2,
        "current": 2,
        "origins": 2,
        "groups": 2,
        "conflicts": 1,
    }


def test_the_as_of_window_is_inclusive(client, seed):
    measure = Measure.objects.get(name=TRAINING)
    url = f"/api/measures/{measure.pk}/comparison/"
    week = client.get(url, {"as_of_after": "2024-10-21", "as_of_before": "2024-10-21"})
    assert [f["text"] for f in week.json()["figures"]] == ["approximately 3,000"]
    later = client.get(url, {"as_of_after": "2024-10-22"}).json()
    assert [f["text"] for f in later["figures"]] == ["around 1,500"]
    assert later["conflicts"] == [] and later["counts"]["groups"] == 1


def test_a_bad_window_is_a_400_naming_the_parameter(client, seed):
    measure = Measure.objects.get(name=TRAINING)
    response = client.get(
        f"/api/measures/{measure.pk}/comparison/", {"as_of_after": "soon"}
    )
    assert response.status_code == 400
    assert "as_of_after" in response.json()


def test_the_seed_us_claim_is_confirmed_by_kyiv_and_seoul(client, seed):
    us = Claim.objects.get(quote__contains="approximately 3,000")
    data = client.get(f"/api/claims/{us.pk}/corroboration/").json()
    assert data["group"]["name"] == "United States government"
    assert data["origin_claim_ids"] == [us.pk]
    assert {g["name"] for g in data["corroborating_groups"]} == {
        "Government of Ukraine",
        "Government of South Korea",
    }
    assert data["contradicting_groups"] == []
    assert data["suggested_credibility"]["credibility"] == 1
    assert (
        "2 independent groups corroborate it" in data["suggested_credibility"]["reason"]
    )
    assert {(link["direction"], link["relation"]) for link in data["links"]} == {
        ("incoming", "corroborates"),
    }


def test_corroboration_counts_groups_not_claims(client, seed):
    rutte = Claim.objects.get(quote__startswith="NATO chief Mark Rutte announced")
    data = client.get(f"/api/claims/{rutte.pk}/corroboration/").json()
    # Putin and the former Kremlin official are both of Russia's government: one voice.
    assert [g["name"] for g in data["corroborating_groups"]] == ["Government of Russia"]
    assert data["suggested_credibility"]["credibility"] == 2


def test_repeats_are_not_independent_corroboration():
    from rest_framework.test import APIClient

    original = ClaimFactory()
    relay = ClaimFactory()
    LinkFactory(from_claim=relay, to_claim=original, relation="repeats")
    corroborating = ClaimFactory()
    LinkFactory(from_claim=corroborating, to_claim=relay, relation="repeats")
    LinkFactory(from_claim=corroborating, to_claim=original, relation="corroborates")
    data = APIClient().get(f"/api/claims/{original.pk}/corroboration/").json()
    # The corroborating claim repeats a relay of the original itself: its origin is the
    # original, the claim's own group, which never counts.
    assert data["corroborating_groups"] == []
    assert data["suggested_credibility"]["credibility"] == 6
    relay_view = APIClient().get(f"/api/claims/{relay.pk}/corroboration/").json()
    assert relay_view["origin_claim_ids"] == [original.pk]


def test_a_topic_comparison_has_every_measure(client, seed):
    topic = Topic.objects.get(name="North Korean troops in Russia")
    data = client.get(f"/api/topics/{topic.pk}/comparison/").json()
    assert data["topic"]["name"] == topic.name
    assert [m["measure"]["name"] for m in data["measures"]] == sorted(
        topic.measures.values_list("name", flat=True)
    )
    training = next(m for m in data["measures"] if m["measure"]["name"] == TRAINING)
    assert len(training["conflicts"]) == 1


# Queries at scale ----------------------------------------------------------------------


def test_a_comparison_makes_the_same_queries_for_10_figures_and_1000(client):
    measure = MeasureFactory()
    url = f"/api/measures/{measure.pk}/comparison/"
    grow_figures(measure, 10)
    # The measure; the figures with their claims' sources; their origins (one recursive
    # query); the source tree.
    at_10, _ = count_queries(client, url)
    assert at_10 == 4
    grow_figures(measure, 990, start=10)
    at_1000, answer = count_queries(client, url)
    large = answer.json()
    assert at_1000 == at_10
    assert large["counts"]["figures"] == 1000
    assert large["counts"]["origins"] < 1000  # repeats share their origin


def test_a_corroboration_makes_the_same_queries_for_10_links_and_1000(client):
    claim = ClaimFactory()
    others = claims_beside(claim, 1000)
    Link.objects.bulk_create(
        [
            Link(from_claim=o, to_claim=claim, relation="corroborates")
            for o in others[:10]
        ]
    )
    at_10, _ = count_queries(client, f"/api/claims/{claim.pk}/corroboration/")
    Link.objects.bulk_create(
        [
            Link(from_claim=o, to_claim=claim, relation="corroborates")
            for o in others[10:]
        ]
    )
    caching.bump_all()  # bulk writes send no signals; the app's bulk paths bump
    at_1000, answer = count_queries(client, f"/api/claims/{claim.pk}/corroboration/")
    data = answer.json()
    assert at_1000 == at_10 and len(data["links"]) == 1000


@pytest.mark.parametrize("kind", ["claims", "figures", "sources", "links"])
def test_a_list_makes_the_same_queries_for_10_rows_and_1000(client, kind):
    measure = MeasureFactory()
    grow_figures(measure, 10)
    at_10, _ = count_queries(client, f"/api/{kind}/")
    grow_figures(measure, 990, start=10)
    at_1000, answer = count_queries(client, f"/api/{kind}/")
    data = answer.json()
    assert at_1000 == at_10
    assert data["count"] >= 300


def grow_measures(count, topic):
    measures = Measure.objects.bulk_create(
        [
            Measure(name=f"Measure {Measure.objects.count() + i}", unit="troops")
            for i in range(count)
        ]
    )
    topic.measures.add(*measures)


def test_the_measure_list_makes_the_same_queries_for_10_rows_and_1000(client):
    topic = Topic.objects.create(name="Kursk")
    grow_measures(10, topic)
    at_10, _ = count_queries(client, "/api/measures/")
    grow_measures(990, topic)
    at_1000, answer = count_queries(client, "/api/measures/")
    data = answer.json()
    assert at_1000 == at_10 and data["count"] == 1000
    assert data["results"][0]["topics"] == [topic.pk]


def test_a_conflict_limit_caps_the_list_not_the_count(client):
    measure = MeasureFactory()
    # Thirty exact figures, all different: every pair of current figures conflicts.
    # Every third claim repeats the one before on the same day: the relay speaks
    # for the same source and, published no earlier with a higher id, supersedes
    # it, so 20 figures are current (1000, 1003, ... are superseded).
    grow_figures(measure, 30)
    url = f"/api/measures/{measure.pk}/comparison/"
    data = client.get(url, {"conflict_limit": 5}).json()
    assert len(data["conflicts"]) == 5
    assert data["counts"]["current"] == 20
    assert data["counts"]["conflicts"] == 20 * 19 // 2
    widest = data["conflicts"][0]["figure_ids"]
    by_id = figures_by_id(data)
    assert (by_id[widest[0]]["low"], by_id[widest[1]]["low"]) == (1001, 1029)
    assert client.get(url, {"conflict_limit": -1}).status_code == 400
