"""Plain helpers the test files share: API clients, stored rows compared by value,
refusals, the admin's forms, query counts, request bodies, and Redis caches that go
away. Fixtures are in the ``conftest.py`` files; what builds rows is in
``factories.py``."""

import datetime
import shutil
import signal
import socket
import subprocess
import time
import uuid
from contextlib import contextmanager

import pytest
import redis
from django import forms
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from claims.models import Claim, Document, Figure, Link, Measure, Review, Source, Topic
from devtools.faults import redis_server_command

from .factories import ClaimFactory, MeasureFactory, SourceFactory, TopicFactory

#: Every kind of row the domain stores.
DOMAIN = (Source, Document, Claim, Measure, Figure, Link, Review, Topic)

#: Every permission of the app ``claims`` on those kinds.
EVERY_CLAIMS_PERMISSION = tuple(
    f"{action}_{model._meta.model_name}"
    for action in ("add", "change", "delete", "view")
    for model in DOMAIN
)

#: The API's collections, as its root lists them.
RESOURCES = (
    "sources",
    "documents",
    "claims",
    "measures",
    "figures",
    "links",
    "reviews",
    "topics",
)


# Clients ---------------------------------------------------------------------------


def api_client(user=None) -> APIClient:
    """An API client authenticated as ``user`` with ``force_authenticate`` (no
    session), or anonymous without one; the user is its ``.user``."""
    client = APIClient()
    client.user = user
    if user is not None:
        client.force_authenticate(user)
    return client


# Stored rows -----------------------------------------------------------------------


def snapshot(*models) -> dict:
    """Every stored row of the given models, for before/after comparison."""
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in models}


def stored(*models) -> dict:
    """Every stored row of the given models and of their history, by value."""
    histories = [m.history.model for m in models if hasattr(m, "history")]
    return snapshot(*models, *histories)


def stored_rows() -> dict:
    """Every stored row of the domain by value, and how many history entries each
    kind has: equal before and after a refused write."""
    rows = snapshot(*DOMAIN)
    rows["history"] = {m.__name__: m.history.count() for m in DOMAIN}
    return rows


# The database ------------------------------------------------------------------------


def terminate_this_connection() -> None:
    """End this thread's PostgreSQL connection from a second one, as the server
    does when it restarts, and wait until the server has ended it. For tests with
    real transactions (``transaction=True``) only."""
    pid = connection.connection.info.backend_pid
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
            assert cursor.fetchone() == (True,)
    finally:
        other.close()


# Refusals --------------------------------------------------------------------------


def validation_error(call, *args, **kwargs) -> ValidationError:
    """The ``ValidationError`` that ``call(*args, **kwargs)`` must raise."""
    with pytest.raises(ValidationError) as error:
        call(*args, **kwargs)
    return error.value


def refused_answer(response, field: str, status: int = 400) -> list[str]:
    """The API's answer refused the request with ``status`` naming ``field``; the
    messages on that field."""
    assert response.status_code == status, response.content
    body = response.json()
    assert field in body, body
    return body[field]


# The admin -------------------------------------------------------------------------


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:claims_{model._meta.model_name}_{view}", args=args)


def _value(field, value, name: str, data: dict) -> None:
    if isinstance(field.widget, forms.CheckboxInput):
        if value:
            data[name] = "on"
    elif isinstance(field.widget, forms.SplitDateTimeWidget):
        data[f"{name}_0"] = value.date().isoformat() if value else ""
        data[f"{name}_1"] = value.time().isoformat() if value else ""
    elif isinstance(field, forms.ModelMultipleChoiceField):
        data[name] = [str(item) for item in value or ()]
    elif value is None:
        data[name] = ""
    elif isinstance(value, list | tuple):
        data[name] = [str(item) for item in value]
    elif isinstance(value, datetime.date):
        data[name] = value.isoformat()
    else:
        data[name] = str(value)


