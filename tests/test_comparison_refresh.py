"""A measure's default comparison computed again once a write to it is committed
(``claims.caching.refresh_comparisons``): the next reader finds it kept, equal to a
computation; a measure nobody read, or one reached only through claims or sources,
is left to its next reader; a failing refresh does not fail the write."""

import functools
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from claims import caching, selectors, services
from claims.models import Figure

from .factories import DamStory

pytestmark = pytest.mark.django_db


@pytest.fixture
def story():
    return DamStory()


@pytest.fixture
def editor():
    return get_user_model().objects.create(username="refresh-editor")


def read(story) -> tuple[dict, int]:
    """The measure's comparison through the API, and the queries it made."""
    with CaptureQueriesContext(connection) as queries:
        answer = APIClient().get(story.api_url())
    assert answer.status_code == 200
    return answer.json(), len(queries)


class Spy:
    """Counts the comparison's computations; raises ``fails`` when given."""

    def __init__(self, fails=None):
        self.call_count = 0
        self.fails = fails

    @property
    def called(self) -> bool:
        return self.call_count > 0


def computing(fails=None):
    """A spy on the comparison's computation (named and signed as it is: the
    cache's keys use its name and defaults)."""
    spy = Spy(fails)
    real = selectors.compare_measure

    @functools.wraps(real)
    def compare_measure(measure, **options):
        spy.call_count += 1
        if spy.fails is not None:
            raise spy.fails
        return real(measure, **options)

    patch = mock.patch.object(selectors, "compare_measure", compare_measure)

    class Spying:
        def __enter__(self):
            patch.__enter__()
            return spy

        def __exit__(self, *exc):
            return patch.__exit__(*exc)

    return Spying()


def add_figure(story, editor, text="about 450 dead"):
    return services.figure_create(
        user=editor, claim=story.estimate.claim, measure=story.measure, text=text
    )


def test_a_read_measure_is_computed_again_by_the_write(
    story, editor, django_capture_on_commit_callbacks
):
    before, _ = read(story)
    with computing() as spy, django_capture_on_commit_callbacks(execute=True):
        figure = add_figure(story, editor)
    assert spy.call_count == 1  # by the writing request, once committed
    with computing() as spy:
        after, queries = read(story)
    assert not spy.called  # the reader found it kept
    assert queries == 1  # the measure's row, nothing computed
    assert figure.pk in {f["id"] for f in after["figures"]}
    assert after != before
    cache.clear()
    assert read(story)[0] == after  # what a computation answers now


def test_a_measure_nobody_read_is_left_to_its_reader(
    story, editor, django_capture_on_commit_callbacks
):
    with computing() as spy, django_capture_on_commit_callbacks(execute=True):
        add_figure(story, editor)
    assert not spy.called


def test_measures_reached_through_a_source_are_left_to_their_readers(
    story, editor, django_capture_on_commit_callbacks
):
    read(story)
    source = story.estimate.claim.source
    with computing() as spy, django_capture_on_commit_callbacks(execute=True):
        services.source_update(
            source=source, user=editor, changes={"name": "Renamed ministry"}
        )
    assert not spy.called  # one write may reach many measures: not its to pay
    with computing() as spy:
        after, _ = read(story)
    assert spy.call_count == 1  # dropped all the same, and computed by the reader
    assert "Renamed ministry" in str(after)


def test_a_failing_refresh_does_not_fail_the_write(
    story, editor, django_capture_on_commit_callbacks, caplog
):
    read(story)
    failing = computing(fails=RuntimeError("refresh failed"))
    with failing as spy, django_capture_on_commit_callbacks(execute=True):
        figure = add_figure(story, editor)
    assert spy.call_count == 1
    assert Figure.objects.filter(pk=figure.pk).exists()
    assert "refresh failed" in caplog.text
    after, _ = read(story)
    assert figure.pk in {f["id"] for f in after["figures"]}


def test_a_rolled_back_write_refreshes_nothing(
    story, editor, django_capture_on_commit_callbacks
):
    read(story)
    with computing() as spy, django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(ValidationError):
            services.figure_create(
                user=editor,
                claim=story.estimate.claim,
                measure=story.measure,
                text="",  # refused: no figure in it
            )
    assert not spy.called


def test_without_a_shared_cache_nothing_is_refreshed(
    story, editor, django_capture_on_commit_callbacks, settings
):
    settings.CACHES = {"default": {"BACKEND": "tracker.cache.ProcessCache"}}
    read(story)
    with computing() as spy, django_capture_on_commit_callbacks(execute=True):
        add_figure(story, editor)
    assert not spy.called
    assert caching.shared() is False


def test_a_deleted_figure_s_measure_is_computed_again(
    story, editor, django_capture_on_commit_callbacks
):
    figure = add_figure(story, editor)
    before, _ = read(story)
    with computing() as spy, django_capture_on_commit_callbacks(execute=True):
        services.figure_delete(figure=figure, user=editor)
    assert spy.call_count == 1
    with computing() as spy:
        after, _ = read(story)
    assert not spy.called
    assert figure.pk not in {f["id"] for f in after["figures"]}
    assert len(after["figures"]) == len(before["figures"]) - 1


def test_options_given_as_their_defaults_are_the_same_comparison(story):
    with computing() as spy:
        omitted = caching.cached_comparison(story.measure, selectors.compare_measure)
        given = caching.cached_comparison(
            story.measure,
            selectors.compare_measure,
            at=None,
            conflict_limit=selectors.DEFAULT_CONFLICT_LIMIT,
        )
        other = caching.cached_comparison(
            story.measure, selectors.compare_measure, conflict_limit=1
        )
    assert given == omitted and other is not given
    assert spy.call_count == 2
