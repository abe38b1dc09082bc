"""The models' rules: each bad input is refused naming its field, and nothing stored
changes; the database holds the rules it can even when validation is bypassed.

A refusal that claims nothing stored changed is sent through a write path, the
admin's add and change forms (tests/api/test_validation.py sends the same through
the API), and the stored rows, with their history, are compared by value."""

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from claims import services
from claims.choices import Qualifier, Relation
from claims.models import Claim, Figure, Link, Review, Source

from .factories import (
    ClaimFactory,
    DocumentFactory,
    FigureFactory,
    LinkFactory,
    MeasureFactory,
    SourceFactory,
    UserFactory,
)
from .helpers import (
    admin_url,
    refused_in_admin_on,
    saved_in_admin,
    stored,
    validation_error,
)

pytestmark = pytest.mark.django_db


def refused_by_full_clean(instance, field):
    """Run full validation and return the messages on ``field``."""
    error = validation_error(instance.full_clean)
    assert field in error.message_dict, error.message_dict
    return error.message_dict[field]


def admin_page(model, instance=None):
    """The admin's add page for ``model``, or the change page of ``instance``."""
    if instance is None:
        return admin_url(model, "add")
    return admin_url(model, "change", instance.pk)


def test_the_admin_forms_these_tests_send_store_a_valid_change(admin_client):
    """The write path the refusals below go through does write: the same forms,
    with a change that breaks no rule, change the stored rows."""
    figure = FigureFactory(text="3,000")
    claim, source = figure.claim, figure.claim.source
    link = LinkFactory(from_claim=claim)
    edits = [
        (Figure, admin_page(Figure, figure), {"text": "about 4,000"}),
        (Claim, admin_page(Claim, claim), {"statement": "Said again."}),
        (Source, admin_page(Source, source), {"description": "Renamed."}),
        (
            Link,
            admin_page(Link),
            {
                "from_claim": link.to_claim_id,
                "to_claim": claim.pk,
                "relation": "repeats",
            },
        ),
    ]
    for model, url, changes in edits:
        before = stored(model)
        saved_in_admin(admin_client, url, changes, inline_rows=False)
        assert stored(model) != before, model


# Figures ---------------------------------------------------------------------------


def test_saving_a_figure_derives_its_interval_from_the_text():
    figure = FigureFactory(text="approximately 3,000")
    figure.refresh_from_db()
    assert (figure.qualifier, figure.value, figure.low, figure.high) == (
        Qualifier.APPROXIMATELY,
        D(3000),
        D(2700),
        D(3300),
    )


def test_a_figure_uses_its_measure_tolerance():
    figure = FigureFactory(text="about 1,000", measure=MeasureFactory(tolerance="0.2"))
    assert (figure.low, figure.high) == (D(800), D(1200))


def test_a_figure_holds_for_its_claim_date_unless_given():
    claim = ClaimFactory(stated_on=datetime.date(2024, 10, 21))
    assert FigureFactory(claim=claim).as_of == datetime.date(2024, 10, 21)
    given = FigureFactory(claim=claim, as_of=datetime.date(2024, 9, 1))
    assert given.as_of == datetime.date(2024, 9, 1)


def test_an_editor_can_override_the_bounds_with_a_note():
    figure = FigureFactory(
        text="around 1,500 ... with an additional 1,500",
        bounds_overridden=True,
        qualifier=Qualifier.APPROXIMATELY,
        value=3000,
        low=2850,
        high=3150,
        note="1,500 training plus 1,500 entered",
    )
    figure.full_clean()
    figure.refresh_from_db()
    assert (figure.low, figure.high) == (D(2850), D(3150))


def test_it_rejects_a_figure_whose_low_is_above_its_high(admin_client):
    figure = FigureFactory(text="3,000")
    before = stored(Figure)
    changes = {"bounds_overridden": "on", "note": "hand-set", "qualifier": "range"}
    changes |= {"low": "5000", "high": "1000"}
    messages = refused_in_admin_on(
        admin_client, admin_page(Figure, figure), changes, "low"
    )
    assert messages == ["The low end is above the high end."]
    assert stored(Figure) == before


def test_the_database_refuses_low_above_high_even_without_validation():
    figure = FigureFactory(text="3,000")
    with pytest.raises(IntegrityError), transaction.atomic():
        Figure.objects.filter(pk=figure.pk).update(low=5000, high=1000)
    figure.refresh_from_db()
    assert (figure.low, figure.high) == (D(3000), D(3000))


def test_it_rejects_unreadable_figure_text_naming_the_text(admin_client):
    claim, measure = ClaimFactory(), MeasureFactory()
    FigureFactory(claim=claim, measure=measure, text="3,000")
    before = stored(Figure)
    figure = {"claim": claim.pk, "measure": measure.pk, "text": "lots of them"}
    assert refused_in_admin_on(admin_client, admin_page(Figure), figure, "text") == [
        'Cannot read a figure from "lots of them": no number in it.'
    ]
    assert stored(Figure) == before


