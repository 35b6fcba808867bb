"""Settings of the app server that the fault tests start in a subprocess:
the test settings, with the schema created from the models (as Django's own
test runner does with ``MIGRATE: False``) so that a throwaway database is
ready in seconds instead of the half minute the migrations take."""

from tsunagu.settings_test import *  # noqa: F403


class _NoMigrations(dict):  # type: ignore[type-arg]
    def __contains__(self, item: object) -> bool:
        return True

    def __getitem__(self, item: str) -> None:
        return None


MIGRATION_MODULES = _NoMigrations()

# Throwaway accounts: the MD5 hasher, as the suite's conftest uses (Argon2 stays the product's).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
