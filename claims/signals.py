"""Cache invalidation on writes: the only work done in signals here.

Bulk paths (``bulk_create``, ``queryset.update()``) send no signals; they call
``claims.caching`` themselves.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from claims import caching
from claims.models import Claim, Document, Figure, Link, Measure, Review, Source, Topic

TRACKED = (Claim, Document, Figure, Link, Measure, Review, Source, Topic)


@receiver([post_save, post_delete], sender=Figure)
def figure_written(sender, instance: Figure, **kwargs) -> None:
    caching.bump_measures(
        [instance.measure_id, getattr(instance, "_loaded_measure_id", None)]
    )


@receiver([post_save, post_delete], sender=Measure)
def measure_written(sender, instance: Measure, **kwargs) -> None:
    caching.bump_measures([instance.pk])


@receiver([post_save, post_delete], sender=Claim)
@receiver([post_save, post_delete], sender=Link)
@receiver([post_save, post_delete], sender=Source)
def graph_written(sender, instance, **kwargs) -> None:
    caching.bump_all()


def row_written(sender, **kwargs) -> None:
    caching.bump_rows()


for _model in TRACKED:
    post_save.connect(
        row_written, sender=_model, dispatch_uid=f"rows-{_model.__name__}"
    )
    post_delete.connect(
        row_written, sender=_model, dispatch_uid=f"rows-d-{_model.__name__}"
    )
for _through in (Claim.topics.through, Measure.topics.through):
    m2m_changed.connect(
        row_written, sender=_through, dispatch_uid=f"rows-{_through.__name__}"
    )
