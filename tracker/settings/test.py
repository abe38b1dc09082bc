"""Settings for the test suite: fast hashing, no debug, the same database rules."""

from .base import *  # noqa: F403
from .base import INSTALLED_APPS

# The corpus generator, the benchmark and the soak run (never in production).
INSTALLED_APPS = [*INSTALLED_APPS, "devtools"]

SECRET_KEY = "django-insecure-test-key"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Serve static files straight from the apps, as in development: no collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
