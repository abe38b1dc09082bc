"""The reviewer pages over time: the measure page at a date and known at a moment
shows what the API shows (superseded figures faded, bounds drawn open, the band
naming its support, the evolution chart), the claim page names the figures that
conflict or agree with it, the queue puts current conflicts first, the document
page speaks for every origin, all in a fixed number of queries."""

import datetime
import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from claims import caching, services
from claims.models import Claim, Figure, Source
from claims.web.forms import WindowForm, moment_from_text

from ..factories import (
    ClaimFactory,
    DocumentFactory,
    MeasureFactory,
    SourceFactory,
    bulk_figures,
    figure_on,
    published,
)
from ..helpers import count_queries

pytestmark = pytest.mark.django_db


def chart_row(body: str, figure_id: int) -> str:
    """The SVG group that draws one figure."""
    match = re.search(
        rf'<g class="figure-row[^"]*" data-figure="{figure_id}".*?</g>', body, re.S
    )
    assert match, f"no chart row for figure #{figure_id}"
    return match.group(0)


def table_roles(body: str) -> dict[int, str]:
    """Each figure in the page's table, with its role (the row's first class)."""
    table = body[body.index('id="figures-table"') :]
    return {
        int(pk): role
        for role, pk in re.findall(r'<tr class="(\w+)[^"]*" data-figure="(\d+)"', table)
    }


# The measure page shows what the API shows ---------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"known_at": "2024-06-04"},
        {"known_at": "2024-06-05T18:00:00Z"},
        {"at": "2024-06-05"},
        {"at": "2024-06-05", "known_at": "2024-06-04"},
    ],
)
def test_the_measure_page_at_and_known_at_shows_what_the_api_shows(
    client, story, params
):
    api = client.get(story.api_url(), params).json()
    response = client.get(story.page_url(), params)
    assert response.status_code == 200
    body = response.content.decode()
    assert table_roles(body) == {f["id"]: f["role"] for f in api["figures"]}
    page = response.context["result"]
    assert page["at"].isoformat() == api["at"]
    assert page["counts"] == api["counts"]
    assert [c["figure_ids"] for c in page["conflicts"]] == [
        c["figure_ids"] for c in api["conflicts"]
    ]
    for figure in api["figures"]:
        row = chart_row(body, figure["id"])
        assert f'data-role="{figure["role"]}"' in row
        if figure["superseded_by"]:
            assert f"superseded by figure {figure['superseded_by']}" in row
    assert f"Compared at <strong>{page['at']:%-d %b %Y}</strong>" in body


def test_known_at_is_the_end_of_the_day_and_fills_the_date_pickers(client, story):
    response = client.get(
        story.page_url(), {"known_at": "2024-06-04", "at": "2024-06-04"}
    )
    body = response.content.decode()
    assert response.context["result"]["known_at"] == datetime.datetime.combine(
        datetime.date(2024, 6, 4), datetime.time.max, tzinfo=datetime.UTC
    )
    assert "with what was known by the end of <strong>4 Jun 2024</strong>" in body
    assert re.search(r'<input type="date" name="known_at" value="2024-06-04"', body)
    assert re.search(r'<input type="date" name="at" value="2024-06-04"', body)
    # Known on Tuesday: the relay is the ministry's latest word, the Monday 12 is
    # superseded by it, and "at least 120" conflicts with the relayed 12.
    assert table_roles(body) == {
        story.monday.pk: "superseded",
        story.relay.pk: "estimate",
        story.bound.pk: "bound",
    }
    assert (
        len(re.findall(r"<li>figure \d+ .*? lies wholly below figure \d+", body)) == 1
    )


@pytest.mark.parametrize(
    "params, message",
    [
        ({"known_at": "yesterday"}, "Known at"),
        ({"at": "2024-13-01"}, "At"),
        ({"as_of_after": "2024-06-06", "as_of_before": "2024-06-01"}, "start"),
    ],
)
def test_a_bad_date_is_refused_on_the_page_naming_it(client, story, params, message):
    response = client.get(story.page_url(), params)
    assert response.status_code == 400
    errors = response.content.decode().split('class="errors"')[1].split("</div>")[0]
    assert message in errors