def test_it_rejects_overridden_bounds_without_a_note(admin_client):
    claim, measure = ClaimFactory(), MeasureFactory()
    FigureFactory(claim=claim, measure=measure, text="3,000")
    before = stored(Figure)
    figure = {"claim": claim.pk, "measure": measure.pk, "text": "3,000", "note": ""}
    figure |= {"bounds_overridden": "on", "qualifier": "exact", "low": "1", "high": "2"}
    assert refused_in_admin_on(admin_client, admin_page(Figure), figure, "note") == [
        "Say in the note why the bounds are set by hand."
    ]
    assert stored(Figure) == before


# Claims ----------------------------------------------------------------------------


def test_the_quote_offsets_are_derived_from_the_document_text():
    claim = ClaimFactory(quote="around 1,500 troops")
    claim.full_clean()
    text = claim.document.text
    assert text[claim.quote_start : claim.quote_end] == "around 1,500 troops"


def test_it_rejects_a_quote_missing_from_the_document(admin_client):
    claim = ClaimFactory()
    before = stored(Claim, Figure, Link)
    changes = {"quote": "some 9,000 marines"}
    [message] = refused_in_admin_on(
        admin_client, admin_page(Claim, claim), changes, "quote"
    )
    assert message.startswith("The quote does not occur in the document's text")
    assert stored(Claim, Figure, Link) == before


def test_a_quote_is_free_when_the_document_has_no_text():
    claim = ClaimFactory.build(
        document=DocumentFactory(text=""), source=SourceFactory(), quote="anything"
    )
    claim.full_clean()
    assert claim.quote_start is None


def test_a_date_of_week_precision_is_stored_as_its_monday():
    claim = ClaimFactory.build(
        document=DocumentFactory(),
        source=SourceFactory(),
        stated_on=datetime.date(2024, 10, 24),
        stated_on_precision="week",
    )
    claim.full_clean()
    assert claim.stated_on == datetime.date(2024, 10, 21)


def test_it_rejects_a_date_after_the_document_that_reports_it(admin_client):
    claim = ClaimFactory()
    before = stored(Claim, Figure, Link)
    url, changes = admin_page(Claim, claim), {"stated_on": "2024-11-05"}
    assert refused_in_admin_on(admin_client, url, changes, "stated_on") == [
        "The date 2024-11-05 is after 2024-10-28, the date of the document that "
        "reports it."
    ]
    assert stored(Claim, Figure, Link) == before


def test_it_rejects_a_future_date_when_the_document_has_none():
    claim = ClaimFactory(document=DocumentFactory(published_at=None))
    claim.stated_on = datetime.date.today() + datetime.timedelta(days=3)
    assert "is in the future" in refused_by_full_clean(claim, "stated_on")[0]


def test_credibility_outside_its_scale_is_refused_by_the_database():
    claim = ClaimFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(credibility=7)


# Sources ---------------------------------------------------------------------------


def test_it_rejects_a_source_as_its_own_ancestor(admin_client):
    top = SourceFactory(name="Government")
    middle = SourceFactory(name="Ministry", parent=top)
    bottom = SourceFactory(name="Minister", parent=middle)
    before = stored(Source)
    url, changes = admin_page(Source, top), {"parent": bottom.pk}
    assert refused_in_admin_on(admin_client, url, changes, "parent") == [
        "A source cannot be its own ancestor: Minister already sits under Government."
    ]
    assert stored(Source) == before


def test_it_rejects_a_source_as_its_own_parent():
    source = SourceFactory()
    source.parent = source
    assert refused_by_full_clean(source, "parent")
    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.filter(pk=source.pk).update(parent=source.pk)


