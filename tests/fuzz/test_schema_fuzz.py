"""Schema fuzzing: every operation of /api/schema/, as an anonymous reader and as an
editor, with generated input. No answer may be a server error, and every answer must
conform to the schema: a documented status code, content type, headers and body.

Then statefully, as an editor: sequences of calls where each uses what an earlier one
answered (create, then read, change, list and delete what was created), with the same
checks and these: an object written reads back as the write answered it, a created
object can be read, a deleted one answers 404."""

from urllib.parse import urlsplit

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ensure_resource_availability,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    use_after_free,
)
from werkzeug.test import Client as WsgiClient

from ..helpers import RESOURCES

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
def editor_headers(unthrottled_seed, editor_user):
    return {"Authorization": f"Token {Token.objects.create(user=editor_user).key}"}


FUZZ = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@FUZZ
def test_every_operation_answers_an_anonymous_caller_within_its_schema(
    case, unthrottled_seed
):
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
@FUZZ
def test_every_operation_answers_an_editor_within_its_schema(case, editor_headers):
    case.call_and_validate(headers=editor_headers, checks=CHECKS)


#: The stateful phase: scenarios of linked calls (create an object, then read, change,
#: list and delete it), the links between operations inferred by schemathesis from
#: the schema (an id in one answer names the object of another operation).
SCENARIOS = 50
STEPS_PER_SCENARIO = 10


@schemathesis.check
def written_reads_back(ctx, response, case):
    """A write that succeeds answers the object as it was stored: a read of the
    object right after answers the same."""
    resource = case.operation.path.strip("/").split("/")[1]
    writes = case.method.upper() in {"POST", "PUT", "PATCH"}
    if not writes or resource not in RESOURCES or not 200 <= response.status_code < 300:
        return None
    written = response.json()
    if not isinstance(written, dict) or "id" not in written:
        return None  # not an object: the schema checks say what is wrong
    sent = response.request
    headers = {"Host": urlsplit(sent.url).netloc}
    if "Authorization" in sent.headers:
        headers["Authorization"] = sent.headers["Authorization"]
    read = WsgiClient(case.operation.schema.app).get(
        f"/api/{resource}/{written['id']}/", headers=headers
    )
    assert read.status_code == 200, f"The written object answers {read.status_code}."
    assert read.get_json() == written, (
        f"Written: {written}\nRead back: {read.get_json()}"
    )
    return True


@schemathesis.check
def deleted_objects_are_gone(ctx, response, case):
    """schemathesis's ``use_after_free``: an object deleted answers 404 after. Its
    history is the exception: it outlives the object, by design."""
    if case.operation.path.endswith("/history/"):
        return None
    return use_after_free(ctx, response, case)


STATEFUL_CHECKS = [
    *CHECKS,
    deleted_objects_are_gone,
    ensure_resource_availability,
    written_reads_back,
]


def as_editor(headers):
    """The state machine of the API's links, calling as an editor."""

    class AsEditor(schema.as_state_machine()):
        # Each scenario starts from the seed data: its writes are rolled back at its
        # end, so that a failing scenario replays as it first ran.
        def setup(self):
            cache.clear()
            self.scenario = transaction.atomic()
            self.scenario.__enter__()

        def teardown(self):
            transaction.set_rollback(True)
            self.scenario.__exit__(None, None, None)
            cache.clear()

        def get_call_kwargs(self, case):
            return {"headers": headers}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(
                response,
                checks=STATEFUL_CHECKS,
                transport_kwargs=kwargs or None,
                recorder=self.recorder,
            )

    return AsEditor


STATEFUL = settings(
    max_examples=SCENARIOS,
    stateful_step_count=STEPS_PER_SCENARIO,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.generate],
)


def test_what_an_editor_writes_reads_back_within_its_schema(editor_headers):
    workflow = as_editor(editor_headers)
    transitions = schema.statistic.transitions
    assert transitions.selected >= 100, "the links between operations were not found"
    workflow.run(settings=STATEFUL)
