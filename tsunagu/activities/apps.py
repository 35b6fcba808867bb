from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "tsunagu.activities"
    label = "activities"
    verbose_name = "活動記録"
