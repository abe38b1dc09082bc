"""Backup and restore: export_archive writes every row and its history; import_archive
puts them back, row for row, into an empty database, or changes nothing."""

import gzip
import io
import json

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Max
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from claims import search
from claims.exchange.archive import (
    archived_models,
    export_archive,
    import_archive,
    stored_rows,
)
from claims.history import history_entries, set_related
from claims.models import Claim, Measure, Source, Topic
from claims.permissions import EDITORS, REVIEWERS, ensure_groups
from devtools import corpus

from .factories import member_of

pytestmark = pytest.mark.django_db


def archived_state() -> dict:
    """Every column of every archived row, and the groups' and users' permissions."""
    rows = {}
    for model in archived_models():
        names = [f.attname for f in model._meta.concrete_fields]
        rows[model._meta.label_lower] = list(
            model._base_manager.order_by("pk").values_list(*names)
        )
    rows["group permissions"] = sorted(
        Group.permissions.through.objects.values_list(
            "group__name", "permission__content_type__app_label", "permission__codename"
        )
    )
    rows["user permissions"] = sorted(
        User.user_permissions.through.objects.values_list(
            "user__username", "permission__codename"
        )
    )
    return rows


#: What a new database holds after 'migrate': the two groups, nothing else.
AS_MIGRATE_LEAVES_IT = {"auth.group": 2}


def wipe() -> None:
    """Empty every archived table, as a new database is after 'migrate'."""
    tables = [Token, LogEntry, Group.permissions.through, User.user_permissions.through]
    tables += list(reversed(archived_models()))
    with connection.cursor() as cursor:
        for model in tables:
            cursor.execute(
                f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}"
            )
    assert not any(m._base_manager.exists() for m in archived_models())
    ensure_groups()  # what the groups' migration makes
    assert stored_rows() == AS_MIGRATE_LEAVES_IT


@pytest.fixture
def tracker(seed):
    """The seed article, a small generated corpus, and changes made by editors and
    reviewers through the API, so that history holds users, updates and deletes."""
    corpus.generate(claims=300, seed=3)
    editor = member_of(EDITORS, username="ed")
    reviewer = member_of(REVIEWERS, username="rev")
    reviewer.user_permissions.add(
        *Group.objects.get(name=EDITORS).permissions.all()[:2]
    )
    client = APIClient()
    client.force_authenticate(editor)
    claim = Claim.objects.order_by("pk").first()
    assert (
        client.patch(
            f"/api/claims/{claim.pk}/",
            {"statement": "Edited <b>statement</b>"},
            format="json",
        ).status_code
        == 200
    )
    source = client.post(
        "/api/sources/", {"name": "Short-lived source", "kind": "person"}, format="json"
    ).json()
    assert client.delete(f"/api/sources/{source['id']}/").status_code == 204
    client.force_authenticate(reviewer)
    assert (
        client.post(
            "/api/reviews/",
            {
                "claim": claim.pk,
                "attribution_status": "verified",
                "credibility": 2,
                "rationale": "Matches the ministry's transcript.",
            },
            format="json",
        ).status_code
        == 201
    )


@pytest.mark.parametrize("name", ["tracker.jsonl", "tracker.jsonl.gz"])
def test_a_restore_gives_back_every_row_and_its_history(tracker, tmp_path, name):
    before = archived_state()
    assert len(before["claims.historicalclaim"]) > len(before["claims.claim"])
    assert any(row for row in before["claims.historicalsource"] if "-" in row)
    path = tmp_path / name
    written = export_archive(path)
    assert written["claims.claim"] == len(before["claims.claim"])
    if name.endswith(".gz"):
        assert (
            gzip.open(path).readline().startswith(b'{"format": "fact-tracker-archive"')
        )

    wipe()
    restored = import_archive(path)

    assert restored == written
    assert archived_state() == before


def test_restored_data_is_searchable_and_takes_new_rows_after_its_ids(
    tracker, tmp_path
):
    path = tmp_path / "a.jsonl"
    export_archive(path)
    top = Source.history.aggregate(top=Max("id"))["top"]
    assert top > Source.objects.order_by("-pk")[0].pk, "the highest id was deleted"
    wipe()
    assert search.matching_ids("Rutte") == []
    import_archive(path)

    assert search.matching_ids("Rutte"), "the search index is filled by the restore"
    new = Source.objects.create(name="After the restore", kind="person")
    assert new.pk > top
    history = APIClient().get(
        f"/api/claims/{Claim.objects.order_by('pk')[0].pk}/history/"
    )
    assert history.status_code == 200
    users = [e["user"]["username"] for e in history.json() if e["user"]]
    assert users == ["ed", "rev"], "who changed the claim survives the restore"


def test_commands_write_and_restore(tracker, tmp_path):
    path = tmp_path / "backup.jsonl.gz"
    out = io.StringIO()
    call_command("export_archive", str(path), "--quiet", stdout=out)
    assert "Wrote" in out.getvalue() and str(path) in out.getvalue()
    before = archived_state()
    wipe()
    out = io.StringIO()
    call_command("import_archive", str(path), "--quiet", stdout=out)
    assert "Restored" in out.getvalue()
    assert archived_state() == before


