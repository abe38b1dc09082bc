"""The two groups and the model permissions each holds.

Who may write is decided by Django's model permissions everywhere: the API
(``claims.api.permissions``), the reviewer pages (recording a review needs
``claims.add_review``) and the admin. The groups are bundles of those permissions,
created by the migration ``0008_groups_and_permissions``; a user may also be given
single permissions directly.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

EDITORS = "editors"
REVIEWERS = "reviewers"

_EDITED = ["source", "document", "claim", "measure", "figure", "link", "topic"]
_READ = [*_EDITED, "review"]


def _codenames(actions: list[str], models: list[str]) -> list[str]:
    return [f"{action}_{model}" for action in actions for model in models]


#: The permissions of the ``claims`` app each group holds (the migration keeps its
#: own copy of these lists, as a migration must).
GROUP_PERMISSIONS = {
    EDITORS: _codenames(["add", "change", "delete", "view"], _EDITED)
    + _codenames(["view"], ["review"]),
    REVIEWERS: _codenames(["view"], _READ) + ["add_review"],
}


@transaction.atomic
def ensure_groups() -> None:
    """Create the editors and reviewers groups with their permissions, as the
    migration does; idempotent (it adds what is missing, removes nothing)."""
    for name, codenames in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(
            content_type__app_label="claims", codename__in=codenames
        )
        group.permissions.add(*permissions)
