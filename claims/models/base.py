"""What every model of the domain shares: timestamps and field-named constraint errors."""

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models, router

__all__ = ["TrackedModel"]


class TrackedModel(models.Model):
    """A row with creation and update times, whose constraint errors name a field.

    Django reports a violated multi-column constraint as a non-field error;
    ``constraint_fields`` maps a constraint's name to the field an editor has to
    change, so the admin, forms and API show the message beside that field.

    Check constraints are the database's safety net: the rule of each is also
    enforced, with a message naming the field, by field validation (choices, blank,
    validators) or by the model's ``clean()``, so validation does not ask the
    database about them (Django would run one query per constraint and row, which
    bulk imports cannot afford). Unique constraints need the stored rows and are
    checked against them.
    """

    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)
    #: Counts the row's saves; the API's ETag, checked against If-Match on writes.
    version = models.PositiveIntegerField(default=1, editable=False)

    constraint_fields: ClassVar[dict[str, str]] = {}
    #: Unique constraints whose rule ``clean()`` checks itself with a better message
    #: (the constraint stays as the database's guard against concurrent writers).
    constraints_checked_by_clean: ClassVar[frozenset[str]] = frozenset()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            # The database counts the save: two writers who read version N store
            # N+1 and N+2, never N+1 twice. The UPDATE returns the new number.
            self.version = models.F("version") + 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)

    def validate_constraints(self, exclude=None):
        using = router.db_for_write(type(self), instance=self)
        errors: dict[str, list] = {}
        for model_class, constraints in self.get_constraints():
            for constraint in constraints:
                if (
                    isinstance(constraint, models.CheckConstraint)
                    or constraint.name in self.constraints_checked_by_clean
                ):
                    continue
                try:
                    constraint.validate(model_class, self, exclude=exclude, using=using)
                except ValidationError as error:
                    field = self.constraint_fields.get(constraint.name)
                    if field is None and getattr(error, "code", None) == "unique":
                        fields = getattr(constraint, "fields", ())
                        field = fields[0] if len(fields) == 1 else None
                    if field is not None:
                        errors.setdefault(field, []).extend(error.error_list)
                    else:
                        errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)
