"""The comparison at a date and known at a moment, the evolution, and figures as
evidence in the corroboration: on the seed's worked example, on a developing story,
and in a fixed number of queries."""

import pytest

from claims import services
from claims.models import Claim, Document, Figure, Measure

from ..factories import ClaimFactory, MeasureFactory, SourceFactory, grow_figures
from ..helpers import count_queries, figures_by_id

pytestmark = pytest.mark.django_db


def test_a_sources_update_supersedes_its_earlier_figures_and_their_relays(
    client, story
):
    data = client.get(story.api_url()).json()
    figures = figures_by_id(data)
    assert data["at"] == "2024-06-06"
    for earlier in (story.monday, story.relay, story.wednesday):
        assert figures[earlier.pk]["role"] == "superseded"
        assert figures[earlier.pk]["superseded_by"] == story.thursday.pk
        assert figures[earlier.pk]["at_interval"] is None
    assert figures[story.thursday.pk]["role"] == "estimate"
    # No conflict between the ministry's own successive figures.
    assert data["conflicts"] == []
    assert data["counts"] == {
        "figures": 6,
        "current": 3,
        "origins": 3,
        "groups": 3,
        "conflicts": 0,
    }


def test_a_running_total_dated_before_t_is_a_bound_open_above(client, story):
    figures = figures_by_id(client.get(story.api_url()).json())
    assert figures[story.bound.pk]["role"] == "bound"
    assert figures[story.bound.pk]["at_interval"] == {"low": 120, "high": None}
    assert figures[story.thursday.pk]["at_interval"] == {"low": 410, "high": 410}


def test_estimates_make_the_best_supported_range_and_bounds_are_only_consistent(
    client, story
):
    data = client.get(story.api_url()).json()
    (stretch,) = data["best_supported"]
    assert (stretch["low"], stretch["high"], stretch["support"]) == (410, 410, 2)
    assert stretch["support_kind"] == "estimates"
    charity = story.charity.pk
    assert stretch["consistent_groups"] == [charity]
    assert charity not in stretch["supporting_groups"]


def test_known_at_shows_what_was_known_then(client, story):
    data = client.get(story.api_url(), {"known_at": "2024-06-04"}).json()
    assert data["known_at"].startswith("2024-06-04T23:59:59")
    assert data["at"] == "2024-06-04"
    figures = figures_by_id(data)
    assert set(figures) == {story.monday.pk, story.relay.pk, story.bound.pk}
    # Tuesday's relay of the ministry's 12 is the later word for the ministry.
    assert figures[story.monday.pk]["superseded_by"] == story.relay.pk
    # "At least 120" and the ministry's 12 conflict (12 is below 120).
    assert data["counts"]["conflicts"] == 1
    assert data["best_supported"][0]["support_kind"] == "estimates"


def test_a_date_time_known_at_counts_documents_up_to_that_moment(client, story):
    data = client.get(story.api_url(), {"known_at": "2024-06-05T17:00:00Z"}).json()
    assert story.wednesday.pk not in figures_by_id(data)
    data = client.get(story.api_url(), {"known_at": "2024-06-05T18:00:00Z"}).json()
    assert story.wednesday.pk in figures_by_id(data)


def test_at_a_date_later_figures_are_not_considered(client, story):
    data = client.get(story.api_url(), {"at": "2024-06-05"}).json()
    assert data["at"] == "2024-06-05"
    assert story.thursday.pk not in figures_by_id(data)
    assert figures_by_id(data)[story.wednesday.pk]["role"] == "estimate"


@pytest.mark.parametrize(
    "params, field",
    [
        ({"known_at": "yesterday"}, "known_at"),
        ({"known_at": "2024-02-30"}, "known_at"),
        ({"known_at": "2024-06-30T25:00:00"}, "known_at"),
        ({"at": "2024-13-01"}, "at"),
        ({"as_of_after": "2024-06-06", "as_of_before": "2024-06-01"}, "as_of_after"),
    ],
)
def test_a_bad_moment_or_date_is_a_400_naming_it(client, story, params, field):
    response = client.get(story.api_url(), params)
    assert response.status_code == 400
    assert field in response.json()


