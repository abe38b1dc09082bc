"""Values derived from other rows stay derived, whichever way the other rows change.

- A figure's qualifier, value and interval come from its text and its measure's
  tolerance, lower limit and unit: a change of those derives every figure on the
  measure that is not overridden again, in the same write, each with a history entry
  carrying the editor; a change some figure cannot be read with is refused, naming
  the figure, and nothing changes.
- A figure's date (``as_of``) follows its claim's date, or without one its
  document's publication day, unless an editor gave it; a given date after the
  document's publication is refused.

Each is shown through the API and through the admin (and the bundle import where it
takes the input)."""

import datetime
from decimal import Decimal as D

import pytest

from claims import services
from claims.exchange.bundle import import_bundle
from claims.models import Claim, Document, Figure, Measure
from claims.permissions import EDITORS

from .factories import (
    ClaimFactory,
    DocumentFactory,
    FigureFactory,
    MeasureFactory,
    SourceFactory,
    member_of,
)
from .helpers import (
    admin_form,
    admin_url,
    refused_in_admin,
    saved_in_admin,
    stored_rows,
)

pytestmark = pytest.mark.django_db

DAY = datetime.date
#: The factories' document is published on this day; their claims are dated
#: 2024-10-21.
PUBLISHED = DAY(2024, 10, 28)
STATED = DAY(2024, 10, 21)


# Helpers ---------------------------------------------------------------------------


def entries(figure) -> list:
    """The figure's history entries, oldest first."""
    return list(Figure.history.filter(id=figure.pk).order_by("history_id"))


def fresh(instance):
    return type(instance).objects.get(pk=instance.pk)


def interval(figure) -> tuple:
    figure = fresh(figure)
    return (figure.low, figure.high)


# A measure's change derives its figures again ---------------------------------------


@pytest.fixture
def measure_with_figures():
    """A measure at 10% tolerance and lower limit 0 with one figure of each kind the
    tolerance or lower limit reaches, one it does not, and one overridden."""
    measure = MeasureFactory(tolerance=D("0.10"), lower_limit=D(0))
    claim = ClaimFactory()
    made = {
        text: FigureFactory(claim=claim, measure=measure, text=text)
        for text in ("approximately 3,000", "nearly 1,000", "up to 500", "3,000")
    }
    made["overridden"] = FigureFactory(
        claim=claim,
        measure=measure,
        text="about 2,000",
        bounds_overridden=True,
        qualifier="range",
        low=D(1000),
        high=D(1500),
        note="The agency's own range.",
    )
    assert interval(made["approximately 3,000"]) == (D(2700), D(3300))
    assert interval(made["nearly 1,000"]) == (D(900), D(1000))
    assert interval(made["up to 500"]) == (D(0), D(500))
    return measure, made


def assert_derived_again_by(figure, user, low, high, entries_before):
    figure = fresh(figure)
    assert (figure.low, figure.high) == (low, high)
    history = entries(figure)
    assert len(history) == len(entries_before) + 1
    latest = history[-1]
    assert (latest.history_type, latest.history_user) == ("~", user)
    assert (latest.low, latest.high) == (low, high)
    assert latest.version == figure.version == entries_before[-1].version + 1


def test_a_tolerance_changed_through_the_api_derives_its_figures_again_with_history(
    editor, measure_with_figures
):
    measure, made = measure_with_figures
    before = {text: entries(figure) for text, figure in made.items()}
    rows_before = {
        text: list(Figure.objects.filter(pk=figure.pk).values())
        for text, figure in made.items()
    }

    response = editor.patch(f"/api/measures/{measure.pk}/", {"tolerance": "0.20"})

    assert response.status_code == 200, response.content
    approximately, nearly = made["approximately 3,000"], made["nearly 1,000"]
    assert_derived_again_by(
        approximately, editor.user, D(2400), D(3600), before["approximately 3,000"]
    )
    assert_derived_again_by(
        nearly, editor.user, D(800), D(1000), before["nearly 1,000"]
    )
    # The tolerance does not reach these: not written again, no history entry.
    for text in ("up to 500", "3,000", "overridden"):
        assert entries(made[text]) == before[text], text
        assert (
            list(Figure.objects.filter(pk=made[text].pk).values())
            == (rows_before[text])
        ), text
    assert measure.history.first().history_user == editor.user
    shown = editor.get(f"/api/figures/{approximately.pk}/").json()
    assert (shown["low"], shown["high"]) == (2400, 3600)


