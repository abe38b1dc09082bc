"""What intake reads from the database: the gazetteer is built once while the
stored sources stay as they were, and again after any change to them; the
document at a report's URL is found."""

import pytest

from claims.exchange.intake.proposals import candidate_index
from claims.exchange.intake.selectors import stored_for

from .factories import DocumentFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_the_gazetteer_is_reused_while_the_sources_stay_the_same():
    rutte = SourceFactory(name="Mark Rutte", aliases=["Rutte"])
    first = stored_for().gazetteer
    assert stored_for().gazetteer is first
    assert candidate_index(stored_for().gazetteer) is candidate_index(first)
    assert first.lookup("rutte") == rutte.pk

    rutte.aliases = ["Rutte", "NATO chief"]
    rutte.save()
    changed = stored_for().gazetteer
    assert changed is not first and changed.lookup("the NATO chief") == rutte.pk

    lavrov = SourceFactory(name="Sergei Lavrov")
    added = stored_for().gazetteer
    assert added is not changed and added.lookup("Sergei Lavrov") == lavrov.pk

    lavrov.delete()
    assert stored_for().gazetteer.lookup("Sergei Lavrov") is None


def test_the_document_at_the_report_s_url_is_found_and_no_url_finds_none():
    DocumentFactory(url="")
    stored = DocumentFactory(url="https://wire.example/a")
    assert stored_for("https://wire.example/a").document_id == stored.pk
    assert stored_for("https://wire.example/b").document_id is None
    assert stored_for("").document_id is None
