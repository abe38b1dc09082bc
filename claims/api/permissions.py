"""Who may read and write through the API."""

from django.conf import settings
from rest_framework.permissions import SAFE_METHODS, BasePermission

from claims.permissions import EDITORS, in_group


class ReadOpenWriteByGroup(BasePermission):
    """Reading is open unless ``API_OPEN_READ`` is off; writing needs the view's group.

    A view names the group its writes need in ``write_group`` (editors by default;
    reviews need reviewers).
    """

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return getattr(settings, "API_OPEN_READ", True) or bool(
                request.user and request.user.is_authenticated
            )
        return in_group(request.user, getattr(view, "write_group", EDITORS))