def test_a_lower_limit_changed_through_the_api_derives_up_to_figures_again(
    editor, measure_with_figures
):
    measure, made = measure_with_figures
    up_to = made["up to 500"]
    before = entries(up_to)

    response = editor.patch(f"/api/measures/{measure.pk}/", {"lower_limit": "100"})

    assert response.status_code == 200, response.content
    assert_derived_again_by(up_to, editor.user, D(100), D(500), before)
    assert interval(made["overridden"]) == (D(1000), D(1500))


def test_a_tolerance_changed_in_the_admin_derives_its_figures_again_with_history(
    admin_client, admin_user, measure_with_figures
):
    measure, made = measure_with_figures
    before = {text: entries(figure) for text, figure in made.items()}

    saved_in_admin(
        admin_client, admin_url(Measure, "change", measure.pk), {"tolerance": "0.2"}
    )

    assert fresh(measure).tolerance == D("0.2")
    assert_derived_again_by(
        made["approximately 3,000"],
        admin_user,
        D(2400),
        D(3600),
        before["approximately 3,000"],
    )
    assert_derived_again_by(
        made["nearly 1,000"], admin_user, D(800), D(1000), before["nearly 1,000"]
    )
    for text in ("up to 500", "3,000", "overridden"):
        assert entries(made[text]) == before[text], text
    assert interval(made["overridden"]) == (D(1000), D(1500))


def test_a_lower_limit_changed_in_the_admin_derives_up_to_figures_again(
    admin_client, admin_user, measure_with_figures
):
    measure, made = measure_with_figures
    before = entries(made["up to 500"])

    saved_in_admin(
        admin_client, admin_url(Measure, "change", measure.pk), {"lower_limit": "100"}
    )

    assert_derived_again_by(made["up to 500"], admin_user, D(100), D(500), before)


def test_the_measure_service_records_its_user_on_each_figure_derived_again(
    measure_with_figures,
):
    measure, made = measure_with_figures
    user = member_of(EDITORS)
    before = entries(made["approximately 3,000"])

    services.measure_update(
        measure=Measure.objects.get(pk=measure.pk),
        user=user,
        changes={"tolerance": D("0.2")},
        reason="Tolerance agreed with the desk.",
    )

    assert_derived_again_by(made["approximately 3,000"], user, D(2400), D(3600), before)
    latest = entries(made["approximately 3,000"])[-1]
    assert latest.history_change_reason == "Tolerance agreed with the desk."


#: A change of one deriving field that leaves one figure unreadable: the measure as
#: it was, the figure's text, and the change.
UNREADABLE = {
    "unit": ({"unit": "percent"}, "40%", "personnel"),
    "lower_limit": ({}, "approximately 3,000", "2800"),
    "tolerance": ({"lower_limit": D(2000)}, "approximately 3,000", "0.5"),
}


def measure_with_a_figure_it_cannot_read(field):
    measure_fields, text, _ = UNREADABLE[field]
    measure = MeasureFactory(**measure_fields)
    claim = ClaimFactory()
    unreadable = FigureFactory(claim=claim, measure=measure, text=text)
    readable = FigureFactory(claim=claim, measure=measure, text="2,900")
    return measure, unreadable, readable


@pytest.mark.parametrize("field", UNREADABLE)
def test_it_refuses_through_the_api_a_measure_change_a_figure_cannot_be_read_with(
    editor, field
):
    measure, unreadable, readable = measure_with_a_figure_it_cannot_read(field)
    before = stored_rows()

    response = editor.patch(
        f"/api/measures/{measure.pk}/", {field: UNREADABLE[field][2]}
    )

    assert response.status_code == 409, response.content
    [message] = response.json()[field]
    assert message.startswith("With this value 1 figure(s) on the measure could not")
    assert f'figure #{unreadable.pk} "{unreadable.text}"' in message
    assert f"#{readable.pk}" not in message
    assert "Change or override them first." in message
    assert stored_rows() == before


