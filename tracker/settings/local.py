"""Settings for running the app on a developer's machine (``make run``)."""

import os

from .base import *  # noqa: F403
from .base import INSTALLED_APPS

# The corpus generator, the benchmark and the soak run (never in production).
INSTALLED_APPS = [*INSTALLED_APPS, "devtools"]

DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
# A fixed development key: never used by the production settings, which require one.
SECRET_KEY = os.environ.get(
    "DJANGO_SECRET_KEY", "django-insecure-local-development-key-not-for-production"
)
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

# Serve static files straight from the apps (also under DJANGO_DEBUG=0).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
