"""Select to claim: the new-claim form filled from a passage's offsets, the
source proposed by intake's reading of its sentence, and the claim recorded through
the services with the offsets that pick its occurrence."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import Claim, Document, Source
from claims.web.new_claim import SelectionError, pick, selection, statement_from

from ..factories import ClaimFactory, DocumentFactory, SourceFactory, user_holding
from ..helpers import stored_rows

NOTED = "North Korea has already supplied Russia with millions of rounds"


@pytest.fixture
def editing(client, editor_user):
    """Django's test client signed in as ``editor_user``."""
    client.force_login(editor_user)
    client.user = editor_user
    return client


def new_claim_url(document, **offsets) -> str:
    url = reverse("new-claim", args=[document.pk])
    if offsets:
        url += "?" + "&".join(f"{k}={v}" for k, v in offsets.items())
    return url


def field_value(body: str, name: str) -> str:
    """The value a form field of the page shows (an input's value, a textarea's
    text, a select's selected option)."""
    found = re.search(rf'<textarea name="{name}"[^>]*>\n?(.*?)</textarea>', body, re.S)
    if found:
        return unescape(found[1])
    found = re.search(rf'<input type="[a-z]+" name="{name}"(?: value="([^"]*)")?', body)
    if found:
        return unescape(found[1] or "")
    select = re.search(rf'<select name="{name}".*?</select>', body, re.S)
    assert select, name
    chosen = re.search(r'<option value="([^"]*)"[^>]*selected>', select[0])
    return chosen[1] if chosen else ""


def offsets_of(document, passage: str, occurrence: int = 1) -> tuple[int, int]:
    start = -1
    for _ in range(occurrence):
        start = document.text.index(passage, start + 1)
    return start, start + len(passage)


def claim_data(**fields) -> dict:
    return {
        "quote": "",
        "quote_start": "",
        "statement": "A statement.",
        "source": "",
        "new_source_name": "",
        "new_source_kind": "",
        "attribution_kind": "paraphrase",
        "stated_on": "",
        "stated_on_precision": "",
        **fields,
    }


# The pure parts -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "start, end, message",
    [
        ("a", "5", "whole numbers"),
        ("", "5", "whole numbers"),
        ("1.5", "5", "whole numbers"),
        ("5", "5", "not a passage"),
        ("6", "5", "not a passage"),
        ("-1", "5", "not a passage"),
        ("0", "99", "not a passage"),
        ("4", "5", "only white space"),
    ],
)
def test_a_selection_must_be_a_passage_of_the_text(start, end, message):
    with pytest.raises(SelectionError, match=message):
        selection("Kyiv said so.", start, end)


def test_a_selection_of_a_document_without_text_is_refused():
    with pytest.raises(SelectionError, match="no text"):
        selection("", "0", "1")


def test_the_proposal_picked_is_the_one_overlapping_the_selection_most():
    rows = [
        {
            "key": "c1",
            "speaker_span": [0, 4],
            "cue_span": [5, 9],
            "quote_span": [0, 20],
        },
        {"key": "c2", "speaker_span": [22, 30], "quote_span": [22, 60]},
        {"key": "c3", "speaker_span": [22, 30], "quote_span": [22, 60]},
    ]
    assert pick(rows, 25, 40)["key"] == "c2", "the first of equals"
    assert pick(rows, 15, 25)["key"] == "c1"
    assert pick(rows, 18, 40)["key"] == "c2"
    assert pick(rows, 61, 70) is None
    assert pick([], 0, 5) is None


def test_a_statement_is_proposed_from_the_quote_without_its_marks():
    assert statement_from(' "stronger decisions." ') == "Stronger decisions."


# The form, filled from a selection ----------------------------------------------------


