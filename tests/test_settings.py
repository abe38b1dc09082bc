"""Production settings: secrets from the environment, a clean deployment check."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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
        DJANGO_SECRET_KEY="x7!kq" * 12,
        DJANGO_ALLOWED_HOSTS="facts.example.org",
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
    secrets = {
        "DJANGO_SECRET_KEY": "x7!kq" * 12,
        "DJANGO_ALLOWED_HOSTS": "facts.example.org",
    }
    production = manage("help", "--commands", **secrets)
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
