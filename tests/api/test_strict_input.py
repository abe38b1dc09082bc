"""Input that is almost right is refused, not guessed at: ids that are not whole
numbers, a date's precision without a date, the same quote of a source twice, a
quote that occurs more than once without saying which, a quote that does not occur.
Each refusal names the field and the reason and changes nothing stored; the admin
and the bundle import refuse the same with the same words. A quote typed with other
quotation marks, dashes or spacing than its document's is found, and stored as the
document writes it."""

import pytest

from claims.exchange.bundle import BundleError, import_bundle
from claims.models import Claim

from ..factories import (
    ClaimFactory,
    DocumentFactory,
    FigureFactory,
    MeasureFactory,
    SourceFactory,
    TopicFactory,
)
from ..helpers import (
    admin_url,
    refused_answer,
    refused_in_admin,
    saved_in_admin,
    stored_rows,
)

pytestmark = pytest.mark.django_db


# Ids that are not whole numbers ------------------------------------------------------


def not_whole(pk: int) -> list:
    """Ids that are not whole numbers, near the stored id ``pk``: a float that
    Django's lookup would cut down to ``pk``, true (the id 1 to that lookup), and a
    number written with an exponent."""
    return [pk + 0.5, True, f"{pk}e0"]


def the_id(body: dict, field: str) -> int:
    value = body[field]
    return value[0] if isinstance(value, list) else value


def bodies() -> dict[tuple[str, str], tuple[str, dict]]:
    """For each reference field: the endpoint and a valid body."""
    claim = ClaimFactory()
    other = ClaimFactory(quote="around 1,500 troops were training")
    measure, topic = MeasureFactory(), TopicFactory()
    claim_body = {
        "source": claim.source_id,
        "document": claim.document_id,
        "statement": "About 1,500 troops are training.",
        "quote": "Another agency said",
        "attribution_kind": "paraphrase",
        "topics": [topic.pk],
    }
    figure_body = {"claim": claim.pk, "measure": measure.pk, "text": "3,000"}
    link_body = {"from_claim": claim.pk, "to_claim": other.pk, "relation": "repeats"}
    source_body = {"name": "Ministry", "kind": "government", "parent": claim.source_id}
    review_body = {
        "claim": claim.pk,
        "attribution_status": "verified",
        "credibility": 2,
        "rationale": "Checked.",
    }
    measure_body = {"name": "Troops", "unit": "troops", "topics": [topic.pk]}
    return {
        ("claims", "source"): ("/api/claims/", claim_body),
        ("claims", "document"): ("/api/claims/", claim_body),
        ("claims", "topics"): ("/api/claims/", claim_body),
        ("figures", "claim"): ("/api/figures/", figure_body),
        ("figures", "measure"): ("/api/figures/", figure_body),
        ("links", "from_claim"): ("/api/links/", link_body),
        ("links", "to_claim"): ("/api/links/", link_body),
        ("sources", "parent"): ("/api/sources/", source_body),
        ("reviews", "claim"): ("/api/reviews/", review_body),
        ("measures", "topics"): ("/api/measures/", measure_body),
    }


REFERENCES = [
    ("claims", "source"),
    ("claims", "document"),
    ("claims", "topics"),
    ("figures", "claim"),
    ("figures", "measure"),
    ("links", "from_claim"),
    ("links", "to_claim"),
    ("sources", "parent"),
    ("reviews", "claim"),
    ("measures", "topics"),
]
REFERENCE_IDS = [f"{kind}.{field}" for kind, field in REFERENCES]


@pytest.fixture
def writer(editor, reviewer):
    """The client allowed to write each kind."""
    return lambda kind: reviewer if kind == "reviews" else editor


def as_sent(field: str, value):
    return [value] if field == "topics" else value


