"""Settings for the test suite: the product's settings with a throwaway key."""

import os

os.environ.setdefault("TSUNAGU_SECRET_KEY", "test-secret-key-not-for-production")

from tsunagu.settings import *  # noqa: F403

# Static files come from the app folders through the finders (no collectstatic run).
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The suite makes many API requests as the same few staff (SQLite reuses their
# ids from test to test): the rate limit has its own test with a low rate.
TSUNAGU_API_RATE = "1000000/min"
# The session's last activity is recorded on a session's first request, then
# not again within the hour: tests that count a page's statements before and
# after adding rows must not see a session write because adding them took
# over a minute on a loaded machine. (test_session_timeout sets the product's
# minute where it matters.)
TSUNAGU_LAST_ACTIVITY_RESOLUTION = 3600
# オンライン相談: localhost is the public host (the live server's address for
# the browser; the staff pages are opened at 127.0.0.1), and the public hosts
# are read once (a test that sets one calls publichost.forget_public_hosts), so
# that no counted request of a staff page reads them.
TSUNAGU_PUBLIC_LOCAL_HOST = "localhost"
TSUNAGU_PUBLIC_HOST_SECONDS = None
