from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "tsunagu.reports"
    label = "reports"
    verbose_name = "報告・評価"
