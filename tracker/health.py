"""Health checks for load balancers and orchestrators (README, "Health checks").

``/healthz``: the process answers; nothing else is touched. ``/readyz``: the
database answers and has every migration applied, and the cache's state, "ok" or
"degraded" (Redis unavailable: each process caches in its own memory, the app still
serves). Both are plain views: no session, no sign-in, no throttling, no CSRF (they
only read), outside the API and its schema.
"""

import logging

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

#: Once the database is found migrated, it stays so for the life of the process:
#: loading the migrations is the one costly step of the check.
_migrated = False


def _database() -> str:
    """ "ok", "unreachable" or "unmigrated"."""
    global _migrated
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        if not _migrated:
            executor = MigrationExecutor(connection)
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
            if plan:
                return "unmigrated"
            _migrated = True
    except DatabaseError as error:
        logger.warning("Readiness: the database does not answer (%s).", error)
        return "unreachable"
    return "ok"


def _cache() -> str:
    """ "ok", or "degraded" while a shared cache is unavailable (tracker.cache)."""
    reachable = getattr(cache, "reachable", None)
    if reachable is None:  # the process's own memory: always there
        return "ok"
    return "ok" if reachable() else "degraded"


@never_cache
@require_safe
def healthz(request):
    """The process answers."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request):
    """Whether to send this process requests: 200 when the database answers and is
    migrated, whatever the cache's state; 503 otherwise."""
    database = _database()
    ready = database == "ok"
    return JsonResponse(
        {
            "status": "ok" if ready else "unavailable",
            "database": database,
            "cache": _cache(),
        },
        status=200 if ready else 503,
    )
