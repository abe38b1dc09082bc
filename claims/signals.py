"""Cache invalidation on writes: the only work done in signals here.

Bulk paths (``bulk_create``, ``queryset.update()``) send no signals; they call
``claims.caching`` themselves.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from claims import caching
from claims.models import Claim, Figure, Link, Measure, Source


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
