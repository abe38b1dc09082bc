"""CSV: every list and the comparisons as text/csv, and claims imported from CSV."""

import csv
import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.exceptions import ParseError

from claims.api import csv as tabular
from claims.exchange import csv_bundle
from claims.models import Claim, Figure
from claims.selectors import OFF_TOPIC_MEASURE

from ..factories import (
    ClaimFactory,
    DocumentFactory,
    FigureFactory,
    MeasureFactory,
    ReviewFactory,
    SourceFactory,
    TopicFactory,
)
from ..helpers import RESOURCES, stored_rows

pytestmark = pytest.mark.django_db

LISTS = list(RESOURCES)


def csv_of(response) -> list[dict]:
    """A CSV answer read back with the csv module: a dict a row."""
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.streaming
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text, newline="")))


def json_list(client, url: str, data=None) -> list[dict]:
    """Every row of a JSON list, page after page."""
    rows, page = [], 1
    while page:
        answer = client.get(url, {**(data or {}), "page_size": 500, "page": page})
        assert answer.status_code == 200, answer.content
        rows += answer.json()["results"]
        page = page + 1 if answer.json()["next"] else 0
    return rows


def as_cell(value) -> str:
    """How the module's docstring says a JSON value is written in a cell."""
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return str(value)


@pytest.mark.parametrize("kind", LISTS)
@pytest.mark.parametrize("asked", ["format", "accept"])
def test_every_list_answers_csv_with_the_jsons_columns_and_values(
    client, seed, kind, asked
):
    ReviewFactory(claim=Claim.objects.first())  # the seed has none
    url = f"/api/{kind}/"
    if asked == "format":
        response = client.get(url, {"format": "csv"})
    else:
        response = client.get(url, HTTP_ACCEPT="text/csv")
    rows = csv_of(response)
    expected = json_list(client, url)
    assert expected, f"the seed has {kind}"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{kind[:-1]}.csv"'
    )
    assert list(rows[0]) == list(expected[0])
    assert rows == [
        {name: as_cell(value) for name, value in row.items()} for row in expected
    ]


def test_a_list_csv_has_the_lists_filters_search_and_ordering(client):
    document = DocumentFactory()
    kept = [ClaimFactory(document=document) for _ in range(3)]
    ClaimFactory()
    rows = csv_of(
        client.get(
            "/api/claims/",
            {"document": document.pk, "ordering": "-id", "format": "csv"},
        )
    )
    assert [int(row["id"]) for row in rows] == sorted(
        (c.pk for c in kept), reverse=True
    )
    found = csv_of(client.get("/api/sources/", {"search": "Nowhere", "format": "csv"}))
    assert found == []


def test_a_claims_csv_searched_has_the_lists_matches_in_its_order(client, seed):
    query = {"search": "troops"}
    expected = [row["id"] for row in json_list(client, "/api/claims/", query)]
    rows = csv_of(client.get("/api/claims/", {**query, "format": "csv"}))
    assert expected
    assert [int(row["id"]) for row in rows] == expected


def test_a_list_csv_holds_every_row_not_one_page(client):
    document = DocumentFactory()
    ClaimFactory.create_batch(120, document=document)
    assert client.get("/api/claims/").json()["count"] == 120
    assert len(client.get("/api/claims/").json()["results"]) == 50
    assert len(csv_of(client.get("/api/claims/", {"format": "csv"}))) == 120


def test_an_empty_list_csv_still_names_its_columns(client):
    response = client.get("/api/figures/", {"format": "csv"})
    text = b"".join(response.streaming_content).decode()
    assert text.splitlines() == [
        "id,url,claim,measure,text,as_of,as_of_given,qualifier,value,low,high,"
        "bounds_overridden,note,warnings,version,created_at,updated_at"
    ]


def many_claims(count: int) -> None:
    """``count`` claims in bulk, every third with two topics."""
    sources = SourceFactory.create_batch(5)
    document = DocumentFactory()
    topics = TopicFactory.create_batch(2)
    claims = Claim.objects.bulk_create(
        Claim(
            source=sources[i % 5],
            document=document,
            statement=f'Claim {i}, with a comma and a "quote"\nand a line.',
            quote="q",
            attribution_kind="paraphrase",
            stated_on=datetime.date(2024, 1, 1) + datetime.timedelta(days=i % 300)
            if i % 7
            else None,
        )
        for i in range(count)
    )
    through = Claim.topics.through
    through.objects.bulk_create(
        through(claim_id=claim.pk, topic_id=topic.pk)
        for claim in claims[::3]
        for topic in topics
    )


