"""Every reviewer page: who may see it, what it shows, escaping, and bounded queries."""

import datetime
import re

import pytest
from django.urls import reverse

from claims.models import Claim, Document, Measure, Review, Source, Topic

from ..factories import (
    ClaimFactory,
    DocumentFactory,
    FigureFactory,
    LinkFactory,
    MeasureFactory,
    SourceFactory,
    TopicFactory,
    UserFactory,
)
from ..helpers import count_queries, snapshot

pytestmark = pytest.mark.django_db


def page_urls(claim, document, measure, source, topic, query):
    """Every reviewer page: these rows' and a search for ``query``."""
    return [
        reverse("home"),
        reverse("review-queue"),
        reverse("claim", args=[claim.pk]),
        reverse("document", args=[document.pk]),
        reverse("measure", args=[measure.pk]),
        reverse("source", args=[source.pk]),
        reverse("topic", args=[topic.pk]),
        reverse("search") + "?q=" + query,
    ]


def seed_page_urls():
    """Every reviewer page, on the seed's first rows."""
    claim = Claim.objects.order_by("pk").first()
    return page_urls(
        claim,
        claim.document,
        Measure.objects.order_by("pk").first(),
        claim.source,
        Topic.objects.order_by("pk").first(),
        "troops",
    )


def test_every_page_answers_with_the_search_header(client, seed):
    for url in seed_page_urls():
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'action="/search/"' in response.content.decode(), url


def test_pages_follow_the_open_read_setting(client, seed, settings):
    settings.API_OPEN_READ = False
    for url in seed_page_urls():
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login"))
    client.force_login(UserFactory())
    for url in seed_page_urls():
        assert client.get(url).status_code == 200, url


def test_sign_in_and_out(client, seed):
    UserFactory(username="rita")
    response = client.post(
        reverse("login"), {"username": "rita", "password": "a-long-test-password"}
    )
    assert response.status_code == 302 and response["Location"] == reverse(
        "review-queue"
    )
    assert "rita" in client.get(reverse("home")).content.decode()
    assert client.post(reverse("logout")).status_code == 302
    assert "Sign in" in client.get(reverse("home")).content.decode()


def test_the_header_s_sign_in_link_on_the_sign_in_page_does_not_lead_back(client, db):
    """Signing in from the sign-in page's own header link lands on the queue, not
    on the form again; another page's ``next`` is kept."""
    UserFactory(username="rita")
    page = client.get(reverse("login")).content.decode()
    header_link = re.search(r'href="(/accounts/login/\?next=[^"]*)"', page).group(1)
    credentials = {"username": "rita", "password": "a-long-test-password"}
    response = client.post(header_link.replace("&amp;", "&"), credentials)
    assert response["Location"] == reverse("review-queue")
    client.post(reverse("logout"))
    for back in (reverse("login"), reverse("logout"), f"{reverse('login')}?next=/x/"):
        response = client.post(f"{reverse('login')}?next={back}", credentials)
        assert response["Location"] == reverse("review-queue"), back
        client.post(reverse("logout"))
    response = client.post(f"{reverse('login')}?next=/search/", credentials)
    assert response["Location"] == "/search/"


def test_a_wrong_password_does_not_sign_in(client, db):
    UserFactory(username="rita")
    response = client.post(reverse("login"), {"username": "rita", "password": "nope"})
    assert response.status_code == 200
    assert "enter a correct username and password" in response.content.decode()


# Review queue -----------------------------------------------------------------------


def test_the_queue_puts_conflicting_and_contradicted_claims_first(client):
    plain = ClaimFactory(stated_on=datetime.date(2024, 10, 25))
    measure = MeasureFactory()
    low = FigureFactory(
        measure=measure,
        text="around 1,500",
        claim=ClaimFactory(stated_on=datetime.date(2024, 1, 1)),
    )
    FigureFactory(
        measure=measure,
        text="approximately 3,000",
        claim=ClaimFactory(stated_on=datetime.date(2024, 1, 2)),
    )
    contradicted = LinkFactory(relation="contradicts").to_claim
    reviewed = ClaimFactory()
    Review.objects.create(
        claim=reviewed,
        attribution_status="verified",
        credibility=2,
        rationale="Checked.",
    )
    queue = list(client.get(reverse("review-queue")).context["page"])
    assert reviewed not in queue
    assert queue[-1] == plain or queue.index(plain) > queue.index(low.claim)
    flagged = [c for c in queue if c.has_conflict or c.contradicted]
    assert queue[: len(flagged)] == flagged
    assert low.claim in flagged and contradicted in flagged
    assert plain not in flagged


