"""``manage.py intake_eval DIR``: intake scored on the annotated reports of
``fixtures/intake`` (the seed and four reports written for it), and the loader of
annotated reports refusing bad annotations with a clear error. No database."""

import io
import json
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from claims.exchange.intake.evaluation import (
    AnnotationError,
    evaluate,
    gold_from_annotation,
    load_directory,
    read_report,
)

INTAKE = Path(__file__).resolve().parent.parent / "fixtures" / "intake"
ROW = re.compile(
    r"^\| (?P<name>\S+) \| (?P<found>\d+)/(?P<gold>\d+) \S+ \| "
    r"(?P<good>\d+)/(?P<proposed>\d+) \S+ \| (?P<ff>\d+)/(?P<fg>\d+) \|$",
    re.M,
)


def run(*args) -> str:
    out = io.StringIO()
    call_command("intake_eval", *map(str, args), stdout=out)
    return out.getvalue()


def rows(output: str) -> dict[str, dict[str, int]]:
    return {
        m["name"]: {k: int(v) for k, v in m.groupdict().items() if k != "name"}
        for m in ROW.finditer(output)
    }


def test_the_seed_meets_the_goal_15_of_18_found_80_percent_right_every_figure():
    table = rows(run(INTAKE))
    seed = table["seed"]
    assert seed["gold"] == 18 and seed["fg"] == 5
    assert seed["found"] >= 15
    assert seed["good"] / seed["proposed"] >= 0.8
    assert seed["ff"] == seed["fg"]


def test_the_seed_passes_the_command_thresholds():
    out = run(
        INTAKE,
        "--report",
        "seed",
        "--min-recall",
        15 / 18,
        "--min-precision",
        0.8,
        "--all-figures",
    )
    assert set(rows(out)) == {"seed", "total"}


def test_every_report_of_the_directory_has_a_row_and_the_total_adds_them_up():
    table = rows(run(INTAKE))
    reports = {p.stem for p in INTAKE.glob("*.json")}
    assert len(reports) >= 4
    assert set(table) == reports | {"total"}
    for key in ("found", "gold", "good", "proposed", "ff", "fg"):
        assert table["total"][key] == sum(
            row[key] for name, row in table.items() if name != "total"
        )


def test_the_command_lists_each_miss_and_wrong_proposal():
    out = run(INTAKE)
    scores = {
        r.name: evaluate(read_report(r.gold), r.gold) for r in load_directory(INTAKE)
    }
    for name, sc in scores.items():
        for claim in sc.missed:
            assert f"missed claim {claim.id} (source {claim.source}," in out, name
        for wrong in sc.wrong:
            assert f"proposal matching no claim: {wrong}" in out, name


def test_a_report_below_a_threshold_fails_the_command(tmp_path):
    """A report whose only claim intake cannot read: recall 0."""
    (tmp_path / "hard.txt").write_text("The river rose. Nobody knew why, Ana hinted.")
    (tmp_path / "hard.json").write_text(
        json.dumps(
            {
                "title": "t",
                "publisher": "Courier",
                "published_at": "2025-01-01T00:00:00Z",
                "sources": [{"id": "ana", "name": "Ana"}],
                "claims": [
                    {
                        "source": "ana",
                        "quote": "Nobody knew why, Ana hinted.",
                        "attribution_kind": "paraphrase",
                    }
                ],
            }
        )
    )
    assert "| hard | 0/1 0% |" in run(tmp_path)
    with pytest.raises(CommandError, match=r"hard: recall 0\.00 < 0\.5"):
        run(tmp_path, "--min-recall", 0.5)


def test_an_unknown_report_name_is_an_error():
    with pytest.raises(CommandError, match="No report named nope"):
        run(INTAKE, "--report", "nope")


# The loader ------------------------------------------------------------------

TEXT = 'Rutte said the alliance was ready. "We act," Rutte said. Rutte said so.'


