from django.apps import AppConfig


class ProgressConfig(AppConfig):
    name = "tsunagu.progress"
    label = "progress"
    verbose_name = "支援経過記録"