def test_the_cache_keeps_answers_for_each_moment_apart(client, story):
    first = client.get(story.api_url(), {"known_at": "2024-06-03"}).json()
    later = client.get(story.api_url(), {"known_at": "2024-06-06"}).json()
    again = client.get(story.api_url(), {"known_at": "2024-06-03"}).json()
    assert first == again
    assert first["counts"]["figures"] == 1 and later["counts"]["figures"] == 6


def test_the_evolution_has_one_step_per_publication_day(client, story):
    data = client.get(story.api_url("evolution")).json()
    assert data["measure"]["kind"] == "cumulative"
    assert [step["date"] for step in data["steps"]] == [
        "2024-06-03",
        "2024-06-04",
        "2024-06-05",
        "2024-06-06",
    ]
    monday, tuesday, wednesday, thursday = data["steps"]
    assert (monday["low"], monday["high"]) == (12, 12)
    assert monday["counts"]["figures"] == 1
    assert tuesday["counts"]["current"] == 2
    # Wednesday: the ministry's 31 is its word; the charity's bound stands.
    assert (wednesday["low"], wednesday["high"]) == (31, 31)
    assert [(s["low"], s["high"]) for s in thursday["best_supported"]] == [(410, 410)]
    assert (thursday["low"], thursday["high"]) == (360, 440)


def test_the_nis_claim_is_doubtful_from_the_us_figure_and_the_us_claim_stays_confirmed(
    client, seed
):
    nis = Claim.objects.get(quote__contains="around 1,500")
    data = client.get(f"/api/claims/{nis.pk}/corroboration/").json()
    assert data["corroborating_groups"] == []
    [us] = data["contradicting_groups"]
    assert (us["name"], us["by"]) == ("United States government", "figure")
    us_figure = Figure.objects.get(text="approximately 3,000")
    assert us["figures"] == [nis.figures.get(text="around 1,500").pk, us_figure.pk]
    suggestion = data["suggested_credibility"]
    assert suggestion["credibility"] == 4
    assert "[2,700, 3,300]" in suggestion["reason"]
    assert "conflicts with this claim's [1,350, 1,650]" in suggestion["reason"]

    us_claim = us_figure.claim
    data = client.get(f"/api/claims/{us_claim.pk}/corroboration/").json()
    assert data["suggested_credibility"]["credibility"] == 1
    assert {(g["name"], g["by"]) for g in data["corroborating_groups"]} == {
        ("Government of Ukraine", "link"),
        ("Government of South Korea", "link"),
    }
    assert data["contradicting_groups"] == []


def test_figures_that_agree_corroborate_and_a_link_is_never_overridden(client, story):
    charity_claim = story.estimate.claim
    data = client.get(f"/api/claims/{charity_claim.pk}/corroboration/").json()
    # The agency's "about 400" and the ministry's 410 are overlapping estimates.
    assert [(g["name"], g["by"]) for g in data["corroborating_groups"]] == [
        ("Government", "figure")
    ]
    services.link_create(
        user=None,
        from_claim=story.thursday.claim,
        to_claim=charity_claim,
        relation="contradicts",
    )
    data = client.get(f"/api/claims/{charity_claim.pk}/corroboration/").json()
    assert data["corroborating_groups"] == []
    assert [(g["name"], g["by"]) for g in data["contradicting_groups"]] == [
        ("Government", "link")
    ]


def test_known_at_leaves_out_later_claims_from_the_corroboration(client, story):
    url = f"/api/claims/{story.monday.claim.pk}/corroboration/"
    early = client.get(url, {"known_at": "2024-06-03"}).json()
    assert early["contradicting_groups"] == [] and early["known_at"]
    late = client.get(url).json()
    # Known at the end, the ministry's Monday figure is superseded: no evidence.
    assert late["contradicting_groups"] == []