def test_the_csv_of_1000_claims_reads_back_to_the_json_lists_values(client):
    many_claims(1000)
    expected = json_list(client, "/api/claims/")
    rows = csv_of(client.get("/api/claims/", {"format": "csv"}))
    assert len(rows) == len(expected) == 1000
    for row, claim in zip(rows, expected, strict=True):
        assert int(row["id"]) == claim["id"]
        assert row["url"] == claim["url"]
        assert row["statement"] == claim["statement"]
        assert row["stated_on"] == (claim["stated_on"] or "")
        assert [int(t) for t in row["topics"].split("; ") if t] == claim["topics"]
        assert int(row["credibility"]) == claim["credibility"]
        assert row["created_at"] == claim["created_at"]


def test_a_list_csv_makes_as_many_queries_for_1000_rows_as_for_10(client):
    many_claims(10)
    with CaptureQueriesContext(connection) as few:
        assert len(csv_of(client.get("/api/claims/", {"format": "csv"}))) == 10
    many_claims(990)
    with CaptureQueriesContext(connection) as many:
        assert len(csv_of(client.get("/api/claims/", {"format": "csv"}))) == 1000
    # The claims, then their topics (one prefetch a chunk of 2,000 rows).
    assert len(few) == len(many) == 2


def many_figures(count: int, warned: int = 0) -> None:
    """``count`` figures in bulk, the first ``warned`` of them off their claim's
    topics (their measure has a topic, the claim none)."""
    off_topic = MeasureFactory()
    off_topic.topics.add(TopicFactory())
    model = FigureFactory(text="-3 to 5", measure=MeasureFactory(lower_limit=None))
    Figure.objects.bulk_create(
        Figure(
            claim=model.claim,
            measure=off_topic if i < warned else model.measure,
            text=model.text,
            qualifier=model.qualifier,
            value=model.value,
            low=model.low,
            high=model.high,
            as_of=datetime.date(2024, 1, 1) if i % 2 else None,
            as_of_given=bool(i % 2),
        )
        for i in range(count - 1)
    )


def test_a_figures_csv_has_the_jsons_warnings_in_the_same_one_query(client):
    many_figures(10, warned=3)
    with CaptureQueriesContext(connection) as few:
        rows = csv_of(client.get("/api/figures/", {"format": "csv"}))
    assert len(rows) == 10
    expected = json_list(client, "/api/figures/")
    assert {row.pop("text") for row in rows} == {"'-3 to 5"}  # escaped text
    assert rows == [
        {name: as_cell(value) for name, value in row.items() if name != "text"}
        for row in expected
    ]
    assert [row["warnings"] for row in rows].count(OFF_TOPIC_MEASURE) == 3
    assert {row["low"] for row in rows} == {"-3.0"}  # a number, not escaped text
    many_figures(990)
    with CaptureQueriesContext(connection) as many:
        assert len(csv_of(client.get("/api/figures/", {"format": "csv"}))) == 1000
    assert len(few) == len(many) == 1


@pytest.mark.parametrize("zone", ["UTC", "America/New_York"])
def test_times_and_dates_are_written_as_the_json_has_them(client, settings, zone):
    settings.TIME_ZONE = zone
    many_claims(3)
    document = DocumentFactory(
        published_at=datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.UTC)
    )
    ClaimFactory(document=document, stated_on=datetime.date(2020, 2, 29))
    Claim.objects.filter(pk=Claim.objects.first().pk).update(
        created_at=datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    )
    for kind in ("claims", "documents"):
        rows = csv_of(client.get(f"/api/{kind}/", {"format": "csv"}))
        expected = json_list(client, f"/api/{kind}/")
        assert rows == [
            {name: as_cell(value) for name, value in row.items()} for row in expected
        ]
    times = [row["created_at"] for row in rows]
    assert all(t.endswith("Z") for t in times) == (zone == "UTC")


