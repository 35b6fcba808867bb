from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    name = "tsunagu.resources"
    label = "resources"
    verbose_name = "社会資源"
