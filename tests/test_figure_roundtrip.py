"""Every figure text the parser accepts is stored and read back by every page and
endpoint that shows figures: the figure, the figure list, the comparisons, the
measure, claim and topic pages and the admin's figure pages."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from claims import services
from claims.figures import parse_figure
from claims.models import Figure

from .factories import ClaimFactory, DocumentFactory, MeasureFactory, UserFactory

QUALIFIERS = [
    "",
    "about ",
    "approximately ",
    "nearly ",
    "just under ",
    "at least ",
    "well over ",
    "more than ",
    "up to ",
    "no more than ",
    "some ",
]
SUFFIXES = ["", " or so", "-odd", "+", "-plus", " or more", " or fewer"]
WORDS = [
    "a dozen",
    "dozens",
    "a few hundred",
    "several thousand",
    "tens of thousands",
    "hundreds of thousands",
    "millions of",
    "half a million",
    "two and a half thousand",
    "fifteen hundred",
    "ten thousand",
]
NOUNS = ["", " troops", " rounds of artillery shells", " North Korean personnel"]

numbers = st.one_of(
    st.integers(0, 10**21).map(str),
    st.integers(0, 10**21).map(lambda n: f"{n:,}"),
    st.decimals(
        min_value=Decimal("0.0001"),
        max_value=Decimal(10**6),
        places=4,
        allow_nan=False,
        allow_infinity=False,
    ).map(str),
    st.sampled_from(["10k", "1.5 million", "2.5bn", "999,999,999,999,999", "0"]),
)
singles = st.builds(
    lambda q, n, s, noun: f"{q}{n}{s}{noun}",
    st.sampled_from(QUALIFIERS),
    numbers,
    st.sampled_from(SUFFIXES),
    st.sampled_from(NOUNS),
)
ranges = st.builds(
    lambda q, a, b, noun: f"{q}{min(a, b):,}-{max(a, b):,}{noun}",
    st.sampled_from(["", "about ", "some ", "between "]),
    st.integers(0, 10**21),
    st.integers(0, 10**21),
    st.sampled_from(NOUNS),
)
texts = st.one_of(
    singles,
    ranges,
    st.builds(lambda w, n: w + n, st.sampled_from(WORDS), st.sampled_from(NOUNS)),
    st.builds(lambda n: f"{n}%", numbers),
)
tolerances = st.sampled_from([Decimal("0"), Decimal("0.1"), Decimal("0.9999")])


def readable(text: str, tolerance: Decimal, unit: str) -> bool:
    try:
        parse_figure(text, tolerance=tolerance, lower_limit=Decimal(0), unit=unit)
    except ValidationError:
        return False
    return True


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=texts, tolerance=tolerances, unit=st.sampled_from(["personnel", "%"]))
def test_every_accepted_figure_is_stored_and_read_back_everywhere(
    text, tolerance, unit
):
    assume(readable(text, tolerance, unit))
    measure = MeasureFactory(tolerance=tolerance, unit=unit)
    document = DocumentFactory(
        published_at=datetime.datetime(2024, 10, 28, 12, tzinfo=datetime.UTC)
    )
    claim = ClaimFactory(document=document)
    figure = services.figure_create(user=None, claim=claim, measure=measure, text=text)
    stored = Figure.objects.get(pk=figure.pk)
    # SQLite keeps decimals as doubles: equal to about 15 significant digits.
    for kept, derived in [(stored.low, figure.low), (stored.high, figure.high)]:
        assert (kept is None) == (derived is None)
        if kept is not None:
            assert float(kept) == pytest.approx(float(derived), rel=1e-14, abs=1e-4)

    api = APIClient()
    for url in [
        f"/api/figures/{figure.pk}/",
        f"/api/figures/?measure={measure.pk}",
        f"/api/measures/{measure.pk}/comparison/",
        f"/api/claims/{claim.pk}/corroboration/",
    ]:
        response = api.get(url)
        assert response.status_code == 200, (url, text, response.content[:300])
    detail = api.get(f"/api/figures/{figure.pk}/").json()
    assert detail["text"] == text
    admin = Client()
    admin.force_login(UserFactory(is_staff=True, is_superuser=True))
    for url in [
        f"/measures/{measure.pk}/",
        f"/claims/{claim.pk}/",
        f"/documents/{document.pk}/",
        f"/admin/claims/figure/{figure.pk}/change/",
        f"/admin/claims/claim/{claim.pk}/change/",
        "/admin/claims/figure/",
    ]:
        response = admin.get(url)
        assert response.status_code == 200, (url, text)
