"""``manage.py intake FILE...``: plain-text and JSON reports, each read into
proposals and imported as one bundle, or printed with --dry-run."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from claims.models import Claim, Document, Source

from .factories import DocumentFactory, UserFactory
from .helpers import stored_rows

ARTICLE = (
    Path(__file__).resolve().parents[1] / "fixtures" / "seed_article.txt"
).read_text(encoding="utf-8")
SHORT = (
    "Officials said that approximately 3,000 personnel were training in Russia. "
    "The agency's director told reporters that around 1,500 troops had arrived."
)


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("intake", *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(*args) -> tuple[str, str, CommandError]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("intake", *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue(), caught.value


def report(**fields) -> dict:
    return {
        "title": "Troops in Kursk",
        "publisher": "Test Wire",
        "url": "https://news.example/kursk",
        "published_at": "2024-10-28T17:25:00+01:00",
        "text": SHORT,
        **fields,
    }


@pytest.mark.django_db
def test_a_text_report_with_a_header_is_imported_as_one_document(tmp_path):
    path = tmp_path / "kursk.txt"
    path.write_text(
        "Title: North Korean troops in Kursk\n"
        "Publisher: ICARO Media Group\n"
        "URL: https://icaro.example/kursk\n"
        "Published: 2024-10-28T17:25:00+01:00\n"
        "\n" + ARTICLE,
        encoding="utf-8",
    )
    editor = UserFactory(username="ed")
    out, err = run(path, "--user", "ed")

    document = Document.objects.get()
    assert document.title == "North Korean troops in Kursk"
    assert document.publisher == "ICARO Media Group"
    assert document.url == "https://icaro.example/kursk"
    assert document.published_at.isoformat() == "2024-10-28T16:25:00+00:00"
    assert document.text == ARTICLE, "the header is not part of the text"
    rutte = Claim.objects.get(quote__contains="NATO chief Mark Rutte announced")
    assert rutte.source.name == "NATO chief Mark Rutte"
    assert rutte.stated_on.isoformat() == "2024-10-28"  # "on Monday"
    assert document.text[rutte.quote_start : rutte.quote_end] == rutte.quote
    assert Claim.objects.count() >= 15
    assert {h.history_user for h in Claim.history.all()} == {editor}
    assert "Imported 1 of 1 report(s)" in out
    assert f"{Claim.objects.count()} claims" in out
    assert "reports" in err and "1/1" in err, "a progress bar on standard error"


@pytest.mark.django_db
def test_a_text_report_takes_its_metadata_from_the_options(tmp_path):
    path = tmp_path / "short.txt"
    path.write_text("Troops arrive\n\n" + SHORT, encoding="utf-8")
    run(
        path,
        "--quiet",
        "--publisher",
        "Test Wire",
        "--url",
        "https://news.example/x",
        "--published-at",
        "2024-10-28",
    )
    document = Document.objects.get()
    assert document.title == "Troops arrive", "the title is the first line"
    assert document.text == "Troops arrive\n\n" + SHORT
    assert (document.publisher, document.url) == ("Test Wire", "https://news.example/x")
    assert document.published_at.date().isoformat() == "2024-10-28"
    assert Claim.objects.filter(document=document).count() == 2


@pytest.mark.django_db
def test_a_json_list_is_one_import_a_report(tmp_path):
    path = tmp_path / "reports.json"
    path.write_text(
        json.dumps(
            [
                report(url="https://news.example/1"),
                report(url="https://news.example/2", title="Second", text=ARTICLE),
            ]
        )
    )
    other = tmp_path / "one.json"
    other.write_text(json.dumps(report(url="https://news.example/3")))
    out, _err = run(path, other, "--quiet")
    assert sorted(Document.objects.values_list("url", flat=True)) == [
        "https://news.example/1",
        "https://news.example/2",
        "https://news.example/3",
    ]
    assert Claim.objects.filter(document__url="https://news.example/1").count() == 2
    assert Claim.objects.filter(document__title="Second").count() >= 15
    assert "Imported 3 of 3 report(s): created 3 documents" in out


@pytest.mark.django_db
def test_a_dry_run_prints_the_proposals_and_stores_nothing(tmp_path, seed):
    path = tmp_path / "reports.json"
    path.write_text(json.dumps([report(), report(url="", text=ARTICLE)]))
    before = stored_rows()
    out, err = run(path, "--dry-run", "--quiet")
    assert stored_rows() == before
    printed = json.loads(out)
    assert [p["report"] for p in printed] == [f"{path}#1", f"{path}#2"]
    claims = printed[1]["proposals"]["claims"]
    rutte = Source.objects.get(name="Mark Rutte")
    sources = {s["key"]: s for s in printed[1]["proposals"]["sources"]}
    noted = next(c for c in claims if c["quote"].startswith("The NATO chief noted"))
    assert sources[noted["source"]]["matched"] == rutte.pk
    assert ARTICLE[slice(*noted["quote_span"])] == noted["quote"]
    assert "stored nothing (dry run)" in err


@pytest.mark.django_db
def test_bad_reports_are_reported_and_the_others_imported(tmp_path):
    path = tmp_path / "reports.json"
    path.write_text(
        json.dumps(
            [
                report(url="https://news.example/good"),
                report(url="https://news.example/empty", text="  \n"),
                report(url="https://news.example/late", published_at="2999-01-01"),
                report(url="https://news.example/odd", published_at="last Tuesday"),
                {**report(url="https://news.example/extra"), "author": "Someone"},
            ]
        )
    )
    later = tmp_path / "later.txt"
    later.write_text(SHORT)
    out, err, error = refused(path, tmp_path / "missing.txt", later, "--quiet")

    assert sorted(Document.objects.values_list("url", flat=True)) == [
        "",
        "https://news.example/good",
    ]
    assert f"{path}#2: text: Paste the report's text: it is empty." in err
    assert f"{path}#3: published_at: 2999-01-01T00:00:00" in err
    assert "is in the future" in err
    assert f"{path}#4: published_at: 'last Tuesday' is not a date" in err
    assert f"{path}#5: report: Unknown field(s) author" in err
    assert "missing.txt: file: Cannot read it" in err
    assert "Imported 2 of 7 report(s)" in out
    assert "5 report(s) failed and stored nothing" in str(error)


@pytest.mark.django_db
def test_bad_json_is_reported_and_nothing_stored(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"title": "x", ')
    before = stored_rows()
    _out, err, _error = refused(path, "--quiet")
    assert f"{path}: file: Not JSON" in err
    assert stored_rows() == before


@pytest.mark.django_db
def test_a_report_at_a_stored_url_adds_its_claims_to_that_document(tmp_path):
    stored = DocumentFactory(url="https://news.example/kursk", text=SHORT)
    path = tmp_path / "again.json"
    path.write_text(json.dumps(report(url=stored.url)))
    out, _err = run(path, "--quiet")
    assert Document.objects.get() == stored
    assert Claim.objects.filter(document=stored).count() == 2
    assert "created 0 documents" not in out and "documents" not in out


@pytest.mark.django_db
def test_a_report_imported_twice_is_refused_whole_the_second_time(tmp_path):
    path = tmp_path / "kursk.json"
    path.write_text(json.dumps(report()))
    run(path, "--quiet")
    before = stored_rows()
    _out, err, error = refused(path, "--quiet")
    assert "claims c1: quote: Claim #" in err and "already holds this quote" in err
    assert stored_rows() == before
    assert "1 report(s) failed" in str(error)


@pytest.mark.django_db
def test_an_unknown_user_is_refused_before_anything_is_read(tmp_path):
    path = tmp_path / "kursk.json"
    path.write_text(json.dumps(report()))
    with pytest.raises(CommandError, match="No user 'nobody'"):
        call_command("intake", str(path), "--user", "nobody")
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_the_benchmark_times_intake_and_stores_nothing(seed):
    before = stored_rows()
    out = io.StringIO()
    call_command("benchmark", intake_only=True, repeat=1, stdout=out)
    assert "Intake of a seed-sized report" in out.getvalue()
    assert "reports a second proposed" in out.getvalue()
    assert "proposed and imported" in out.getvalue()
    assert stored_rows() == before


@pytest.mark.django_db
def test_a_report_without_attributed_statements_stores_its_document_and_says_why(
    tmp_path,
):
    path = tmp_path / "weather.txt"
    path.write_text("Rain fell on Tuesday.\n\nThe streets were wet.")
    out, err = run(path, "--quiet")
    assert Document.objects.get().title == "Rain fell on Tuesday."
    assert not Claim.objects.exists()
    assert f"{path}: no claims proposed: No attributed statement was found" in err
    assert "Imported 1 of 1 report(s): created 1 documents" in out


@pytest.mark.django_db
def test_characters_no_database_stores_fail_their_report_and_the_others_go_on(
    tmp_path,
):
    # JSON may escape a lone surrogate; no database stores one, nor a NUL.
    path = tmp_path / "odd.json"
    path.write_text(
        json.dumps(
            [
                report(url="https://news.example/surrogate", text=SHORT + " \ud800"),
                report(url="https://news.example/title", title="Troops \udfff"),
                report(url="https://news.example/nul", publisher="Wire\x00"),
                report(url="https://news.example/good"),
            ]
        )
    )
    out, err, error = refused(path, "--quiet")
    assert list(Document.objects.values_list("url", flat=True)) == [
        "https://news.example/good"
    ]
    assert f"{path}#1: text: Surrogate characters are not allowed: U+D800" in err
    assert f"{path}#2: title: Surrogate characters are not allowed: U+DFFF" in err
    assert f"{path}#3: publisher: Null characters are not allowed." in err
    assert "Imported 1 of 4 report(s)" in out
    assert "3 report(s) failed" in str(error)