def test_the_queue_filters_by_topic_and_source_including_children(client):
    topic = TopicFactory()
    parent = SourceFactory()
    child_claim = ClaimFactory(source=SourceFactory(parent=parent))
    child_claim.topics.add(topic)
    other = ClaimFactory()
    shown = lambda **p: list(client.get(reverse("review-queue"), p).context["page"])  # noqa: E731
    assert shown(topic=topic.pk) == [child_claim]
    assert shown(source=parent.pk) == [child_claim]
    assert other in shown()


def test_the_queue_is_paginated(client):
    for _ in range(30):
        ClaimFactory()
    first = client.get(reverse("review-queue")).context["page"]
    assert len(first) == 25 and first.has_next()
    second = client.get(reverse("review-queue"), {"page": 2}).context["page"]
    assert len(second) == 5


# Claim page and reviews ------------------------------------------------------------


def test_the_claim_page_shows_what_a_reviewer_needs(client, seed):
    us = Claim.objects.get(quote__contains="approximately 3,000")
    body = client.get(reverse("claim", args=[us.pk])).content.decode()
    assert us.statement in body
    assert '<mark class="quote">Last week, U.S. officials' in body
    assert "rebuffed" not in body  # the excerpt is the surrounding text, not all of it
    assert "U.S. officials" in body and "United States government" in body
    assert "[2,700, 3,300]" in body
    assert "corroborates this" in body
    assert "Confirmed: 2 independent groups corroborate it" in body
    assert "Not reviewed yet." in body
    assert "Record a review" not in body  # anonymous readers get no form


def test_a_reviewer_records_a_review_and_the_claim_is_graded(reviewer):
    claim = ClaimFactory()
    url = reverse("claim", args=[claim.pk])
    assert "Record a review" in reviewer.get(url).content.decode()
    response = reviewer.post(
        url,
        {
            "attribution_status": "verified",
            "credibility": "2",
            "rationale": "The agency's statement says so.",
        },
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.attribution_status, claim.credibility) == ("verified", 2)
    review = Review.objects.get()
    assert review.reviewer == reviewer.user
    page = reviewer.get(url).content.decode()
    assert "The agency&#x27;s statement says so." in page


@pytest.mark.parametrize(
    "data, field, message",
    [
        (
            {"attribution_status": "verified", "credibility": "2", "rationale": ""},
            "rationale",
            "A review needs its rationale.",
        ),
        (
            {
                "attribution_status": "verified",
                "credibility": "9",
                "rationale": "Checked.",
            },
            "credibility",
            "Select a valid choice. 9 is not one of the available choices.",
        ),
        (
            {
                "attribution_status": "rumoured",
                "credibility": "2",
                "rationale": "Checked.",
            },
            "attribution_status",
            "Select a valid choice. rumoured is not one of the",
        ),
    ],
)
def test_a_bad_review_is_refused_beside_its_field(reviewer, data, field, message):
    claim = ClaimFactory()
    before = snapshot(Claim, Review)
    response = reviewer.post(reverse("claim", args=[claim.pk]), data)
    assert response.status_code == 400
    assert message in str(response.context["form"].errors[field])
    assert message.split(".")[0] in response.content.decode()
    assert snapshot(Claim, Review) == before


def test_the_review_form_picks_nothing_for_the_reviewer(reviewer):
    claim = ClaimFactory()
    page = reviewer.get(reverse("claim", args=[claim.pk])).content.decode()
    form = page[page.index('class="stacked review-form"') :]
    form = form[: form.index("</form>")]
    assert "Select an option" not in form
    assert 'value=""' not in form
    assert not re.search(r"<input[^>]*\bchecked\b", form)


def test_an_empty_review_says_once_what_each_field_needs(reviewer):
    claim = ClaimFactory()
    before = snapshot(Claim, Review)
    response = reviewer.post(reverse("claim", args=[claim.pk]), {})
    assert response.status_code == 400
    errors = response.context["form"].errors
    messages = [str(m) for field in errors.values() for m in field]
    assert messages == [
        "Choose whether the source really said this.",
        "Choose how credible the information is.",
        "A review needs its rationale.",
    ]
    assert "This field is required" not in response.content.decode()
    assert snapshot(Claim, Review) == before


