"""An entry's changes are simple-history's diff of it against the entry before it.

``history_entries`` takes what changed between two entries from simple-history's
``diff_against`` (many-to-many fields included) and reads every entry's copy of the
topics in one query. These tests hold its answer to two references on random edits:
one built by hand from the two entries' stored columns, and ``diff_against`` itself,
asked on entries fresh from the database.
"""

import datetime
import itertools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims.choices import AttributionStatus, Credibility
from claims.history import (
    UNTRACKED,
    history_entries,
    history_paused,
    record_entry,
    set_related,
)
from claims.models import Claim, Measure

from .factories import (
    ClaimFactory,
    MeasureFactory,
    SourceFactory,
    TopicFactory,
    retopiced,
)

pytestmark = pytest.mark.django_db

TOPICS = 4

texts = (
    st.text(st.sampled_from("ab "), min_size=1, max_size=3).map(str.strip).filter(bool)
)
dates = st.one_of(
    st.none(), st.dates(datetime.date(2024, 1, 1), datetime.date(2024, 3, 1))
)
topic_sets = st.sets(st.integers(0, TOPICS - 1))
topic_indexes = st.integers(0, TOPICS - 1)

#: The fields edited, by model: (name, values). ``credibility`` and
#: ``attribution_status`` are not editable, so ``diff_against`` does not see them.
SCALARS = {
    Claim: [
        ("statement", texts),
        ("stated_on", dates),
        ("source", st.integers(0, 1)),
        ("credibility", st.sampled_from(Credibility.values)),
        ("attribution_status", st.sampled_from(AttributionStatus.values)),
    ],
    Measure: [
        ("description", texts),
        ("tolerance", st.sampled_from([Decimal("0.1"), Decimal("0.25"), Decimal(0)])),
        ("lower_limit", st.sampled_from([None, Decimal(0), Decimal("-3.5")])),
    ],
}


def edits(model):
    scalar = st.lists(
        st.one_of(
            *(st.tuples(st.just(name), values) for name, values in SCALARS[model])
        ),
        min_size=1,
        max_size=3,
    )
    return st.lists(
        st.one_of(
            st.tuples(st.just("save"), scalar),  # simple-history's entry, on save
            st.tuples(st.just("set"), topic_sets),  # set_related: one entry
            st.tuples(st.just("add"), topic_indexes),  # simple-history's, on add
            st.tuples(st.just("remove"), topic_indexes),
            st.tuples(st.just("together"), st.tuples(scalar, topic_sets)),
        ),
        max_size=6,
    )


def _assign(obj, fields, sources):
    for name, value in fields:
        if name == "source":
            obj.source = sources[value]
        elif name == "stated_on":
            obj.stated_on = value
            obj.stated_on_precision = "" if value is None else "day"
        else:
            setattr(obj, name, value)


def make_history(model, steps, delete):
    """An object of ``model`` with topics, edited by ``steps``, maybe deleted."""
    topics = [TopicFactory() for _ in range(TOPICS)]
    if model is Claim:
        sources = [SourceFactory(), SourceFactory()]
        obj = ClaimFactory(source=sources[0], topics=topics[:2])
    else:
        sources = []
        obj = MeasureFactory(topics=topics[:2])
    for kind, value in steps:
        if kind == "save":
            _assign(obj, value, sources)
            obj.save()
        elif kind == "set":
            set_related(obj, "topics", [topics[i] for i in value], reason="Retopiced")
        elif kind == "add":
            obj.topics.add(topics[value])
        elif kind == "remove":
            obj.topics.remove(topics[value])
        else:  # one entry for a field and the topics, as a service writes it
            fields, chosen = value
            with history_paused(obj):
                _assign(obj, fields, sources)
                obj.save()
                set_related(obj, "topics", [topics[i] for i in chosen])
            record_entry(obj, "~")
    pk = obj.pk
    if delete:
        obj.delete()
    return pk


