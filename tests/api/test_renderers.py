"""The API's JSON is written by orjson (``claims.api.renderers``), byte for byte as
REST Framework's ``JSONRenderer`` writes it."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from claims.api.renderers import FastJSONRenderer

from ..factories import ClaimFactory

UTC = datetime.UTC
DOCUMENTS = [
    {"id": 1, "name": "plain", "nothing": None, "yes": True, "ratio": 0.1},
    {
        "when": datetime.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC),
        "at": datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC),
        "day": datetime.date(2024, 5, 6),
        "time": datetime.time(7, 8, 9, 654321),
        "elsewhere": datetime.datetime(
            2024, 5, 6, 7, 8, tzinfo=datetime.timezone(datetime.timedelta(hours=5))
        ),
    },
    {"amount": Decimal("12.50"), "lazy": gettext_lazy("Not found."), 3: "int key"},
    {"text": "Zürich — “quoted” \u2028 and \u2029, 東京", "id": uuid.UUID(int=7)},
    [1, [2, (3, 4)], {"nested": {"deeper": ["x"]}}],
    "a string",
    12,
]


@pytest.mark.parametrize("document", DOCUMENTS)
def test_the_bytes_are_rest_framework_s(document):
    assert FastJSONRenderer().render(document) == JSONRenderer().render(document)


def test_what_orjson_cannot_write_is_written_as_before():
    wide = {"big": 2**70}
    assert FastJSONRenderer().render(wide) == JSONRenderer().render(wide)


def test_an_indented_document_is_written_as_before():
    media = "application/json; indent=2"
    got = FastJSONRenderer().render({"a": [1]}, media)
    assert got == JSONRenderer().render({"a": [1]}, media)
    assert b"\n" in got


def test_nothing_is_an_empty_body():
    assert FastJSONRenderer().render(None) == b""


@pytest.mark.django_db
def test_the_api_answers_with_it():
    claim = ClaimFactory()
    for path in ("/api/claims/", f"/api/claims/{claim.pk}/"):
        answer = APIClient().get(path)
        assert answer.status_code == 200
        assert isinstance(answer.accepted_renderer, FastJSONRenderer)
        assert answer.content == JSONRenderer().render(answer.data)