@pytest.mark.parametrize("kind", LISTS)
def test_every_list_is_read_as_rows_not_model_instances(
    client, monkeypatch, kind, seed
):
    ReviewFactory(claim=Claim.objects.first())  # the seed has none
    read = []
    serialized = tabular.serialized
    monkeypatch.setattr(
        tabular, "serialized", lambda *args: read.append(serialized(*args)) or read[-1]
    )
    asked = [{"format": "csv"}]
    if kind == "claims":
        asked.append({"format": "csv", "search": "troops"})
    for query in asked:
        assert csv_of(client.get(f"/api/{kind}/", query))
    assert [chunks.per_instance for chunks in read] == [False] * len(asked)


def test_text_that_a_spreadsheet_would_run_is_escaped(client):
    document = DocumentFactory()
    statements = ["=HYPERLINK(1)", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "A=B"]
    for statement in statements:
        ClaimFactory(document=document, statement=statement)
    rows = csv_of(client.get("/api/claims/", {"format": "csv", "ordering": "id"}))
    assert [row["statement"] for row in rows] == [
        "'=HYPERLINK(1)",
        "'+1+1",
        "'-2+3",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "A=B",
    ]
    source = SourceFactory(name="-Dash", aliases=["=cmd", "ok"])
    row = csv_of(client.get("/api/sources/", {"format": "csv", "search": "Dash"}))[0]
    assert (row["id"], row["name"], row["aliases"]) == (
        str(source.pk),
        "'-Dash",
        "'=cmd; ok",
    )


def test_numbers_stay_numbers_and_text_that_looks_like_one_does_not():
    assert tabular.cell(-3) == -3
    assert tabular.cell(-2.5) == -2.5
    assert tabular.cell("-3") == "'-3"
    assert tabular.cell(None) == ""
    assert tabular.cell(False) == "false"


def test_other_actions_answer_no_csv_and_errors_stay_json(client, story):
    claim = story.monday.claim_id
    assert client.get(f"/api/claims/{claim}/history/", {"format": "csv"}).status_code
    assert (
        client.get(f"/api/claims/{claim}/", HTTP_ACCEPT="text/csv").status_code == 406
    )
    refused = client.get("/api/claims/", {"format": "csv", "credibility": 99})
    assert refused.status_code == 400
    assert refused["Content-Type"] == "application/json"
    assert "credibility" in refused.json()


def comparison_row_values(figure: dict, answer: dict) -> dict:
    """A comparison figure as its CSV row has it (the module's docstring)."""
    measure = answer["measure"]
    interval = figure["at_interval"] or {"low": None, "high": None}
    values = {
        "measure_id": measure["id"],
        "measure_name": measure["name"],
        "measure_unit": measure["unit"],
        "measure_kind": measure["kind"],
        "at": answer["at"],
        "known_at": answer["known_at"],
        "source_id": figure["source"]["id"],
        "source_name": figure["source"]["name"],
        "group_id": figure["group"]["id"],
        "group_name": figure["group"]["name"],
        "groups": [g["id"] for g in figure["groups"]],
        "at_interval_low": interval["low"],
        "at_interval_high": interval["high"],
    }
    for name in (
        "id claim_id origin_claim_id origin_claim_ids text qualifier value low high "
        "as_of date role superseded_by"
    ).split():
        values[name] = figure[name]
    return {name: as_cell(value) for name, value in values.items()}


@pytest.mark.parametrize("asked", ["format", "accept"])
def test_a_measures_comparison_is_a_row_a_figure(client, story, asked):
    url = story.api_url()
    window = {"at": "2024-06-05"}
    response = (
        client.get(url, {**window, "format": "csv"})
        if asked == "format"
        else client.get(url, window, HTTP_ACCEPT="text/csv")
    )
    rows = csv_of(response)
    answer = client.get(url, window).json()
    assert len(rows) == len(answer["figures"]) == 4  # Thursday's not yet
    assert rows == [comparison_row_values(f, answer) for f in answer["figures"]]
    superseded = next(row for row in rows if row["id"] == str(story.monday.pk))
    assert superseded["role"] == "superseded"
    assert superseded["at_interval_low"] == ""


