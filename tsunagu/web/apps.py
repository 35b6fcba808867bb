from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "tsunagu.web"
    label = "web"
