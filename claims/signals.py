"""Cache invalidation on writes: the only work done in signals here.

Each write drops the cached comparisons it can change (``claims.dependencies``
decides which from the row before and after the write; ``claims.caching`` finds
their measures) and the cached counts of the tables it writes. Before a save, the
row as stored is read (one query, for updates only); the plan is resolved against
the rows both before and after the write, so a link or parent that moves is seen
from both ends.

Bulk paths (``bulk_create``, ``queryset.update()``) send no signals; they call
``claims.caching`` themselves.
"""

from django.db.models.signals import (
    m2m_changed,
    post_delete,
    post_save,
    pre_delete,
    pre_save,
)
from django.dispatch import receiver

from claims import caching, dependencies
from claims.models import Claim, Document, Figure, Link, Measure, Review, Source, Topic

#: What a comparison reads of each kind of row, as ``claims.dependencies`` rows.
ROWS = {
    Figure: ("figure", dependencies.FigureRow, ("claim_id", "measure_id")),
    Claim: ("claim", dependencies.ClaimRow, ("source_id", "document_id")),
    Link: ("link", dependencies.LinkRow, ("from_claim_id", "to_claim_id", "relation")),
    Source: ("source", dependencies.SourceRow, ("name", "parent_id")),
    Document: ("document", dependencies.DocumentRow, ("published_at",)),
}
#: Tables a write of each kind may also change without signals (a document's new
#: text moves its claims' quotes; a measure's new tolerance derives its figures).
ALSO_WRITES = {
    Document: (Claim,),
    Measure: (Figure,),
    Claim: (Figure,),
    Review: (Claim,),
    Topic: (Claim, Measure),
}
MODELS = [Claim, Document, Figure, Link, Measure, Review, Source, Topic]


def _row(model, values):
    _, row_type, _ = ROWS[model]
    return row_type(*values)


def _of_instance(instance):
    _, _, fields = ROWS[type(instance)]
    return _row(type(instance), [getattr(instance, name) for name in fields])


def _stored(instance):
    """The row as stored, or None for a new one."""
    if instance._state.adding or instance.pk is None:
        return None
    model = type(instance)
    _, _, fields = ROWS[model]
    values = model._base_manager.filter(pk=instance.pk).values_list(*fields).first()
    return None if values is None else _row(model, values)


def _plan(instance, before, after) -> dependencies.Plan:
    kind, _, _ = ROWS[type(instance)]
    return dependencies.plan_for(kind, instance.pk, before, after)


def _tables_of(model) -> list[str]:
    tables = caching.model_tables(model)
    for other in ALSO_WRITES.get(model, ()):
        tables += caching.model_tables(other)
    return tables


# Comparisons ---------------------------------------------------------------------------


@receiver(pre_save, sender=Claim)
@receiver(pre_save, sender=Document)
@receiver(pre_save, sender=Figure)
@receiver(pre_save, sender=Link)
@receiver(pre_save, sender=Source)
def before_save(sender, instance, **kwargs) -> None:
    before = _stored(instance)
    plan = _plan(instance, before, _of_instance(instance))
    instance._cache_plan = plan
    caching.bump_plan(plan)  # against the rows before the write


@receiver([post_save], sender=Claim)
@receiver([post_save], sender=Document)
@receiver([post_save], sender=Figure)
@receiver([post_save], sender=Link)
@receiver([post_save], sender=Measure)
@receiver([post_save], sender=Review)
@receiver([post_save], sender=Source)
@receiver([post_save], sender=Topic)
def after_save(sender, instance, **kwargs) -> None:
    if sender in ROWS:
        plan = instance.__dict__.pop("_cache_plan", None)
        if plan is None:  # saved without pre_save: judged without its old row
            plan = dependencies.Plan(everything=True)
        caching.bump_plan(plan)  # against the rows after it
    elif sender is Measure:
        caching.bump_plan(dependencies.plan_for("measure", instance.pk, None, None))
    caching.bump_tables(_tables_of(sender))


@receiver(pre_delete, sender=Claim)
@receiver(pre_delete, sender=Document)
@receiver(pre_delete, sender=Figure)
@receiver(pre_delete, sender=Link)
@receiver(pre_delete, sender=Source)
def before_delete(sender, instance, **kwargs) -> None:
    plan = _plan(instance, _of_instance(instance), None)
    instance._cache_plan = plan
    caching.bump_plan(plan)


@receiver([post_delete], sender=Claim)
@receiver([post_delete], sender=Document)
@receiver([post_delete], sender=Figure)
@receiver([post_delete], sender=Link)
@receiver([post_delete], sender=Measure)
@receiver([post_delete], sender=Review)
@receiver([post_delete], sender=Source)
@receiver([post_delete], sender=Topic)
def after_delete(sender, instance, **kwargs) -> None:
    if sender in ROWS:
        caching.bump_plan(
            instance.__dict__.pop("_cache_plan", None)
            or dependencies.Plan(everything=True)
        )
    elif sender is Measure:
        caching.bump_plan(dependencies.plan_for("measure", instance.pk, None, None))
    caching.bump_tables(_tables_of(sender))


# Counts of many-to-many rows ----------------------------------------------------------


@receiver(m2m_changed, sender=Claim.topics.through)
@receiver(m2m_changed, sender=Measure.topics.through)
def row_written(sender, **kwargs) -> None:
    caching.bump_rows()


for _model in MODELS:
    caching.WATCHED_TABLES.update(caching.model_tables(_model))