def reference_changes(model, pk):
    """Each entry's changes, found by hand from the entries' stored columns: every
    column of the model but the primary key and ``UNTRACKED`` that differs from the
    entry before, in the model's order, then the topics as sorted ids; the first
    entry lists every column, and the topics when it has any; a deletion, none."""
    columns = [
        f.attname
        for f in model._meta.concrete_fields
        if not f.primary_key and f.attname not in UNTRACKED
    ]
    rows = list(
        model.history.filter(id=pk)
        .order_by("history_date", "history_id")
        .values("history_id", "history_type", *columns)
    )
    copies = model.history.model.topics.model
    topics = {row["history_id"]: [] for row in rows}
    for history_id, topic_id in copies.objects.filter(
        history_id__in=list(topics)
    ).values_list("history_id", "topic_id"):
        topics[history_id].append(topic_id)

    def plain(value):
        if isinstance(value, Decimal):
            return float(value)
        return value.isoformat() if isinstance(value, datetime.date) else value

    answers, previous = [], None
    for row in rows:
        new_topics = sorted(topics[row["history_id"]])
        if row["history_type"] == "-":
            changes = []
        elif previous is None:
            changes = [
                {"field": c, "old": None, "new": plain(row[c])} for c in columns
            ] + (
                [{"field": "topics", "old": None, "new": new_topics}]
                if new_topics
                else []
            )
        else:
            old_topics = sorted(topics[previous["history_id"]])
            changes = [
                {"field": c, "old": plain(previous[c]), "new": plain(row[c])}
                for c in columns
                if previous[c] != row[c]
            ] + (
                [{"field": "topics", "old": old_topics, "new": new_topics}]
                if old_topics != new_topics
                else []
            )
        answers.append(changes)
        previous = row
    return answers


def library_diffs(model, pk):
    """simple-history's own diff of each entry against the one before, asked on
    entries fresh from the database (each reads its copies itself)."""
    records = list(model.history.filter(id=pk).order_by("history_date", "history_id"))
    return [
        None if new.history_type == "-" else new.diff_against(old)
        for old, new in itertools.pairwise(records)
    ]


@pytest.mark.parametrize("model", [Claim, Measure], ids=lambda m: m.__name__)
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_every_entry_shows_what_changed_from_the_entry_before(model, data):
    steps = data.draw(edits(model))
    pk = make_history(model, steps, delete=data.draw(st.booleans()))

    entries = history_entries(model, pk)

    assert [e["changes"] for e in entries] == reference_changes(model, pk)
    by_name = {f.name: f.attname for f in model._meta.concrete_fields}
    not_editable = {f.attname for f in model._meta.concrete_fields if not f.editable}
    for entry, delta in zip(entries[1:], library_diffs(model, pk), strict=True):
        if delta is None:
            assert entry["changes"] == []
            continue
        shown = {c["field"]: c for c in entry["changes"]}
        diffed = {by_name.get(name, name) for name in delta.changed_fields}
        # Every change simple-history finds is shown, named by its column, and
        # what is shown besides are fields it does not compare.
        assert diffed <= set(shown)
        assert set(shown) - diffed <= not_editable
        for change in delta.changes:
            if change.field == "topics":
                assert shown["topics"]["old"] == [r["topic"] for r in change.old]
                assert shown["topics"]["new"] == [r["topic"] for r in change.new]


def test_an_entry_shows_a_field_and_the_topics_changed_together_in_the_models_order():
    a, b, c = TopicFactory(), TopicFactory(), TopicFactory()
    claim = ClaimFactory(topics=[a, b])
    with history_paused(claim):
        claim.statement = "Restated."
        claim.credibility = 3
        claim.save()
        set_related(claim, "topics", [b, c])
    record_entry(claim, "~")
    [*_, entry] = history_entries(Claim, claim.pk)
    assert entry["changes"] == [
        {
            "field": "statement",
            "old": "About 3,000 personnel are training.",
            "new": "Restated.",
        },
        {"field": "credibility", "old": 6, "new": 3},
        {"field": "topics", "old": sorted([a.pk, b.pk]), "new": sorted([b.pk, c.pk])},
    ]


def test_diff_against_leaves_out_the_fields_editors_cannot_edit():
    """Why ``history_entries`` compares the fields that are not ``editable`` itself:
    simple-history's diff reads an entry with ``model_to_dict``, which skips them."""
    claim = ClaimFactory()
    claim.credibility = 2
    claim.save()
    old, new = claim.history.order_by("history_date", "history_id")
    assert new.diff_against(old).changed_fields == []
    with pytest.raises(KeyError):
        new.diff_against(old, included_fields=["credibility"])
    [*_, entry] = history_entries(Claim, claim.pk)
    assert entry["changes"] == [{"field": "credibility", "old": 6, "new": 2}]


@pytest.mark.parametrize("entries", [10, 100])
def test_a_history_is_read_in_two_queries_whatever_its_length(
    entries, django_assert_num_queries
):
    claim = retopiced(entries)
    # The entries with their users; every entry's copy of the topics.
    with django_assert_num_queries(2):
        read = history_entries(Claim, claim.pk)
    assert len(read) == entries
    assert sum(c["field"] == "topics" for e in read for c in e["changes"]) == (
        entries // 2
    )