def test_the_form_is_filled_from_the_selection_and_the_sentence(editing, seed):
    document = Document.objects.get()
    start, end = offsets_of(document, NOTED)
    response = editing.get(new_claim_url(document, start=start, end=end))
    assert response.status_code == 200
    body = response.content.decode()
    assert field_value(body, "quote") == NOTED
    assert field_value(body, "quote_start") == str(start)
    assert field_value(body, "statement") == NOTED
    rutte = Source.objects.get(name="Mark Rutte")
    assert field_value(body, "source") == str(rutte.pk), "the NATO chief is Rutte"
    assert field_value(body, "attribution_kind") == "paraphrase"
    assert "the speaker “The NATO chief”" in body
    passage = re.search(r'<blockquote class="context" id="passage">(.*?)</', body, re.S)
    assert f'<mark class="quote">{NOTED}' in passage[0]


def test_a_selection_is_trimmed_of_white_space_at_its_ends(editing, seed):
    document = Document.objects.get()
    start, end = offsets_of(document, NOTED)
    response = editing.get(new_claim_url(document, start=start - 1, end=end + 1))
    body = response.content.decode()
    assert field_value(body, "quote") == NOTED
    assert field_value(body, "quote_start") == str(start)


def test_a_date_and_a_new_source_are_proposed_from_the_sentence(editing, seed):
    document = Document.objects.get()
    start, end = offsets_of(document, "approximately 3,000 North Korean personnel")
    body = editing.get(new_claim_url(document, start=start, end=end)).content.decode()
    assert field_value(body, "attribution_kind") == "citing"
    assert field_value(body, "stated_on") == "2024-10-21", "last week"
    assert field_value(body, "stated_on_precision") == "week"


def test_a_passage_no_reading_covers_proposes_no_source(editing, seed):
    document = Document.objects.get()
    start, end = offsets_of(document, "The views expressed in this article")
    body = editing.get(new_claim_url(document, start=start, end=end)).content.decode()
    assert field_value(body, "source") == ""
    assert field_value(body, "quote") == "The views expressed in this article"
    assert "No source was read from the sentence" in body


@pytest.mark.parametrize(
    "query, message",
    [
        ("start=x&end=10", "must be whole numbers"),
        ("start=10", "must be whole numbers"),
        ("start=10&end=5", "is not a passage of this document"),
        ("start=0&end=999999", "is not a passage of this document"),
    ],
)
def test_bad_offsets_get_a_clear_error_and_store_nothing(editing, seed, query, message):
    document = Document.objects.get()
    before = stored_rows()
    response = editing.get(f"{new_claim_url(document)}?{query}")
    assert response.status_code == 400
    error = re.search(
        r'<ul class="errorlist" id="selection-error".*?</ul>',
        response.content.decode(),
        re.S,
    )
    assert message in error[0]
    assert stored_rows() == before


def test_without_offsets_the_form_is_empty(editing, seed):
    document = Document.objects.get()
    body = editing.get(new_claim_url(document)).content.decode()
    assert field_value(body, "quote") == ""
    assert field_value(body, "quote_start") == ""
    assert 'id="selection-error"' not in body


# Recording the claim -------------------------------------------------------------------


def test_posting_records_the_claim_at_the_selected_offsets(editing, seed):
    document = Document.objects.get()
    rutte = Source.objects.get(name="Mark Rutte")
    passage = "millions of rounds of ammunition"
    start, end = offsets_of(document, passage)
    response = editing.post(
        new_claim_url(document),
        claim_data(
            quote=passage,
            quote_start=start,
            statement="North Korea supplied millions of rounds.",
            source=rutte.pk,
            stated_on="2024-10-28",
            stated_on_precision="day",
        ),
    )
    claim = Claim.objects.get(quote=passage)
    assert response.status_code == 302
    assert response["Location"] == reverse("claim", args=[claim.pk])
    assert (claim.quote_start, claim.quote_end) == (start, end)
    assert (claim.source, claim.document) == (rutte, document)
    assert claim.stated_on.isoformat() == "2024-10-28"
    assert claim.history.get().history_user == editing.user