def test_only_reviewers_may_review(client):
    claim = ClaimFactory()
    data = {"attribution_status": "verified", "credibility": "2", "rationale": "x"}
    assert client.post(reverse("claim", args=[claim.pk]), data).status_code == 403
    client.force_login(UserFactory())
    assert client.post(reverse("claim", args=[claim.pk]), data).status_code == 403
    assert not Review.objects.exists()


def test_the_review_form_is_protected_against_cross_site_posts(reviewer, db):
    from django.test import Client

    claim = ClaimFactory()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(reviewer.user)
    data = {"attribution_status": "verified", "credibility": "2", "rationale": "x"}
    assert strict.post(reverse("claim", args=[claim.pk]), data).status_code == 403
    assert not Review.objects.exists()


# Document, measure, source, topic, search -------------------------------------------


def test_the_document_marks_every_quote_linking_to_its_claim(client, seed):
    document = Document.objects.get()
    response = client.get(reverse("document", args=[document.pk]))
    body = response.content.decode()
    for claim in document.claims.all():
        assert f'href="/claims/{claim.pk}/"' in body
    marked = [p for p in response.context["pieces"] if p["claims"]]
    assert {c.pk for p in marked for c in p["claims"]} == set(
        document.claims.values_list("pk", flat=True)
    )
    legend = {entry["group"]["name"] for entry in response.context["legend"]}
    assert {"NATO", "Government of Russia", "Government of Ukraine"} <= legend


def test_the_measure_page_draws_every_figure_and_marks_conflicts(client, seed):
    measure = Measure.objects.get(name="North Korean personnel training in Russia")
    response = client.get(reverse("measure", args=[measure.pk]))
    body = response.content.decode()
    assert body.count('class="figure-row estimate conflict"') == 2
    assert '<rect class="best estimates"' in body
    assert "1,350" in body and "3,300" in body
    chart = response.context["chart"]
    assert [t[1] for t in chart["axis"].ticks][0] == "1,000"


def test_the_measure_page_draws_open_ends_as_arrows_and_exact_figures_as_dots(client):
    measure = MeasureFactory()
    FigureFactory(measure=measure, text="at least 2,000")
    FigureFactory(measure=measure, text="1,000")
    body = client.get(reverse("measure", args=[measure.pk])).content.decode()
    assert '<svg class="arrow open-high" x="100%"' in body
    assert '<rect class="bar bound"' in body
    assert '<circle class="dot"' in body


def test_the_measure_window_filters_figures(client, seed):
    measure = Measure.objects.get(name="North Korean personnel training in Russia")
    response = client.get(
        reverse("measure", args=[measure.pk]), {"as_of_after": "2024-10-25"}
    )
    assert [r["figure"]["text"] for r in response.context["chart"]["rows"]] == [
        "around 1,500"
    ]


def test_the_source_page_shows_its_record_and_children(client):
    parent = SourceFactory(name="Government")
    child = SourceFactory(name="Ministry", parent=parent)
    verified = ClaimFactory(source=parent)
    Claim.objects.filter(pk=verified.pk).update(
        attribution_status="verified", credibility=2
    )
    ClaimFactory(source=parent)
    response = client.get(reverse("source", args=[parent.pk]))
    record = response.context["record"]
    assert record["total"] == 2
    assert dict(record["status_counts"])["Verified"] == 1
    assert dict(record["status_counts"])["Unverified"] == 1
    grades = {value: count for value, _, count in record["credibility_counts"]}
    assert grades[2] == 1 and grades[6] == 1
    assert record["children"] == [child]


def test_nato_s_page_counts_and_lists_the_claims_of_the_sources_under_it(client, seed):
    """The page agrees with ``/api/claims/?source=``: NATO's chief's claims are
    NATO's too, each marked with who made it."""
    nato = Source.objects.get(name="NATO")
    rutte = Source.objects.get(name="Mark Rutte")
    api = client.get("/api/claims/", {"source": nato.pk}).json()
    response = client.get(reverse("source", args=[nato.pk]))
    record = response.context["record"]
    assert record["total"] == api["count"] == 3
    assert (record["own"], record["under"]) == (0, 3)
    listed = {claim.pk for claim in response.context["page"]}
    assert listed == {claim["id"] for claim in api["results"]}
    page = response.content.decode()
    assert "No claims" not in page
    assert page.count(f'said by <a href="{reverse("source", args=[rutte.pk])}">') == 3


