"""Concurrent writers on PostgreSQL, with real connections in threads."""

import threading

import pytest
from django.db import connection, connections

from claims.models import Claim, Link

from ..factories import ClaimFactory, LinkFactory
from ..helpers import api_client

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="races are tested on PostgreSQL"
    ),
]


def at_once(user, requests):
    """Send each (method, path, body, headers) from its own thread and connection,
    released together; returns the status codes in order."""
    barrier = threading.Barrier(len(requests))
    codes = [None] * len(requests)

    def send(index, method, path, body, headers):
        client = api_client(user)
        try:
            barrier.wait()
            response = getattr(client, method)(path, body, format="json", **headers)
            codes[index] = response.status_code
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=send, args=(i, *request))
        for i, request in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return codes


def test_two_editors_with_if_match_lose_no_update(editor_user):
    claim = ClaimFactory(statement="Original.")
    path = f"/api/claims/{claim.pk}/"
    etag = f'"{claim.version}"'
    codes = at_once(
        editor_user,
        [
            ("patch", path, {"statement": "First editor."}, {"HTTP_IF_MATCH": etag}),
            ("patch", path, {"statement": "Second editor."}, {"HTTP_IF_MATCH": etag}),
        ],
    )
    assert sorted(codes) == [200, 412]
    claim.refresh_from_db()
    winner = "First editor." if codes[0] == 200 else "Second editor."
    assert claim.statement == winner
    assert claim.version == 2
    assert claim.history.filter(statement=winner).count() == 1
    assert not claim.history.filter(
        statement="Second editor." if winner == "First editor." else "First editor."
    ).exists()


def test_two_clients_adding_the_same_link_create_one(editor_user):
    a, b = ClaimFactory(), ClaimFactory()
    body = {"from_claim": a.pk, "to_claim": b.pk, "relation": "corroborates"}
    reverse = {"from_claim": b.pk, "to_claim": a.pk, "relation": "corroborates"}
    codes = at_once(
        editor_user,
        [
            ("post", "/api/links/", body, {}),
            ("post", "/api/links/", reverse, {}),
            ("post", "/api/links/", body, {}),
        ],
    )
    assert sorted(codes) == [201, 400, 400]
    assert Link.objects.count() == 1


def test_two_based_on_links_that_together_close_a_cycle_leave_no_cycle(editor_user):
    a, b, c = ClaimFactory(), ClaimFactory(), ClaimFactory()
    LinkFactory(from_claim=b, to_claim=a, relation="repeats")
    # c -> b and a -> c are each fine alone; together: a -> c -> b -> a.
    codes = at_once(
        editor_user,
        [
            (
                "post",
                "/api/links/",
                {"from_claim": c.pk, "to_claim": b.pk, "relation": "based_on"},
                {},
            ),
            (
                "post",
                "/api/links/",
                {"from_claim": a.pk, "to_claim": c.pk, "relation": "based_on"},
                {},
            ),
        ],
    )
    assert sorted(codes) == [201, 400]
    edges = dict(
        Link.objects.filter(relation__in=["repeats", "based_on"]).values_list(
            "from_claim_id", "to_claim_id"
        )
    )
    seen, node = set(), a.pk
    while node in edges and node not in seen:  # follow from a: it must end
        seen.add(node)
        node = edges[node]
    assert node not in seen


def test_an_import_that_fails_halfway_leaves_nothing(editor_user):
    claim = ClaimFactory()
    before = Claim.objects.count()
    bundle = {
        "documents": [{"key": "d", "title": "T", "text": "Words here."}],
        "sources": [{"key": "s", "name": "A new source", "kind": "person"}],
        "claims": [
            {
                "key": "c",
                "source": "s",
                "document": "d",
                "quote": "Words here",
                "statement": "S.",
                "attribution_kind": "paraphrase",
            }
        ],
        "links": [
            {"key": "l", "from_claim": "c", "to_claim": "c", "relation": "repeats"},
            {
                "key": "ok",
                "from_claim": "c",
                "to_claim": claim.pk,
                "relation": "repeats",
            },
        ],
    }
    (code,) = at_once(editor_user, [("post", "/api/import/", bundle, {})])
    assert code == 400
    assert Claim.objects.count() == before
    assert not Claim.history.filter(statement="S.").exists()


def test_an_import_killed_halfway_leaves_nothing(editor_user, tmp_path, settings):
    """A command-line import killed (SIGKILL) after its claims and figures are
    written, inside its transaction: nothing of it is left, and the link-graph lock
    it held is released, so the next import goes through."""
    import json
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    from claims.models import Document, Figure, Source
    from devtools import corpus

    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(corpus.bundle(claims=20_000, seed=5)))
    models = (Claim, Document, Source, Figure, Link)

    def counts():
        return [m.objects.count() for m in models] + [m.history.count() for m in models]

    before = counts()
    db = settings.DATABASES["default"]
    url = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )
    root = Path(__file__).resolve().parents[2]
    process = subprocess.Popen(
        [sys.executable, "manage.py", "import_bundle", str(path)],
        cwd=root,
        env={
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "tracker.settings.test",
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    seen, deadline = b"", time.monotonic() + 120
    while b"figures" not in seen and time.monotonic() < deadline:
        chunk = os.read(process.stderr.fileno(), 4096)
        if not chunk:
            break
        seen += chunk
    assert b"figures" in seen, seen[-500:]
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, "killed before it finished"

    assert counts() == before

    small = corpus.bundle(claims=200, seed=6)
    code = subprocess.run(
        [sys.executable, "manage.py", "import_bundle", "-", "--quiet"],
        cwd=root,
        input=json.dumps(small).encode(),
        env={
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "tracker.settings.test",
        },
        capture_output=True,
        timeout=120,
    )
    assert code.returncode == 0, code.stderr.decode()[-1000:]
    assert Claim.objects.count() == before[0] + 200
