"""The soak command, run briefly against a live server: it reports its figures and
finds every acknowledged write in the database and in history."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from claims.models import Figure, Source

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="soak runs are for PostgreSQL: the in-memory SQLite test database shares "
    "one connection between the server's threads and the test",
)
def test_a_short_soak_keeps_every_acknowledged_write(live_server, settings):
    from claims.seed import load_seed

    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_CLASSES": [],
    }
    load_seed()
    out = io.StringIO()
    call_command(
        "soak",
        url=live_server.url,
        clients=3,
        seconds=30,
        max_requests=150,
        stdout=out,
    )
    report = out.getvalue()
    assert "150 requests from 3 clients" in report
    assert "Errors: 0." in report
    assert "every acknowledged write kept" in report
    created = Source.history.filter(history_type="+", name__startswith="Soak source")
    assert f"sources: {created.count():,} created" in report
    assert Figure.history.filter(history_user__username="soak").exists()


def test_a_soak_goes_to_this_machine_only(db):
    with pytest.raises(CommandError, match="this machine only"):
        call_command("soak", url="http://example.com", seconds=1)