def test_it_rejects_a_reliability_grade_off_the_scale():
    source = SourceFactory()
    source.reliability = "G"
    assert refused_by_full_clean(source, "reliability") == [
        "Reliability is a grade from A to F, not G."
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.filter(pk=source.pk).update(reliability="G")


def test_it_rejects_a_second_source_of_the_same_name_in_any_case():
    SourceFactory(name="NATO")
    assert refused_by_full_clean(Source(name="nato", kind="organization"), "name") == [
        "A source with this name already exists."
    ]


def test_deleting_a_source_that_claims_point_to_is_refused():
    claim = ClaimFactory()
    before = stored(Source, Claim)
    with pytest.raises(ProtectedError):
        claim.source.delete()
    assert stored(Source, Claim) == before


def test_deleting_a_document_that_claims_point_to_is_refused():
    claim = ClaimFactory()
    with pytest.raises(ProtectedError):
        claim.document.delete()
    assert Claim.objects.filter(pk=claim.pk).exists()


def test_deleting_a_parent_source_is_refused():
    parent = SourceFactory()
    SourceFactory(parent=parent)
    with pytest.raises(ProtectedError):
        parent.delete()


# Links -----------------------------------------------------------------------------


def test_it_rejects_a_link_from_a_claim_to_itself(admin_client):
    claim = ClaimFactory()
    LinkFactory(from_claim=claim)
    before = stored(Link)
    link = {"from_claim": claim.pk, "to_claim": claim.pk, "relation": "corroborates"}
    assert refused_in_admin_on(admin_client, admin_page(Link), link, "to_claim") == [
        "A claim cannot be linked to itself."
    ]
    assert stored(Link) == before
    with pytest.raises(IntegrityError), transaction.atomic():
        Link.objects.create(from_claim=claim, to_claim=claim, relation="repeats")


@pytest.mark.parametrize("reverse", [False, True])
def test_it_rejects_a_duplicate_link_either_way_round(admin_client, reverse):
    link = LinkFactory(relation=Relation.CORROBORATES)
    before = stored(Link)
    a, b = link.from_claim, link.to_claim
    if reverse:
        a, b = b, a
    duplicate = {"from_claim": a.pk, "to_claim": b.pk, "relation": "corroborates"}
    assert refused_in_admin_on(
        admin_client, admin_page(Link), duplicate, "to_claim"
    ) == ["These two claims are already linked with this relation."]
    assert stored(Link) == before
    with pytest.raises(IntegrityError), transaction.atomic():
        Link(from_claim=a, to_claim=b, relation=Relation.CORROBORATES).save()
    assert stored(Link) == before


def test_two_claims_may_have_links_of_different_relations():
    link = LinkFactory(relation=Relation.CORROBORATES)
    other = Link(from_claim=link.from_claim, to_claim=link.to_claim, relation="repeats")
    other.full_clean()


def test_it_rejects_corroborates_and_contradicts_on_one_pair():
    link = LinkFactory(relation=Relation.CORROBORATES)
    clash = Link(
        from_claim=link.to_claim,
        to_claim=link.from_claim,
        relation=Relation.CONTRADICTS,
    )
    assert (
        "cannot both corroborate and contradict"
        in refused_by_full_clean(clash, "relation")[0]
    )


@pytest.mark.parametrize("relation", [Relation.REPEATS, Relation.BASED_ON])
def test_it_rejects_a_repeats_or_based_on_cycle(admin_client, relation):
    a, b, c = ClaimFactory(), ClaimFactory(), ClaimFactory()
    LinkFactory(from_claim=b, to_claim=a, relation=Relation.REPEATS)
    LinkFactory(from_claim=c, to_claim=b, relation=Relation.BASED_ON)
    before = stored(Link)
    closing = {"from_claim": a.pk, "to_claim": c.pk, "relation": relation}
    assert refused_in_admin_on(admin_client, admin_page(Link), closing, "to_claim") == [
        "This link would make a cycle of repeats/based_on links: "
        f"#{a.pk} → #{c.pk} → #{b.pk} → #{a.pk}."
    ]
    assert stored(Link) == before


def test_a_corroborating_link_may_close_a_loop():
    a, b = ClaimFactory(), ClaimFactory()
    LinkFactory(from_claim=b, to_claim=a, relation=Relation.REPEATS)
    Link(from_claim=a, to_claim=b, relation=Relation.CORROBORATES).full_clean()


def test_deleting_a_linked_claim_is_refused():
    link = LinkFactory()
    with pytest.raises(ProtectedError):
        link.to_claim.delete()


# Reviews ---------------------------------------------------------------------------


def test_a_review_becomes_the_claim_current_grade():
    claim = ClaimFactory()
    reviewer = UserFactory()
    services.review_create(
        claim=claim,
        reviewer=reviewer,
        attribution_status="verified",
        credibility=2,
        rationale="Two outlets carry the same briefing.",
    )
    services.review_create(
        claim=claim,
        reviewer=reviewer,
        attribution_status="misattributed",
        credibility=5,
        rationale="The agency denied saying it.",
    )
    claim.refresh_from_db()
    assert (claim.attribution_status, claim.credibility) == ("misattributed", 5)
    assert claim.reviews.count() == 2


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("credibility", 7, "Credibility is a grade from 1 to 6."),
        ("credibility", 0, "Credibility is a grade from 1 to 6."),
        ("rationale", "", "This field cannot be blank."),
        (
            "attribution_status",
            "maybe",
            "Attribution status must be unverified, verified or misattributed, not "
            "maybe.",
        ),
    ],
)
def test_it_rejects_a_bad_review_and_leaves_the_claim_as_it_was(field, value, message):
    claim = ClaimFactory()
    before = stored(Claim, Review)
    arguments = {
        "attribution_status": "verified",
        "credibility": 2,
        "rationale": "Checked.",
    } | {field: value}
    with pytest.raises(ValidationError) as error:
        services.review_create(claim=claim, reviewer=UserFactory(), **arguments)
    assert message in error.value.message_dict[field]
    assert stored(Claim, Review) == before


def test_the_database_refuses_a_review_without_rationale():
    claim = ClaimFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(
            claim=claim, attribution_status="verified", credibility=1, rationale=""
        )