def test_superseded_figures_are_faded_and_name_what_superseded_them(client, story):
    body = client.get(story.page_url()).content.decode()
    for earlier in (story.monday, story.relay, story.wednesday):
        row = chart_row(body, earlier.pk)
        assert row.startswith('<g class="figure-row superseded"')
        assert f'data-superseded-by="{story.thursday.pk}"' in row
        assert f'superseded by figure {story.thursday.pk}, Ministry: "410"' in row
        assert f"· superseded by figure {story.thursday.pk}</tspan>" in row
    table = body[body.index('id="figures-table"') :]
    assert f'superseded by <a href="/claims/{story.thursday.claim_id}/">' in table
    assert f"figure {story.thursday.pk}</a> (Ministry, “410”)" in table
    # The stylesheet fades them.
    with open(finders.find("claims/site.css")) as stylesheet:
        css = stylesheet.read()
    assert re.search(r"\.figure-chart \.superseded \{ opacity: \.\d+", css)


def test_a_bound_is_drawn_hollow_with_an_open_arrow_to_the_edge(client, story):
    body = client.get(story.page_url()).content.decode()
    bound = chart_row(body, story.bound.pk)
    assert 'data-role="bound"' in bound
    assert '<rect class="bar bound"' in bound
    assert '<svg class="arrow open-high" x="100%"' in bound
    assert "<polyline" in bound and "· bound</tspan>" in bound
    # The bar reaches the plot's right edge.
    x, width = re.search(
        r'class="bar bound" x="([\d.]+)%" width="([\d.]+)%"', bound
    ).groups()
    assert float(x) + float(width) == pytest.approx(100)
    estimate = chart_row(body, story.estimate.pk)
    assert '<line class="bar"' in estimate and "arrow" not in estimate
    # On a running total, a current estimate dated before T is a bound too: at
    # Thursday the ministry's Wednesday 31 would say "at least 31".
    body = client.get(story.page_url(), {"at": "2024-06-06", "known_at": "2024-06-05"})
    row = chart_row(body.content.decode(), story.wednesday.pk)
    assert 'data-role="bound"' in row and "at least 31 by 6 Jun" in row


def test_the_band_says_it_is_made_of_estimates_and_names_the_groups(client, story):
    body = client.get(story.page_url()).content.decode()
    band = body[body.index('id="best-supported"') :].split("</ul>")[0]
    assert 'data-support-kind="estimates"' in band
    assert (
        "supported by estimates of 2 independent groups: "
        '<span class="supporting">Government, Rescue agency</span>'
    ) in band
    assert '<span class="consistent">Charity</span>' in band
    assert re.search(
        r'<rect class="best estimates"[^>]*><title>Best supported by estimates of 2 '
        r"groups: Government, Rescue agency; consistent: Charity</title>",
        body,
    )


def test_a_band_of_bounds_only_says_so(client):
    measure = MeasureFactory(name="Rounds")
    figure_on(measure, SourceFactory(name="Kyiv"), 3, "at least 1,000")
    figure_on(measure, SourceFactory(name="Seoul"), 4, "more than 2,000")
    body = client.get(reverse("measure", args=[measure.pk])).content.decode()
    assert 'id="bounds-only"' in body
    assert "supported by bounds of 2 independent groups" in body
    assert '<rect class="best bounds"' in body


def test_the_evolution_chart_has_one_column_per_publication_day(client, story):
    evolution = client.get(story.api_url("evolution")).json()
    days = [step["date"] for step in evolution["steps"]]
    body = client.get(story.page_url(), {"known_at": "2024-06-05"}).content.decode()
    svg = body[body.index('<svg class="evolution-chart"') :].split("</svg>\n</figure>")[
        0
    ]
    assert re.findall(r'<g class="day-column[^"]*" data-date="([\d-]+)"', svg) == days
    assert 'viewBox="0 0 4 1000" preserveAspectRatio="none"' in svg
    assert 'width="100%"' in svg and 'role="img"' in svg
    assert '<title id="evolution-title">How the figures on Deaths developed' in svg
    assert "4 publication days, from 3 Jun 2024 to 6 Jun 2024" in svg
    # Each day: the best-supported band, and the current estimates' line.
    assert svg.count('<rect class="band estimates"') == 4
    assert svg.count('<line class="estimate-range"') == 4
    # Day labels, each opening the page as known at the end of that day.
    for day in days:
        assert f'<a href="?known_at={day}"><text class="day' in svg
    # The day asked for is picked out.
    assert '<g class="day-column chosen" data-date="2024-06-05">' in svg
    table = body[body.index('id="evolution-table"') :].split("</table>")[0]
    assert table.count("<tr") == 5
    assert "[360, 440]" in table


