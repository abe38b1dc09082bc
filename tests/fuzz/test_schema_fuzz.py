"""Schema fuzzing: every operation of /api/schema/, as an anonymous reader and as an
editor, with generated input. No answer may be a server error, and every answer must
conform to the schema: a documented status code, content type, headers and body."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from claims.permissions import EDITORS
from claims.seed import load_seed

from ..factories import member_of

#: Generated requests per operation and per caller. Each operation is tried this
#: many times as anonymous and again as an editor.
EXAMPLES_PER_OPERATION = 40

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


# Loaded at collection: the schema is generated from the code, not from the database.
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


@pytest.fixture(autouse=True)
def one_connection_per_test():
    """Requests go to the WSGI application directly, not through Django's test
    client: keep Django from closing the test's connection (and its transaction) at
    the end of each request, as the test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(db, settings):
    """The seed data, so that generated ids sometimes find a row."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_CLASSES": [],  # throttling has its own tests
    }
    load_seed()


@pytest.fixture
def editor_headers(seeded):
    editor = member_of(EDITORS)
    return {"Authorization": f"Token {Token.objects.create(user=editor).key}"}


FUZZ = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@FUZZ
def test_every_operation_answers_an_anonymous_caller_within_its_schema(case, seeded):
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
@FUZZ
def test_every_operation_answers_an_editor_within_its_schema(case, editor_headers):
    case.call_and_validate(headers=editor_headers, checks=CHECKS)
