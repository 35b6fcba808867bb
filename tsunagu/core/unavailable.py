"""What staff see while the database cannot be reached (a restart of
PostgreSQL, a failover, a network cut, SQLite busy beyond its timeout).

Django answers an error it did not expect with ``handler500``; wherever the
error arose (the session loaded by a middleware, a view, the API), it ends
there. For a database that cannot be reached it is not a fault of the
system to report but a wait: 503 with ``Retry-After``, a page in Japanese
that says so (the API: the same sentence in JSON), no traceback and nothing
of the request. Every other error keeps Django's 500 page (``500.html``).

Nothing here reads the database: the page is rendered without the request's
context processors, which would load the user again. The connection is not
kept: Django closes a connection that failed at the end of the request, and
with ``CONN_HEALTH_CHECKS`` a persistent one is checked before it is reused,
so the first request after the database is back succeeds without a restart
of the app.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults

#: Errors of a database that does not answer, whatever the backend.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
#: Seconds a browser or an API client is told to wait before trying again.
RETRY_AFTER_SECONDS = 30


def database_unavailable(request: HttpRequest) -> HttpResponse:
    message = _("ただいまデータベースに接続できません。しばらくしてからもう一度お試しください。")
    response: HttpResponse
    if request.path_info.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=503)
    else:
        page = loader.render_to_string("503.html", {"message": message})
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: Django calls it while handling the error, which is the current one."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_UNAVAILABLE):
        return database_unavailable(request)
    return defaults.server_error(request)
