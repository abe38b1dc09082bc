from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from claims.api import views

app_name = "api"

router = DefaultRouter()
router.register("sources", views.SourceViewSet, basename="source")
router.register("documents", views.DocumentViewSet, basename="document")
router.register("claims", views.ClaimViewSet, basename="claim")
router.register("measures", views.MeasureViewSet, basename="measure")
router.register("figures", views.FigureViewSet, basename="figure")
router.register("links", views.LinkViewSet, basename="link")
router.register("reviews", views.ReviewViewSet, basename="review")
router.register("topics", views.TopicViewSet, basename="topic")

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("import/", views.ImportView.as_view(), name="import"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"
    ),
    *router.urls,
]
