from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "claims.web"
    label = "web"
    verbose_name = "Reviewer pages"