@pytest.mark.parametrize("kind, field", REFERENCES, ids=REFERENCE_IDS)
def test_the_bodies_these_tests_send_are_accepted_with_whole_ids(writer, kind, field):
    url, body = bodies()[kind, field]
    response = writer(kind).post(url, body)
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("kind, field", REFERENCES, ids=REFERENCE_IDS)
def test_it_refuses_a_created_reference_that_is_not_a_whole_number(writer, kind, field):
    url, body = bodies()[kind, field]
    before = stored_rows()
    for value in not_whole(the_id(body, field)):
        response = writer(kind).post(url, body | {field: as_sent(field, value)})
        assert refused_answer(response, field) == [
            f"Expected the id of a stored object as a whole number, not {value!r}."
        ], value
    assert stored_rows() == before


@pytest.mark.parametrize(
    "kind, field",
    [ref for ref in REFERENCES if ref[0] != "reviews"],
    ids=[name for name in REFERENCE_IDS if not name.startswith("reviews")],
)
def test_it_refuses_a_changed_reference_that_is_not_a_whole_number(editor, kind, field):
    url, body = bodies()[kind, field]
    created = editor.post(url, body)
    assert created.status_code == 201, created.content
    detail = f"{url}{created.json()['id']}/"
    before = stored_rows()
    for value in not_whole(the_id(body, field)):
        response = editor.patch(detail, {field: as_sent(field, value)})
        assert refused_answer(response, field) == [
            f"Expected the id of a stored object as a whole number, not {value!r}."
        ], value
    assert stored_rows() == before


@pytest.mark.parametrize(
    "kind, row, field",
    [
        ("claims", 0, "source"),
        ("claims", 0, "document"),
        ("figures", 0, "measure"),
        ("figures", 0, "claim"),
    ],
)
def test_a_bundle_refuses_a_reference_that_is_not_a_whole_number(
    editor, kind, row, field
):
    claim, measure = ClaimFactory(), MeasureFactory()
    bundle = {
        "claims": [
            {
                "key": "c1",
                "source": claim.source_id,
                "document": claim.document_id,
                "statement": "About 1,500 troops are training.",
                "quote": "around 1,500 troops were training",
                "attribution_kind": "paraphrase",
            }
        ],
        "figures": [
            {"key": "f1", "claim": claim.pk, "measure": measure.pk, "text": "1,500"}
        ],
    }
    pk = bundle[kind][row][field]
    before = stored_rows()

    for value in (pk + 0.5, True):
        bundle[kind][row][field] = value
        response = editor.post("/api/import/", bundle, format="json")
        assert response.status_code == 400, response.content
        [error] = response.json()["errors"]
        assert (error["kind"], error["key"], error["field"]) == (
            kind,
            bundle[kind][row]["key"],
            field,
        )
        assert error["reason"].startswith(
            "Expected a key of the bundle or a stored id, not "
        ), value
    assert stored_rows() == before
    # The same bundle with the whole id is taken.
    bundle[kind][row][field] = pk
    assert editor.post("/api/import/", bundle, format="json").status_code == 201


# A precision without a date ---------------------------------------------------------


def precision_without(precision: str) -> list[str]:
    return [
        f"A precision ({precision}) needs a date: give stated_on, or leave the "
        "precision empty."
    ]


def new_claim_body(claim, **fields) -> dict:
    return {
        "source": claim.source_id,
        "document": claim.document_id,
        "statement": "About 1,500 troops are training.",
        "quote": "around 1,500 troops were training",
        "attribution_kind": "paraphrase",
    } | fields


def test_it_refuses_a_precision_without_a_date_through_the_api(editor):
    claim = ClaimFactory()
    undated = ClaimFactory(
        stated_on=None, source=claim.source, quote="Another agency said"
    )
    before = stored_rows()

    created = editor.post(
        "/api/claims/", new_claim_body(claim, stated_on_precision="week")
    )
    on_undated = editor.patch(
        f"/api/claims/{undated.pk}/", {"stated_on_precision": "month"}
    )
    date_removed = editor.patch(
        f"/api/claims/{claim.pk}/",
        {"stated_on": None, "stated_on_precision": "week"},
        format="json",
    )

    assert refused_answer(created, "stated_on_precision") == precision_without("week")
    assert refused_answer(on_undated, "stated_on_precision") == precision_without(
        "month"
    )
    assert refused_answer(date_removed, "stated_on_precision") == precision_without(
        "week"
    )
    assert stored_rows() == before
    # The date removed alone takes its precision with it.
    alone = editor.patch(f"/api/claims/{claim.pk}/", {"stated_on": None})
    assert alone.status_code == 200
    assert (alone.json()["stated_on"], alone.json()["stated_on_precision"]) == (
        None,
        "",
    )


