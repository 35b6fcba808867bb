"""Settings for the benchmark: the product's settings, on the bench database.

``bench.run`` sets ``DATABASE_URL`` (a separate SQLite file or the
``tsunagu_bench`` PostgreSQL database) before Django starts. DEBUG stays off,
as in production, so that Django does not keep every query in memory; static
files are looked up from the app folders (no collectstatic needed).
"""

import os
import warnings

os.environ.setdefault("TSUNAGU_SECRET_KEY", "bench-only-key-never-used-in-production")

from tsunagu.settings import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The test client's host name.
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]  # noqa: F405
# No collectstatic for the bench: WhiteNoise's warning about STATIC_ROOT is noise here.
warnings.filterwarnings("ignore", message="No directory at")
