"""``POST /api/intake/``: a pasted report read into proposals in the bundle's own
format, nothing stored; the proposals, as edited, stored by ``POST /api/import/``
all or none."""

import copy
import json
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.exchange.intake.proposals import MAX_TEXT, NO_ATTRIBUTION
from claims.models import Claim, Document, Figure, Link, Source

from ..factories import SourceFactory
from ..helpers import stored_rows

SEED_TEXT = (
    Path(__file__).resolve().parents[2] / "fixtures" / "seed_article.txt"
).read_text()
INTAKE = "/api/intake/"
IMPORT = "/api/import/"


def report(**changes) -> dict:
    return {
        "title": "North Korean troops in Kursk",
        "publisher": "ICARO Media Group",
        "url": "https://example.org/kursk",
        "published_at": "2024-10-28T16:25:00Z",
        "text": SEED_TEXT,
    } | changes


@pytest.fixture
def proposals(seed, editor):
    answer = editor.post(INTAKE, report(), format="json")
    assert answer.status_code == 200, answer.content
    return answer.json()


def test_the_seed_report_is_read_into_proposals_and_nothing_is_stored(seed, editor):
    before = stored_rows()
    answer = editor.post(INTAKE, report(), format="json")
    assert answer.status_code == 200
    assert stored_rows() == before
    bundle = answer.json()
    assert [d["key"] for d in bundle["documents"]] == ["d1"]
    assert bundle["documents"][0]["matched"] is None  # no document at this URL yet
    assert len(bundle["claims"]) >= 15
    assert bundle["intake"] == {"reason": "", "notes": []}


def test_each_claim_says_what_it_was_read_from(proposals):
    for claim in proposals["claims"]:
        start, end = claim["quote_span"]
        assert SEED_TEXT[start:end] == claim["quote"]
        assert claim["quote_start"] == start
        s0, s1 = claim["speaker_span"]
        assert SEED_TEXT[s0:s1] == claim["speaker"]
        c0, c1 = claim["cue_span"]
        assert SEED_TEXT[c0:c1] == claim["cue"]
        assert claim["confidence"]["word"] in {"high", "medium", "low"}
        assert 0 <= claim["confidence"]["score"] <= 1
    rutte = next(
        c for c in proposals["claims"] if c["speaker"] == "NATO chief Mark Rutte"
    )
    assert (rutte["cue"], rutte["attribution_kind"]) == ("announced", "paraphrase")
    assert (rutte["stated_on"], rutte["stated_on_precision"]) == ("2024-10-28", "day")


def test_stored_sources_and_measures_are_matched_by_name_or_alias(proposals):
    sources = {s["key"]: s for s in proposals["sources"]}
    rutte = Source.objects.get(name="Mark Rutte")
    the_nato_chief = next(
        c for c in proposals["claims"] if c["speaker"] == "The NATO chief"
    )
    assert sources[the_nato_chief["source"]]["matched"] == rutte.pk
    assert sources[the_nato_chief["source"]]["name"] == "Mark Rutte"
    measures = {m["name"]: m for m in proposals["measures"]}
    assert measures["North Korean troops to be sent to Russia"]["matched"] is not None
    up_to = next(f for f in proposals["figures"] if f["text"] == "up to 10,000")
    assert up_to["interval"] == {
        "qualifier": "up_to",
        "value": "10000",
        "low": "0.0000",
        "high": "10000",
    }
    assert SEED_TEXT[slice(*up_to["span"])] == "up to 10,000"


def test_citing_proposes_the_cited_source_and_a_based_on_link(proposals):
    claims = {c["key"]: c for c in proposals["claims"]}
    sources = {s["key"]: s for s in proposals["sources"]}
    based_on = [link for link in proposals["links"] if link["relation"] == "based_on"]
    assert based_on
    cited = claims[based_on[0]["to_claim"]]
    assert sources[cited["source"]]["name"] == "U.S. intelligence"
    assert claims[based_on[0]["from_claim"]]["attribution_kind"] == "citing"


def test_the_proposals_posted_to_the_import_are_stored(proposals, editor):
    claims, figures, links = (
        Claim.objects.count(),
        Figure.objects.count(),
        Link.objects.count(),
    )
    answer = editor.post(IMPORT, proposals, format="json")
    assert answer.status_code == 201, answer.content
    assert Claim.objects.count() == claims + len(proposals["claims"])
    assert Figure.objects.count() == figures + len(proposals["figures"])
    assert Link.objects.count() == links + len(proposals["links"])
    document = Document.objects.get(url="https://example.org/kursk")
    assert document.text == SEED_TEXT
    for row in proposals["claims"]:
        claim = Claim.objects.get(pk=answer.json()["ids"]["claims"][row["key"]])
        assert (claim.quote_start, claim.quote_end) == tuple(row["quote_span"])
        assert claim.history.first().history_user == editor.user
    # Matched sources were not created again.
    assert answer.json()["created"].get("sources", 0) == 0


def test_a_stored_document_at_the_url_is_matched(proposals, editor):
    assert editor.post(IMPORT, proposals, format="json").status_code == 201
    again = editor.post(INTAKE, report(), format="json").json()
    stored = Document.objects.get(url="https://example.org/kursk")
    assert again["documents"][0]["matched"] == stored.pk


