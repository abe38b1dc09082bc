"""What an editor types in the admin: aliases one a line, a figure's derived fields
left to its text unless its bounds are overridden, and a warning (not a refusal) for
a figure on a measure of other topics."""

import pytest
from django.contrib.messages import get_messages

from claims.models import Figure, Source
from claims.selectors import OFF_TOPIC_MEASURE

from .factories import (
    ClaimFactory,
    FigureFactory,
    MeasureFactory,
    SourceFactory,
    TopicFactory,
)
from .helpers import (
    admin_form,
    admin_url,
    refused_in_admin,
    saved_in_admin,
    stored_rows,
)

pytestmark = pytest.mark.django_db


def test_aliases_are_typed_one_a_line_and_stored_as_a_list(admin_client):
    source = SourceFactory(aliases=["NIS"])
    url = admin_url(Source, "change", source.pk)
    form = admin_client.get(url).content.decode()
    assert '<textarea name="aliases"' in form and ">\nNIS</textarea>" in form
    saved_in_admin(
        admin_client,
        url,
        {"aliases": "NIS\r\n  National Intelligence Service \r\n\r\nNIS\r\n"},
    )
    source.refresh_from_db()
    assert source.aliases == ["NIS", "National Intelligence Service"]
    assert source.history.first().history_user.username == "admin"


def test_aliases_sent_back_as_they_were_are_no_change(admin_client):
    source = SourceFactory(aliases=["NIS", "Seoul's spies"])
    url = admin_url(Source, "change", source.pk)
    saved_in_admin(admin_client, url, {"aliases": "NIS\r\nSeoul's spies\r\n"})
    latest, earlier = source.history.all()[:2]
    assert "aliases" not in latest.diff_against(earlier).changed_fields
    source.refresh_from_db()
    assert source.aliases == ["NIS", "Seoul's spies"]


def _inline(prefix_changes: dict) -> dict:
    return {f"figures-0-{name}": value for name, value in prefix_changes.items()}


def test_derived_fields_sent_without_the_override_are_not_taken(admin_client):
    figure = FigureFactory(text="approximately 3,000")
    url = admin_url(type(figure.claim), "change", figure.claim_id)
    page = admin_client.get(url).content.decode()
    assert 'name="figures-0-low"' in page and "readonly" in page
    saved_in_admin(admin_client, url, _inline({"low": "1", "high": "999999"}))
    figure.refresh_from_db()
    assert (figure.low, figure.high, figure.bounds_overridden) == (2700, 3300, False)


def test_with_the_override_and_a_note_the_bounds_are_taken(admin_client):
    figure = FigureFactory(text="approximately 3,000")
    url = admin_url(type(figure.claim), "change", figure.claim_id)
    changes = {
        "bounds_overridden": "on",
        "low": "2800",
        "high": "3100",
        "note": "The ministry's own range.",
    }
    saved_in_admin(admin_client, url, _inline(changes))
    figure.refresh_from_db()
    assert (figure.low, figure.high, figure.bounds_overridden) == (2800, 3100, True)


def test_the_override_without_a_note_is_refused_beside_the_note(admin_client):
    figure = FigureFactory(text="approximately 3,000")
    url = admin_url(type(figure.claim), "change", figure.claim_id)
    before = stored_rows()
    errors = refused_in_admin(
        admin_client, url, _inline({"bounds_overridden": "on", "low": "2800"})
    )
    assert any("note" in field for field in errors), errors
    assert stored_rows() == before


def test_the_inline_shows_the_interval_as_text(admin_client):
    figure = FigureFactory(text="at least 120")
    page = admin_client.get(admin_url(type(figure.claim), "change", figure.claim_id))
    assert "at least 120" in page.content.decode()


def test_a_figure_on_a_measure_of_other_topics_is_saved_with_a_warning(admin_client):
    dam, troops = TopicFactory(name="Dam"), TopicFactory(name="Troops")
    claim = ClaimFactory(topics=[dam])
    off_topic = MeasureFactory(topics=[troops])
    url = admin_url(Figure, "add")
    data = admin_form(admin_client, url) | {
        "claim": claim.pk,
        "measure": off_topic.pk,
        "text": "about 40",
    }
    response = admin_client.post(url, data, follow=True)
    assert Figure.objects.filter(claim=claim, measure=off_topic).exists()
    warnings = [m.message for m in get_messages(response.wsgi_request)]
    assert any(OFF_TOPIC_MEASURE in m for m in warnings), warnings


def test_a_figure_on_a_measure_of_its_claim_s_topic_gets_no_warning(admin_client):
    dam = TopicFactory(name="Dam")
    figure = FigureFactory(
        claim=ClaimFactory(topics=[dam]), measure=MeasureFactory(topics=[dam])
    )
    url = admin_url(type(figure.claim), "change", figure.claim_id)
    response = admin_client.post(
        url, admin_form(admin_client, url) | _inline({"text": "about 50"}), follow=True
    )
    figure.refresh_from_db()
    assert figure.text == "about 50"
    assert not [
        m for m in get_messages(response.wsgi_request) if OFF_TOPIC_MEASURE in m.message
    ]