@pytest.mark.parametrize("field", UNREADABLE)
def test_it_refuses_in_the_admin_a_measure_change_a_figure_cannot_be_read_with(
    admin_client, field
):
    measure, unreadable, _ = measure_with_a_figure_it_cannot_read(field)
    before = stored_rows()

    errors = refused_in_admin(
        admin_client,
        admin_url(Measure, "change", measure.pk),
        {field: UNREADABLE[field][2]},
    )

    assert set(errors) == {field}
    [message] = errors[field]
    assert f'figure #{unreadable.pk} "{unreadable.text}"' in message
    assert stored_rows() == before


def test_an_overridden_figure_neither_blocks_nor_follows_a_measure_change(editor):
    """Its text could not be read with the new lower limit, but its bounds are the
    editor's: the change goes through and leaves it as it was."""
    measure = MeasureFactory()
    claim = ClaimFactory()
    overridden = FigureFactory(
        claim=claim,
        measure=measure,
        text="approximately 3,000",
        bounds_overridden=True,
        qualifier="range",
        low=D(2500),
        high=D(3500),
        note="Hand-set from the agency's chart.",
    )
    derived = FigureFactory(claim=claim, measure=measure, text="about 4,000")
    overridden_before = list(Figure.objects.filter(pk=overridden.pk).values())
    history_before = entries(overridden)

    response = editor.patch(f"/api/measures/{measure.pk}/", {"lower_limit": "2800"})

    assert response.status_code == 200, response.content
    assert list(Figure.objects.filter(pk=overridden.pk).values()) == overridden_before
    assert entries(overridden) == history_before
    assert interval(derived) == (D(3600), D(4400))


def test_a_measure_change_that_no_figure_reads_writes_no_figure_again(editor):
    figure = FigureFactory(text="approximately 3,000")
    before = entries(figure)

    response = editor.patch(
        f"/api/measures/{figure.measure_id}/", {"description": "Clarified."}
    )

    assert response.status_code == 200
    assert entries(figure) == before


# A figure's date follows its claim's ------------------------------------------------


def test_a_figure_without_a_date_follows_its_claim_or_its_documents_day(editor):
    dated = ClaimFactory()
    undated = ClaimFactory(stated_on=None, document=dated.document)
    measure = MeasureFactory()

    follows_claim = editor.post(
        "/api/figures/", {"claim": dated.pk, "measure": measure.pk, "text": "3,000"}
    ).json()
    follows_document = editor.post(
        "/api/figures/", {"claim": undated.pk, "measure": measure.pk, "text": "3,000"}
    ).json()
    given = editor.post(
        "/api/figures/",
        {
            "claim": dated.pk,
            "measure": measure.pk,
            "text": "3,100",
            "as_of": "2024-10-01",
        },
    ).json()

    assert (follows_claim["as_of"], follows_claim["as_of_given"]) == (
        "2024-10-21",
        False,
    )
    assert (follows_document["as_of"], follows_document["as_of_given"]) == (
        "2024-10-28",
        False,
    )
    assert (given["as_of"], given["as_of_given"]) == ("2024-10-01", True)


@pytest.fixture
def following_and_given():
    """A claim of 2024-10-21 with a figure that follows its date and one dated by
    the editor."""
    claim = ClaimFactory()
    follows = FigureFactory(claim=claim, text="approximately 3,000")
    given = FigureFactory(
        claim=claim, measure=follows.measure, text="3,500", as_of=DAY(2024, 10, 1)
    )
    assert (fresh(follows).as_of, fresh(follows).as_of_given) == (STATED, False)
    assert (fresh(given).as_of, fresh(given).as_of_given) == (DAY(2024, 10, 1), True)
    return claim, follows, given


def test_a_claim_date_changed_through_the_api_moves_the_figures_that_follow_it(
    editor, following_and_given
):
    claim, follows, given = following_and_given
    follows_before, given_before = entries(follows), entries(given)
    given_row = list(Figure.objects.filter(pk=given.pk).values())

    response = editor.patch(f"/api/claims/{claim.pk}/", {"stated_on": "2024-10-25"})

    assert response.status_code == 200, response.content
    assert fresh(follows).as_of == DAY(2024, 10, 25)
    assert not fresh(follows).as_of_given
    [moved] = entries(follows)[len(follows_before) :]
    assert (moved.as_of, moved.history_user) == (DAY(2024, 10, 25), editor.user)
    assert list(Figure.objects.filter(pk=given.pk).values()) == given_row
    assert entries(given) == given_before

    # Without a date of its own, the claim's figure follows its document's day.
    response = editor.patch(
        f"/api/claims/{claim.pk}/", {"stated_on": None}, format="json"
    )
    assert response.status_code == 200, response.content
    assert fresh(follows).as_of == PUBLISHED
    assert fresh(given).as_of == DAY(2024, 10, 1)


