"""The hottest reads are kept as the bytes sent (claims.api.answers): a repeated
request reads nothing, every write that can change an answer gives a fresh one equal
to a computation, and what is not compact JSON, or not a success, is never kept."""

import contextlib
import datetime
import random
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from claims import caching, services
from claims.api import answers
from claims.api.throttles import RequestRateThrottle
from claims.exchange.bundle import import_bundle
from claims.models import Claim, Figure, Source, Topic

from ..factories import (
    ClaimFactory,
    DamStory,
    FigureFactory,
    LinkFactory,
    MeasureFactory,
    ReviewFactory,
    SourceFactory,
    TopicFactory,
    UserFactory,
)
from ..helpers import good_bundle

pytestmark = pytest.mark.django_db


def get(path, **headers):
    """The answer's status, bytes and ETag, and the queries it made."""
    with CaptureQueriesContext(connection) as queries:
        answer = APIClient().get(path, **headers)
        # A streamed answer reads its rows as it is sent.
        body = (
            b"".join(answer.streaming_content) if answer.streaming else answer.content
        )
    return answer.status_code, body, answer.get("ETag"), len(queries)


def fresh(path, **headers):
    """What a computation answers now."""
    cache.clear()
    return get(path, **headers)


@contextlib.contextmanager
def spied_cache():
    """The cache the kept answers and the throttle use, every call to it recorded."""
    spied = mock.Mock(wraps=cache)
    with (
        mock.patch.object(answers, "cache", spied),
        mock.patch.object(caching, "cache", spied),
        mock.patch.object(RequestRateThrottle, "cache", spied),
    ):
        yield spied


@pytest.fixture
def story():
    story = DamStory()
    claim = story.estimate.claim
    claim.topics.add(TopicFactory(name="Dams"), TopicFactory(name="Floods"))
    LinkFactory(from_claim=story.relay.claim, to_claim=claim, relation="corroborates")
    # The latest claim, first in the list; nothing depends on it.
    story.spare = ClaimFactory(stated_on=datetime.date(2024, 10, 27))
    return story


def paths(story) -> dict[str, str]:
    claim = story.estimate.claim
    return {
        "list": "/api/claims/?page_size=3",
        "filtered": "/api/claims/?attribution_kind=paraphrase&page_size=3",
        "search": "/api/claims/?search=ministry",
        "ordered": "/api/claims/?ordering=-credibility,id&page_size=3",
        "detail": f"/api/claims/{claim.pk}/",
        "corroboration": f"/api/claims/{claim.pk}/corroboration/",
        "comparison": story.api_url(),
        "comparison at a date": story.api_url() + "?at=2024-10-05",
        "evolution": story.api_url("evolution"),
    }


@pytest.mark.parametrize(
    "name",
    [
        "list",
        "filtered",
        "search",
        "ordered",
        "detail",
        "corroboration",
        "comparison",
        "comparison at a date",
        "evolution",
    ],
)
def test_a_repeated_read_is_the_same_bytes_and_reads_nothing(story, name):
    path = paths(story)[name]
    status, body, etag, queries = get(path)
    assert status == 200 and queries > 0
    assert get(path) == (200, body, etag, 0)
    assert fresh(path)[:3] == (200, body, etag)


@pytest.mark.parametrize(
    "name", ["list", "search", "detail", "corroboration", "comparison", "evolution"]
)
def test_a_kept_answer_is_sent_with_the_headers_of_a_written_one(story, name):
    """Kept bytes go out as they are, not through the renderer again: the same
    status, bytes and headers as when the answer was written."""
    path = paths(story)[name]
    written = APIClient().get(path)
    kept = APIClient().get(path)
    assert type(kept) is not type(written)  # not written again
    assert (kept.status_code, kept.content) == (written.status_code, written.content)
    assert dict(kept.headers) == dict(written.headers)
    assert kept["Content-Type"] == "application/json"


