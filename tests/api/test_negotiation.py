"""Content negotiation (``claims.api.negotiation``): the commonest requests are
answered without parsing, always as REST Framework would answer them."""

import pytest
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from claims.api.negotiation import QuickContentNegotiation
from claims.api.renderers import FastJSONRenderer
from claims.api.views import JSONLDRenderer

JSON = "application/json"


class AnyRenderer(JSONRenderer):
    media_type = "*/*"


RENDERER_LISTS = [
    [FastJSONRenderer(), BrowsableAPIRenderer()],
    [JSONLDRenderer(), JSONRenderer()],
    [BrowsableAPIRenderer(), JSONRenderer()],
    [AnyRenderer(), JSONRenderer()],
]
ACCEPTS = [
    None,
    "*/*",
    "application/json",
    "application/ld+json",
    "text/html",
    "application/json; indent=4",
    "text/html, application/json;q=0.9",
]


def request_with(accept, query=""):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    return Request(APIRequestFactory().get(f"/api/claims/{query}", **headers))


def answer(negotiation, request, renderers):
    try:
        renderer, media_type = negotiation.select_renderer(request, renderers)
    except Exception as error:  # noqa: BLE001 - the same refusal is the same answer
        return type(error).__name__
    return type(renderer).__name__, media_type


@pytest.mark.parametrize("renderers", RENDERER_LISTS)
@pytest.mark.parametrize("accept", ACCEPTS)
@pytest.mark.parametrize("query", ["", "?format=json", "?format=api"])
def test_the_answer_is_rest_framework_s(renderers, accept, query):
    quick = answer(QuickContentNegotiation(), request_with(accept, query), renderers)
    usual = answer(DefaultContentNegotiation(), request_with(accept, query), renderers)
    assert quick == usual


def test_a_plain_request_is_not_parsed(monkeypatch):
    def refuse(*args):
        raise AssertionError("parsed")

    monkeypatch.setattr(QuickContentNegotiation, "_get_parsed_accept_list", refuse)
    renderers = [JSONLDRenderer(), JSONRenderer()]
    for accept in (None, "*/*", "application/json"):
        renderer, _ = QuickContentNegotiation().select_renderer(
            request_with(accept), renderers
        )
        assert type(renderer) is (JSONRenderer if accept == JSON else JSONLDRenderer)