def test_a_claim_date_changed_in_the_admin_moves_the_figures_that_follow_it(
    admin_client, admin_user, following_and_given
):
    claim, follows, given = following_and_given
    given_row = list(Figure.objects.filter(pk=given.pk).values())

    # The page sends its figure rows back as they stand, the derived date included.
    saved_in_admin(
        admin_client, admin_url(Claim, "change", claim.pk), {"stated_on": "2024-10-25"}
    )

    assert fresh(claim).stated_on == DAY(2024, 10, 25)
    assert (fresh(follows).as_of, fresh(follows).as_of_given) == (
        DAY(2024, 10, 25),
        False,
    )
    assert entries(follows)[-1].history_user == admin_user
    assert list(Figure.objects.filter(pk=given.pk).values()) == given_row


def test_a_claim_date_and_a_figure_edited_together_in_the_admin(
    admin_client, following_and_given
):
    """The figure row is edited on the same page as the claim's new date: it is
    stored with its new text and the claim's new date."""
    claim, follows, given = following_and_given
    url = admin_url(Claim, "change", claim.pk)
    data = admin_form(admin_client, url)
    [row] = [
        key.removesuffix("-id")
        for key, value in data.items()
        if key.startswith("figures-")
        and key.endswith("-id")
        and value == str(follows.pk)
    ]

    saved_in_admin(
        admin_client,
        url,
        {"stated_on": "2024-10-25", f"{row}-text": "approximately 3,100"},
    )

    follows = fresh(follows)
    assert (follows.text, follows.as_of, follows.as_of_given) == (
        "approximately 3,100",
        DAY(2024, 10, 25),
        False,
    )
    assert fresh(given).as_of == DAY(2024, 10, 1)


def test_patching_a_figures_as_of_to_null_makes_it_follow_its_claim_again(
    editor, following_and_given
):
    claim, _, given = following_and_given

    response = editor.patch(f"/api/figures/{given.pk}/", {"as_of": None}, format="json")

    assert response.status_code == 200, response.content
    assert (response.json()["as_of"], response.json()["as_of_given"]) == (
        "2024-10-21",
        False,
    )
    editor.patch(f"/api/claims/{claim.pk}/", {"stated_on": "2024-10-25"})
    assert fresh(given).as_of == DAY(2024, 10, 25)


def test_emptying_a_figures_date_in_the_admin_makes_it_follow_its_claim_again(
    admin_client, following_and_given
):
    claim, _, given = following_and_given

    saved_in_admin(admin_client, admin_url(Figure, "change", given.pk), {"as_of": ""})

    assert (fresh(given).as_of, fresh(given).as_of_given) == (STATED, False)
    saved_in_admin(
        admin_client, admin_url(Claim, "change", claim.pk), {"stated_on": "2024-10-25"}
    )
    assert fresh(given).as_of == DAY(2024, 10, 25)


def writable(body: dict) -> dict:
    """A figure as the API answered it, with only the fields a client writes."""
    read_only = {"id", "url", "as_of_given", "version", "created_at", "updated_at"}
    return {name: value for name, value in body.items() if name not in read_only}


def test_a_put_sending_back_the_derived_as_of_keeps_the_figure_following(
    editor, following_and_given
):
    claim, follows, _ = following_and_given
    url = f"/api/figures/{follows.pk}/"
    body = writable(editor.get(url).json())
    assert body["as_of"] == "2024-10-21"

    response = editor.put(url, body | {"text": "approximately 3,100"})

    assert response.status_code == 200, response.content
    assert response.json()["as_of_given"] is False
    editor.patch(f"/api/claims/{claim.pk}/", {"stated_on": "2024-10-25"})
    assert fresh(follows).as_of == DAY(2024, 10, 25)


def test_a_patch_sending_back_the_derived_as_of_keeps_the_figure_following(
    editor, following_and_given
):
    claim, follows, _ = following_and_given
    url = f"/api/figures/{follows.pk}/"

    response = editor.patch(url, {"as_of": "2024-10-21", "text": "about 3,100"})

    assert response.status_code == 200, response.content
    assert response.json()["as_of_given"] is False
    editor.patch(f"/api/claims/{claim.pk}/", {"stated_on": "2024-10-25"})
    assert fresh(follows).as_of == DAY(2024, 10, 25)