@pytest.mark.parametrize("name", ["list", "detail", "corroboration", "comparison"])
def test_a_kept_answer_is_found_in_one_trip_to_the_cache(story, name):
    """The generations and the body are read together, with the throttle's count:
    a count and one read, whatever the number of generations (on Redis, one
    round trip for both: tests/test_request_counts.py)."""
    path = paths(story)[name]
    get(path)
    by_the_answer = mock.Mock(wraps=cache)
    by_the_throttle = mock.Mock(wraps=cache)
    with (
        mock.patch.object(answers, "cache", by_the_answer),
        mock.patch.object(caching, "cache", by_the_answer),
        mock.patch.object(RequestRateThrottle, "cache", by_the_throttle),
    ):
        assert get(path)[3] == 0
    # Read by the throttle, with its count: the answer asks nothing more.
    assert by_the_answer.method_calls == []
    assert [call[0] for call in by_the_throttle.method_calls] == ["incr", "get_many"]
    (read,) = [c.args[0] for c in by_the_throttle.get_many.call_args_list]
    assert [key for key in read if key.startswith("answers:")]


def test_a_body_kept_at_an_old_generation_is_not_served(story):
    """The key stays the URL's; the generation kept beside the body decides."""
    path = paths(story)["detail"]
    _, before, _, _ = get(path)
    claim = story.estimate.claim
    services.claim_update(claim=claim, user=None, changes={"statement": "Said anew."})
    status, after, _, queries = get(path)
    assert status == 200 and queries > 0 and b"Said anew." in after
    assert before != after
    assert get(path) == (200, after, f'"{claim.version}"', 0)


def test_a_claim_keeps_its_etag(story):
    claim = story.estimate.claim
    path = f"/api/claims/{claim.pk}/"
    first = get(path)
    assert first[2] == f'"{claim.version}"'
    assert get(path)[2] == first[2]


def test_each_host_has_its_own_answer(story):
    path = paths(story)["detail"]
    _, here, _, _ = get(path)
    _, there, _, queries = get(path, HTTP_HOST="localhost")
    assert b"http://testserver/" in here and b"http://localhost/" in there
    assert queries > 0


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ACCEPT": "application/json; indent=2"},
        {"HTTP_ACCEPT": "text/html"},
        {"HTTP_ACCEPT": "text/csv"},
    ],
    ids=["indented", "browsable", "csv"],
)
def test_only_compact_json_is_kept(story, headers):
    path = paths(story)["list"]
    get(path)  # the JSON answer kept
    first = get(path, **headers)
    again = get(path, **headers)
    assert first[0] == again[0] == 200
    assert again[3] > 0  # written again
    assert first[1] != get(path)[1]


def test_an_error_is_not_kept(story):
    missing = Claim.objects.order_by("-pk").first().pk + 1000
    bad = paths(story)["comparison"] + "?at=not-a-date"
    cases = [(f"/api/claims/{missing}/", 404), ("/api/claims/?page=99", 404)]
    cases.append((bad, 400))
    with spied_cache() as spied:
        for path, status in cases:
            assert get(path)[0] == get(path)[0] == status
    kept = [c.args[0] for c in spied.set.call_args_list]
    assert not [key for key in kept if key.startswith("answers:")]
    looked_for = [key for c in spied.get_many.call_args_list for key in c.args[0]]
    assert [key for key in looked_for if key.startswith("answers:")]  # not kept


@override_settings(API_OPEN_READ=False)
def test_a_kept_answer_is_not_shown_to_one_who_may_not_read(story):
    path = paths(story)["detail"]
    reader = APIClient()
    reader.force_authenticate(UserFactory())
    assert reader.get(path).status_code == 200
    assert reader.get(path).status_code == 200  # from the cache
    assert get(path)[0] == 401


# Writes -------------------------------------------------------------------------------


def _claim_statement(story):
    claim = Claim.objects.get(pk=story.estimate.claim_id)
    services.claim_update(
        claim=claim, user=None, changes={"statement": "About 400 are dead."}
    )


def _topic_added(story):
    Claim.objects.get(pk=story.estimate.claim_id).topics.add(TopicFactory())


def _topic_renamed(story):
    # The claim's topics are listed by name: renaming reorders them.
    topic = Topic.objects.get(name="Dams")
    services.topic_update(topic=topic, user=None, changes={"name": "Zones"})


def _review(story):
    ReviewFactory(claim=Claim.objects.get(pk=story.estimate.claim_id))


def _source_renamed(story):
    services.source_update(
        source=story.agency, user=None, changes={"name": "Ministry rescue agency"}
    )


def _figure(story):
    FigureFactory(measure=story.measure, claim=story.thursday.claim, text="about 450")