def test_the_evolution_chart_labels_some_days_when_there_are_many(client):
    measure = MeasureFactory(name="Displaced")
    for day in range(1, 21):
        figure_on(measure, SourceFactory(), day, f"about {day * 100}")
    body = client.get(reverse("measure", args=[measure.pk])).content.decode()
    assert body.count('<g class="day-column') == 20
    labels = re.findall(r'<text class="day[^"]*"', body)
    assert 1 < len(labels) <= 7


def test_user_text_in_the_new_markup_is_escaped(client):
    script = '<script>alert("x")</script>'
    measure = MeasureFactory(name=f"Deaths {script}")
    earlier = figure_on(measure, SourceFactory(name=f"Ministry {script}"), 3, "12")
    figure_on(measure, earlier.claim.source, 4, "at least 31")
    body = client.get(reverse("measure", args=[measure.pk])).content.decode()
    assert "<script>" not in body
    assert body.count("&lt;script&gt;") >= 6


# The claim page names the figures that conflict or agree -----------------------


def test_the_claim_page_names_the_figure_that_conflicts(client, seed):
    nis = Claim.objects.get(quote__contains="around 1,500")
    us = Figure.objects.get(text="approximately 3,000")
    response = client.get(reverse("claim", args=[nis.pk]))
    body = response.content.decode()
    evidence = body[body.index('id="figure-evidence"') :].split("</ul>")[0]
    assert '<li class="conflicts">' in evidence
    assert (
        f'<a href="/claims/{us.claim_id}/">figure {us.pk}</a> U.S. officials'
        in evidence
    )
    assert '“approximately 3,000” (<span class="num">[2,700, 3,300]</span>)' in evidence
    assert (
        'this claim’s “around 1,500” (<span class="num">[1,350, 1,650]</span>)'
        in evidence
    )
    assert "United States government" in evidence
    [row] = response.context["figure_evidence"]
    assert (row["relation"], row["other"]["id"]) == ("conflicts", us.pk)


def test_the_claim_page_names_the_figure_that_agrees(client, story):
    body = client.get(reverse("claim", args=[story.estimate.claim_id])).content.decode()
    evidence = body[body.index('id="figure-evidence"') :].split("</ul>")[0]
    assert '<li class="agrees">' in evidence
    assert f"figure {story.thursday.pk}</a> Ministry, “410”" in evidence
    assert "agrees with" in evidence and "this claim’s “about 400”" in evidence
    assert "Government" in evidence


def test_the_claim_page_says_a_figure_is_superseded(client, story):
    body = client.get(reverse("claim", args=[story.monday.claim_id])).content.decode()
    assert f"superseded by figure {story.thursday.pk}" in body
    # A superseded figure is no evidence for or against anything.
    assert '<li class="conflicts">' not in body


# The queue puts current conflicts first -------------------------------------------


def test_the_queue_puts_current_conflicts_first_not_superseded_ones(client):
    level = MeasureFactory(name="Troops", kind="level")
    a = SourceFactory(name="A")
    old = figure_on(level, a, 1, "100")
    figure_on(level, a, 2, "1,000")
    # B's "about 1,000" conflicts only with A's superseded 100; it is the latest
    # claim, so it would be first if that conflict counted.
    lonely = figure_on(level, SourceFactory(name="B"), 9, "about 1,000")
    other = MeasureFactory(name="Tanks")
    low = figure_on(other, SourceFactory(name="C"), 3, "10")
    high = figure_on(other, SourceFactory(name="D"), 4, "5,000")
    queue = list(client.get(reverse("review-queue")).context["page"])
    flagged = [c.pk for c in queue if c.has_conflict]
    assert sorted(flagged) == sorted([low.claim_id, high.claim_id])
    assert {c.pk for c in queue[:2]} == {low.claim_id, high.claim_id}
    assert queue[2].pk == lonely.claim_id
    assert old.claim_id not in flagged


def test_the_queue_flags_nothing_in_a_running_total_that_rose(client, story):
    queue = list(client.get(reverse("review-queue")).context["page"])
    assert len(queue) == 6
    assert not any(c.has_conflict for c in queue)
    body = client.get(reverse("review-queue")).content.decode()
    assert "flag conflict" not in body