def annotation(**changes):
    meta = {
        "title": "A report",
        "publisher": "Courier",
        "url": "",
        "published_at": "2024-10-28T16:25:00Z",
        "sources": [
            {"id": "courier", "name": "Courier", "kind": "media", "parent": None},
            {"id": "nato", "name": "NATO", "kind": "organization", "parent": None},
            {
                "id": "rutte",
                "name": "Mark Rutte",
                "aliases": ["Rutte"],
                "kind": "person",
                "parent": "nato",
            },
        ],
        "measures": [{"id": "troops", "name": "Troops", "unit": "troops"}],
        "claims": [
            {
                "source": "rutte",
                "quote": "Rutte said the alliance was ready.",
                "attribution_kind": "paraphrase",
                "stated_on": "2024-10-28",
            },
            {
                "source": "rutte",
                "quote": '"We act,"',
                "attribution_kind": "direct_quote",
            },
        ],
        "figures": [],
    }
    meta.update(changes)
    return meta


def test_an_annotation_is_read_into_offsets_ids_parents_and_the_publisher():
    gold = gold_from_annotation(annotation(), TEXT)
    assert [s.name for s in gold.sources] == ["Courier", "NATO", "Mark Rutte"]
    assert gold.parents == {1: None, 2: None, 3: 2}
    assert gold.publisher == 1
    second = gold.claims[1]
    assert (second.id, second.source) == (2, 3)
    assert TEXT[second.quote_start : second.quote_end] == '"We act,"'
    assert gold.published_at.isoformat() == "2024-10-28T16:25:00+00:00"


def test_a_repeated_quote_is_picked_by_its_occurrence():
    claims = [
        {
            "source": "rutte",
            "quote": "Rutte said",
            "attribution_kind": "paraphrase",
            "occurrence": 3,
        }
    ]
    gold = gold_from_annotation(annotation(claims=claims), TEXT)
    assert gold.claims[0].quote_start == TEXT.rindex("Rutte said")


def test_a_figure_belongs_to_its_claim_and_measure():
    text = "Rutte said about 3,000 troops. Rutte said so."
    claims = [
        {
            "source": "rutte",
            "quote": "Rutte said about 3,000 troops.",
            "attribution_kind": "paraphrase",
        }
    ]
    figures = [
        {
            "claim": 1,
            "measure": "troops",
            "text": "about 3,000",
            "low": 2700,
            "high": "3300",
        }
    ]
    gold = gold_from_annotation(annotation(claims=claims, figures=figures), text)
    (figure,) = gold.figures
    assert (figure.claim, figure.measure) == (1, 1)
    assert (figure.low, figure.high) == (Decimal(2700), Decimal(3300))


def _claim(**fields):
    base = {"source": "rutte", "quote": '"We act,"', "attribution_kind": "paraphrase"}
    base.update(fields)
    return [base]


def _figure(**fields):
    base = {"claim": 1, "measure": "troops", "text": "We act", "low": 1, "high": 2}
    base.update(fields)
    return base


BAD = {
    "no title": (annotation(title=None), "title: is required"),
    "a time without a zone": (
        annotation(published_at="2024-10-28T16:25:00"),
        "published_at: needs a time zone",
    ),
    "a time that is not one": (
        annotation(published_at="Monday"),
        "published_at: is not an ISO 8601 time: 'Monday'",
    ),
    "a duplicate source id": (
        annotation(sources=[{"id": "a", "name": "A"}, {"id": "a", "name": "B"}]),
        "sources[1].id: 'a' is used twice",
    ),
    "an unknown parent": (
        annotation(sources=[{"id": "a", "name": "A", "parent": "b"}]),
        "sources[0].parent: 'b' is not a source of the report",
    ),
    "a cycle of parents": (
        annotation(
            sources=[
                {"id": "a", "name": "A", "parent": "b"},
                {"id": "b", "name": "B", "parent": "a"},
            ]
        ),
        "parent: makes a cycle of parents",
    ),
    "an unknown source": (
        annotation(claims=_claim(source="putin")),
        "claims[0].source: 'putin' is not a source of the report",
    ),
    "an unknown attribution kind": (
        annotation(claims=_claim(attribution_kind="rumour")),
        "claims[0].attribution_kind: 'rumour' is not one of direct_quote",
    ),
    "a quote not in the text": (
        annotation(claims=_claim(quote="We retreat")),
        "claims[0].quote: does not occur in the text: 'We retreat'",
    ),
    "a repeated quote without its occurrence": (
        annotation(claims=_claim(quote="Rutte said")),
        "claims[0].quote: occurs 3 times in the text; say which with occurrence",
    ),
    "an occurrence beyond the quote's": (
        annotation(claims=_claim(quote="Rutte said", occurrence=4)),
        "claims[0].occurrence: must be 1 to 3",
    ),
    "a date that is not one": (
        annotation(claims=_claim(stated_on="28/10/2024")),
        "claims[0].stated_on: is not a date: '28/10/2024'",
    ),
    "a figure of no claim": (
        annotation(claims=_claim(), figures=[_figure(claim=2)]),
        "figures[0].claim: must be a claim's number, 1 to 1",
    ),
    "a figure on an unknown measure": (
        annotation(claims=_claim(), figures=[_figure(measure="tanks")]),
        "figures[0].measure: 'tanks' is not a measure of the report",
    ),
    "a figure text not in its claim": (
        annotation(claims=_claim(), figures=[_figure(text="3,000")]),
        "figures[0].text: '3,000' is not in claim 1's quote",
    ),
    "a figure without its high end": (
        annotation(
            claims=_claim(),
            figures=[{k: v for k, v in _figure().items() if k != "high"}],
        ),
        "figures[0].high: is required (or null)",
    ),
    "a figure low above high": (
        annotation(claims=_claim(), figures=[_figure(low=5, high=2)]),
        "figures[0].low: 5 is above high 2",
    ),
    "a figure end that is not a number": (
        annotation(claims=_claim(), figures=[_figure(low="many")]),
        "figures[0].low: is not a number: 'many'",
    ),
    "a list of claims that is not a list": (
        annotation(claims={"source": "rutte"}),
        "claims: must be list, not dict",
    ),
}


