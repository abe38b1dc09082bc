"""A row's version is counted by the database: two writers who read the same version
store two different ones (neither count is lost), the API's ETag is the stored
version, and a write sent with a stale If-Match is refused with nothing changed."""

import pytest

from claims import services
from claims.api import views
from claims.models import Claim, Measure, Source

from .factories import ClaimFactory, FigureFactory, SourceFactory
from .helpers import stored_rows

pytestmark = pytest.mark.django_db


def stored_version(instance) -> int:
    return type(instance).objects.values_list("version", flat=True).get(pk=instance.pk)


# Two writers in Python, through the services ---------------------------------------


def test_two_writers_without_if_match_store_two_different_versions():
    source = SourceFactory(description="As created.")
    first = Source.objects.get(pk=source.pk)  # writer A reads version 1
    second = Source.objects.get(pk=source.pk)  # writer B reads version 1 too
    assert first.version == second.version == 1

    services.source_update(source=first, user=None, changes={"country": "KR"})
    services.source_update(source=second, user=None, changes={"reliability": "B"})

    assert isinstance(first.version, int) and isinstance(second.version, int)
    assert first.version != second.version
    assert (first.version, second.version) == (2, 3)
    assert stored_version(source) == second.version


def test_two_writers_of_a_claim_without_if_match_store_two_different_versions():
    claim = ClaimFactory()
    first = Claim.objects.get(pk=claim.pk)
    second = Claim.objects.get(pk=claim.pk)

    services.claim_update(claim=first, user=None, changes={"statement": "A's."})
    services.claim_update(claim=second, user=None, changes={"statement": "B's."})

    assert first.version != second.version
    assert stored_version(claim) == second.version == first.version + 1
    assert Claim.objects.get(pk=claim.pk).statement == "B's."


def test_a_service_write_at_a_stale_version_is_refused_and_changes_nothing():
    source = SourceFactory(description="As created.")
    stale = Source.objects.get(pk=source.pk)  # read at version 1
    services.source_update(
        source=Source.objects.get(pk=source.pk),
        user=None,
        changes={"description": "Another writer's."},
    )
    before = stored_rows()

    with pytest.raises(services.StaleVersion, match="no longer at version 1"):
        services.source_update(
            source=stale,
            user=None,
            changes={"description": "Mine."},
            expected_version=1,
        )

    assert stored_rows() == before
    assert Source.objects.get(pk=source.pk).description == "Another writer's."


def test_a_measure_change_at_a_stale_version_derives_no_figure_again():
    figure = FigureFactory(text="approximately 3,000")
    measure = Measure.objects.get(pk=figure.measure_id)
    services.measure_update(
        measure=Measure.objects.get(pk=measure.pk),
        user=None,
        changes={"description": "Another writer's."},
    )
    before = stored_rows()

    with pytest.raises(services.StaleVersion):
        services.measure_update(
            measure=measure,
            user=None,
            changes={"tolerance": "0.2"},
            expected_version=1,
        )

    assert stored_rows() == before


# Through the API -------------------------------------------------------------------


def test_two_patches_without_if_match_answer_different_etags_the_stored_version(
    editor,
):
    claim = ClaimFactory()
    url = f"/api/claims/{claim.pk}/"

    first = editor.patch(url, {"statement": "First writer."})
    second = editor.patch(url, {"statement": "Second writer."})

    assert first.status_code == second.status_code == 200
    assert first["ETag"] != second["ETag"]
    assert (first["ETag"], second["ETag"]) == ('"2"', '"3"')
    assert second["ETag"] == f'"{stored_version(claim)}"'
    assert second.json()["version"] == stored_version(claim)
    assert editor.get(url)["ETag"] == second["ETag"]


def test_two_overlapping_patches_without_if_match_answer_different_etags(
    editor, monkeypatch
):
    """Writer B's request reads the claim, then writer A's write lands before B's:
    B's write still counts, and B is answered the version it stored."""
    claim = ClaimFactory()
    url = f"/api/claims/{claim.pk}/"
    loaded = views.ClaimViewSet.get_object
    written = {}

    def load_then_let_another_writer_in(view):
        instance = loaded(view)
        if not written:
            written["a"] = services.claim_update(
                claim=Claim.objects.get(pk=claim.pk),
                user=None,
                changes={"statement": "Writer A."},
            ).version
        return instance

    monkeypatch.setattr(
        views.ClaimViewSet, "get_object", load_then_let_another_writer_in
    )
    response = editor.patch(url, {"statement": "Writer B."})

    assert response.status_code == 200, response.content
    assert written["a"] == 2
    assert response["ETag"] == '"3"' != f'"{written["a"]}"'
    assert stored_version(claim) == 3
    assert Claim.history.filter(id=claim.pk).count() == 3


def test_a_patch_with_a_stale_if_match_is_refused_and_changes_nothing(editor):
    claim = ClaimFactory(statement="Original.")
    url = f"/api/claims/{claim.pk}/"
    stale = editor.get(url)["ETag"]
    assert editor.patch(url, {"statement": "Another writer's."}).status_code == 200
    before = stored_rows()

    response = editor.patch(url, {"statement": "Mine."}, HTTP_IF_MATCH=stale)

    assert response.status_code == 412
    assert "has changed since you read it" in response.json()["detail"]
    assert "ETag" not in response
    assert stored_rows() == before


def test_a_put_with_a_stale_if_match_is_refused_and_changes_nothing(editor):
    source = SourceFactory(name="NIS")
    url = f"/api/sources/{source.pk}/"
    stale = editor.get(url)["ETag"]
    editor.patch(url, {"country": "KR"})
    before = stored_rows()

    response = editor.put(
        url, {"name": "NIS", "kind": "intelligence"}, HTTP_IF_MATCH=stale
    )

    assert response.status_code == 412
    assert stored_rows() == before


def test_a_measure_patch_with_a_stale_if_match_derives_no_figure_again(editor):
    figure = FigureFactory(text="approximately 3,000")
    url = f"/api/measures/{figure.measure_id}/"
    stale = editor.get(url)["ETag"]
    editor.patch(url, {"description": "Another writer's."})
    before = stored_rows()

    response = editor.patch(url, {"tolerance": "0.2"}, HTTP_IF_MATCH=stale)

    assert response.status_code == 412
    assert stored_rows() == before


def test_a_write_whose_row_changed_after_the_if_match_check_is_refused(
    editor, monkeypatch
):
    """The If-Match check is part of the write: a writer who lands between the
    request's read and its write makes it fail, not lose the other's change."""
    claim = ClaimFactory(statement="Original.")
    url = f"/api/claims/{claim.pk}/"
    etag = editor.get(url)["ETag"]
    loaded = views.ClaimViewSet.get_object
    snapshots = []

    def load_then_let_another_writer_in(view):
        instance = loaded(view)
        services.claim_update(
            claim=Claim.objects.get(pk=claim.pk),
            user=None,
            changes={"statement": "Writer A."},
        )
        snapshots.append(stored_rows())
        return instance

    monkeypatch.setattr(
        views.ClaimViewSet, "get_object", load_then_let_another_writer_in
    )
    response = editor.patch(url, {"statement": "Writer B."}, HTTP_IF_MATCH=etag)

    assert response.status_code == 412
    assert stored_rows() == snapshots[0]
    assert Claim.objects.get(pk=claim.pk).statement == "Writer A."
