"""Cache invalidation on writes: the only work done in signals here.

Bulk paths (``bulk_create``, ``queryset.update()``) send no signals; they call
``claims.caching`` themselves.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from claims import caching
from claims.models import Claim, Document, Figure, Link, Measure, Review, Source, Topic

# Each write bumps each generation it touches once: a measure's comparisons, every
# comparison (claims, links and sources decide origins and groups), the list counts.


@receiver([post_save, post_delete], sender=Figure)
def figure_written(sender, instance: Figure, **kwargs) -> None:
    caching.bump_measures(
        [instance.measure_id, getattr(instance, "_loaded_measure_id", None)]
    )
    caching.bump_rows()


@receiver([post_save, post_delete], sender=Measure)
def measure_written(sender, instance: Measure, **kwargs) -> None:
    caching.bump_measures([instance.pk])
    caching.bump_rows()


@receiver([post_save, post_delete], sender=Claim)
@receiver([post_save, post_delete], sender=Link)
@receiver([post_save, post_delete], sender=Source)
def graph_written(sender, instance, **kwargs) -> None:
    caching.bump_all()  # list counts included


@receiver([post_save, post_delete], sender=Document)
@receiver([post_save, post_delete], sender=Review)
@receiver([post_save, post_delete], sender=Topic)
@receiver(m2m_changed, sender=Claim.topics.through)
@receiver(m2m_changed, sender=Measure.topics.through)
def row_written(sender, **kwargs) -> None:
    caching.bump_rows()
