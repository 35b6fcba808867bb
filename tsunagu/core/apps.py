from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tsunagu.core"
    label = "core"
    verbose_name = "基盤"

    def ready(self) -> None:
        from django.core.signals import request_finished
        from django.db.models.signals import post_migrate

        from tsunagu.core.database import sqlite_optimize

        # Before Django closes (or keeps) the request's connection.
        request_finished.connect(sqlite_optimize, dispatch_uid="tsunagu_sqlite_optimize")
        post_migrate.connect(sqlite_optimize, sender=self, dispatch_uid="tsunagu_optimize_migrate")
