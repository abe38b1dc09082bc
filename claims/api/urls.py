from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from claims.api import views

app_name = "api"


class Router(DefaultRouter):
    """DRF's router, whose root (``views.ApiRootView``) also lists ``endpoints``."""

    APIRootView = views.ApiRootView

    def __init__(self, endpoints: list[str]):
        super().__init__()
        self.endpoints = tuple(endpoints)

    def get_api_root_view(self, api_urls=None):
        resources = super().get_api_root_view(api_urls).view_initkwargs
        return self.APIRootView.as_view(**resources, endpoints=self.endpoints)


#: The API's URLs besides the resources. The root lists each by its name: a new
#: endpoint added here is listed there.
endpoints = [
    path("import/", views.ImportView.as_view(), name="import"),
    path("import/schema/", views.BundleSchemaView.as_view(), name="import-schema"),
    path("intake/", views.IntakeView.as_view(), name="intake"),
    path("claimreviews/", views.ClaimReviewListView.as_view(), name="claimreviews"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"
    ),
    path("auth/token/", views.TokenView.as_view(), name="token"),
]

router = Router(endpoints=[endpoint.name for endpoint in endpoints])
router.register("sources", views.SourceViewSet, basename="source")
router.register("documents", views.DocumentViewSet, basename="document")
router.register("claims", views.ClaimViewSet, basename="claim")
router.register("measures", views.MeasureViewSet, basename="measure")
router.register("figures", views.FigureViewSet, basename="figure")
router.register("links", views.LinkViewSet, basename="link")
router.register("reviews", views.ReviewViewSet, basename="review")
router.register("topics", views.TopicViewSet, basename="topic")

urlpatterns = [*endpoints, *router.urls]
