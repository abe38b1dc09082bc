"""URL configuration: the admin, the REST API under /api/, the reviewer pages."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("claims.api.urls")),
    path("", include("claims.web.urls")),
]

handler404 = "claims.web.views.not_found"
handler500 = "claims.web.views.server_error"
