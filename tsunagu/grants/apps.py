from django.apps import AppConfig


class GrantsConfig(AppConfig):
    name = "tsunagu.grants"
    label = "grants"
    verbose_name = "閲覧の根拠"
