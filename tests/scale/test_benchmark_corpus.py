"""The benchmark's corpus is complete before any case is timed, so that every run,
the first included, times the same rows."""

import io

import pytest

from claims.models import Figure, Measure
from devtools.management.commands.benchmark import Command


@pytest.mark.django_db
def test_the_evolution_measure_is_made_with_the_corpus_before_any_case():
    command = Command(stdout=io.StringIO())
    command._corpus(claims=300, seed=1)
    measure = Measure.objects.get(name=Command.EVOLUTION)
    figures = Figure.objects.filter(measure=measure).count()
    assert figures > 0
    cases = [(name, path) for name, path, *_ in command._cases()]
    # A second run reuses the corpus as it is: the same measure, the same cases.
    command._corpus(claims=300, seed=1)
    assert Measure.objects.filter(name=Command.EVOLUTION).count() == 1
    assert Figure.objects.filter(measure=measure).count() == figures
    assert [(name, path) for name, path, *_ in command._cases()] == cases