def test_the_archive_commands_draw_progress_unless_quiet(tracker, tmp_path):
    path = tmp_path / "backup.jsonl"
    err = io.StringIO()
    call_command("export_archive", str(path), stdout=io.StringIO(), stderr=err)
    claims = Claim.objects.count()
    assert "claims.claim " in err.getvalue()
    assert f"{claims:,}/{claims:,}" in err.getvalue()
    wipe()
    err = io.StringIO()
    call_command("import_archive", str(path), stdout=io.StringIO(), stderr=err)
    assert f"{claims:,}/{claims:,}" in err.getvalue()
    assert Claim.objects.count() == claims
    wipe()
    err = io.StringIO()
    call_command(
        "import_archive", str(path), "--quiet", stdout=io.StringIO(), stderr=err
    )
    assert err.getvalue() == "" and Claim.objects.count() == claims


def test_restoring_into_a_database_with_data_is_refused(tracker, tmp_path):
    path = tmp_path / "a.jsonl"
    export_archive(path)
    before = archived_state()
    with pytest.raises(CommandError, match=r"not empty .*claims\.source"):
        call_command("import_archive", str(path), "--quiet")
    assert archived_state() == before


def lines_of(path) -> list[str]:
    return path.read_text().splitlines(keepends=True)


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda lines: lines[:-3], r"claims\.historicaltopic.*truncated"),
        (lambda lines: [*lines[:5], "{not json\n", *lines[5:]], r"line 6: not JSON"),
        (
            lambda lines: [
                *lines[:2],
                '{"model": "claims.rumour", "fields": {}}\n',
                *lines[2:],
            ],
            r"line 3: unknown model 'claims\.rumour'",
        ),
        (
            lambda lines: [lines[0], *lines[1:][::-1]],
            r"rows after",
        ),
        (
            lambda lines: ['{"documents": []}\n', *lines[1:]],
            r"not a fact-tracker-archive",
        ),
        (lambda lines: [], r"empty"),
    ],
    ids=[
        "truncated",
        "not-json",
        "unknown-model",
        "out-of-order",
        "not-an-archive",
        "empty",
    ],
)
def test_a_damaged_archive_restores_nothing(tracker, tmp_path, damage, message):
    path = tmp_path / "a.jsonl"
    export_archive(path)
    wipe()
    damaged = tmp_path / "damaged.jsonl"
    damaged.write_text("".join(damage(lines_of(path))))
    with pytest.raises(CommandError, match=message):
        call_command("import_archive", str(damaged), "--quiet")
    assert stored_rows() == AS_MIGRATE_LEAVES_IT


def test_a_bad_value_is_reported_with_its_line_and_field(tracker, tmp_path):
    path = tmp_path / "a.jsonl"
    export_archive(path)
    wipe()
    lines = lines_of(path)
    number, row = next(
        (n, json.loads(text))
        for n, text in enumerate(lines, start=1)
        if '"model": "claims.claim"' in text
    )
    row["fields"]["stated_on"] = "last Tuesday"
    lines[number - 1] = json.dumps(row) + "\n"
    path.write_text("".join(lines))
    with pytest.raises(CommandError, match=rf"line {number}: claims\.claim\.stated_on"):
        call_command("import_archive", str(path), "--quiet")
    assert not Claim.objects.exists() and not Source.objects.exists()


def test_a_file_that_is_not_gzip_is_reported(db, tmp_path):
    path = tmp_path / "a.jsonl.gz"
    path.write_text("plain text")
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_archive", str(path), "--quiet")


def test_an_archive_that_cannot_be_written_or_found_is_reported(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot write"):
        call_command("export_archive", str(tmp_path / "no-such-dir" / "a.jsonl"))
    before = stored_rows()
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_archive", str(tmp_path / "missing.jsonl"), "--quiet")
    assert stored_rows() == before


def test_a_new_database_holds_only_the_groups_and_takes_a_restore(tracker, tmp_path):
    """After 'migrate' a database holds the editors and reviewers groups; a restore
    replaces them with the archive's own, ids and members kept."""
    path = tmp_path / "a.jsonl"
    export_archive(path)
    before = archived_state()
    wipe()
    groups_of_new_database = set(Group.objects.values_list("name", flat=True))
    assert groups_of_new_database == {EDITORS, REVIEWERS}
    import_archive(path)
    assert archived_state() == before


def test_a_database_with_a_group_of_its_own_is_not_new(tracker, tmp_path):
    path = tmp_path / "a.jsonl"
    export_archive(path)
    wipe()
    Group.objects.create(name="interns")
    before = stored_rows()
    with pytest.raises(CommandError, match=r"not empty .*auth\.group"):
        call_command("import_archive", str(path), "--quiet")
    assert stored_rows() == before


def test_a_restore_keeps_the_history_of_topics(tmp_path):
    history_of_topics = {
        Claim.history.model.topics.model,
        Measure.history.model.topics.model,
    }
    assert history_of_topics <= set(archived_models())
    corpus.generate(claims=300, seed=4)  # first entries with topics, written in bulk
    editor = member_of(EDITORS, username="ed")
    claim = Claim.objects.order_by("pk").first()
    measure = Measure.objects.order_by("pk").first()
    others = list(Topic.objects.exclude(claims=claim)[:2])
    assert set_related(claim, "topics", others, user=editor, reason="Retopiced")
    assert set_related(measure, "topics", [], user=editor)
    before = [history_entries(Claim, claim.pk), history_entries(Measure, measure.pk)]
    assert before[0][-1]["changes"][0]["field"] == "topics"
    path = tmp_path / "topics.jsonl"
    export_archive(path)
    wipe()
    import_archive(path)
    after = [history_entries(Claim, claim.pk), history_entries(Measure, measure.pk)]
    assert after == before
    # New entries after the restore take new ids, their topics with them.
    assert set_related(claim, "topics", [], user=editor)
    assert history_entries(Claim, claim.pk)[:-1] == before[0]