def _fields(form, data: dict) -> None:
    for name, field in form.fields.items():
        _value(field, form[name].value(), form.add_prefix(name), data)


def admin_form(client, url: str, *, inline_rows: bool = True) -> dict:
    """What the admin page at ``url`` sends when saved as it stands: its inline rows
    as they stand too, or with ``inline_rows=False`` none of them."""
    page = client.get(url)
    assert page.status_code == 200
    data: dict = {}
    _fields(page.context["adminform"].form, data)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        if inline_rows:
            _fields(formset.management_form, data)
            for form in formset.forms:
                _fields(form, data)
        else:
            prefix = formset.prefix
            data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return data


def admin_errors(response) -> dict:
    """The errors an admin page was shown again with: the main form's by field, the
    inline rows' as ``inline:<prefix>:<field>``."""
    if response.context is None:
        return {}
    errors = {
        name: list(messages)
        for name, messages in response.context["adminform"].form.errors.items()
    }
    for inline in response.context["inline_admin_formsets"]:
        for form_errors in inline.formset.errors:
            for name, messages in form_errors.items():
                errors.setdefault(f"inline:{inline.formset.prefix}:{name}", []).extend(
                    messages
                )
    return errors


def saved_in_admin(client, url: str, changes: dict, *, inline_rows=True) -> None:
    """Send the admin page at ``url`` with ``changes``; assert that it was saved."""
    response = client.post(
        url, admin_form(client, url, inline_rows=inline_rows) | changes
    )
    assert response.status_code == 302, admin_errors(response)


def refused_in_admin(client, url: str, changes: dict, *, inline_rows=True) -> dict:
    """Post the page with ``changes``; it must be shown again with errors, which are
    returned as ``admin_errors`` gives them."""
    response = client.post(
        url, admin_form(client, url, inline_rows=inline_rows) | changes
    )
    assert response.status_code == 200, "the admin saved it"
    errors = admin_errors(response)
    assert errors, "refused without an error"
    return errors


def refused_in_admin_on(client, url: str, changes: dict, field: str) -> list[str]:
    """Send the admin page at ``url``, without its inline rows, with ``changes``;
    assert that it was refused on ``field`` alone, and return the messages there."""
    errors = refused_in_admin(client, url, changes, inline_rows=False)
    assert set(errors) == {field}, errors
    return errors[field]


# History ---------------------------------------------------------------------------


def topic_changes(*entries) -> list[dict]:
    """The changes of topics in these history entries (as the API answers them)."""
    return [c for entry in entries for c in entry["changes"] if c["field"] == "topics"]


# Queries ---------------------------------------------------------------------------


def count_queries(client, url: str, data=None):
    """How many queries a GET of ``url`` makes (it must answer 200), and the answer."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, data)
    assert response.status_code == 200
    return len(queries), response


def figures_by_id(answer: dict) -> dict:
    """A comparison answer's figures by their id."""
    return {f["id"]: f for f in answer["figures"]}


# Request bodies --------------------------------------------------------------------


def payloads() -> dict:
    """A valid create body for each endpoint, built on fresh rows."""
    claim = ClaimFactory()
    other = ClaimFactory(document=claim.document)
    measure = MeasureFactory()
    topic = TopicFactory()
    source = SourceFactory()
    return {
        "sources": {
            "name": "Ministry of Defence",
            "kind": "government",
            "parent": source.pk,
            "country": "GB",
            "aliases": ["MoD"],
            "reliability": "B",
        },
        "documents": {
            "title": "Briefing",
            "publisher": "Wire",
            "url": "https://news.example/briefing",
            "published_at": "2024-10-28T12:00:00Z",
            "text": "Officials said so.",
        },
        "claims": {
            "source": source.pk,
            "document": claim.document_id,
            "statement": "They are training.",
            "quote": "around 1,500 troops",
            "attribution_kind": "paraphrase",
            "stated_on": "2024-10-24",
            "stated_on_precision": "week",
            "topics": [topic.pk],
        },
        "measures": {
            "name": "Troops",
            "unit": "troops",
            "tolerance": 0.2,
            "lower_limit": 0,
            "topics": [topic.pk],
        },
        "figures": {"claim": claim.pk, "measure": measure.pk, "text": "about 1,000"},
        "links": {
            "from_claim": claim.pk,
            "to_claim": other.pk,
            "relation": "contradicts",
        },
        "topics": {"name": "Kursk"},
    }