def test_a_source_page_costs_the_same_queries_for_any_depth_of_sources(client):
    top = SourceFactory()
    parent = top
    for _ in range(3):
        parent = SourceFactory(parent=parent)
        ClaimFactory(source=parent)
    few, _ = count_queries(client, reverse("source", args=[top.pk]))
    for _ in range(20):
        parent = SourceFactory(parent=parent)
        ClaimFactory(source=parent)
    many, response = count_queries(client, reverse("source", args=[top.pk]))
    assert many == few
    assert response.context["record"]["total"] == 23


def test_the_topic_page_has_measures_and_a_timeline(client, seed):
    topic = Topic.objects.get(name="North Korean troops in Russia")
    response = client.get(reverse("topic", args=[topic.pk]))
    dates = [date for date, _ in response.context["timeline"]]
    dated = [d for d in dates if d is not None]
    assert dated == sorted(dated) and dates[-1] is None
    assert len(response.context["comparisons"]) == topic.measures.count()


def test_search_finds_claims_sources_and_documents(client, seed):
    response = client.get(reverse("search"), {"q": "Kremlin"})
    assert {s.name for s in response.context["sources"]} >= {"Kremlin"}
    assert response.context["claims"]
    response = client.get(reverse("search"), {"q": "Kursk Region"})
    assert len(response.context["documents"]) == 1


# Escaping ---------------------------------------------------------------------------

SCRIPT = '<script>alert("x")</script><b>bold</b>'


def test_every_page_shows_markup_in_user_text_as_text(client):
    document = DocumentFactory(title=f"Title {SCRIPT}", text=f"Before {SCRIPT} after.")
    source = SourceFactory(name=f"Source {SCRIPT}", aliases=[SCRIPT])
    topic = TopicFactory(name=f"Topic {SCRIPT}")
    claim = ClaimFactory(
        source=source, document=document, quote=SCRIPT, statement=f"Statement {SCRIPT}"
    )
    claim.topics.add(topic)
    measure = MeasureFactory(name=f"Measure {SCRIPT}")
    FigureFactory(claim=claim, measure=measure, text="3,000", note=SCRIPT)
    topic.measures.add(measure)
    urls = page_urls(claim, document, measure, source, topic, "script")
    for url in urls:
        body = client.get(url).content.decode()
        assert "<script>" not in body, url
        assert "<b>bold</b>" not in body, url
        assert "&lt;script&gt;" in body, url


# Queries ----------------------------------------------------------------------------


def grow_claims(count):
    """``count`` claims on one document and topic, each with a figure and a link."""
    topic = Topic.objects.get_or_create(name="Kursk")[0]
    measure = Measure.objects.get_or_create(name="Troops", defaults={"unit": "troops"})[
        0
    ]
    topic.measures.add(measure)
    document = Document.objects.get_or_create(
        title="Wire", defaults={"text": "Officials said around 1,500 troops."}
    )[0]
    parent = Source.objects.get_or_create(name="Government", kind="government")[0]
    previous = None
    for _ in range(count):
        claim = ClaimFactory(
            document=document,
            quote="around 1,500 troops",
            source=SourceFactory(parent=parent),
        )
        claim.topics.add(topic)
        FigureFactory(claim=claim, measure=measure, text="around 1,500")
        if previous is not None:
            LinkFactory(from_claim=claim, to_claim=previous, relation="corroborates")
        previous = claim
    return topic, measure, document, parent


def test_every_page_makes_the_same_queries_for_10_rows_and_1000(client):
    topic, measure, document, parent = grow_claims(10)
    claim = Claim.objects.order_by("pk")[5]
    urls = page_urls(claim, document, measure, parent, topic, "said")
    at_10 = {url: count_queries(client, url)[0] for url in urls}
    grow_claims(990)
    at_1000 = {url: count_queries(client, url)[0] for url in urls}
    assert at_1000 == at_10


@pytest.mark.parametrize(
    "stored, linked",
    [
        ("https://example.org/a?b=1", "https://example.org/a?b=1"),
        ("HTTP://example.org", "HTTP://example.org"),
        ("javascript:alert(1)", ""),
        (" JavaScript:alert(1)", ""),
        ("data:text/html,<script>alert(1)</script>", ""),
        ("//example.org", ""),
        ("", ""),
        (None, ""),
        ("http://[::1", ""),
    ],
)
def test_only_web_addresses_are_linked(stored, linked):
    from claims.web.templatetags.tracker import web_url

    assert web_url(stored) == linked
