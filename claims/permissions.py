"""The groups that may write, and what each may do."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

EDITORS = "editors"
REVIEWERS = "reviewers"

_EDITED = ["source", "document", "claim", "measure", "figure", "link", "topic"]
_READ = [*_EDITED, "review"]


def _codenames(actions: list[str], models: list[str]) -> list[str]:
    return [f"{action}_{model}" for action in actions for model in models]


GROUP_PERMISSIONS = {
    EDITORS: _codenames(["add", "change", "delete", "view"], _EDITED)
    + _codenames(["view"], ["review"]),
    REVIEWERS: _codenames(["view"], _READ) + ["add_review"],
}


@transaction.atomic
def ensure_groups() -> None:
    """Create the editors and reviewers groups with their permissions; idempotent."""
    for name, codenames in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(
            content_type__app_label="claims", codename__in=codenames
        )
        group.permissions.add(*permissions)


def in_group(user, group: str) -> bool:
    if not user or not user.is_authenticated:
        return False
    return user.is_superuser or user.groups.filter(name=group).exists()
