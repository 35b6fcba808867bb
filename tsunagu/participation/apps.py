from django.apps import AppConfig


class ParticipationConfig(AppConfig):
    name = "tsunagu.participation"
    label = "participation"
    verbose_name = "参加支援"
