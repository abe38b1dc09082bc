"""The intake page: paste a report, read its proposals beside the marked text, edit
them and accept them as one import; without JavaScript, with Django's test client."""

import datetime
import html
import re
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.exchange.intake.proposals import NO_ATTRIBUTION
from claims.models import Claim, Document, Figure, Link, Source
from claims.web import intake as intake_view
from claims.web.intake_bundle import (
    build_bundle,
    parent_names,
    place_errors,
    resolve_parents,
)

from ..factories import SourceFactory, UserFactory
from ..helpers import stored_rows

pytestmark = pytest.mark.django_db

SEED_TEXT = (
    Path(__file__).resolve().parents[2] / "fixtures" / "seed_article.txt"
).read_text()
URL = "/intake/"
KURSK = "https://example.org/kursk"


def report(**changes) -> dict:
    return {
        "title": "North Korean troops in Kursk",
        "publisher": "ICARO Media Group",
        "url": KURSK,
        "published_at": "2024-10-28T16:25",
        "text": SEED_TEXT,
    } | changes


@pytest.fixture
def editor_page(editor_user):
    """A browser-like client signed in (a session) as an editor; its ``.user``."""
    client = Client()
    client.force_login(editor_user)
    client.user = editor_user
    return client


def read(client, **changes):
    return client.post(URL, {**report(**changes), "action": "read"})


def form_of(response) -> dict:
    """What the browser would post from the proposals page as shown: every field
    with its value, a checkbox only when checked, a select's selected option."""
    page = response.content.decode()
    form = page[page.index('<form method="post" action="/intake/"') :]
    form = form[: form.index("</form>")]
    data: dict = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        kind = re.search(r'type="([^"]+)"', tag).group(1)
        value = re.search(r'value="([^"]*)"', tag)
        if kind == "checkbox":
            if " checked" in tag:
                data[name.group(1)] = "on"
            continue
        data[name.group(1)] = html.unescape(value.group(1)) if value else ""
    for name, body in re.findall(
        r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S
    ):
        data[name] = html.unescape(body.removeprefix("\n"))
    for name, body in re.findall(
        r'<select name="([^"]+)"[^>]*>(.*?)</select>', form, re.S
    ):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        data[name] = html.unescape(chosen.group(1)) if chosen else ""
    data["action"] = "accept"
    return data


@pytest.fixture
def proposals_page(seed, editor_page):
    response = read(editor_page)
    assert response.status_code == 200, response.content.decode()[:2000]
    return response


def claim_keys(data: dict) -> list[str]:
    return sorted(
        {k.split("-")[0] for k in data if re.fullmatch(r"c\d+-statement", k)},
        key=lambda k: int(k[1:]),
    )


# The whole flow ----------------------------------------------------------------------


def test_the_page_asks_for_the_report(seed, editor_page):
    response = editor_page.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    for name in ("title", "publisher", "url", "published_at", "text"):
        assert f'name="{name}"' in body
    assert 'name="action" value="read"' in body
    assert "csrfmiddlewaretoken" in body


def test_the_publication_time_says_its_zone(seed, editor_page, settings):
    """A time typed without a zone is read in the site's: the form says which."""
    body = editor_page.get(URL).content.decode()
    assert f"In the site&#x27;s time zone ({settings.TIME_ZONE})" in body


def test_reading_shows_every_proposed_quote_marked_and_stores_nothing(
    seed, editor_page
):
    before = stored_rows()
    response = read(editor_page)
    assert response.status_code == 200
    assert stored_rows() == before
    body = response.content.decode()
    data = form_of(response)
    keys = claim_keys(data)
    assert len(keys) >= 15
    for key in keys:
        assert f'href="#{key}"' in body  # a mark or reference leads to its row
        assert f'id="{key}"' in body
        assert data[f"{key}-include"] == "on"
    assert body.count('class="mark"') >= 15
    # The NATO chief is matched to the stored Mark Rutte.
    rutte = Source.objects.get(name="Mark Rutte")
    assert f'value="stored:{rutte.pk}" selected' in body
    # A figure with its measure.
    assert "up to 10,000" in body