def test_a_topics_comparison_is_a_row_a_figure_of_each_measure(client, story):
    topic = TopicFactory()
    other = MeasureFactory(name="Missing")
    FigureFactory(measure=other, claim=story.estimate.claim)
    for measure in (story.measure, other):
        measure.topics.add(topic)
    url = f"/api/topics/{topic.pk}/comparison/"
    rows = csv_of(client.get(url, {"format": "csv"}))
    answer = client.get(url).json()
    assert rows == [
        comparison_row_values(f, comparison)
        for comparison in answer["measures"]
        for f in comparison["figures"]
    ]
    assert {row["measure_name"] for row in rows} == {"Deaths", "Missing"}
    assert len(rows) == 7


# The reviewer pages link to the CSV of what they show. ------------------------------


def csv_link(client, url: str, index: int = 0) -> str:
    page = client.get(url)
    assert page.status_code == 200
    links = re.findall(r'<a class="csv" href="([^"]+)"', page.content.decode())
    return links[index].replace("&amp;", "&")


def test_the_pages_link_to_the_csv_of_what_they_show(client, story):
    ministry_claims = {str(f.claim_id) for f in (story.monday, story.wednesday)}
    ministry_claims.add(str(story.thursday.claim_id))
    link = csv_link(client, reverse("source", args=[story.ministry.pk]))
    assert {row["id"] for row in csv_of(client.get(link))} == ministry_claims

    document = story.bound.claim.document
    link = csv_link(client, reverse("document", args=[document.pk]))
    assert [row["id"] for row in csv_of(client.get(link))] == [
        str(story.bound.claim_id)
    ]

    link = csv_link(client, story.page_url() + "?at=2024-06-05")
    assert "at=2024-06-05" in link
    assert len(csv_of(client.get(link))) == 4


def test_the_queue_and_topic_pages_link_to_their_claims_csv(client, story):
    topic = TopicFactory()
    story.charity_claim = story.bound.claim
    story.charity_claim.topics.add(topic)
    story.measure.topics.add(topic)
    link = csv_link(client, reverse("review-queue") + f"?topic={topic.pk}")
    assert [row["id"] for row in csv_of(client.get(link))] == [
        str(story.bound.claim_id)
    ]
    everything = csv_link(client, reverse("review-queue"))
    assert len(csv_of(client.get(everything))) == 6

    topic_page = reverse("topic", args=[topic.pk])
    compared = csv_of(client.get(csv_link(client, topic_page, 0)))
    assert len(compared) == 6
    claims = csv_of(client.get(csv_link(client, topic_page, 1)))
    assert [row["id"] for row in claims] == [str(story.bound.claim_id)]


# Claims imported from CSV. -----------------------------------------------------------

TEXT = "The ministry said about 3,000 troops arrived. A source said 1,500 more came."


def post_csv(client, text: str):
    return client.post(
        "/api/import/", data=text.encode(), content_type="text/csv; charset=utf-8"
    )


@pytest.fixture
def stored_document():
    return DocumentFactory(url="https://wire.example/1", text=TEXT)


def test_claims_with_figures_import_from_csv(editor, stored_document):
    ministry = SourceFactory(name="Ministry of Defence")
    troops = MeasureFactory(name="Troops arrived")
    text = (
        "source,source_kind,document,statement,quote,attribution_kind,stated_on,"
        "topics,figure_text,figure_measure,figure2_text,figure2_measure,figure2_unit\n"
        f'{ministry.pk},,{stored_document.pk},"3,000 arrived.",'
        '"about 3,000 troops arrived",paraphrase,2024-10-27,Arrivals; Kursk,'
        f'"about 3,000",{troops.pk},"3,000",Troops in total,troops\n'
        f'An unnamed source,anonymous,https://wire.example/1,"1,500 more came.",'
        '"1,500 more came",anonymous,,,"1,500",Troops arrived,,,\n'
    )
    response = post_csv(editor, text)
    assert response.status_code == 201, response.json()
    answer = response.json()
    assert answer["created"] == {
        "sources": 1,
        "measures": 1,
        "claims": 2,
        "figures": 3,
    }
    assert answer["matched"] == {"measures": 1, "documents": 1}
    first = Claim.objects.get(pk=answer["ids"]["claims"]["line 2"])
    assert (first.source, first.document, first.stated_on) == (
        ministry,
        stored_document,
        datetime.date(2024, 10, 27),
    )
    assert sorted(first.topics.values_list("name", flat=True)) == ["Arrivals", "Kursk"]
    assert sorted(
        (f.measure.name, f.measure.unit, float(f.value)) for f in first.figures.all()
    ) == [
        ("Troops arrived", troops.unit, 3000.0),
        ("Troops in total", "troops", 3000.0),
    ]
    second = Claim.objects.get(pk=answer["ids"]["claims"]["line 3"])
    assert second.source.name == "An unnamed source"
    assert second.source.kind == "anonymous"
    assert [f.measure for f in second.figures.all()] == [troops]