def test_a_patch_with_another_as_of_makes_it_the_figures_own(
    editor, following_and_given
):
    claim, follows, _ = following_and_given

    response = editor.patch(f"/api/figures/{follows.pk}/", {"as_of": "2024-10-20"})

    assert response.status_code == 200, response.content
    assert response.json()["as_of_given"] is True
    editor.patch(f"/api/claims/{claim.pk}/", {"stated_on": "2024-10-25"})
    assert fresh(follows).as_of == DAY(2024, 10, 20)


def test_the_admin_figure_page_saved_with_its_derived_date_keeps_it_following(
    admin_client, following_and_given
):
    claim, follows, _ = following_and_given

    saved_in_admin(
        admin_client,
        admin_url(Figure, "change", follows.pk),
        {"text": "approximately 3,100"},
    )

    assert (fresh(follows).text, fresh(follows).as_of_given) == (
        "approximately 3,100",
        False,
    )
    saved_in_admin(
        admin_client, admin_url(Claim, "change", claim.pk), {"stated_on": "2024-10-25"}
    )
    assert fresh(follows).as_of == DAY(2024, 10, 25)


# A given date after the document is refused -----------------------------------------

AFTER_DOCUMENT = (
    "The date 2024-10-29 is after 2024-10-28, the date of the document that reports it."
)


def test_it_refuses_a_figure_dated_after_its_document_through_the_api(editor):
    figure = FigureFactory()
    before = stored_rows()

    created = editor.post(
        "/api/figures/",
        {
            "claim": figure.claim_id,
            "measure": figure.measure_id,
            "text": "3,100",
            "as_of": "2024-10-29",
        },
    )
    changed = editor.patch(f"/api/figures/{figure.pk}/", {"as_of": "2024-10-29"})

    for response in (created, changed):
        assert response.status_code == 400, response.content
        assert response.json() == {"as_of": [AFTER_DOCUMENT]}
    assert stored_rows() == before
    # The document's own day is accepted.
    accepted = editor.patch(f"/api/figures/{figure.pk}/", {"as_of": "2024-10-28"})
    assert accepted.status_code == 200


def test_it_refuses_a_figure_dated_after_its_document_in_the_admin(admin_client):
    figure = FigureFactory()
    before = stored_rows()

    added = refused_in_admin(
        admin_client,
        admin_url(Figure, "add"),
        {
            "claim": str(figure.claim_id),
            "measure": str(figure.measure_id),
            "text": "3,100",
            "as_of": "2024-10-29",
        },
    )
    changed = refused_in_admin(
        admin_client, admin_url(Figure, "change", figure.pk), {"as_of": "2024-10-29"}
    )
    inline = refused_in_admin(
        admin_client,
        admin_url(Claim, "change", figure.claim_id),
        {"figures-0-as_of": "2024-10-29"},
    )

    assert added == changed == {"as_of": [AFTER_DOCUMENT]}
    assert inline == {"inline:figures:as_of": [AFTER_DOCUMENT]}
    assert stored_rows() == before


def bundle_with_a_figure(as_of: str) -> dict:
    return {
        "documents": [
            {
                "key": "d1",
                "title": "Wire report",
                "url": "https://news.example/wire",
                "published_at": "2024-10-28T12:00:00Z",
                "text": "Officials said about 3,000 troops were training.",
            }
        ],
        "sources": [{"key": "s1", "name": "Officials", "kind": "group"}],
        "measures": [{"key": "m1", "name": "Troops training", "unit": "troops"}],
        "claims": [
            {
                "key": "c1",
                "source": "s1",
                "document": "d1",
                "statement": "About 3,000 troops are training.",
                "quote": "about 3,000 troops were training",
                "attribution_kind": "paraphrase",
            }
        ],
        "figures": [
            {
                "key": "f1",
                "claim": "c1",
                "measure": "m1",
                "text": "about 3,000",
                "as_of": as_of,
            }
        ],
    }