def test_the_queue_sees_a_new_conflict_at_once(client, story):
    assert not any(
        c.has_conflict for c in client.get(reverse("review-queue")).context["page"]
    )
    late = figure_on(story.measure, SourceFactory(name="Rival"), 6, "about 2,000")
    queue = list(client.get(reverse("review-queue")).context["page"])
    assert queue[0].pk in {late.claim_id, story.thursday.claim_id}
    assert {c.pk for c in queue if c.has_conflict} == {
        late.claim_id,
        story.thursday.claim_id,
        story.estimate.claim_id,
    }


# The document page speaks for every origin ---------------------------------------


def test_a_claim_with_two_origins_shows_both_groups_on_the_document_page(client):
    us, uk = SourceFactory(name="US"), SourceFactory(name="UK")
    outlet = SourceFactory(name="Outlet")
    document = DocumentFactory()
    claim = ClaimFactory(source=outlet, document=document)
    for origin in (ClaimFactory(source=us), ClaimFactory(source=uk)):
        services.link_create(
            user=None, from_claim=claim, to_claim=origin, relation="based_on"
        )
    response = client.get(reverse("document", args=[document.pk]))
    legend = {
        entry["group"]["name"]: [s.name for s in entry["sources"]]
        for entry in response.context["legend"]
    }
    assert legend == {"US": ["Outlet"], "UK": ["Outlet"]}
    body = response.content.decode()
    assert f'data-groups="{us.pk} {uk.pk}"' in body
    assert "Outlet (for US, UK)" in body


# Reading a moment ------------------------------------------------------------------


def test_a_date_means_its_end_and_a_date_time_its_moment():
    end = moment_from_text("2024-06-04")
    assert end == datetime.datetime(2024, 6, 4, 23, 59, 59, 999999, tzinfo=datetime.UTC)
    assert moment_from_text("2024-06-04T12:00:00+02:00") == datetime.datetime(
        2024, 6, 4, 10, 0, tzinfo=datetime.UTC
    )
    assert moment_from_text("2024-06-04T12:00").tzinfo is not None
    assert moment_from_text("yesterday") is None
    assert moment_from_text("2024-02-30") is None
    form = WindowForm({"known_at": "2024-06-04", "at": "2024-06-05"})
    assert form.is_valid()
    assert form.cleaned_data["known_at"] == end


# Queries ---------------------------------------------------------------------------


def grow_story(measure, count, start=0, days=5):
    """``count`` figures on ``measure`` from their own sources, in reports published
    over ``days`` days (the first of them already there when ``start`` > 0)."""
    documents = [
        DocumentFactory(text="", published_at=published(day + 1)) for day in range(days)
    ]
    sources = Source.objects.bulk_create(
        [Source(name=f"Official {start + i}", kind="person") for i in range(count)]
    )
    bulk_figures(measure, sources, documents, first=start, spread=100)
    caching.bump_all()  # bulk writes send no signals


@pytest.mark.parametrize("kind", ["level", "cumulative"])
def test_the_measure_page_with_its_evolution_makes_the_same_queries_for_10_and_1000(
    client, kind
):
    measure = MeasureFactory(kind=kind)
    url = reverse("measure", args=[measure.pk]) + "?known_at=2030-01-01"
    grow_story(measure, 10)
    at_10, _ = count_queries(client, url)
    grow_story(measure, 990, start=10)
    at_1000, response = count_queries(client, url)
    assert at_1000 == at_10
    assert response.context["result"]["counts"]["figures"] == 1000
    columns = response.context["evolution"]["columns"]
    assert [c["step"]["date"].day for c in columns] == [1, 2, 3, 4, 5]
    assert columns[-1]["step"]["counts"]["figures"] == 1000
    assert response.content.decode().count('<g class="day-column') == 5


def test_the_claim_and_queue_pages_make_the_same_queries_for_10_and_1000(client):
    measure = MeasureFactory()
    grow_story(measure, 10)
    claim = Figure.objects.filter(measure=measure).order_by("id")[3].claim
    urls = [reverse("claim", args=[claim.pk]), reverse("review-queue")]
    at_10 = [count_queries(client, url)[0] for url in urls]
    grow_story(measure, 990, start=10)
    at_1000 = [count_queries(client, url)[0] for url in urls]
    assert at_1000 == at_10
