"""``manage.py bootstrap``, which ``make run`` calls: groups, seed, admin account."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

from claims.models import Claim, Source

pytestmark = pytest.mark.django_db


def bootstrap() -> str:
    out = io.StringIO()
    call_command("bootstrap", stdout=out)
    return out.getvalue()


def test_it_creates_an_admin_once_and_prints_its_password_once():
    first = bootstrap()
    admin = get_user_model().objects.get(username="admin")
    password = first.split("with the password: ")[1].split()[0]
    assert admin.is_superuser and admin.check_password(password)
    second = bootstrap()
    assert password not in second and "exists" in second
    admin.refresh_from_db()
    assert admin.check_password(password)


def test_it_loads_the_seed_once_and_keeps_edits_on_a_second_run():
    bootstrap()
    count = Claim.objects.count()
    assert count >= 15
    Source.objects.filter(name="NATO").update(description="Edited by an editor.")
    bootstrap()
    assert Claim.objects.count() == count
    assert Source.objects.get(name="NATO").description == "Edited by an editor."


def test_it_creates_the_editors_and_reviewers_groups():
    bootstrap()
    editors = Group.objects.get(name="editors")
    reviewers = Group.objects.get(name="reviewers")
    assert editors.permissions.filter(codename="change_claim").exists()
    assert not editors.permissions.filter(codename="add_review").exists()
    assert reviewers.permissions.filter(codename="add_review").exists()
    assert not reviewers.permissions.filter(codename="change_claim").exists()
