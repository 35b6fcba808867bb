"""What staff see while the database cannot be reached (a restart of
PostgreSQL, a failover, a network cut, SQLite busy beyond its timeout).

Django answers an error it did not expect with ``handler500``; wherever the
error arose (the session loaded by a middleware, a view, the API), it ends
there. For a database that cannot be reached it is not a fault of the
system to report but a wait: 503 with ``Retry-After``, a page in Japanese
that says so (the API: the same sentence in JSON), no traceback and nothing
of the request. Every other error keeps Django's 500 page (``500.html``).

Only a database that does not answer is an outage: an OperationalError is
also what SQLite raises for a query it refuses ("Expression tree is too
large", "too many SQL variables") and PostgreSQL for a cancelled statement.
Telling a clerk the database is down for those would send them to wait for
nothing: :func:`connection_lost` looks at the driver's own error.

Nothing here reads the database: the page is rendered without the request's
context processors, which would load the user again. The connection is not
kept: Django closes a connection that failed at the end of the request, and
with ``CONN_HEALTH_CHECKS`` a persistent one is checked before it is reused,
so the first request after the database is back succeeds without a restart
of the app.
"""

from __future__ import annotations

import sqlite3
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

#: SQLite's primary result codes of a database that cannot be used now:
#: BUSY, LOCKED, IOERR, CANTOPEN, PROTOCOL.
SQLITE_UNAVAILABLE = frozenset({5, 6, 10, 14, 15})
#: PostgreSQL's SQLSTATEs of a lost or refused connection besides class 08:
#: too many connections, admin or crash shutdown, cannot connect now.
POSTGRES_UNAVAILABLE = frozenset({"53300", "57P01", "57P02", "57P03"})


def connection_lost(error: BaseException) -> bool:
    """Whether ``error`` says the database cannot be reached (not that it refused a query)."""
    if isinstance(error, InterfaceError):
        return True
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    if isinstance(cause, sqlite3.Error):
        code = getattr(cause, "sqlite_errorcode", None)
        return code is not None and code & 0xFF in SQLITE_UNAVAILABLE
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate:
        return str(sqlstate).startswith("08") or sqlstate in POSTGRES_UNAVAILABLE
    # No driver error to read (psycopg's failed connect has no SQLSTATE): the
    # connection could not be made.
    return True


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
    if error is not None and connection_lost(error):
        return database_unavailable(request)
    return defaults.server_error(request)
