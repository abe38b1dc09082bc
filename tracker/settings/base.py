"""Settings shared by every environment.

Environment-specific modules (``local``, ``test``, ``production``) import from here
and override what differs. Secrets and addresses come from the environment.
"""

import math
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DEBUG = False
ALLOWED_HOSTS: list[str] = []

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    # Counts failed sign-ins and locks out guessing (claims.sign_in).
    "axes",
    # The rooms (docs/architecture.md): the domain, exchange, the reviewer pages.
    "claims",
    "claims.exchange",
    "claims.web",
]

MIDDLEWARE = [
    # Outermost: every error answer under /api/ is JSON, whoever wrote it.
    "claims.api.middleware.ApiErrorsAsJsonMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "claims.middleware.RequestBodyLimitMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Serves collected static files (the admin's) under gunicorn, compressed.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records the signed-in user on every history row written during a request.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Answers a sign-in axes locked out (claims.sign_in.lockout_response).
    "axes.middleware.AxesMiddleware",
    # Last, so that it sees a view's exception first: a lost database connection
    # answers 503 with Retry-After, not 500 (claims.outage).
    "claims.outage.DatabaseOutageMiddleware",
]

# Axes first: it refuses a locked-out sign-in before any password is checked. It
# only watches, so Django's own backend still authenticates.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "tracker.urls"

# Messages (the admin's and the pages' notices) are kept in the session, which
# every signed-in editor has: the default fallback storage builds a cookie signer
# on every request, the API's reads included, for nothing (6% of a claim's read).
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "tracker.wsgi.application"

# SQLite is the embedded default; DATABASE_URL (postgres://...) selects PostgreSQL.
# Connections are closed after each request unless DATABASE_CONN_MAX_AGE (seconds)
# keeps them; a kept connection is checked before a request reuses it, so one that
# the database ended between requests (a restart) is replaced, not met by the request.
_conn_max_age = os.environ.get("DATABASE_CONN_MAX_AGE", "0").strip() or "0"
if not _conn_max_age.isdigit():
    raise ImproperlyConfigured(
        "DATABASE_CONN_MAX_AGE must be a whole number of seconds, 0 or more (0: a "
        f"connection a request); not {_conn_max_age!r}."
    )
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(_conn_max_age),
        conn_health_checks=True,
    )
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiler costs tens of milliseconds on queries whose
    # estimates look large (the recursive origin query) and never pays back here.
    # A page read out of order costs what the storage says: 1.1 for the solid-state
    # disks and cloud volumes this runs on (PostgreSQL's default, 4, is a spinning
    # disk's), so a measure's figures are read by their index, not by scanning
    # every figure (a comparison of 1,000 among 200,000 figures: 23 -> 3 ms).
    # DATABASE_RANDOM_PAGE_COST sets another; empty leaves the server's own.
    options = "-c jit=off"
    page_cost = os.environ.get("DATABASE_RANDOM_PAGE_COST", "1.1").strip()
    if page_cost:
        try:
            cost = float(page_cost)
        except ValueError:
            cost = math.nan
        if not (math.isfinite(cost) and cost >= 0):
            raise ImproperlyConfigured(
                "DATABASE_RANDOM_PAGE_COST must be a number of 0 or more (1.1 for "
                f"solid-state storage), or empty; not {page_cost!r}."
            )
        options += f" -c random_page_cost={cost}"
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = options

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "review-queue"
LOGOUT_REDIRECT_URL = "home"

# Content-Security-Policy (Django's own middleware): scripts only from this site;
# styles may be inline because the pages colour quote marks with style attributes.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

#: Failed sign-ins allowed per address and username in SIGN_IN_WINDOW seconds; the
#: failure that reaches it locks that address and username out for SIGN_IN_WINDOW
#: seconds, on the pages', the admin's and the API's sign-in alike.
SIGN_IN_ATTEMPTS = int(os.environ.get("SIGN_IN_ATTEMPTS", "10"))
SIGN_IN_WINDOW = int(os.environ.get("SIGN_IN_WINDOW", "900"))

# django-axes keeps the failures in the database (its own tables); the numbers come
# from SIGN_IN_ATTEMPTS and SIGN_IN_WINDOW, read at each request (claims.sign_in).
AXES_FAILURE_LIMIT = "claims.sign_in.failure_limit"
AXES_COOLOFF_TIME = "claims.sign_in.cool_off"
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"]]
AXES_CLIENT_IP_CALLABLE = "claims.sign_in.address"
AXES_USERNAME_CALLABLE = "claims.sign_in.username"
AXES_LOCKOUT_CALLABLE = "claims.sign_in.lockout_response"
AXES_RESET_ON_SUCCESS = True
# An attempt refused during a lockout is not counted and does not extend it (and
# carries no count, which claims.sign_in.lockout_response relies on).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Only failures are kept: no record of each successful sign-in.
AXES_DISABLE_ACCESS_LOG = True

#: The largest request body accepted: room for an import bundle of about 100,000
#: claims. Larger bodies are refused.
DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024 * 1024

# A shared cache for computed comparisons: Redis when REDIS_URL is set (as under
# gunicorn, where workers must share it), else each process's own memory. While
# Redis is unavailable each process uses its own memory and asks Redis again every
# CACHE_RETRY_INTERVAL seconds (tracker.cache); on its return the entries cached
# before the outage are forgotten.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "tracker.cache.DegradingRedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "tracker"),
            "RETRY_INTERVAL": float(os.environ.get("CACHE_RETRY_INTERVAL", "30")),
            "ON_RECOVERY": "claims.caching.forget_everything",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

#: Whether anonymous visitors may read the API (writes always need a group).
API_OPEN_READ = os.environ.get("API_OPEN_READ", "1") == "1"

# The organisation publishing the reviews, the author of every ClaimReview
# (claims.exchange.linked_data); with no URL, this site's own address is given.
REVIEW_PUBLISHER = {
    "name": os.environ.get("REVIEW_PUBLISHER_NAME", "Fact tracker"),
    "url": os.environ.get("REVIEW_PUBLISHER_URL", ""),
}

REST_FRAMEWORK = {
    # Token first: an anonymous write then answers 401 with a WWW-Authenticate header.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["claims.api.permissions.ModelPermissionsReadOpen"],
    # JSON as REST Framework writes it, by orjson (claims.api.renderers); the
    # browsable pages for a browser that asks for HTML.
    "DEFAULT_RENDERER_CLASSES": [
        "claims.api.renderers.FastJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": (
        "claims.api.negotiation.QuickContentNegotiation"
    ),
    "DEFAULT_SCHEMA_CLASS": "claims.api.schema.TrackerAutoSchema",
    "EXCEPTION_HANDLER": "claims.api.errors.exception_handler",
    # A courtesy against runaway clients, not a security control: authorization is
    # checked per request and object. Rates per client: anonymous by IP, users by id,
    # counted by one integer in the cache (claims.api.throttles).
    "DEFAULT_THROTTLE_CLASSES": ["claims.api.throttles.RequestRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON", "300/minute"),
        "user": os.environ.get("API_THROTTLE_USER", "3000/minute"),
    },
    "COERCE_DECIMAL_TO_STRING": False,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Fact tracker API",
    "DESCRIPTION": (
        "Claims, their sources and documents, the figures they put on measures, the "
        "links between claims, reviews, and the comparison of conflicting figures."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI's files come from the drf-spectacular-sidecar package, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}
