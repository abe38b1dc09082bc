"""Loading the seed article's data into an empty database, with history."""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import transaction

from claims.models import Claim, Document, Figure, Link, Measure, Source, Topic

SEED_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "seed.json"
SEEDED_MODELS = [Document, Topic, Source, Claim, Measure, Figure, Link]


def domain_is_empty() -> bool:
    return not any(model.objects.exists() for model in SEEDED_MODELS)


@transaction.atomic
def load_seed(fixture: Path = SEED_FIXTURE) -> bool:
    """Load the seed article's data, unless the database already holds any.

    Fixture loading bypasses ``save()``, and so the history library's signals: the
    first history row of every loaded object is written here instead. Returns
    whether anything was loaded.
    """
    if not domain_is_empty():
        return False
    call_command("loaddata", str(fixture), verbosity=0)
    reason = "Loaded from the seed article"
    for model in SEEDED_MODELS:
        # Setting many-to-many fields is recorded even while loading, as a change;
        # those rows are the objects' first, so they are marked as their creation.
        model.history.all().update(history_type="+", history_change_reason=reason)
        recorded = set(model.history.values_list("id", flat=True))
        model.history.bulk_history_create(
            list(model.objects.exclude(pk__in=recorded)),
            default_change_reason=reason,
        )
    return True
