"""Property-based tests over bundle import: whatever JSON a client sends, the import
either writes a consistent whole or refuses with row errors and writes nothing; it
never crashes, and never stores a figure whose low is above its high."""

import copy
import json

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims.exchange.bundle import KINDS, BundleError, import_bundle
from claims.figures import parse_figure
from claims.models import Claim, Document, Figure, Link, Measure, Source

from ..helpers import good_bundle, snapshot

pytestmark = pytest.mark.django_db

#: Examples per property: each one is an import in its own rolled-back transaction.
EXAMPLES = 150
EVERYTHING = (Document, Source, Measure, Claim, Figure, Link)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**15), 10**15)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
figure_texts = st.one_of(
    st.sampled_from(
        [
            "about 3,000",
            "up to 10,000",
            "1,500",
            "more than 12,000",
            "millions",
            "between 5 and 2",
            "between 2 and 5",
            "nearly 1 million",
            "-3",
            "0",
        ]
    ),
    st.text(max_size=25),
)


class Rollback(Exception):
    pass


def attempt(bundle):
    """Import inside a transaction that is always rolled back: each example starts
    from the same database. Answers the result or the BundleError."""
    outcome = None
    try:
        with transaction.atomic():
            try:
                outcome = import_bundle(bundle)
                for figure in Figure.objects.all():
                    if figure.low is not None and figure.high is not None:
                        assert figure.low <= figure.high, figure.text
            except BundleError as error:
                outcome = error
            raise Rollback
    except Rollback:
        pass
    return outcome


@st.composite
def damaged_bundles(draw):
    """A good bundle with some of its values replaced by arbitrary JSON, some rows
    dropped or added, and some references pointed elsewhere."""
    bundle = copy.deepcopy(good_bundle())
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(KINDS))
        rows = bundle[kind]
        if not rows:
            continue
        row = draw(st.sampled_from(rows))
        name = draw(st.sampled_from(sorted(row)))
        row[name] = draw(json_values | st.sampled_from(["c1", "c2", "d1", "gov", "m1"]))
    if draw(st.booleans()):
        kind = draw(st.sampled_from(KINDS))
        bundle[kind] = draw(st.one_of(json_values, st.just(bundle[kind][:1])))
    return bundle


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(bundle=damaged_bundles())
def test_any_bundle_is_written_whole_or_refused_with_row_errors(bundle):
    before = snapshot(*EVERYTHING)
    json.dumps(bundle)  # only what a client can send
    outcome = attempt(bundle)
    assert snapshot(*EVERYTHING) == before
    if isinstance(outcome, BundleError):
        assert outcome.errors
        for error in outcome.errors:
            assert error.kind and error.reason
    else:
        assert sum(outcome.created.values()) + sum(outcome.matched.values()) > 0


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=figure_texts)
def test_a_figure_text_is_read_or_refused_naming_it(text):
    bundle = good_bundle()
    bundle["figures"][0]["text"] = text
    outcome = attempt(bundle)
    try:
        parse_figure(text)
    except Exception:
        readable = False
    else:
        readable = "\x00" not in text  # read, but no database stores it
    if readable:
        assert not isinstance(outcome, BundleError), outcome.errors
    else:
        assert isinstance(outcome, BundleError)
        [error] = outcome.errors
        assert (error.kind, error.key, error.field) == ("figures", "f1", "text")
        if "\x00" in text:
            assert error.reason == "Null characters are not allowed."
        else:
            assert text.strip() in error.reason