def refused_csv(client, text: str) -> list[dict]:
    before = stored_rows()
    response = post_csv(client, text)
    assert response.status_code == 400, response.content
    assert stored_rows() == before
    return response.json()["errors"]


@pytest.mark.parametrize(
    ("bad", "column", "kind", "field", "reason"),
    [
        ("Came.,not in the text,paraphrase,,", "quote", "claims", "quote", "occur"),
        ("Came.,S,parrot,,", "attribution_kind", "claims", "attribution_kind", "valid"),
        (
            'Came.,"1,500 more came",paraphrase,lots and lots,{measure}',
            "figure_text",
            "figures",
            "text",
            "lots",
        ),
        (
            'Came.,"1,500 more came",paraphrase,"1,500",',
            "figure_measure",
            "figures",
            "measure",
            "null",
        ),
    ],
)
def test_a_bad_row_stores_nothing_and_the_error_names_its_line_and_column(
    editor, stored_document, bad, column, kind, field, reason
):
    measure = MeasureFactory()
    first, second, third = (
        f"{source.pk},{stored_document.pk}," for source in SourceFactory.create_batch(3)
    )
    good = 'Arrived.,"about 3,000 troops arrived",paraphrase,"3,000",' + str(measure.pk)
    [error] = refused_csv(
        editor,
        "source,document,statement,quote,attribution_kind,figure_text,figure_measure\n"
        f"{first}{good}\n{second}{bad.format(measure=measure.pk)}\n{third}{good}\n",
    )
    assert (error["line"], error["column"], error["kind"], error["field"]) == (
        3,
        column,
        kind,
        field,
    )
    assert reason in error["reason"]


@pytest.mark.parametrize(
    ("text", "line", "column", "reason"),
    [
        ("source,colour\n1,red\n", 1, "colour", "Unknown column 'colour'."),
        ("source,source\n1,2\n", 1, "source", "The column 'source' is named twice."),
        ("source\n\n", 2, "", "No claims: every line after the first is empty."),
        ("source\n1,2\n", 2, "", "2 cells, but 1 columns named."),
        ("", 1, "", "The first line names the columns; it is missing."),
    ],
)
def test_csv_that_is_not_claims_is_refused_naming_where(
    editor, text, line, column, reason
):
    [error] = refused_csv(editor, text)
    assert (error["line"], error["column"], error["reason"]) == (line, column, reason)


def test_a_new_source_without_a_kind_and_an_unknown_document_are_named(
    editor, stored_document
):
    head = "source,source_kind,document,statement,quote,attribution_kind\n"
    [error] = refused_csv(
        editor, f"{head}Someone new,,{stored_document.pk},S.,1,paraphrase\n"
    )
    assert (error["line"], error["column"], error["field"]) == (
        2,
        "source_kind",
        "kind",
    )
    errors = refused_csv(
        editor,
        f"{head}Ministry,government,{stored_document.pk},S.,1,paraphrase\n"
        "Ministry,,https://elsewhere.example/x,S.,1,paraphrase\n",
    )
    assert [(e["line"], e["column"], e["reason"]) for e in errors] == [
        (
            3,
            "document",
            "No stored document has the URL 'https://elsewhere.example/x'; a CSV "
            "names stored documents only (by id or URL).",
        )
    ]


def test_csv_that_is_not_utf8_is_refused(editor):
    response = editor.post(
        "/api/import/", data="source\n\xe9\n".encode("latin-1"), content_type="text/csv"
    )
    assert response.status_code == 400
    assert "UTF-8" in response.json()["detail"]