def test_it_refuses_a_figure_dated_after_its_document_in_a_bundle(editor):
    SourceFactory()
    before = stored_rows()

    response = editor.post(
        "/api/import/", bundle_with_a_figure("2024-10-29"), format="json"
    )

    assert response.status_code == 400, response.content
    assert response.json()["errors"] == [
        {"kind": "figures", "key": "f1", "field": "as_of", "reason": AFTER_DOCUMENT}
    ]
    assert stored_rows() == before


def test_a_bundle_figure_keeps_its_given_date_and_one_without_follows_its_claim():
    bundle = bundle_with_a_figure("2024-10-27")
    bundle["figures"].append(
        {"key": "f2", "claim": "c1", "measure": "m1", "text": "3,000"}
    )
    bundle["claims"][0]["stated_on"] = "2024-10-21"

    ids = import_bundle(bundle).ids["figures"]

    given, follows = Figure.objects.get(pk=ids["f1"]), Figure.objects.get(pk=ids["f2"])
    assert (given.as_of, given.as_of_given) == (DAY(2024, 10, 27), True)
    assert (follows.as_of, follows.as_of_given) == (STATED, False)


# The document's publication day ------------------------------------------------------


@pytest.fixture
def undated_claim_figures():
    """Figures of one document: of a claim without a date (one following, one dated
    by the editor) and of a dated claim."""
    document = DocumentFactory()
    undated = ClaimFactory(document=document, stated_on=None)
    dated = ClaimFactory(document=document, quote="around 1,500 troops were training")
    follows = FigureFactory(claim=undated, text="approximately 3,000")
    measure = follows.measure
    given = FigureFactory(
        claim=undated, measure=measure, text="3,200", as_of=DAY(2024, 10, 2)
    )
    of_dated = FigureFactory(claim=dated, measure=measure, text="around 1,500")
    assert (fresh(follows).as_of, fresh(of_dated).as_of) == (PUBLISHED, STATED)
    return document, follows, given, of_dated


def test_a_documents_new_day_through_the_api_moves_figures_of_undated_claims(
    editor, undated_claim_figures
):
    document, follows, given, of_dated = undated_claim_figures
    others = list(Figure.objects.filter(pk__in=[given.pk, of_dated.pk]).values())

    response = editor.patch(
        f"/api/documents/{document.pk}/", {"published_at": "2024-10-30T09:00:00Z"}
    )

    assert response.status_code == 200, response.content
    assert (fresh(follows).as_of, fresh(follows).as_of_given) == (
        DAY(2024, 10, 30),
        False,
    )
    assert entries(follows)[-1].history_user == editor.user
    assert list(Figure.objects.filter(pk__in=[given.pk, of_dated.pk]).values()) == (
        others
    )


def test_a_documents_new_day_in_the_admin_moves_figures_of_undated_claims(
    admin_client, admin_user, undated_claim_figures
):
    document, follows, given, of_dated = undated_claim_figures

    saved_in_admin(
        admin_client,
        admin_url(Document, "change", document.pk),
        {"published_at_0": "2024-10-30", "published_at_1": "09:00:00"},
    )

    assert fresh(follows).as_of == DAY(2024, 10, 30)
    assert entries(follows)[-1].history_user == admin_user
    assert fresh(given).as_of == DAY(2024, 10, 2)
    assert fresh(of_dated).as_of == STATED


def figure_dated_by_the_editor(day: datetime.date):
    """A figure dated ``day`` by the editor, of a claim of 2024-10-21 in a document
    of 2024-10-28."""
    figure = FigureFactory(as_of=day)
    assert fresh(figure).as_of_given
    return figure


def test_it_refuses_through_the_api_a_documents_day_before_a_figures_given_date(
    editor,
):
    figure = figure_dated_by_the_editor(DAY(2024, 10, 27))
    before = stored_rows()

    response = editor.patch(
        f"/api/documents/{figure.claim.document_id}/",
        {"published_at": "2024-10-25T09:00:00Z"},
    )

    assert response.status_code == 409, response.content
    [message] = response.json()["published_at"]
    assert f"figure #{figure.pk} of claim #{figure.claim_id} is dated 2024-10-27, " in (
        message
    )
    assert "after 2024-10-25" in message
    assert stored_rows() == before


