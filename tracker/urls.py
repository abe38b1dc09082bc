"""URL configuration: the health checks, the admin, the REST API under /api/, the
reviewer pages."""

from django.contrib import admin
from django.urls import include, path

from tracker import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/", include("claims.api.urls")),
    path("", include("claims.web.urls")),
]

handler404 = "claims.web.views.not_found"
handler500 = "claims.web.views.server_error"
