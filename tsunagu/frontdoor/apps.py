from django.apps import AppConfig


class FrontDoorConfig(AppConfig):
    name = "tsunagu.frontdoor"
    label = "frontdoor"
    verbose_name = "オンライン相談"
