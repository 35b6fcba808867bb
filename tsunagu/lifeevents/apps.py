from django.apps import AppConfig


class LifeEventsConfig(AppConfig):
    name = "tsunagu.lifeevents"
    label = "lifeevents"
    verbose_name = "家族の出来事"
