"""Who may read and write through the API: Django's model permissions, as in the
admin and the reviewer pages."""

from django.conf import settings
from rest_framework.permissions import SAFE_METHODS, DjangoModelPermissions

from claims.models import Claim, Document, Figure, Link, Measure, Source, Topic


def may_read(request) -> bool:
    """Reading is open unless ``API_OPEN_READ`` is off, then open to anyone signed in."""
    return getattr(settings, "API_OPEN_READ", True) or bool(
        request.user and request.user.is_authenticated
    )


def offers(view, method: str) -> bool:
    """Whether the view answers ``method`` at this URL (a viewset binds only the
    methods its route maps: a review's ``PATCH`` is not one of them)."""
    return method.lower() in view.http_method_names and hasattr(view, method.lower())


class ModelPermissionsReadOpen(DjangoModelPermissions):
    """Reading is open unless ``API_OPEN_READ`` is off; writing needs the model
    permission of the view's model, by DRF's ``DjangoModelPermissions``: ``POST``
    ``add_``, ``PUT`` and ``PATCH`` ``change_``, ``DELETE`` ``delete_`` (reviews:
    ``claims.add_review``). A superuser holds every permission (``User.has_perm``).

    A write method the URL does not offer (``PATCH`` on a review, ``POST`` on a
    computed view) answers 405 to a user who may write that kind at all (holds any
    of its add, change or delete permissions); others get 403, anonymous users 401.
    """

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return may_read(request)
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if getattr(view, "_ignore_model_permissions", False):  # the API root
            return True
        if offers(view, request.method):
            return super().has_permission(request, view)
        model = self._queryset(view).model
        return any(
            user.has_perm(permission)
            for method in ("POST", "PUT", "DELETE")
            for permission in self.get_required_permissions(method, model)
        )


#: What a bundle may write: its six kinds, and the topics its claims name.
IMPORTED_MODELS = (Document, Source, Measure, Claim, Figure, Link, Topic)


class MayImportBundles(ModelPermissionsReadOpen):
    """``POST /api/import/`` needs the add permission of every kind a bundle may
    write, whatever the bundle holds: ``claims.add_document``, ``add_source``,
    ``add_measure``, ``add_claim``, ``add_figure``, ``add_link`` and ``add_topic``
    (a claim's topics are created by name). The editors group holds them all.
    Checked before the body is read, so a refusal does not depend on its contents.
    """

    required = [f"claims.add_{model._meta.model_name}" for model in IMPORTED_MODELS]

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return may_read(request)
        user = request.user
        return bool(user and user.is_authenticated and user.has_perms(self.required))
