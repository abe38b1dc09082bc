from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "claims.exchange"
    label = "exchange"
    verbose_name = "Import and export"