#: The text of ``good_bundle``'s one document.
BUNDLE_TEXT = (
    "The ministry said about 3,000 troops arrived. A source said 1,500 more came."
)


def good_bundle() -> dict:
    """A valid import bundle: one document, three sources, one measure, two claims
    with a figure each, and a link."""
    return {
        "documents": [
            {
                "key": "d1",
                "title": "Wire report",
                "url": "https://wire.example/1",
                "published_at": "2024-10-28T12:00:00Z",
                "text": BUNDLE_TEXT,
            }
        ],
        "sources": [
            {
                "key": "gov",
                "name": "Government of Testland",
                "kind": "government",
                "country": "TL",
            },
            {
                "key": "min",
                "name": "Ministry of Defence",
                "kind": "government",
                "parent": "gov",
            },
            {
                "key": "anon",
                "name": "An unnamed source",
                "kind": "anonymous",
                "parent": "min",
            },
        ],
        "measures": [{"key": "m1", "name": "Troops arrived", "unit": "troops"}],
        "claims": [
            {
                "key": "c1",
                "source": "min",
                "document": "d1",
                "quote": "about 3,000 troops arrived",
                "statement": "3,000 arrived.",
                "attribution_kind": "paraphrase",
                "stated_on": "2024-10-27",
                "topics": ["Arrivals"],
            },
            {
                "key": "c2",
                "source": "anon",
                "document": "d1",
                "quote": "1,500 more came",
                "statement": "1,500 more came.",
                "attribution_kind": "anonymous",
                "stated_on": "2024-10-25",
                "stated_on_precision": "week",
            },
        ],
        "figures": [
            {"key": "f1", "claim": "c1", "measure": "m1", "text": "about 3,000"},
            {"key": "f2", "claim": "c2", "measure": "m1", "text": "1,500"},
        ],
        "links": [
            {
                "key": "l1",
                "from_claim": "c2",
                "to_claim": "c1",
                "relation": "contradicts",
            }
        ],
    }


# The shared cache ------------------------------------------------------------------


def free_port() -> int:
    """A port where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def redis_cache(port: int, **params):
    """The app's cache settings (tracker.settings.base), on a Redis at ``port``."""
    settings = {
        "default": {
            "BACKEND": "tracker.cache.DegradingRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            # A prefix of its own: the backend's state is per address and prefix.
            "KEY_PREFIX": f"outage-{uuid.uuid4().hex}",
            "RETRY_INTERVAL": 30,
            "ON_RECOVERY": "claims.caching.forget_everything",
            **params,
        }
    }
    with override_settings(CACHES=settings):
        yield caches["default"]


def redis_server_at_hand() -> bool:
    """Whether a redis-server can be started for a test (RedisServer)."""
    return shutil.which("redis-server") is not None


class RedisServer:
    """A redis-server of the test's own, to stop and resume."""

    def __init__(self, port=None):
        self.port = port or free_port()
        self.process = subprocess.Popen(
            redis_server_command(shutil.which("redis-server"), self.port),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.client = redis.Redis(port=self.port, socket_timeout=1)
        for _ in range(100):
            try:
                if self.client.ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        self.process.kill()
        raise RuntimeError("redis-server did not start")

    def freeze(self):
        """Stop answering: connections are accepted, nothing is answered."""
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self):
        self.process.send_signal(signal.SIGCONT)

    def keys(self, pattern: str) -> list[bytes]:
        return self.client.keys(pattern)

    def stop(self):
        self.thaw()
        self.process.terminate()
        self.process.wait(timeout=10)