def test_importing_csv_needs_the_import_permissions(anonymous, outsider):
    before = stored_rows()
    for client in (anonymous, outsider):
        assert post_csv(client, "source\n1\n").status_code in (401, 403)
    assert stored_rows() == before


def test_the_bundle_schema_documents_the_csv_columns(client):
    columns = client.get("/api/import/schema/").json()["x-csv"]["columns"]
    assert {"source", "document", "statement", "quote", "topics"} <= set(columns)
    assert {"figure_text", "figure_measure", "figure_unit"} <= set(columns)


def test_the_renderer_writes_the_rows_it_is_handed_escaped():
    rendered = tabular.CSVRenderer().render([{"a": "=x", "b": -1}, {"a": None, "b": 2}])
    assert rendered == b"a,b\r\n'=x,-1\r\n,2\r\n"


def test_a_spreadsheets_export_with_a_byte_order_mark_and_crlf_imports(
    editor, stored_document
):
    source = SourceFactory()
    text = (
        "\ufeffsource,document,statement,quote,attribution_kind\r\n"
        f'{source.pk},{stored_document.pk},"Two\r\nlines.",1,paraphrase\r\n'
    )
    response = post_csv(editor, text)
    assert response.status_code == 201, response.json()
    claim = Claim.objects.get(pk=response.json()["ids"]["claims"]["line 2"])
    assert (claim.source, claim.statement) == (source, "Two\r\nlines.")


def test_csv_is_read_into_the_bundle_the_import_takes():
    read = csv_bundle.read(
        "source,source_kind,document,statement,topics,figure_text,figure_measure,"
        "figure_unit,figure2_text,figure2_measure\n"
        "Ministry,government,7,S one, a ;b;,12,Deaths,deaths,,\n"
        "ministry,,https://x.example/1,S two,,,,,about 3,4\n"
    )
    ministry = "name: Ministry"
    assert read.bundle == {
        "sources": [{"key": ministry, "name": "Ministry", "kind": "government"}],
        "measures": [{"key": "name: Deaths", "name": "Deaths", "unit": "deaths"}],
        "documents": [
            {"key": "url: https://x.example/1", "url": "https://x.example/1"}
        ],
        "claims": [
            {
                "key": "line 2",
                "source": ministry,
                "document": 7,
                "statement": "S one",
                "topics": ["a", "b"],
            },
            {
                "key": "line 3",
                "source": ministry,
                "document": "url: https://x.example/1",
                "statement": "S two",
            },
        ],
        "figures": [
            {
                "key": "line 2 figure 1",
                "claim": "line 2",
                "text": "12",
                "measure": "name: Deaths",
            },
            {
                "key": "line 3 figure 2",
                "claim": "line 3",
                "text": "about 3",
                "measure": 4,
            },
        ],
    }
    assert read.place("figures", "line 3 figure 2", "measure") == (3, "figure2_measure")
    assert read.place("sources", ministry, "kind") == (2, "source_kind")


# A spreadsheet's CSV, and bad CSV: a clear 400, nothing stored. ----------------------


def refused_body(client, body: bytes, content_type: str = "text/csv") -> dict:
    before = stored_rows()
    response = client.post("/api/import/", data=body, content_type=content_type)
    assert response.status_code == 400, response.content
    assert stored_rows() == before
    return response.json()


