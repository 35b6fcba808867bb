from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "tsunagu.plans"
    label = "plans"
    verbose_name = "支援プラン"
