from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "tsunagu.demo"
    label = "demo"
    verbose_name = "デモ自治体"