def test_accepting_stores_every_proposal_and_opens_the_documents_page(
    proposals_page, editor_page
):
    data = form_of(proposals_page)
    claims, figures, links = (
        Claim.objects.count(),
        Figure.objects.count(),
        Link.objects.count(),
    )
    response = editor_page.post(URL, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    document = Document.objects.get(url=KURSK)
    assert response["Location"] == reverse("document", args=[document.pk])
    accepted = len(claim_keys(data))
    assert Claim.objects.count() == claims + accepted
    assert document.claims.count() == accepted
    figure_rows = [k for k in data if re.fullmatch(r"f\d+-include", k)]
    assert Figure.objects.count() == figures + len(figure_rows)
    link_rows = [k for k in data if re.fullmatch(r"l\d+-include", k)]
    assert Link.objects.count() == links + len(link_rows)
    assert document.text == SEED_TEXT
    for claim in document.claims.all():
        assert claim.history.first().history_user == editor_page.user
    page = editor_page.get(response["Location"])
    assert "Imported: " in page.content.decode()
    assert page.content.decode().count('class="mark"') >= 15


def links_of(response) -> dict[str, tuple[str, str]]:
    """The proposed links on the page: their claims' keys, by the link's key."""
    body = response.content.decode()
    return {
        key: (start, end)
        for key, start, end in re.findall(
            r'id="(l\d+)".*?<label[^>]*>Link: (c\d+) <span[^>]*>\w+</span> (c\d+)',
            body,
            re.S,
        )
    }


def test_unchecked_rows_are_not_stored_nor_their_figures_and_links(
    proposals_page, editor_page
):
    data = form_of(proposals_page)
    links = links_of(proposals_page)
    assert len(links) >= 3
    # Uncheck a claim with figures, one at an end of a link, and one figure.
    owner = next(data[k] for k in sorted(data) if re.fullmatch(r"f\d+-claim", k))
    linked = next(iter(links.values()))[1]
    dropped = {owner, linked}
    for key in dropped:
        del data[f"{key}-include"]
    figure_keys = [k.split("-")[0] for k in data if re.fullmatch(r"f\d+-claim", k)]
    other = next(k for k in figure_keys if data[f"{k}-claim"] not in dropped)
    del data[f"{other}-include"]
    kept_claims = [k for k in claim_keys(data) if k not in dropped]
    kept_figures = [
        k for k in figure_keys if k != other and data[f"{k}-claim"] not in dropped
    ]
    kept_links = [k for k, ends in links.items() if not set(ends) & dropped]
    assert len(kept_links) < len(links)
    figures, stored_links = Figure.objects.count(), Link.objects.count()
    response = editor_page.post(URL, data)
    assert response.status_code == 302, _errors_of(response)
    document = Document.objects.get(url=KURSK)
    assert document.claims.count() == len(kept_claims)
    assert Figure.objects.count() == figures + len(kept_figures)
    assert Link.objects.count() == stored_links + len(kept_links)
    assert Figure.objects.filter(claim__document=document).count() == len(kept_figures)


def test_edits_are_stored_as_edited_with_a_new_source(proposals_page, editor_page):
    data = form_of(proposals_page)
    nato = Source.objects.get(name="NATO")
    data["c1-statement"] = "Rutte: North Korean soldiers are in Kursk."
    data["c1-source"] = "new"
    data["c1-new_source_name"] = "NATO spokesperson"
    data["c1-new_source_kind"] = "person"
    data["c1-new_source_parent"] = "nato"
    data["c1-stated_on"] = "2024-10-21"
    data["c1-stated_on_precision"] = "week"
    response = editor_page.post(URL, data)
    assert response.status_code == 302, _errors_of(response)
    claim = Document.objects.get(url=KURSK).claims.get(
        statement="Rutte: North Korean soldiers are in Kursk."
    )
    assert claim.source.name == "NATO spokesperson"
    assert claim.source.kind == "person"
    assert claim.source.parent == nato
    assert (claim.stated_on, claim.stated_on_precision) == (
        datetime.date(2024, 10, 21),
        "week",
    )


def test_a_candidate_may_be_chosen_for_a_new_speaker(seed, editor_page):
    text = (
        "Kursk, Oct. 28. A spokesperson for the Ukrainian defence ministry said "
        "that 40 North Korean soldiers had been seen near the border."
    )
    response = read(editor_page, text=text)
    data = form_of(response)
    assert data["c1-source"] == "new"
    assert data["c1-new_source_name"] == (
        "A spokesperson for the Ukrainian defence ministry"
    )
    assert data["c1-new_source_kind"] == "government"
    officials = Source.objects.get(name="Ukrainian officials")
    assert f'value="stored:{officials.pk}"' in response.content.decode()
    data["c1-source"] = f"stored:{officials.pk}"
    sources = Source.objects.count()
    response = editor_page.post(URL, data)
    assert response.status_code == 302, _errors_of(response)
    claim = Document.objects.get(url=KURSK).claims.get()
    assert claim.source == officials
    assert Source.objects.count() == sources


def test_a_source_not_offered_is_refused(proposals_page, editor_page):
    data = form_of(proposals_page)
    data["c1-source"] = f"stored:{SourceFactory().pk}"
    before = stored_rows()
    response = editor_page.post(URL, data)
    assert response.status_code == 400
    assert "Select a valid choice." in _row(response, "c1")
    assert stored_rows() == before


def test_a_report_at_a_stored_url_adds_to_the_stored_document(seed, editor_page):
    stored = Document.objects.order_by("pk").first()
    text = (
        "Kursk, Oct. 28. A spokesperson for the Ukrainian defence ministry said "
        "that 40 North Korean soldiers had been seen near the border."
    )
    Document.objects.filter(pk=stored.pk).update(text=text, url=KURSK)
    response = read(editor_page, text=text)
    assert response.status_code == 200
    assert f'href="/documents/{stored.pk}/">already stored' in (
        response.content.decode()
    )
    documents, claims = Document.objects.count(), stored.claims.count()
    response = editor_page.post(URL, form_of(response))
    assert response["Location"] == reverse("document", args=[stored.pk])
    assert Document.objects.count() == documents
    assert stored.claims.count() == claims + 1


def test_back_to_the_text_keeps_what_was_pasted(proposals_page, editor_page):
    data = form_of(proposals_page) | {"action": "edit", "title": "Edited title"}
    response = editor_page.post(URL, data)
    assert response.status_code == 200
    body = html.unescape(response.content.decode())
    assert 'value="Edited title"' in body
    assert SEED_TEXT[:200] in body
    assert 'name="action" value="read"' in body


def _errors_of(response) -> str:
    body = response.content.decode()
    return "\n".join(
        re.findall(r'<ul class="errorlist[^"]*"[^>]*>.*?</ul>', body, re.S)
    )


# Bad edits: shown beside their row, nothing stored -----------------------------------


def test_an_empty_statement_is_shown_beside_its_row_and_nothing_is_stored(
    proposals_page, editor_page
):
    data = form_of(proposals_page)
    data["c3-statement"] = "  "
    before = stored_rows()
    response = editor_page.post(URL, data)
    assert response.status_code == 400
    assert stored_rows() == before
    row = _row(response, "c3")
    assert "A claim needs a statement." in row
    assert "Nothing was stored." in response.content.decode()
    # The page keeps the edits and the other rows as they were.
    assert form_of(response)["c4-statement"] == data["c4-statement"]


def test_a_figure_the_parser_cannot_read_is_shown_beside_it_and_nothing_is_stored(
    proposals_page, editor_page
):
    data = form_of(proposals_page)
    figure = next(k.split("-")[0] for k in data if re.fullmatch(r"f\d+-text", k))
    data[f"{figure}-text"] = "a great many"
    before = stored_rows()
    response = editor_page.post(URL, data)
    assert response.status_code == 400
    assert stored_rows() == before
    row = _row(response, figure)
    assert "errorlist" in row, row
    assert form_of(response)[f"{figure}-text"] == "a great many"


def test_a_quote_the_text_does_not_hold_is_shown_beside_its_claim(
    proposals_page, editor_page
):
    """The import's own refusal of a row (here: the text no longer holds the quote,
    its document's text was changed on the way) is placed beside the row."""
    data = form_of(proposals_page)
    data["text"] = data["text"].replace("Kursk", "Kursk region", 1)
    before = stored_rows()
    response = editor_page.post(URL, data)
    assert response.status_code == 400
    assert stored_rows() == before
    assert "The quote does not start at" in _row(response, "c1")


def test_a_new_source_without_a_name_is_refused_beside_its_claim(
    proposals_page, editor_page
):
    data = form_of(proposals_page)
    data["c2-source"] = "new"
    data["c2-new_source_name"] = ""
    before = stored_rows()
    response = editor_page.post(URL, data)
    assert response.status_code == 400
    assert stored_rows() == before
    assert "A new source needs a name." in _row(response, "c2")


def test_changed_proposals_are_refused(proposals_page, editor_page):
    data = form_of(proposals_page)
    data["proposals"] = data["proposals"][:-3] + "abc"
    before = stored_rows()
    response = editor_page.post(URL, data)
    assert response.status_code == 400
    assert "read the text again" in response.content.decode()
    assert stored_rows() == before


def _row(response, key: str) -> str:
    """The HTML of the page's row (fieldset or div) with id ``key``."""
    body = response.content.decode()
    start = body.index(f'id="{key}"')
    tag = body.rfind("<", 0, start)
    name = re.match(r"<(\w+)", body[tag:]).group(1)
    end = body.index(f"</{name}>", start)
    return body[tag:end]


# Who may ------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(seed, client):
    for response in (client.get(URL), client.post(URL, {**report(), "action": "read"})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("who", ["reviewer", "outsider"])
def test_only_editors_may_use_intake(seed, reviewer_user, client, who):
    client.force_login(reviewer_user if who == "reviewer" else UserFactory())
    before = stored_rows()
    assert client.get(URL).status_code == 403
    assert client.post(URL, {**report(), "action": "read"}).status_code == 403
    assert stored_rows() == before
    assert 'href="/intake/"' not in client.get(reverse("home")).content.decode()


def test_the_navigation_links_intake_for_editors(seed, editor_page):
    assert 'href="/intake/"' in editor_page.get(reverse("home")).content.decode()


def test_the_form_is_protected_against_cross_site_posts(seed, editor_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor_user)
    before = stored_rows()
    assert client.post(URL, {**report(), "action": "read"}).status_code == 403
    assert stored_rows() == before


# Bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes, field, reason",
    [
        ({"text": ""}, "text", "Paste the report's text: it is empty."),
        ({"text": "  \n "}, "text", "Paste the report's text: it is empty."),
        ({"published_at": "2999-01-01T00:00"}, "published_at", "is in the future"),
        ({"published_at": "last Tuesday"}, "published_at", "Enter a valid date/time."),
        ({"title": ""}, "title", "This field is required."),
        ({"url": "not a url"}, "url", "Enter a valid URL."),
    ],
    ids=["empty", "blank", "future", "not-a-date", "no-title", "bad-url"],
)
def test_bad_input_is_shown_beside_its_field(seed, editor_page, changes, field, reason):
    before = stored_rows()
    response = read(editor_page, **changes)
    assert response.status_code == 400
    body = html.unescape(response.content.decode())
    paragraph = body[body.index(f'id="report-{field}"') :]
    paragraph = paragraph[: paragraph.index("</p>")]
    assert reason in paragraph
    assert stored_rows() == before


@pytest.mark.parametrize(
    "text, reason",
    [
        (
            "Генеральный секретарь НАТО Марк Рютте заявил в понедельник, что "
            "северокорейские войска находятся в Курской области.",
            "Cyrillic",
        ),
        (
            "The weather was mild on the coast. Markets opened late and closed early.",
            NO_ATTRIBUTION,
        ),
    ],
    ids=["cyrillic", "no-attribution"],
)
def test_a_text_with_nothing_to_propose_says_why(seed, editor_page, text, reason):
    before = stored_rows()
    response = read(editor_page, text=text)
    assert response.status_code == 200
    body = html.unescape(response.content.decode())
    assert reason in body
    assert "0 proposed claims" in body
    assert stored_rows() == before


MARKUP = "<script>window.__pwned=1</script><b>bold</b>"


def test_markup_in_the_report_is_shown_as_text(seed, editor_page):
    text = (
        f'{MARKUP} NATO chief Mark Rutte said on Monday that "{MARKUP} 10,000 troops."'
    )
    response = read(editor_page, title=MARKUP, publisher=MARKUP, text=text)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<script>window" not in body
    assert "<b>bold" not in body
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in body
    data = form_of(response)
    assert data["title"] == MARKUP
    response = editor_page.post(URL, data)
    assert response.status_code == 302, _errors_of(response)
    page = editor_page.get(response["Location"]).content.decode()
    assert "<script>window" not in page


# Queries -----------------------------------------------------------------------------


def test_the_proposals_page_costs_the_same_queries_for_10_or_1000_sources(
    seed, editor_page
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert read(editor_page).status_code == 200
        return len(captured)

    queries()
    SourceFactory.create_batch(10)
    few = queries()
    SourceFactory.create_batch(990)
    assert queries() == few


def test_accepting_costs_the_same_queries_for_10_or_1000_sources(seed, editor_page):
    def queries(url: str) -> int:
        data = form_of(read(editor_page, url=url))
        with CaptureQueriesContext(connection) as captured:
            assert editor_page.post(URL, data).status_code == 302
        return len(captured)

    queries("https://example.org/first")
    SourceFactory.create_batch(10)
    few = queries("https://example.org/second")
    SourceFactory.create_batch(990)
    assert queries("https://example.org/third") == few


# The pure helper: the editor's choices -> the bundle ---------------------------------

PROPOSALS = {
    "documents": [{"key": "d1", "title": "T", "matched": None}],
    "sources": [],
    "measures": [],
    "claims": [
        {"key": "c1", "source": "s1", "quote": "q one", "quote_start": 5},
        {"key": "c2", "source": "s2", "quote": "q two", "quote_start": 20},
        {"key": "c3", "source": "s2", "quote": "q three", "quote_start": 40},
    ],
    "figures": [
        {"key": "f1", "claim": "c1", "measure": "m1", "text": "10", "note": ""},
        {
            "key": "f2",
            "claim": "c2",
            "measure": "m1",
            "text": "around 3,000",
            "note": "in parts",
            "bounds_overridden": True,
            "qualifier": "range",
            "value": None,
            "low": "2000",
            "high": "3000",
        },
    ],
    "links": [
        {"key": "l1", "from_claim": "c1", "to_claim": "c2", "relation": "based_on"},
        {"key": "l2", "from_claim": "c1", "to_claim": "c3", "relation": "repeats"},
    ],
}


def claim_choice(**changes) -> dict:
    return {
        "include": True,
        "source": "stored:7",
        "new_source_name": "",
        "new_source_kind": "",
        "new_source_parent": "",
        "statement": " Said. ",
        "attribution_kind": "paraphrase",
        "stated_on": datetime.date(2024, 10, 28),
        "stated_on_precision": "day",
    } | changes


def figure_choice(**changes) -> dict:
    return {
        "include": True,
        "text": "10",
        "claim": "c1",
        "measure": "stored:3",
        "new_measure_name": "",
        "new_measure_unit": "",
    } | changes


REPORT = {
    "title": "T",
    "publisher": "P",
    "url": "",
    "published_at": datetime.datetime(2024, 10, 28, tzinfo=datetime.UTC),
    "text": "the text",
}


def test_the_bundle_holds_the_checked_rows_as_chosen():
    new = {
        "source": "new",
        "new_source_name": "NATO spokesperson",
        "new_source_kind": "person",
        "new_source_parent": 4,
    }
    accepted = build_bundle(
        REPORT,
        PROPOSALS,
        {
            "c1": claim_choice(),
            "c2": claim_choice(**new),
            "c3": claim_choice(**new, stated_on=None, stated_on_precision=""),
            "f1": figure_choice(),
            "f2": figure_choice(
                claim="c2",
                text="around 3,000",
                measure="new",
                new_measure_name="Troops",
                new_measure_unit="troops",
            ),
            "l1": {"include": True},
            "l2": {"include": False},
        },
    )
    bundle = accepted.bundle
    assert bundle["documents"] == [
        {
            "key": "d1",
            "title": "T",
            "publisher": "P",
            "url": "",
            "published_at": "2024-10-28T00:00:00+00:00",
            "text": "the text",
        }
    ]
    # Two claims chose the same new source: one row.
    assert bundle["sources"] == [
        {"key": "s1", "name": "NATO spokesperson", "kind": "person", "parent": 4}
    ]
    assert [c["source"] for c in bundle["claims"]] == [7, "s1", "s1"]
    assert bundle["claims"][0] == {
        "key": "c1",
        "source": 7,
        "document": "d1",
        "quote": "q one",
        "quote_start": 5,
        "statement": "Said.",
        "attribution_kind": "paraphrase",
        "stated_on": "2024-10-28",
        "stated_on_precision": "day",
    }
    assert bundle["claims"][2]["stated_on"] is None
    assert bundle["measures"] == [{"key": "m1", "name": "Troops", "unit": "troops"}]
    assert bundle["figures"][0]["measure"] == 3
    # The bounds read from a total in parts are kept while its text is.
    assert bundle["figures"][1]["low"] == "2000"
    assert bundle["figures"][1]["bounds_overridden"] is True
    assert [link["key"] for link in bundle["links"]] == ["l1"]
    assert accepted.rows[("sources", "s1")] == ["c2", "c3"]
    assert accepted.rows[("measures", "m1")] == ["f2"]
    assert accepted.rows[("documents", "d1")] == ["report"]


def test_a_parent_is_named_a_stored_source_or_another_new_one():
    new = {"source": "new", "new_source_kind": "government"}
    choices = {
        "c1": claim_choice(**new, new_source_name="NIS", new_source_parent="Seoul"),
        "c2": claim_choice(**new, new_source_name="Seoul", new_source_parent="NATO"),
        "c3": claim_choice(**new, new_source_name="X", new_source_parent="Nobody"),
        "c4": claim_choice(**new, new_source_name="Y", new_source_parent="y"),
        "c5": claim_choice(include=False, **new, new_source_parent="Unchecked"),
    }
    assert parent_names(choices) == {"seoul", "nato", "nobody", "y"}
    errors = resolve_parents(choices, {"nato": 4})
    assert errors == {
        "c3": "No stored source, nor another new one, is named 'Nobody'.",
        "c4": "No stored source, nor another new one, is named 'y'.",
    }
    assert choices["c2"]["new_source_parent"] == 4
    del choices["c3"], choices["c4"]
    proposals = {
        **PROPOSALS,
        "claims": [{"key": k, "quote": k} for k in ("c1", "c2")],
    }
    sources = build_bundle(REPORT, proposals, choices).bundle["sources"]
    assert sources == [
        {"key": "s1", "name": "NIS", "kind": "government", "parent": "s2"},
        {"key": "s2", "name": "Seoul", "kind": "government", "parent": 4},
    ]


def test_figures_and_links_of_unchecked_claims_are_dropped():
    accepted = build_bundle(
        REPORT,
        PROPOSALS,
        {
            "c1": claim_choice(),
            "c2": claim_choice(include=False),
            "c3": claim_choice(),
            "f1": figure_choice(),
            "f2": figure_choice(claim="c2"),
            "l1": {"include": True},
            "l2": {"include": True},
        },
    )
    bundle = accepted.bundle
    assert [c["key"] for c in bundle["claims"]] == ["c1", "c3"]
    assert [f["key"] for f in bundle["figures"]] == ["f1"]
    assert [link["key"] for link in bundle["links"]] == ["l2"]


def test_an_edited_total_in_parts_is_parsed_again():
    accepted = build_bundle(
        REPORT,
        PROPOSALS,
        {"c2": claim_choice(), "f2": figure_choice(claim="c2", text="about 2,500")},
    )
    assert "bounds_overridden" not in accepted.bundle["figures"][0]
    assert accepted.bundle["figures"][0]["text"] == "about 2,500"


def test_the_imports_errors_are_placed_beside_the_rows_they_came_from():
    error = SimpleNamespace
    placed = place_errors(
        [
            error(kind="claims", key="c1", field="quote", reason="Not in the text."),
            error(kind="sources", key="s1", field="name", reason="Too long."),
            error(kind="sources", key="s1", field="", reason="A cycle."),
            error(kind="measures", key="m1", field="tolerance", reason="Bad."),
            error(kind="documents", key="d1", field="url", reason="Bad URL."),
            error(kind="bundle", key="", field="", reason="Odd."),
        ],
        {
            ("claims", "c1"): ["c1"],
            ("sources", "s1"): ["c2", "c3"],
            ("measures", "m1"): ["f2"],
            ("documents", "d1"): ["report"],
        },
    )
    assert placed == {
        "c1": [("quote", "Not in the text.")],
        "c2": [("new_source_name", "Too long."), ("", "The new source: A cycle.")],
        "c3": [("new_source_name", "Too long."), ("", "The new source: A cycle.")],
        "f2": [("", "The new measure: Bad.")],
        "report": [("url", "Bad URL.")],
        "": [("", "Odd.")],
    }


# A long report: more fields than Django takes in one post by default -----------------


def long_report(claims: int) -> str:
    """A report of ``claims`` attributed sentences, each a claim of its own."""
    things = ["bridge", "depot", "road", "port", "school", "airfield", "station"]
    states = ["closed", "damaged", "reopened", "guarded", "shelled", "cleared"]
    sides = ["north", "south", "east", "west", "old", "new"]
    sentences = [
        f"Mark Rutte said the {side} {thing} was {state}."
        for side in sides
        for thing in things
        for state in states
    ]
    assert len(sentences) >= claims
    return " ".join(sentences[:claims])


def browser_post(client, data: dict):
    """Post as a browser posts a form without an ``enctype``: URL-encoded."""
    return client.post(
        URL, urlencode(data), content_type="application/x-www-form-urlencoded"
    )


def test_a_report_of_160_claims_is_read_and_imported_whole(seed, editor_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor_user)
    page = client.get(URL)
    token = re.search(
        r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()
    )
    text = long_report(160)
    response = client.post(
        URL,
        {**report(text=text), "action": "read", "csrfmiddlewaretoken": token[1]},
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    assert "160 proposed claims" in response.content.decode()
    data = form_of(response)
    assert len(data) > 1_000  # Django's DATA_UPLOAD_MAX_NUMBER_FIELDS
    without_token = {k: v for k, v in data.items() if k != "csrfmiddlewaretoken"}
    assert browser_post(client, without_token).status_code == 403
    assert not Document.objects.filter(url=KURSK).exists()
    response = browser_post(client, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    document = Document.objects.get(url=KURSK)
    assert document.claims.count() == 160
    assert document.claims.filter(source__name="Mark Rutte").count() == 160


def test_a_report_with_more_proposals_than_a_page_can_post_says_so(
    seed, editor_page, monkeypatch
):
    monkeypatch.setattr(intake_view, "MAX_FIELDS", 200)
    before = stored_rows()
    response = read(editor_page, text=long_report(30))
    assert response.status_code == 400
    body = html.unescape(response.content.decode())
    assert "The text yields 30 proposed claims and 0 figures" in body
    assert "Split the report and read each part." in body
    assert "Mark Rutte said the north bridge was closed." in body  # kept
    assert stored_rows() == before


def test_a_post_over_the_limit_of_fields_says_so_and_keeps_the_report(
    seed, editor_page, monkeypatch
):
    response = read(editor_page, text=long_report(30))
    data = form_of(response)
    monkeypatch.setattr(intake_view, "MAX_FIELDS", 100)
    before = stored_rows()
    response = browser_post(editor_page, data)
    assert response.status_code == 400
    body = html.unescape(response.content.decode())
    assert f"The page posted {len(data):,} fields" in body
    assert "intake accepts at most 100 at once" in body
    assert "Mark Rutte said the north bridge was closed." in body  # the text, kept
    assert 'value="North Korean troops in Kursk"' in body  # and the title
    assert stored_rows() == before