@pytest.mark.parametrize(
    ("delimiter", "header_case", "trailing"),
    [(";", str.lower, ""), ("\t", str.title, ""), (",", str.upper, ",,")],
)
def test_a_spreadsheets_semicolons_tabs_header_case_and_empty_columns_import(
    editor, stored_document, delimiter, header_case, trailing
):
    source = SourceFactory()
    names = ["source", "document", "statement", "quote", "attribution_kind", "topics"]
    cells = [source.pk, stored_document.pk, "Came, said one.", "1,500 more came"]
    row = delimiter.join(
        f'"{cell}"' if delimiter in str(cell) or "," in str(cell) else str(cell)
        for cell in [*cells, "paraphrase", '"Arrivals; Kursk"']
    )
    text = (
        "\ufeff"
        + delimiter.join(header_case(name) for name in names)
        + trailing
        + "\r\n"
        + row.replace('""Arrivals; Kursk""', '"Arrivals; Kursk"')
        + trailing
        + "\r\n"
    )
    response = post_csv(editor, text)
    assert response.status_code == 201, response.json()
    claim = Claim.objects.get(pk=response.json()["ids"]["claims"]["line 2"])
    assert (claim.source, claim.statement, claim.quote) == (
        source,
        "Came, said one.",
        "1,500 more came",
    )
    assert sorted(claim.topics.values_list("name", flat=True)) == ["Arrivals", "Kursk"]


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        (
            'source,statement\n1,"Never closed\n2,x\n',
            2,
            'Line 2 is not CSV: a quoted cell is never closed (a " is missing).',
        ),
        (
            'source,statement\n1,"Quoted" then not\n',
            2,
            'Line 2 is not CSV: a " inside a quoted cell is not doubled ("").',
        ),
        (
            "source,statement\n1,ok\n1,a\x00b\n",
            3,
            "Line 3 holds a NUL character: this is not a text file.",
        ),
        (
            "source,statement,\n1,ok,\n1,ok,stray\n",
            3,
            "Line 3 has text in column 3, which the first line does not name.",
        ),
        ("source,statement\n1,ok,,more\n", 2, "4 cells, but 2 columns named."),
        (
            "\ufeffsource,statement\r\n\r\n",
            2,
            "No claims: every line after the first is empty.",
        ),
        (
            "source,statement,Source\n1,a,1\n",
            1,
            "The column 'source' is named twice.",
        ),
    ],
)
def test_malformed_csv_is_refused_naming_the_line_and_nothing_is_stored(
    editor, text, line, reason
):
    [error] = refused_csv(editor, text)
    assert (error["line"], error["reason"]) == (line, reason)


def test_csv_not_in_utf8_is_refused_naming_the_line_and_byte(editor):
    body = "source,statement\n1,ok\n1,caf\xe9\n".encode("latin-1")
    answer = refused_body(editor, body)
    assert answer["detail"] == (
        "The CSV is not UTF-8 text: line 3 holds the byte 0xe9, which is no UTF-8 "
        'character. Save the file as "CSV UTF-8", or name its charset in the '
        "Content-Type (text/csv; charset=windows-1252)."
    )
    assert answer["errors"][0]["reason"] == answer["detail"]


def test_csv_in_another_declared_charset_imports(editor, stored_document):
    source = SourceFactory()
    text = (
        "source,document,statement,quote,attribution_kind\n"
        f'{source.pk},{stored_document.pk},"Caf\xe9 said so.",1,paraphrase\n'
    )
    response = editor.post(
        "/api/import/",
        data=text.encode("windows-1252"),
        content_type="text/csv; charset=windows-1252",
    )
    assert response.status_code == 201, response.json()
    claim = Claim.objects.get(pk=response.json()["ids"]["claims"]["line 2"])
    assert claim.statement == "Caf\xe9 said so."


@pytest.mark.parametrize(
    ("body", "content_type", "detail"),
    [
        (
            "source\n1\n".encode("utf-16"),
            "text/csv",
            'The CSV is UTF-16 text (a spreadsheet\'s "Unicode text"): save it as '
            '"CSV UTF-8", or name its charset in the Content-Type.',
        ),
        (
            b"source\n1\n",
            "text/csv; charset=klingon",
            "Unknown charset 'klingon' in the Content-Type.",
        ),
    ],
)
def test_csv_in_an_unreadable_encoding_is_refused(editor, body, content_type, detail):
    assert refused_body(editor, body, content_type)["detail"] == detail


def test_a_csv_larger_than_the_upload_limit_is_refused(editor, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    body = ("source,statement\n" + "1,A claim said here.\n" * 60).encode()
    before = stored_rows()
    response = editor.post("/api/import/", data=body, content_type="text/csv")
    assert response.status_code == 413
    assert response.json()["detail"] == (
        f"The request body is {len(body):,} bytes; at most 1,000 are accepted."
    )
    assert stored_rows() == before
    # Read from a stream of no stated length, the parser stops at the limit too.
    with pytest.raises(ParseError, match="larger than 1,000 bytes, the most one"):
        tabular.CSVParser().parse(io.BytesIO(body), "text/csv")
