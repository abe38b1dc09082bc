"""One permission system: the groups the migration makes, ``ensure_groups`` making the
same, and the admin deciding by the same model permissions as the API and the pages."""

import importlib
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse

from claims.models import Claim
from claims.permissions import EDITORS, GROUP_PERMISSIONS, REVIEWERS, ensure_groups

from .factories import ClaimFactory, user_holding

pytestmark = pytest.mark.django_db

MIGRATION = ("claims", "0008_groups_and_permissions")
migration = importlib.import_module("claims.migrations.0008_groups_and_permissions")


def stored_groups() -> dict[str, set[tuple[str, str]]]:
    """Every group with its permissions as (app label, codename)."""
    return {
        group.name: {
            (p.content_type.app_label, p.codename) for p in group.permissions.all()
        }
        for group in Group.objects.prefetch_related("permissions__content_type")
    }


EXPECTED = {
    name: {("claims", codename) for codename in codenames}
    for name, codenames in GROUP_PERMISSIONS.items()
}


def run_migration(direction: str) -> None:
    """Run the migration's own code on the models as they were at 0008."""
    apps = MigrationLoader(connection).project_state(MIGRATION).apps
    code = (
        migration.create_groups if direction == "forwards" else migration.remove_groups
    )
    code(apps, SimpleNamespace(connection=connection))


def test_a_new_database_holds_both_groups_with_exactly_their_permissions():
    # Nothing here has called ensure_groups: the migration made them.
    assert stored_groups() == EXPECTED
    assert EXPECTED[EDITORS] and EXPECTED[REVIEWERS]


def test_the_migration_keeps_its_own_copy_of_the_permissions():
    assert {name: set(c) for name, c in migration.GROUPS.items()} == {
        name: set(c) for name, c in GROUP_PERMISSIONS.items()
    }


def test_the_migration_creates_the_permissions_it_needs_and_its_reverse_removes_the_groups():
    Group.objects.all().delete()
    Permission.objects.filter(content_type__app_label="claims").delete()
    run_migration("forwards")
    assert stored_groups() == EXPECTED
    assert Permission.objects.filter(
        content_type__app_label="claims", codename="change_historicalclaim"
    ).exists()  # every permission the app has, as after 'migrate'
    run_migration("backwards")
    assert stored_groups() == {}


def test_the_migration_completes_groups_made_before_and_keeps_what_they_hold():
    editors = Group.objects.get(name=EDITORS)
    editors.permissions.set(
        Permission.objects.filter(codename__in=["add_claim", "add_review"])
    )
    run_migration("forwards")
    run_migration("forwards")
    found = stored_groups()
    assert found[EDITORS] == EXPECTED[EDITORS] | {("claims", "add_review")}
    assert found[REVIEWERS] == EXPECTED[REVIEWERS]


def test_ensure_groups_makes_what_the_migration_makes_and_can_run_again():
    Group.objects.all().delete()
    ensure_groups()
    ensure_groups()
    assert stored_groups() == EXPECTED


# The admin: staff, and the model permission of each page -----------------------------


def claim_form(claim: Claim, statement: str) -> dict:
    return {
        "source": claim.source_id,
        "document": claim.document_id,
        "statement": statement,
        "quote": claim.quote,
        "attribution_kind": claim.attribution_kind,
        "stated_on": claim.stated_on.isoformat(),
        "stated_on_precision": claim.stated_on_precision,
        "figures-TOTAL_FORMS": "0",
        "figures-INITIAL_FORMS": "0",
        "links_out-TOTAL_FORMS": "0",
        "links_out-INITIAL_FORMS": "0",
    }


def test_a_staff_user_who_may_only_view_claims_sees_them_and_changes_nothing(client):
    client.force_login(user_holding("view_claim", is_staff=True))
    claim = ClaimFactory()
    change = reverse("admin:claims_claim_change", args=[claim.pk])
    assert client.get(reverse("admin:claims_claim_changelist")).status_code == 200
    page = client.get(change)
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert client.get(reverse("admin:claims_claim_add")).status_code == 403
    assert client.get(reverse("admin:claims_source_changelist")).status_code == 403
    before = Claim.objects.values().get(pk=claim.pk)
    assert client.post(change, claim_form(claim, "Changed.")).status_code == 403
    assert Claim.objects.values().get(pk=claim.pk) == before


def test_a_staff_user_given_change_claim_changes_a_claim(client):
    client.force_login(user_holding("change_claim", is_staff=True))
    claim = ClaimFactory()
    change = reverse("admin:claims_claim_change", args=[claim.pk])
    response = client.post(change, claim_form(claim, "Changed in the admin."))
    assert response.status_code == 302, response.context["adminform"].form.errors
    claim.refresh_from_db()
    assert claim.statement == "Changed in the admin."
    assert client.get(reverse("admin:claims_claim_add")).status_code == 403