def test_the_offset_picks_one_of_several_occurrences(editing, seed):
    document = Document.objects.get()
    passage = "North Korean troops"
    assert document.text.count(passage) >= 3
    start, end = offsets_of(document, passage, occurrence=3)
    editing.post(
        new_claim_url(document),
        claim_data(quote=passage, quote_start=start, source=Source.objects.first().pk),
    )
    claim = Claim.objects.get(quote=passage)
    assert (claim.quote_start, claim.quote_end) == (start, end)


def test_a_new_source_is_recorded_with_the_claim(editing, seed):
    document = Document.objects.get()
    passage = "Analysts warn"
    start, _end = offsets_of(document, passage)
    editing.post(
        new_claim_url(document),
        claim_data(
            quote=passage,
            quote_start=start,
            new_source_name="Western analysts",
            new_source_kind="group",
        ),
    )
    claim = Claim.objects.get(quote=passage)
    assert (claim.source.name, claim.source.kind) == ("Western analysts", "group")
    assert claim.source.history.get().history_user == editing.user


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"statement": ""}, "statement", "This field is required."),
        ({"quote": "Words the document never had"}, "quote", "does not occur"),
        ({"quote": "North Korean troops"}, "quote", "occurs 3 times"),
        ({"stated_on": "2031-01-01"}, "stated_on", "is after 2024-10-28"),
        (
            {"stated_on": "", "stated_on_precision": "week"},
            "stated_on_precision",
            "needs a date",
        ),
        ({"source": ""}, "source", "Choose the source, or name a new one"),
        ({"new_source_name": "Someone"}, "new_source_name", "not both"),
        (
            {"source": "", "new_source_name": "Someone"},
            "new_source_kind",
            "Say what kind",
        ),
        (
            {
                "source": "",
                "new_source_name": "Someone",
                "new_source_kind": "group",
                "stated_on": "2031-01-01",
            },
            "stated_on",
            "is after",
        ),
        ({"attribution_kind": "rumour"}, "attribution_kind", "Select a valid choice"),
    ],
)
def test_a_bad_claim_is_shown_again_with_its_error_beside_the_field(
    editing, seed, fields, field, message
):
    document = Document.objects.get()
    data = {
        **claim_data(
            quote="Analysts warn", source=Source.objects.get(name="Mark Rutte").pk
        ),
        **fields,
    }
    before = stored_rows()
    response = editing.post(new_claim_url(document), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert any(message in error for error in form.errors[field]), form.errors
    assert message in unescape(response.content.decode())
    assert stored_rows() == before, "nothing stored, not even the new source"


def test_an_edited_quote_is_found_wherever_it_occurs_once(editing, seed):
    document = Document.objects.get()
    start, _end = offsets_of(document, NOTED)
    editing.post(
        new_claim_url(document),
        claim_data(
            quote="Analysts warn", quote_start=start, source=Source.objects.first().pk
        ),
    )
    claim = Claim.objects.get(quote="Analysts warn")
    assert claim.quote_start == document.text.index("Analysts warn")


# Who may, and the document page ------------------------------------------------------


def test_only_editors_may_claim_a_passage(client, seed, reviewer_user):
    document = Document.objects.get()
    url = new_claim_url(document, start=0, end=5)
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    before = stored_rows()
    assert client.post(url, claim_data(quote="North")).status_code == 302
    client.force_login(reviewer_user)
    assert client.get(url).status_code == 403
    data = claim_data(quote="Analysts warn", source=Source.objects.first().pk)
    assert client.post(url, data).status_code == 403
    assert stored_rows() == before


def test_a_new_source_needs_the_permission_to_add_sources(client, seed):
    client.force_login(user_holding("add_claim", "view_source"))
    document = Document.objects.get()
    before = stored_rows()
    response = client.post(
        new_claim_url(document),
        claim_data(quote="Analysts warn", new_source_name="X", new_source_kind="group"),
    )
    assert response.status_code == 403
    assert stored_rows() == before


def test_the_form_is_protected_against_cross_site_posts(seed, editor_user):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor_user)
    document = Document.objects.get()
    data = claim_data(quote="Analysts warn", source=Source.objects.first().pk)
    before = stored_rows()
    assert strict.post(new_claim_url(document), data).status_code == 403
    assert stored_rows() == before