@pytest.mark.parametrize("case", BAD)
def test_a_bad_annotation_is_refused_naming_the_field_and_why(case):
    meta, message = BAD[case]
    with pytest.raises(AnnotationError) as caught:
        gold_from_annotation(meta, TEXT, "r.json")
    assert str(caught.value).startswith("r.json: ")
    assert message in str(caught.value)


def _directory(tmp_path, meta, text=TEXT) -> Path:
    (tmp_path / "r.txt").write_text(text)
    (tmp_path / "r.json").write_text(
        meta if isinstance(meta, str) else json.dumps(meta)
    )
    return tmp_path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: _directory(d, "{not json"), r"r\.json: is not JSON"),
        (
            lambda d: _directory(d, annotation(claims=_claim(quote="No"))),
            r"r\.json: claims\[0\]\.quote: does not occur",
        ),
        (
            lambda d: (_directory(d, annotation()) / "r.txt").unlink() or d,
            r"r\.json: has no text beside it \(r\.txt is missing\)",
        ),
        (
            lambda d: (_directory(d, annotation()) / "r.json").unlink() or d,
            r"r\.txt: has no annotation \(r\.json\)",
        ),
        (lambda d: d, "holds no annotated report"),
        (lambda d: d / "absent", "is not a directory"),
        (
            lambda d: _directory(d, {"fixture": "missing.json"}),
            r"missing\.json: cannot be read",
        ),
    ],
    ids=[
        "not-json",
        "bad-quote",
        "no-text",
        "no-annotation",
        "empty",
        "no-directory",
        "no-fixture",
    ],
)
def test_the_command_refuses_a_bad_directory_with_the_loaders_error(
    tmp_path, make, message
):
    directory = make(tmp_path)
    before = sorted((p.name, p.read_bytes()) for p in tmp_path.glob("*"))
    out = io.StringIO()
    with pytest.raises(CommandError, match=message):
        call_command("intake_eval", str(directory), stdout=out)
    assert out.getvalue() == ""  # no table for a directory that cannot be read
    assert sorted((p.name, p.read_bytes()) for p in tmp_path.glob("*")) == before


def test_a_pointer_to_a_fixture_reads_the_seed_under_its_own_name(tmp_path):
    shutil.copy(INTAKE.parent / "seed.json", tmp_path / "data.fixture")
    (tmp_path / "pointer.json").write_text(
        json.dumps({"fixture": "data.fixture", "document": 1})
    )
    (report,) = load_directory(tmp_path)
    assert report.name == "pointer"
    assert len(report.gold.claims) == 24
    assert report.gold.publisher == 16  # ICARO Media Group, the document's publisher