def test_it_refuses_a_precision_without_a_date_in_the_admin(admin_client):
    claim = ClaimFactory()
    before = stored_rows()

    added = refused_in_admin(
        admin_client,
        admin_url(Claim, "add"),
        new_claim_body(claim, stated_on="", stated_on_precision="week"),
    )
    changed = refused_in_admin(
        admin_client,
        admin_url(Claim, "change", claim.pk),
        {"stated_on": "", "stated_on_precision": "month"},
    )

    assert added == {"stated_on_precision": precision_without("week")}
    assert changed == {"stated_on_precision": precision_without("month")}
    assert stored_rows() == before


def test_a_bundle_refuses_a_precision_without_a_date(editor):
    claim = ClaimFactory()
    row = new_claim_body(claim, key="c1", stated_on_precision="year")
    before = stored_rows()

    response = editor.post("/api/import/", {"claims": [row]}, format="json")

    assert response.status_code == 400, response.content
    assert response.json()["errors"] == [
        {
            "kind": "claims",
            "key": "c1",
            "field": "stated_on_precision",
            "reason": precision_without("year")[0],
        }
    ]
    assert stored_rows() == before


# The same quote of the same source in the same document twice ----------------------


def already_held(claim) -> str:
    return (
        f"Claim #{claim.pk} already holds this quote of this source in this "
        "document: change that claim, or link a second report of it with repeats."
    )


def test_it_refuses_the_same_quote_of_a_source_twice_with_409_naming_the_claim(
    editor,
):
    claim = ClaimFactory()
    second = ClaimFactory(
        source=claim.source, document=claim.document, quote="around 1,500 troops"
    )
    before = stored_rows()

    again = editor.post(
        "/api/claims/", new_claim_body(claim, quote=claim.quote, statement="Again.")
    )
    # Typed with a double space, it is still the same span of the text.
    retyped = editor.post(
        "/api/claims/",
        new_claim_body(claim, quote="approximately 3,000  personnel were training"),
    )
    moved_onto_it = editor.patch(f"/api/claims/{second.pk}/", {"quote": claim.quote})

    for response in (again, retyped, moved_onto_it):
        assert refused_answer(response, "quote", status=409) == [already_held(claim)]
    assert stored_rows() == before
    # Another source's same words are another claim.
    other_source = editor.post(
        "/api/claims/",
        new_claim_body(claim, quote=claim.quote, source=SourceFactory().pk),
    )
    assert other_source.status_code == 201, other_source.content


def test_the_admin_refuses_the_same_quote_of_a_source_twice_naming_the_claim(
    admin_client,
):
    claim = ClaimFactory()
    second = ClaimFactory(
        source=claim.source, document=claim.document, quote="around 1,500 troops"
    )
    before = stored_rows()

    added = refused_in_admin(
        admin_client,
        admin_url(Claim, "add"),
        new_claim_body(claim, quote=claim.quote, stated_on="2024-10-21"),
    )
    changed = refused_in_admin(
        admin_client, admin_url(Claim, "change", second.pk), {"quote": claim.quote}
    )

    assert added == changed == {"quote": [already_held(claim)]}
    assert stored_rows() == before


def test_a_bundle_refuses_the_same_quote_of_a_source_twice_naming_the_claim(editor):
    claim = ClaimFactory()
    stored_twice = new_claim_body(claim, key="c1", quote=claim.quote)
    bundle_twice = new_claim_body(claim, key="c3")
    before = stored_rows()

    response = editor.post(
        "/api/import/",
        {"claims": [stored_twice, new_claim_body(claim, key="c2"), bundle_twice]},
        format="json",
    )

    assert response.status_code == 400, response.content
    assert response.json()["errors"] == [
        {
            "kind": "claims",
            "key": "c1",
            "field": "quote",
            "reason": already_held(claim),
        },
        {
            "kind": "claims",
            "key": "c3",
            "field": "quote",
            "reason": "Claim #c2 (of this bundle) already holds this quote of this "
            "source in this document: change that claim, or link a second report of "
            "it with repeats.",
        },
    ]
    assert stored_rows() == before