def test_a_claim_with_two_origins_speaks_for_both_groups(client):
    measure = MeasureFactory()
    us, uk = SourceFactory(name="US"), SourceFactory(name="UK")
    a = ClaimFactory(source=us)
    b = ClaimFactory(source=uk)
    c = ClaimFactory(source=SourceFactory(name="Outlet"))
    for origin in (a, b):
        services.link_create(
            user=None, from_claim=c, to_claim=origin, relation="based_on"
        )
    figure = services.figure_create(user=None, claim=c, measure=measure, text="3,000")
    data = client.get(f"/api/measures/{measure.pk}/comparison/").json()
    [compared] = data["figures"]
    assert compared["id"] == figure.pk
    assert {g["name"] for g in compared["groups"]} == {"US", "UK"}
    assert sorted(compared["origin_claim_ids"]) == sorted([a.pk, b.pk])
    corroboration = client.get(f"/api/claims/{c.pk}/corroboration/").json()
    assert {g["name"] for g in corroboration["groups"]} == {"US", "UK"}


# A fixed number of queries ---------------------------------------------------------


def test_the_comparison_at_and_known_at_makes_the_same_queries_for_10_and_1000(client):
    measure = MeasureFactory(kind="cumulative")
    url = f"/api/measures/{measure.pk}/comparison/?at=2024-10-01&known_at=2030-01-01"
    grow_figures(measure, 10)
    at_10, _ = count_queries(client, url)
    grow_figures(measure, 990, start=10)
    at_1000, answer = count_queries(client, url)
    data = answer.json()
    assert at_1000 == at_10 == 4
    assert data["counts"]["figures"] == 1000


def test_the_evolution_makes_the_same_queries_for_10_and_1000(client):
    measure = MeasureFactory()
    url = f"/api/measures/{measure.pk}/evolution/"
    grow_figures(measure, 10)
    at_10, _ = count_queries(client, url)
    grow_figures(measure, 990, start=10)
    at_1000, answer = count_queries(client, url)
    data = answer.json()
    assert at_1000 == at_10 == 4
    assert data["steps"][-1]["counts"]["figures"] == 1000


def test_a_corroboration_with_figures_makes_the_same_queries_for_10_and_1000(client):
    measure = MeasureFactory()
    grow_figures(measure, 10)
    # The third figure's claim: nobody repeats it, so its figure is current.
    claim = Figure.objects.filter(measure=measure).order_by("id")[2].claim
    url = f"/api/claims/{claim.pk}/corroboration/"
    at_10, _ = count_queries(client, url)
    grow_figures(measure, 990, start=10)
    at_1000, answer = count_queries(client, url)
    data = answer.json()
    assert at_1000 == at_10
    assert data["contradicting_groups"]


def test_kind_is_read_and_written_by_the_api_and_the_bundle(editor):
    created = editor.post(
        "/api/measures/",
        {"name": "Deaths", "unit": "deaths", "kind": "cumulative"},
        format="json",
    )
    assert created.status_code == 201 and created.json()["kind"] == "cumulative"
    refused = editor.post(
        "/api/measures/", {"name": "X", "unit": "u", "kind": "rising"}, format="json"
    )
    assert refused.status_code == 400 and "kind" in refused.json()
    bundle = {
        "measures": [{"key": "m", "name": "Rounds", "unit": "r", "kind": "cumulative"}]
    }
    assert editor.post("/api/import/", bundle, format="json").status_code == 201
    assert Measure.objects.get(name="Rounds").kind == "cumulative"


def test_the_seed_ammunition_measure_is_cumulative_and_troops_are_levels(seed):
    kinds = dict(Measure.objects.values_list("name", "kind"))
    assert kinds["Ammunition rounds North Korea has supplied to Russia"] == "cumulative"
    assert kinds["North Korean personnel training in Russia"] == "level"
    assert Document.objects.count() == 1


def test_the_topic_comparison_takes_at_and_known_at(client, story):
    topic = services.topic_create(user=None, name="Dam collapse")
    services.measure_update(
        measure=story.measure, user=None, changes={"topics": [topic]}
    )
    url = f"/api/topics/{topic.pk}/comparison/"
    [early] = client.get(url, {"known_at": "2024-06-04"}).json()["measures"]
    assert early["known_at"].startswith("2024-06-04T23:59:59")
    assert early["counts"]["figures"] == 3
    [at] = client.get(url, {"at": "2024-06-05"}).json()["measures"]
    assert at["at"] == "2024-06-05" and at["counts"]["figures"] == 4
