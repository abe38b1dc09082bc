"""The fields the claim forms share (``claims.web.claim_fields``): the intake
page's proposed claims and the new-claim form define and check the date, its
precision and a new source's name and kind the same way."""

import datetime

import pytest

from claims.web.claim_fields import NEW_SOURCE_NEEDS, NewSourceFields, StatedOnFields
from claims.web.intake import ClaimRowForm
from claims.web.intake_bundle import NEW
from claims.web.new_claim import NewClaimForm

pytestmark = pytest.mark.django_db


def intake_row(**changes) -> ClaimRowForm:
    data = {
        "c1-include": "on",
        "c1-source": NEW,
        "c1-new_source_name": "Western analysts",
        "c1-new_source_kind": "group",
        "c1-statement": "A statement.",
        "c1-attribution_kind": "paraphrase",
        "c1-stated_on": "",
        "c1-stated_on_precision": "",
    }
    data.update({f"c1-{name}": value for name, value in changes.items()})
    return ClaimRowForm(
        {k: v for k, v in data.items() if v is not None}, prefix="c1", sources=[]
    )


def new_claim(**changes) -> NewClaimForm:
    data = {
        "quote": "Analysts warn",
        "statement": "A statement.",
        "source": "",
        "new_source_name": "Western analysts",
        "new_source_kind": "group",
        "attribution_kind": "paraphrase",
        "stated_on": "",
        "stated_on_precision": "",
    }
    return NewClaimForm({**data, **changes})


@pytest.mark.parametrize("form", [intake_row, new_claim], ids=["intake", "new-claim"])
def test_both_forms_share_the_fields_and_their_definitions(form):
    fields = form().fields
    for shared in (StatedOnFields, NewSourceFields):
        for name, field in shared.base_fields.items():
            assert type(fields[name]) is type(field)
            assert fields[name].label == field.label
            assert getattr(fields[name], "choices", None) == getattr(
                field, "choices", None
            )


@pytest.mark.parametrize("form", [intake_row, new_claim], ids=["intake", "new-claim"])
def test_a_precision_without_a_date_is_refused_beside_the_precision(form):
    refused = form(stated_on_precision="week")
    assert not refused.is_valid()
    assert refused.errors["stated_on_precision"] == [
        "A precision (week) needs a date: give the date, or leave the precision empty."
    ]
    dated = form(stated_on="2024-10-23", stated_on_precision="week")
    assert dated.is_valid(), dated.errors
    assert dated.cleaned_data["stated_on"] == datetime.date(2024, 10, 23)
    assert form(stated_on="2024-10-23").is_valid()  # a date alone: a day's


@pytest.mark.parametrize("form", [intake_row, new_claim], ids=["intake", "new-claim"])
def test_a_date_that_cannot_be_read_has_its_own_error_only(form):
    refused = form(stated_on="last Tuesday", stated_on_precision="week")
    assert not refused.is_valid()
    assert list(refused.errors) == ["stated_on"]


@pytest.mark.parametrize("form", [intake_row, new_claim], ids=["intake", "new-claim"])
def test_a_new_source_needs_its_kind(form):
    refused = form(new_source_kind="")
    assert not refused.is_valid()
    assert refused.errors["new_source_kind"] == [NEW_SOURCE_NEEDS["new_source_kind"]]


def test_an_unchecked_proposal_is_not_checked():
    assert intake_row(
        include=None, stated_on_precision="week", new_source_name=""
    ).is_valid()