# A quote that occurs more than once ------------------------------------------------

KURSK = (
    "Units were moved to Kursk in October. Officials in Kyiv said the fighting "
    "in Kursk continued into November."
)
FIRST, SECOND = KURSK.index("Kursk"), KURSK.rindex("Kursk")


@pytest.fixture
def kursk():
    """A document whose text has "Kursk" twice, and a source."""
    assert FIRST != SECOND
    return DocumentFactory(text=KURSK), SourceFactory()


def kursk_claim(kursk, **fields) -> dict:
    document, source = kursk
    return {
        "source": source.pk,
        "document": document.pk,
        "statement": "Fighting is under way in Kursk.",
        "quote": "Kursk",
        "attribution_kind": "paraphrase",
    } | fields


AMBIGUOUS = (
    f"The quote occurs 2 times in the document's text (at {FIRST}, {SECOND}): give "
    "quote_prefix or quote_suffix (the text just before or after it), or "
    "quote_start, to say which one."
)


def test_it_refuses_an_ambiguous_quote_saying_how_many_times_it_occurs(editor, kursk):
    before = stored_rows()

    response = editor.post("/api/claims/", kursk_claim(kursk))

    assert refused_answer(response, "quote") == [AMBIGUOUS]
    assert stored_rows() == before


@pytest.mark.parametrize(
    "selector, start",
    [
        ({"quote_prefix": "the fighting in "}, SECOND),
        ({"quote_prefix": "moved to"}, FIRST),
        ({"quote_suffix": " continued"}, SECOND),
        ({"quote_suffix": "in October"}, FIRST),
        ({"quote_prefix": "in ", "quote_suffix": " continued"}, SECOND),
        ({"quote_start": SECOND}, SECOND),
        ({"quote_start": FIRST}, FIRST),
    ],
    ids=lambda v: repr(v) if isinstance(v, dict) else str(v),
)
def test_an_ambiguous_quote_is_anchored_where_the_selector_says(
    editor, kursk, selector, start
):
    response = editor.post("/api/claims/", kursk_claim(kursk, **selector))

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["quote"], body["quote_start"], body["quote_end"]) == (
        "Kursk",
        start,
        start + len("Kursk"),
    )
    claim = Claim.objects.get(pk=body["id"])
    assert (claim.quote_start, claim.quote_end) == (start, start + 5)
    assert "quote_prefix" not in body and "quote_suffix" not in body


def test_the_two_occurrences_of_a_quote_are_two_claims_of_one_source(editor, kursk):
    first = editor.post("/api/claims/", kursk_claim(kursk, quote_suffix=" in October"))
    second = editor.post("/api/claims/", kursk_claim(kursk, quote_prefix="fighting in"))
    again = editor.post("/api/claims/", kursk_claim(kursk, quote_start=SECOND))

    assert (first.status_code, second.status_code) == (201, 201)
    assert (first.json()["quote_start"], second.json()["quote_start"]) == (
        FIRST,
        SECOND,
    )
    holder = Claim.objects.get(pk=second.json()["id"])
    assert refused_answer(again, "quote", status=409) == [already_held(holder)]


@pytest.mark.parametrize(
    "selector, field, message",
    [
        (
            {"quote_start": FIRST + 1},
            "quote_start",
            f"The quote does not start at {FIRST + 1}; it starts at {FIRST}, {SECOND}.",
        ),
        (
            {"quote_prefix": "Moscow "},
            "quote",
            "No occurrence of the quote has the given prefix and suffix around it.",
        ),
        (
            {"quote_suffix": " in December"},
            "quote",
            "No occurrence of the quote has the given prefix and suffix around it.",
        ),
    ],
)
def test_it_refuses_a_selector_that_picks_no_occurrence(
    editor, kursk, selector, field, message
):
    before = stored_rows()

    response = editor.post("/api/claims/", kursk_claim(kursk, **selector))

    assert refused_answer(response, field) == [message]
    assert stored_rows() == before