def _link(story):
    LinkFactory(
        from_claim=story.wednesday.claim,
        to_claim=story.estimate.claim,
        relation="contradicts",
    )


def _claim_deleted(story):
    services.claim_delete(claim=Claim.objects.get(pk=story.spare.pk), user=None)


def _claim_deleted_or_made(story):
    spare = Claim.objects.filter(pk=story.spare.pk).first()
    if spare is None:
        story.spare = ClaimFactory(stated_on=datetime.date(2024, 10, 27))
    else:
        services.claim_delete(claim=spare, user=None)


def _imported(story):
    import_bundle(good_bundle())


def _claims_bulk_updated(story):
    # A bulk path writes without signals and drops every kept answer itself.
    from claims import caching

    Claim.objects.filter(pk=story.estimate.claim_id).update(statement="Bulk.")
    caching.bump_all()


WRITES = {
    "claim statement": (_claim_statement, {"list", "detail"}),
    "topic added": (_topic_added, {"list", "detail"}),
    "topic renamed": (_topic_renamed, {"list", "detail"}),
    "review": (_review, {"list", "detail", "corroboration"}),
    "source renamed": (_source_renamed, {"search", "corroboration"}),
    "figure": (_figure, {"comparison", "evolution"}),
    "link": (_link, {"corroboration"}),
    "claim deleted": (_claim_deleted, {"list", "filtered"}),
    "import": (_imported, {"list", "filtered"}),
    "bulk update": (_claims_bulk_updated, {"list", "detail"}),
}


@pytest.mark.parametrize("name", WRITES)
def test_a_write_gives_fresh_answers_where_it_changes_them(story, name):
    write, changed = WRITES[name]
    urls = paths(story)
    before = {label: get(path)[1] for label, path in urls.items()}
    write(story)
    after = {label: get(path) for label, path in urls.items()}
    for label, path in urls.items():
        status, body, etag, _ = after[label]
        assert (status, body, etag) == fresh(path)[:3], f"{label} was stale"
        if label in changed:
            assert body != before[label], f"{label} did not change"


def test_a_write_elsewhere_keeps_the_claims_answers(story):
    urls = paths(story)
    # A figure on another measure, on a claim of its own made before: no claim,
    # topic or comparison of this story.
    measure, claim = MeasureFactory(), ClaimFactory(source=SourceFactory())
    for path in urls.values():
        get(path)
    FigureFactory(measure=measure, claim=claim)
    LinkFactory(from_claim=claim, to_claim=story.monday.claim, relation="corroborates")
    # A search and an order read the claims, their topics and sources only.
    kept = {"detail", "search", "ordered", "list", "comparison", "evolution"}
    for label in kept:
        assert get(urls[label])[3] == 0, f"{label} was dropped"
    # Any other filter may read any table: dropped by any write.
    assert get(urls["filtered"])[3] > 0


def test_a_source_s_new_name_drops_the_searches_and_not_the_claims():
    urls = paths(DamStory())
    for path in urls.values():
        get(path)
    source = Source.objects.get(name="Rescue agency")
    services.source_update(source=source, user=None, changes={"name": "Ministry aid"})
    assert get(urls["search"])[3] > 0
    assert get(urls["detail"])[3] == 0 and get(urls["list"])[3] == 0


def test_answers_stay_equal_to_computations_under_random_writes(story):
    """Any sequence of writes: every answer read through the cache is what a
    computation gives at that moment."""
    rng = random.Random(7)
    urls = paths(story)
    writes = [
        _claim_statement,
        _topic_added,
        _review,
        _figure,
        _link,
        _claim_deleted_or_made,
        _source_renamed,
        lambda story: Figure.objects.filter(pk=story.bound.pk).delete(),
    ]
    for _ in range(12):
        for path in rng.sample(list(urls.values()), 4):
            get(path)
        rng.choice(writes)(story)
        for path in urls.values():
            assert get(path)[:3] == fresh(path)[:3], path


@override_settings(CACHES={"default": {"BACKEND": "tracker.cache.ProcessCache"}})
@pytest.mark.parametrize("name", ["list", "detail", "comparison"])
def test_a_cache_of_one_process_among_several_keeps_no_answer(story, name):
    path = paths(story)[name]
    first = get(path)
    again = get(path)
    assert again[:3] == first[:3] and again[3] == first[3] > 0