def test_a_missing_document_is_not_found(editing, db):
    assert editing.get(reverse("new-claim", args=[999])).status_code == 404


def test_the_document_page_offers_editors_the_form_and_its_script(
    client, seed, editor_user
):
    document = Document.objects.get()
    url = reverse("document", args=[document.pk])
    body = client.get(url).content.decode()
    assert "select_to_claim.js" not in body and 'id="new-claim-link"' not in body
    client.force_login(editor_user)
    body = client.get(url).content.decode()
    assert f'id="new-claim-link" href="{new_claim_url(document)}"' in body
    assert 'id="claim-selection"' in body
    assert "claims/select_to_claim.js" in body


def test_every_piece_of_the_document_text_says_where_it_starts(client, seed):
    document = Document.objects.get()
    body = client.get(reverse("document", args=[document.pk])).content.decode()
    pieces = re.findall(
        r'<(?:a|span) (?:class="mark" )?data-start="(\d+)"[^>]*>(.*?)</(?:a|span)>',
        body,
        re.S,
    )
    assert len(pieces) > 30
    for start, text in pieces:
        start, text = int(start), unescape(text)
        assert document.text[start : start + len(text)] == text
    # All the text but the blank lines between paragraphs (each its own <p>).
    assert "".join(unescape(text) for _s, text in pieces) == "".join(
        document.text.split("\n\n")
    )


def test_markup_in_the_text_and_names_is_shown_as_text(editing, db):
    markup = '<img src=x onerror="alert(1)"><script>alert(1)</script>'
    document = DocumentFactory(text=f"The minister said {markup} loudly.")
    SourceFactory(name=markup)
    start, end = offsets_of(document, markup)
    body = editing.get(new_claim_url(document, start=start, end=end)).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "<img src=x" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert field_value(body, "quote") == markup


def test_the_form_makes_the_same_queries_for_10_sources_and_1000(editing, db):
    document = DocumentFactory()
    url = new_claim_url(document, start=0, end=9)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert editing.get(url).status_code == 200
        return len(captured)

    def add_sources(count: int) -> None:
        first = Source.objects.count()
        Source.objects.bulk_create(
            Source(name=f"Source {first + i}", kind="person") for i in range(count)
        )

    add_sources(10)
    # The session and the user's permissions, the document, the stored sources and
    # measures (intake's gazetteer), and the form's list of sources.
    few = queries()
    add_sources(990)
    assert queries() == few


def test_offsets_count_a_line_break_as_the_page_holds_it(editing, client, db):
    document = DocumentFactory(
        text="Kyiv said so.\r\nSeoul said the same.\rMoscow denied it."
    )
    ClaimFactory(document=document, quote="Seoul said the same.", stated_on=None)
    page = client.get(reverse("document", args=[document.pk])).content.decode()
    starts = re.findall(r'data-start="(\d+)"', page)
    assert starts == ["0", "14", "34"], "a CR LF counts one, as the page holds it"
    read = document.text.replace("\r\n", "\n").replace("\r", "\n")
    start = read.index("Moscow denied")
    response = editing.get(new_claim_url(document, start=start, end=start + 13))
    body = response.content.decode()
    assert field_value(body, "quote") == "Moscow denied"
    assert field_value(body, "quote_start") == str(document.text.index("Moscow"))
    end = len(read)
    assert editing.get(new_claim_url(document, start=0, end=end)).status_code == 200
    response = editing.get(new_claim_url(document, start=0, end=end + 1))
    assert response.status_code == 400
