"""Production settings: secrets from the environment, a clean deployment check."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: What production settings need to start.
SECRETS = {
    "DJANGO_SECRET_KEY": "x7!kq" * 12,
    "DJANGO_ALLOWED_HOSTS": "facts.example.org",
}


def manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment |= {"DJANGO_SETTINGS_MODULE": "tracker.settings.production"} | env
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **SECRETS,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_the_developer_tools_are_not_installed_in_production():
    """The corpus generator, benchmark and soak run (the devtools app) come with the
    local and test settings only; the exchange commands come everywhere."""
    production = manage("help", "--commands", **SECRETS)
    assert production.returncode == 0, production.stderr
    commands = set(production.stdout.split())
    assert {
        "import_bundle",
        "export_archive",
        "import_archive",
        "bootstrap",
    } <= commands
    assert not {"generate_corpus", "benchmark", "soak"} & commands
    local = manage(
        "help", "--commands", DJANGO_SETTINGS_MODULE="tracker.settings.local"
    )
    assert {"generate_corpus", "benchmark", "soak"} <= set(local.stdout.split())


def shown(
    expression: str, imports: str = "from django.conf import settings", **env
) -> subprocess.CompletedProcess:
    """The production settings printing ``expression`` (after ``imports``)."""
    return manage(
        "shell",
        "--no-imports",
        "-c",
        f"{imports}; print({expression})",
        **SECRETS,
        **env,
    )


def assert_refused(run, values, message: str) -> None:
    """Each of ``values`` stops ``run(value)`` with ``message``."""
    for bad in values:
        refused = run(bad)
        assert refused.returncode != 0, bad
        assert message in refused.stderr, refused.stderr


def _postgres_options(**env) -> subprocess.CompletedProcess:
    return shown(
        "settings.DATABASES['default']['OPTIONS']['options']",
        DATABASE_URL="postgres://nobody@127.0.0.1:1/none",
        **env,
    )


def test_postgresql_reads_pages_out_of_order_at_the_cost_of_solid_state_storage():
    default = _postgres_options()
    assert default.returncode == 0, default.stderr
    assert default.stdout.split() == ["-c", "jit=off", "-c", "random_page_cost=1.1"]
    spinning = _postgres_options(DATABASE_RANDOM_PAGE_COST="4")
    assert spinning.stdout.split()[-1] == "random_page_cost=4.0"
    servers_own = _postgres_options(DATABASE_RANDOM_PAGE_COST="")
    assert servers_own.stdout.split() == ["-c", "jit=off"]
    assert_refused(
        lambda bad: _postgres_options(DATABASE_RANDOM_PAGE_COST=bad),
        ("1.1; DROP", "nan", "inf", "-1"),
        "DATABASE_RANDOM_PAGE_COST must be a number of 0 or more",
    )


def _conn_max_age(**env) -> subprocess.CompletedProcess:
    return shown("settings.DATABASES['default']['CONN_MAX_AGE']", **env)


def test_connections_are_kept_for_the_seconds_asked_and_a_bad_value_is_refused():
    assert _conn_max_age().stdout.split()[-1] == "0"
    assert _conn_max_age(DATABASE_CONN_MAX_AGE="60").stdout.split()[-1] == "60"
    assert_refused(
        lambda bad: _conn_max_age(DATABASE_CONN_MAX_AGE=bad),
        ("sixty", "-1", "1.5", "60s"),
        "DATABASE_CONN_MAX_AGE must be a whole number of seconds",
    )


def test_production_without_redis_keeps_nothing_computed():
    """gunicorn's workers share no memory: without REDIS_URL nothing computed is
    cached (a write answered by one worker could not drop what another kept)."""
    show = {
        "expression": "type(caches['default']).__name__, caching.shared()",
        "imports": "from django.core.cache import caches; from claims import caching",
    }
    without = shown(**show, REDIS_URL="")
    assert without.returncode == 0, without.stderr
    assert without.stdout.split()[-2:] == ["ProcessCache", "False"]
    with_redis = shown(**show, REDIS_URL="redis://127.0.0.1:1/0")
    assert with_redis.stdout.split()[-2:] == ["DegradingRedisCache", "True"]
