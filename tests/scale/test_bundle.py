"""Bulk import: one JSON bundle, validated row by row, written whole or not at all."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from claims.exchange.bundle import BundleError, import_bundle
from claims.history import history_entries
from claims.models import Claim, Document, Figure, Link, Measure, Source, Topic

from ..factories import ClaimFactory, DocumentFactory, SourceFactory, UserFactory
from ..helpers import BUNDLE_TEXT, good_bundle, snapshot

pytestmark = pytest.mark.django_db

EVERYTHING = (Document, Source, Measure, Claim, Figure, Link, Topic)


def test_a_good_bundle_is_written_whole():
    user = UserFactory()
    result = import_bundle(good_bundle(), user=user)
    assert result.created == {
        "documents": 1,
        "sources": 3,
        "measures": 1,
        "claims": 2,
        "figures": 2,
        "links": 1,
    }
    c1 = Claim.objects.get(pk=result.ids["claims"]["c1"])
    assert (
        c1.document.text[c1.quote_start : c1.quote_end] == "about 3,000 troops arrived"
    )
    assert c1.source.parent.name == "Government of Testland"
    assert [t.name for t in c1.topics.all()] == ["Arrivals"]
    c2 = Claim.objects.get(pk=result.ids["claims"]["c2"])
    assert c2.stated_on.isoformat() == "2024-10-21"  # a week, stored as its Monday
    figure = Figure.objects.get(pk=result.ids["figures"]["f1"])
    assert (figure.low, figure.high) == (2700, 3300)
    assert Link.objects.get().created_by == user
    for model in (Document, Source, Measure, Claim, Figure, Link):
        history = model.history.all()
        assert history.count() == model.objects.count()
        assert {h.history_user for h in history} == {user}


def test_each_imported_row_s_first_history_entry_holds_its_values():
    user = UserFactory()
    result = import_bundle(good_bundle(), user=user)
    for kind, model in (
        ("documents", Document),
        ("sources", Source),
        ("measures", Measure),
        ("claims", Claim),
        ("figures", Figure),
        ("links", Link),
    ):
        names = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
        for pk in result.ids[kind].values():
            [entry] = model.history.filter(id=pk)
            stored = model.objects.get(pk=pk)
            assert (entry.history_type, entry.history_user) == ("+", user)
            assert entry.history_change_reason == "Imported from a bundle"
            assert [getattr(entry, n) for n in names] == [
                getattr(stored, n) for n in names
            ], (kind, pk)
            assert entry.history_date >= stored.created_at


def test_stored_documents_and_sources_are_matched_not_created():
    document = DocumentFactory(url="https://wire.example/1", text=BUNDLE_TEXT)
    source = SourceFactory(name="ministry of defence")
    result = import_bundle(good_bundle())
    assert result.matched == {"documents": 1, "sources": 1}
    assert Document.objects.count() == 1
    assert Claim.objects.get(pk=result.ids["claims"]["c1"]).source == source
    assert result.ids["documents"]["d1"] == document.pk


def test_rows_may_refer_to_stored_objects_by_id():
    claim = ClaimFactory()
    bundle = {
        "links": [
            {
                "key": "l",
                "from_claim": claim.pk,
                "to_claim": ClaimFactory().pk,
                "relation": "repeats",
            }
        ]
    }
    assert import_bundle(bundle).created == {"links": 1}


def refused_bundle(bundle):
    before = snapshot(*EVERYTHING)
    with pytest.raises(BundleError) as error:
        import_bundle(bundle)
    assert snapshot(*EVERYTHING) == before
    return [(e.kind, e.key, e.field, e.reason) for e in error.value.errors]


def test_a_quote_missing_from_its_document_is_reported_by_key_and_field():
    bundle = good_bundle()
    bundle["claims"][1]["quote"] = "ten thousand came"
    assert refused_bundle(bundle) == [
        (
            "claims",
            "c2",
            "quote",
            "The quote does not occur in the document's text, even with quotation marks, "
            'dashes and spaces made uniform. Nearest passage: "…A source said 1,500 more '
            'came.".',
        )
    ]


def test_every_bad_row_of_a_stage_is_reported():
    bundle = good_bundle()
    bundle["figures"][0]["text"] = "lots"
    bundle["figures"][1]["text"] = "3,000-1,000"
    errors = refused_bundle(bundle)
    assert [(kind, key, field) for kind, key, field, _ in errors] == [
        ("figures", "f1", "text"),
        ("figures", "f2", "text"),
    ]
    assert 'Cannot read a figure from "lots"' in errors[0][3]


def test_a_failure_in_the_last_stage_leaves_nothing_of_the_earlier_ones():
    bundle = good_bundle()
    bundle["links"].append(
        {"key": "l2", "from_claim": "c1", "to_claim": "c1", "relation": "repeats"}
    )
    assert refused_bundle(bundle) == [
        ("links", "l2", "to_claim", "A claim cannot be linked to itself.")
    ]


def test_a_cycle_made_inside_the_bundle_is_refused():
    bundle = good_bundle()
    bundle["links"] = [
        {"key": "a", "from_claim": "c1", "to_claim": "c2", "relation": "repeats"},
        {"key": "b", "from_claim": "c2", "to_claim": "c1", "relation": "based_on"},
    ]
    errors = refused_bundle(bundle)
    assert [(e[1], e[2]) for e in errors] == [("b", "to_claim")]
    assert "cycle" in errors[0][3]


def test_a_cycle_through_stored_links_is_refused():
    a, b = ClaimFactory(), ClaimFactory()
    Link.objects.create(from_claim=b, to_claim=a, relation="repeats")
    errors = refused_bundle(
        {
            "links": [
                {
                    "key": "x",
                    "from_claim": a.pk,
                    "to_claim": b.pk,
                    "relation": "based_on",
                },
            ]
        }
    )
    assert errors[0][:3] == ("links", "x", "to_claim") and "cycle" in errors[0][3]


@pytest.mark.parametrize(
    "bundle, expected",
    [
        (
            {
                "claims": [
                    {
                        "key": "c",
                        "source": "nobody",
                        "document": 999999,
                        "quote": "q",
                        "statement": "s",
                        "attribution_kind": "paraphrase",
                    }
                ]
            },
            ("claims", "c", "source"),
        ),
        (
            {
                "sources": [
                    {"key": "s", "name": "X", "kind": "person"},
                    {"key": "s", "name": "Y", "kind": "person"},
                ]
            },
            ("sources", "s", "key"),
        ),
        ({"sources": [{"name": "X", "kind": "person"}]}, ("sources", "#1", "key")),
        (
            {"sources": [{"key": "s", "name": "X", "kind": "wizard"}]},
            ("sources", "s", "kind"),
        ),
        (
            {"sources": [{"key": "s", "name": "X", "kind": "person", "colour": "red"}]},
            ("sources", "s", "colour"),
        ),
        ({"rumours": []}, ("rumours", "", "")),
        (
            {
                "sources": [
                    {"key": "a", "name": "A", "kind": "group", "parent": "b"},
                    {"key": "b", "name": "B", "kind": "group", "parent": "a"},
                ]
            },
            ("sources", "a", "parent"),
        ),
    ],
)
def test_bad_rows_name_their_kind_key_and_field(bundle, expected):
    errors = refused_bundle(bundle)
    assert expected in [e[:3] for e in errors]


@pytest.mark.parametrize(
    "kind, field, value, reason",
    [
        ("sources", "country", None, "This field may not be null."),
        ("sources", "name", ["NATO"], "Expected a string, not a list."),
        ("documents", "published_at", False, "Expected a date as a string"),
        ("documents", "title", {"en": "x"}, "Expected a string, not an object."),
        ("claims", "stated_on", 20241027, "Expected a date as a string"),
        ("claims", "topics", "Arrivals", "A list of topic names."),
        ("claims", "topics", [3], "A list of topic names."),
        ("claims", "source", True, "Expected a key of the bundle or a stored id"),
        ("measures", "tolerance", "", "This field cannot be null."),
        ("figures", "text", "about\x003,000", "Null characters are not allowed."),
        ("sources", "aliases", ["ok", "bad\x00"], "Null characters are not allowed."),
    ],
)
def test_a_value_of_the_wrong_json_type_is_refused(kind, field, value, reason):
    bundle = good_bundle()
    bundle[kind][0][field] = value
    before = snapshot(*EVERYTHING)
    errors = refused_bundle(bundle)
    key = bundle[kind][0]["key"]
    assert any(
        e[:3] == (kind, key, field) and e[3].startswith(reason) for e in errors
    ), errors
    assert snapshot(*EVERYTHING) == before


# The API and the command --------------------------------------------------------------


def test_the_api_imports_a_bundle(editor):
    response = editor.post("/api/import/", good_bundle(), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["created"]["claims"] == 2


def test_the_api_refuses_a_bad_bundle_listing_rows(editor):
    bundle = good_bundle()
    bundle["claims"][0]["quote"] = "not there"
    response = editor.post("/api/import/", bundle, format="json")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["kind"], error["key"], error["field"]) == ("claims", "c1", "quote")
    assert error["reason"].startswith(
        "The quote does not occur in the document's text, even with quotation marks"
    )
    assert not Claim.objects.exists()


def test_the_api_import_needs_an_editor(anonymous, outsider):
    assert anonymous.post("/api/import/", {}, format="json").status_code == 401
    assert outsider.post("/api/import/", {}, format="json").status_code == 403


def test_the_command_imports_a_file_with_progress(tmp_path):
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(good_bundle()))
    out, err = io.StringIO(), io.StringIO()
    call_command("import_bundle", str(path), stdout=out, stderr=err)
    assert "created 1 documents, 3 sources" in out.getvalue()
    assert "claims" in err.getvalue() and "2/2" in err.getvalue()
    assert Claim.objects.count() == 2


def test_the_command_draws_one_line_a_kind_redrawn_in_place(tmp_path):
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(good_bundle()))
    err = io.StringIO()
    call_command("import_bundle", str(path), stdout=io.StringIO(), stderr=err)
    lines = err.getvalue().split("\n")
    assert lines.pop() == "", "every bar ends its line"
    kinds = [line.split("\r")[-1].split()[0] for line in lines]
    assert kinds == [kind for kind in good_bundle() if good_bundle()[kind]]
    for line in lines:
        # Each redraw starts with a carriage return; the last one shows it complete.
        assert line.startswith("\r"), line
        done, total = line.split("\r")[-1].split("|")[-1].split()[0].split("/")
        assert done == total, line


def test_a_bar_an_error_interrupts_ends_its_line_before_the_error():
    from django.core.management.base import OutputWrapper

    from claims.exchange.progress import ProgressBar

    err = io.StringIO()
    with pytest.raises(BundleError), ProgressBar(OutputWrapper(err)) as bar:
        bar("claims", 1000, 2500)
        raise BundleError([])
    assert err.getvalue().endswith("\n")
    assert "1,000/2,500" in err.getvalue().split("\r")[-1]


def test_the_command_draws_nothing_when_quiet(tmp_path):
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(good_bundle()))
    out, err = io.StringIO(), io.StringIO()
    call_command("import_bundle", str(path), "--quiet", stdout=out, stderr=err)
    assert "created 1 documents" in out.getvalue()
    assert err.getvalue() == ""


def test_the_command_reports_bad_rows_and_writes_nothing(tmp_path):
    bundle = good_bundle()
    bundle["figures"][0]["text"] = "lots"
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle))
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_bundle", str(path), "--quiet", stderr=err)
    assert 'figures f1: text: Cannot read a figure from "lots"' in err.getvalue()
    assert not Claim.objects.exists()


def test_the_command_refuses_a_file_that_is_not_json(tmp_path):
    path = tmp_path / "bundle.json"
    path.write_text("{not json")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_bundle", str(path))


def test_an_imported_claim_s_first_history_entry_holds_its_topics():
    stored = Topic.objects.create(name="B")
    bundle = good_bundle()
    bundle["claims"][0]["topics"] = ["A", "B"]
    result = import_bundle(bundle, user=UserFactory())
    c1, c2 = (result.ids["claims"][key] for key in ("c1", "c2"))
    topics = sorted([Topic.objects.get(name="A").pk, stored.pk])
    assert sorted(Claim.objects.get(pk=c1).topics.values_list("pk", flat=True)) == (
        topics
    )
    [first] = history_entries(Claim, c1)
    assert first["type"] == "created"
    assert [c for c in first["changes"] if c["field"] == "topics"] == [
        {"field": "topics", "old": None, "new": topics}
    ]
    [first] = history_entries(Claim, c2)  # no topics: none listed
    assert "topics" not in {c["field"] for c in first["changes"]}


def test_a_topic_named_twice_on_a_claim_is_set_once():
    bundle = good_bundle()
    bundle["claims"][0]["topics"] = ["A", "A"]
    result = import_bundle(bundle)
    claim = Claim.objects.get(pk=result.ids["claims"]["c1"])
    assert [t.name for t in claim.topics.all()] == ["A"]
    [first] = history_entries(Claim, claim.pk)
    assert {"field": "topics", "old": None, "new": [claim.topics.get().pk]} in (
        first["changes"]
    )


def test_a_topic_name_longer_than_a_topic_holds_is_refused_by_key_and_field():
    bundle = good_bundle()
    bundle["claims"][1]["topics"] = ["Kursk", "x" * 201]
    errors = refused_bundle(bundle)
    assert len(errors) == 1
    kind, key, field, reason = errors[0]
    assert (kind, key, field) == ("claims", bundle["claims"][1]["key"], "topics")
    assert "at most 200 characters" in reason
    assert not Topic.objects.filter(name="Kursk").exists()