def test_edited_proposals_are_stored_as_edited(proposals, editor):
    edited = copy.deepcopy(proposals)
    claim = edited["claims"][0]
    claim["statement"] = "Rutte: North Korean soldiers are in Kursk."
    edited["sources"].append(
        {"key": "new", "name": "NATO spokesperson", "kind": "person"}
    )
    claim["source"] = "new"
    answer = editor.post(IMPORT, edited, format="json")
    assert answer.status_code == 201, answer.content
    stored = Claim.objects.get(pk=answer.json()["ids"]["claims"][claim["key"]])
    assert stored.statement == "Rutte: North Korean soldiers are in Kursk."
    assert stored.source.name == "NATO spokesperson"


def test_a_bad_edit_stores_nothing_and_names_its_row(proposals, editor):
    edited = copy.deepcopy(proposals)
    edited["claims"][3]["quote"] = "words the report never says"
    edited["claims"][3].pop("quote_start")
    before = stored_rows()
    answer = editor.post(IMPORT, edited, format="json")
    assert answer.status_code == 400
    errors = answer.json()["errors"]
    assert [(e["kind"], e["key"], e["field"]) for e in errors] == [
        ("claims", edited["claims"][3]["key"], "quote")
    ]
    assert stored_rows() == before


def test_a_new_speaker_is_a_new_source_with_a_guessed_kind_and_candidates(seed, editor):
    text = (
        "Kursk, Oct. 28. A spokesperson for the Ukrainian defence ministry said "
        "that 40 North Korean soldiers had been seen near the border."
    )
    bundle = editor.post(INTAKE, report(text=text), format="json").json()
    assert len(bundle["claims"]) == 1
    source = next(
        s for s in bundle["sources"] if s["key"] == bundle["claims"][0]["source"]
    )
    assert source["matched"] is None
    assert source["name"] == "A spokesperson for the Ukrainian defence ministry"
    assert source["kind"] == "government"
    assert "Ukrainian officials" in [c["name"] for c in source["candidates"]]


@pytest.mark.parametrize(
    "who, status", [("anonymous", 401), ("outsider", 403), ("reviewer", 403)]
)
def test_intake_is_for_editors(seed, request, who, status):
    client = request.getfixturevalue(who)
    assert client.post(INTAKE, report(), format="json").status_code == status


# Bad input: a clear answer, never a 500, nothing stored. -----------------------


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"text": ""}, "text"),
        ({"text": "   \n  "}, "text"),
        ({"text": "x" * (5 * 1024 * 1024)}, "text"),
        ({"text": "He said \x00 that."}, "text"),
        ({"published_at": "2999-01-01T00:00:00Z"}, "published_at"),
        ({"published_at": "last Tuesday"}, "published_at"),
        ({"title": ""}, "title"),
        ({"url": "not a url"}, "url"),
        ({"text": 42}, "text"),
    ],
    ids=[
        "empty",
        "blank",
        "5MB",
        "nul",
        "future",
        "not-a-date",
        "no-title",
        "bad-url",
        "not-text",
    ],
)
def test_bad_input_answers_400_naming_the_field(seed, editor, changes, field):
    before = stored_rows()
    answer = editor.post(INTAKE, report(**changes), format="json")
    assert answer.status_code == 400
    assert list(answer.json()) == [field], answer.json()
    assert stored_rows() == before


def test_the_text_limit_is_said(seed, editor):
    answer = editor.post(INTAKE, report(text="a" * (MAX_TEXT + 1)), format="json")
    assert f"{MAX_TEXT:,}" in answer.json()["text"][0]


def test_a_body_that_is_not_an_object_is_refused(seed, editor):
    answer = editor.post(INTAKE, "[1, 2]", content_type="application/json")
    assert answer.status_code == 400


@pytest.mark.parametrize(
    "text, reason",
    [
        (
            "Генеральный секретарь НАТО Марк Рютте заявил в понедельник, что "
            "северокорейские войска находятся в Курской области.",
            "Cyrillic",
        ),
        ("北约秘书长吕特周一表示，朝鲜军队已部署在库尔斯克地区。", "CJK"),
        (
            "The weather was mild on the coast. Markets opened late and closed early.",
            NO_ATTRIBUTION,
        ),
    ],
    ids=["cyrillic", "chinese", "no-attribution"],
)
def test_a_text_with_nothing_to_propose_answers_empty_lists_and_why(
    seed, editor, text, reason
):
    before = stored_rows()
    answer = editor.post(INTAKE, report(text=text), format="json")
    assert answer.status_code == 200
    bundle = answer.json()
    assert all(bundle[kind] == [] for kind in ("sources", "claims", "figures", "links"))
    assert reason in bundle["intake"]["reason"]
    assert stored_rows() == before


def test_reading_costs_the_same_queries_for_10_or_1000_stored_sources(seed, editor):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert editor.post(INTAKE, report(), format="json").status_code == 200
        return len(captured)

    queries()  # the user's permissions are read once, then held
    SourceFactory.create_batch(10)
    few = queries()
    SourceFactory.create_batch(990)
    assert queries() == few


def test_the_api_root_lists_intake(anonymous):
    assert anonymous.get("/api/").json()["intake"].endswith("/api/intake/")


def test_an_import_holding_a_lone_surrogate_is_refused_by_key_and_field(
    proposals, editor
):
    # JSON may escape a lone surrogate ("\ud800"): no character, and no database
    # stores one.
    bundle = copy.deepcopy(proposals)
    bundle["claims"][0]["statement"] = "Troops \ud800 arrived."
    before = stored_rows()
    answer = editor.post(IMPORT, json.dumps(bundle), content_type="application/json")
    assert answer.status_code == 400, answer.content
    assert stored_rows() == before
    assert {
        "kind": "claims",
        "key": bundle["claims"][0]["key"],
        "field": "statement",
        "reason": "Surrogate characters are not allowed: U+D800.",
    } in answer.json()["errors"]
