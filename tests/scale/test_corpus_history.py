"""The generated corpus writes its rows' topics into their first history entries."""

import pytest

from claims.history import history_entries
from claims.models import Claim, Measure
from devtools.corpus import generate

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [Claim, Measure])
def test_each_generated_row_s_first_history_entry_holds_its_topics(model):
    generate(claims=300, seed=4)
    objects = list(model.objects.prefetch_related("topics").order_by("pk"))
    assert objects and all(obj.topics.all() for obj in objects)
    for obj in objects[:: max(1, len(objects) // 20)]:
        [first] = history_entries(model, obj.pk)
        assert [c for c in first["changes"] if c["field"] == "topics"] == [
            {
                "field": "topics",
                "old": None,
                "new": sorted(t.pk for t in obj.topics.all()),
            }
        ]
    copies = model.history.model.topics.model
    assert copies.objects.count() == model.topics.through.objects.count()