def test_it_refuses_in_the_admin_a_documents_day_before_a_figures_given_date(
    admin_client,
):
    figure = figure_dated_by_the_editor(DAY(2024, 10, 27))
    before = stored_rows()

    errors = refused_in_admin(
        admin_client,
        admin_url(Document, "change", figure.claim.document_id),
        {"published_at_0": "2024-10-25"},
    )

    assert set(errors) == {"published_at"}
    [message] = errors["published_at"]
    assert f"figure #{figure.pk} of claim #{figure.claim_id} is dated 2024-10-27" in (
        message
    )
    assert stored_rows() == before


def test_it_refuses_in_the_admin_a_documents_day_before_a_claims_date(admin_client):
    """The document page lists its claims read-only: they are checked against the
    new day by the document's rules, beside the field, not by their rows."""
    claim = ClaimFactory()
    before = stored_rows()

    errors = refused_in_admin(
        admin_client,
        admin_url(Document, "change", claim.document_id),
        {"published_at_0": "2024-10-20"},
    )

    assert errors == {
        "published_at": [
            "This change does not fit the document's claims: claim "
            f"#{claim.pk} is dated 2024-10-21, after 2024-10-20."
        ]
    }
    assert stored_rows() == before


def test_it_refuses_in_the_admin_a_document_text_without_a_claims_quote(
    admin_client,
):
    claim = ClaimFactory()
    before = stored_rows()

    errors = refused_in_admin(
        admin_client,
        admin_url(Document, "change", claim.document_id),
        {"text": "Nothing of the sort was said."},
    )

    assert set(errors) == {"text"}
    [message] = errors["text"]
    assert f"claim #{claim.pk}: The quote does not occur" in message
    assert stored_rows() == before


def test_it_refuses_moving_a_claim_to_a_document_before_its_figures_given_date(
    editor, admin_client
):
    figure = figure_dated_by_the_editor(DAY(2024, 10, 27))
    earlier = DocumentFactory(
        published_at=datetime.datetime(2024, 10, 24, 8, 0, tzinfo=datetime.UTC)
    )
    before = stored_rows()

    response = editor.patch(f"/api/claims/{figure.claim_id}/", {"document": earlier.pk})
    in_admin = refused_in_admin(
        admin_client,
        admin_url(Claim, "change", figure.claim_id),
        {"document": str(earlier.pk)},
    )

    assert response.status_code == 409, response.content
    [message] = response.json()["document"]
    assert f"figure #{figure.pk} is dated 2024-10-27, after 2024-10-24" in message
    assert in_admin["document"] == [message]
    assert stored_rows() == before


def test_it_refuses_a_figure_dated_after_the_document_of_a_claim_added_with_it(
    admin_client,
):
    """A figure added on the page of a new claim is checked against the document
    chosen for the claim, beside the figure's date."""
    claim, measure = ClaimFactory(), MeasureFactory()
    url = admin_url(Claim, "add")
    new_claim = {
        "source": str(claim.source_id),
        "document": str(claim.document_id),
        "statement": "Another agency counts 1,500.",
        "quote": "around 1,500 troops were training",
        "attribution_kind": "paraphrase",
        "figures-TOTAL_FORMS": "1",
        "figures-0-measure": str(measure.pk),
        "figures-0-text": "around 1,500",
    }
    before = stored_rows()

    errors = refused_in_admin(
        admin_client, url, new_claim | {"figures-0-as_of": "2024-10-29"}
    )

    assert errors == {"inline:figures:as_of": [AFTER_DOCUMENT]}
    assert stored_rows() == before
    saved_in_admin(admin_client, url, new_claim | {"figures-0-as_of": "2024-10-27"})
    figure = Figure.objects.get(claim__statement="Another agency counts 1,500.")
    assert (figure.as_of, figure.as_of_given) == (DAY(2024, 10, 27), True)


def test_a_claim_moved_to_another_document_takes_its_figures_to_that_day(editor):
    claim = ClaimFactory(stated_on=None)
    follows = FigureFactory(claim=claim)
    later = DocumentFactory(
        published_at=datetime.datetime(2024, 11, 2, 8, 0, tzinfo=datetime.UTC)
    )
    assert fresh(follows).as_of == PUBLISHED

    response = editor.patch(f"/api/claims/{claim.pk}/", {"document": later.pk})

    assert response.status_code == 200, response.content
    assert (fresh(follows).as_of, fresh(follows).as_of_given) == (
        DAY(2024, 11, 2),
        False,
    )
    assert entries(follows)[-1].history_user == editor.user