def test_a_claim_changed_to_an_ambiguous_quote_needs_a_selector(editor, kursk):
    created = editor.post("/api/claims/", kursk_claim(kursk, quote="Units were moved"))
    url = f"/api/claims/{created.json()['id']}/"
    before = stored_rows()

    assert refused_answer(editor.patch(url, {"quote": "Kursk"}), "quote") == [AMBIGUOUS]
    assert stored_rows() == before

    response = editor.patch(url, {"quote": "Kursk", "quote_suffix": " continued"})
    assert response.status_code == 200, response.content
    assert response.json()["quote_start"] == SECOND


def test_the_admin_refuses_an_ambiguous_quote_and_takes_a_selector(admin_client, kursk):
    before = stored_rows()
    url = admin_url(Claim, "add")

    assert refused_in_admin(admin_client, url, kursk_claim(kursk)) == {
        "quote": [AMBIGUOUS]
    }
    assert stored_rows() == before

    saved_in_admin(admin_client, url, kursk_claim(kursk, quote_prefix="fighting in "))
    saved_in_admin(
        admin_client,
        url,
        kursk_claim(kursk, statement="Units moved.", occurrence_start=str(FIRST)),
    )
    spans = list(
        Claim.objects.order_by("pk").values_list("quote", "quote_start", "quote_end")
    )
    assert spans == [("Kursk", SECOND, SECOND + 5), ("Kursk", FIRST, FIRST + 5)]


def test_the_admin_refuses_a_start_where_the_quote_does_not_start(admin_client, kursk):
    before = stored_rows()

    errors = refused_in_admin(
        admin_client,
        admin_url(Claim, "add"),
        kursk_claim(kursk, occurrence_start=str(FIRST + 1)),
    )

    assert errors == {
        "occurrence_start": [
            f"The quote does not start at {FIRST + 1}; it starts at {FIRST}, {SECOND}."
        ]
    }
    assert stored_rows() == before


def test_the_admin_takes_a_suffix_to_pick_the_occurrence_of_a_changed_quote(
    admin_client, kursk
):
    claim = ClaimFactory(
        source=kursk[1], document=kursk[0], quote="Units were moved", stated_on=None
    )
    url = admin_url(Claim, "change", claim.pk)

    assert refused_in_admin(admin_client, url, {"quote": "Kursk"}) == {
        "quote": [AMBIGUOUS]
    }
    saved_in_admin(admin_client, url, {"quote": "Kursk", "quote_suffix": " in Oct"})

    claim.refresh_from_db()
    assert (claim.quote, claim.quote_start, claim.quote_end) == (
        "Kursk",
        FIRST,
        FIRST + 5,
    )


def test_a_bundle_refuses_an_ambiguous_quote_and_takes_a_selector(kursk):
    def row(key, **selector):
        return kursk_claim(kursk, key=key, **selector)

    before = stored_rows()
    with pytest.raises(BundleError) as refusal:
        import_bundle({"claims": [row("c1")]})
    [error] = refusal.value.errors
    assert (error.kind, error.key, error.field, error.reason) == (
        "claims",
        "c1",
        "quote",
        AMBIGUOUS,
    )
    assert stored_rows() == before

    ids = import_bundle(
        {
            "claims": [
                row("before", quote_suffix=" in October"),
                row("after", quote_prefix="the fighting in"),
                row("at", quote="Kursk continued", quote_start=SECOND),
            ]
        }
    ).ids["claims"]

    starts = {
        key: Claim.objects.values_list("quote_start", flat=True).get(pk=pk)
        for key, pk in ids.items()
    }
    assert starts == {"before": FIRST, "after": SECOND, "at": SECOND}


# A quote typed with other typography -----------------------------------------------

CURLY = (
    "The minister said \u201cwe will hold the line\u201d \u2013 and 3,000 troops "
    "stayed at the border\u2019s edge."
)
TYPED = 'said "we will hold the line"  -  and 3,000 troops stayed at the border\'s'
#: The document's own text for what was typed.
AS_WRITTEN = (
    "said \u201cwe will hold the line\u201d \u2013 and 3,000 troops stayed at the "
    "border\u2019s"
)


