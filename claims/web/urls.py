from django.contrib.auth import views as auth_views
from django.urls import path

from claims.web import intake, new_claim, views

urlpatterns = [
    path("", views.home, name="home"),
    path("review/", views.review_queue, name="review-queue"),
    path("claims/<int:pk>/", views.claim_detail, name="claim"),
    path("documents/<int:pk>/", views.document_detail, name="document"),
    path("documents/<int:pk>/claims/new/", new_claim.new_claim, name="new-claim"),
    path("measures/<int:pk>/", views.measure_detail, name="measure"),
    path("sources/<int:pk>/", views.source_detail, name="source"),
    path("topics/<int:pk>/", views.topic_detail, name="topic"),
    path("search/", views.search, name="search"),
    path("intake/", intake.intake, name="intake"),
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]
