"""The OpenAPI schema describes every endpoint; the docs load nothing from outside."""

import re

import pytest
import yaml

from ..helpers import RESOURCES

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_the_schema_is_openapi_3_and_lists_every_endpoint(schema):
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    for kind in RESOURCES:
        assert f"/api/{kind}/" in paths
        assert f"/api/{kind}/{{id}}/" in paths
        assert f"/api/{kind}/{{id}}/history/" in paths
    assert "/api/measures/{id}/comparison/" in paths
    assert "/api/claims/{id}/corroboration/" in paths
    assert "/api/topics/{id}/comparison/" in paths
    assert "/api/auth/token/" in paths


def test_reviews_offer_no_update_or_delete(schema):
    assert set(schema["paths"]["/api/reviews/{id}/"]) == {"get"}
    assert set(schema["paths"]["/api/reviews/"]) == {"get", "post"}


def test_the_comparison_response_is_described(schema):
    operation = schema["paths"]["/api/measures/{id}/comparison/"]["get"]
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    component = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert set(component["properties"]) == {
        "measure",
        "at",
        "known_at",
        "figures",
        "conflicts",
        "best_supported",
        "spread",
        "counts",
    }
    names = {p["name"] for p in operation["parameters"]}
    assert {"as_of_after", "as_of_before", "at", "known_at"} <= names
    figure = schema["components"]["schemas"]["ComparedFigure"]["properties"]
    assert {"date", "role", "superseded_by", "at_interval", "groups"} <= set(figure)
    stretch = schema["components"]["schemas"]["Stretch"]["properties"]
    assert {"support_kind", "consistent_groups", "other_groups"} <= set(stretch)
    evolution = schema["paths"]["/api/measures/{id}/evolution/"]["get"]
    assert "200" in evolution["responses"]


def test_numbers_are_described_as_numbers(schema):
    figure = schema["components"]["schemas"]["Figure"]["properties"]
    assert figure["low"]["type"] == "number"


def test_the_docs_page_loads_nothing_from_another_host(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    external = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
    assert external == []
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        assert client.get(asset).status_code == 200, asset