@pytest.fixture
def curly():
    return DocumentFactory(text=CURLY), SourceFactory()


def curly_claim(curly, **fields) -> dict:
    document, source = curly
    return {
        "source": source.pk,
        "document": document.pk,
        "statement": "The troops stay.",
        "quote": TYPED,
        "attribution_kind": "direct_quote",
    } | fields


def assert_stored_as_written(claim):
    claim.refresh_from_db()
    assert claim.quote == AS_WRITTEN
    assert CURLY[claim.quote_start : claim.quote_end] == AS_WRITTEN


def test_a_quote_typed_with_straight_quotes_hyphen_and_double_spaces_is_found(
    editor, curly
):
    assert TYPED not in CURLY

    response = editor.post("/api/claims/", curly_claim(curly))

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["quote"] == AS_WRITTEN
    assert (body["quote_start"], body["quote_end"]) == (
        CURLY.index("said"),
        CURLY.index("said") + len(AS_WRITTEN),
    )
    assert_stored_as_written(Claim.objects.get(pk=body["id"]))


def test_a_quote_changed_to_other_typography_is_stored_as_the_document_writes_it(
    editor, curly
):
    claim = ClaimFactory(
        source=curly[1], document=curly[0], quote="The minister", stated_on=None
    )

    response = editor.patch(f"/api/claims/{claim.pk}/", {"quote": TYPED})

    assert response.status_code == 200, response.content
    assert_stored_as_written(claim)


def test_the_admin_finds_a_quote_typed_with_other_typography(admin_client, curly):
    saved_in_admin(admin_client, admin_url(Claim, "add"), curly_claim(curly))

    assert_stored_as_written(Claim.objects.get())


def test_a_bundle_finds_a_quote_typed_with_other_typography(curly):
    ids = import_bundle({"claims": [curly_claim(curly, key="c1")]}).ids

    assert_stored_as_written(Claim.objects.get(pk=ids["claims"]["c1"]))


# A quote that does not occur -------------------------------------------------------

MISSING = "approximately 3,100 personnel were training"
NEAREST = (
    "The quote does not occur in the document's text, even with quotation marks, "
    'dashes and spaces made uniform. Nearest passage: "Officials said that '
    'approximately 3,000 personnel were training. Another agency sai…".'
)


def test_it_refuses_a_missing_quote_showing_the_nearest_passage(editor):
    claim = ClaimFactory()
    FigureFactory(claim=claim)
    other_source = SourceFactory()
    before = stored_rows()

    created = editor.post(
        "/api/claims/",
        new_claim_body(claim, quote=MISSING, source=other_source.pk),
    )
    changed = editor.patch(f"/api/claims/{claim.pk}/", {"quote": MISSING})

    assert refused_answer(created, "quote") == [NEAREST]
    assert refused_answer(changed, "quote") == [NEAREST]
    assert stored_rows() == before


def test_the_admin_refuses_a_missing_quote_showing_the_nearest_passage(admin_client):
    claim = ClaimFactory()
    before = stored_rows()

    added = refused_in_admin(
        admin_client,
        admin_url(Claim, "add"),
        new_claim_body(claim, quote=MISSING, statement="Again."),
    )
    changed = refused_in_admin(
        admin_client, admin_url(Claim, "change", claim.pk), {"quote": MISSING}
    )

    assert added == changed == {"quote": [NEAREST]}
    assert stored_rows() == before


def test_a_bundle_refuses_a_missing_quote_showing_the_nearest_passage(editor):
    claim = ClaimFactory()
    before = stored_rows()

    response = editor.post(
        "/api/import/",
        {"claims": [new_claim_body(claim, key="c1", quote=MISSING)]},
        format="json",
    )

    assert response.status_code == 400, response.content
    assert response.json()["errors"] == [
        {"kind": "claims", "key": "c1", "field": "quote", "reason": NEAREST}
    ]
    assert stored_rows() == before
