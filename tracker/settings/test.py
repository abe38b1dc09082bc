"""Settings for the test suite: fast hashing, no debug, the same database rules."""

from .base import *  # noqa: F403

SECRET_KEY = "django-insecure-test-key"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Serve static files straight from the apps, as in development: no collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
