from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tsunagu.audit"
    label = "audit"
    verbose_name = "監査証跡"

    def ready(self) -> None:
        from tsunagu.audit import receivers  # noqa: F401 - connects the auth receivers
