"""Two-factor enforcement: a staff member holding a role for which their
municipality requires two-factor authentication, or who has registered an
authenticator of their own accord, reaches nothing but the two-factor pages
(and logout) until the session is verified. And the idle timeout of sessions."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_htmx.http import HttpResponseClientRedirect

from tsunagu.accounts.selectors import has_confirmed_totp, second_factor_expected

if TYPE_CHECKING:
    from tsunagu.accounts.models import Staff

EXEMPT_URL_NAMES = frozenset({"login", "logout", "two_factor_setup", "two_factor_verify"})


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()  # type: ignore[union-attr,attr-defined]
            and second_factor_expected(user)  # type: ignore[arg-type]
        ):
            try:
                url_name = resolve(request.path_info).url_name
            except Resolver404:
                url_name = None
            if url_name not in EXEMPT_URL_NAMES:
                if request.path_info.startswith("/api/"):
                    return JsonResponse(
                        {
                            "detail": "この役割では二要素認証が必要です。画面からログインし直してください。"
                        },
                        status=403,
                    )
                if has_confirmed_totp(user):  # type: ignore[arg-type]
                    return redirect("two_factor_verify")
                return redirect("two_factor_setup")
        return self.get_response(request)


LAST_ACTIVITY_SESSION_KEY = "last_activity"
IDLE_MESSAGE = _("一定時間操作がなかったため、ログアウトしました。もう一度ログインしてください。")


def idle_limit_seconds(user: Staff) -> int:
    """Seconds without a request after which ``user`` is signed out: their
    municipality's minutes or ``SESSION_COOKIE_AGE``, whichever is shorter."""
    return min(user.municipality.session_minutes * 60, settings.SESSION_COOKIE_AGE)


def keep_alive(request: HttpRequest) -> None:
    """The staff member asked to stay signed in: their idle time starts again now."""
    request.session[LAST_ACTIVITY_SESSION_KEY] = int(timezone.now().timestamp())


class IdleTimeoutMiddleware:
    """Signs a staff member out after their municipality's idle minutes.

    The session cookie itself ends with the browser; this checks the time
    since the last request on the server, so a terminal left open at a
    window does not stay signed in. The limit is the municipality's minutes
    or ``SESSION_COOKIE_AGE``, whichever is shorter. A session that the
    server has already ended (the session store expires it after
    ``SESSION_COOKIE_AGE`` without a request) is told apart from a visitor
    who never signed in by the cookie the browser still sends; both kinds of
    timeout lead to the login page with the same message.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            now = int(timezone.now().timestamp())
            last = request.session.get(LAST_ACTIVITY_SESSION_KEY, now)
            limit = idle_limit_seconds(user)  # type: ignore[arg-type]
            if now - int(last) > limit:
                logout(request)
                return _to_login(request)
            # Recorded again once it is TSUNAGU_LAST_ACTIVITY_RESOLUTION old:
            # recording it on every request cost every page three statements
            # (savepoint, update, release). The idle limit counts from the
            # recorded time, so it may end a session that much early, never late.
            resolution = settings.TSUNAGU_LAST_ACTIVITY_RESOLUTION
            if LAST_ACTIVITY_SESSION_KEY not in request.session or now - int(last) >= resolution:
                request.session[LAST_ACTIVITY_SESSION_KEY] = now
        elif _session_ended(request):
            return _to_login(request)
        return self.get_response(request)


def _session_ended(request: HttpRequest) -> bool:
    """The browser sends the cookie of a session the server no longer has."""
    if not request.COOKIES.get(settings.SESSION_COOKIE_NAME) or "Authorization" in request.headers:
        return False
    try:
        url_name = resolve(request.path_info).url_name
    except Resolver404:
        url_name = None
    if url_name in ("login", "logout"):
        return False
    request.session.get(LAST_ACTIVITY_SESSION_KEY)  # loads the session from the store
    # The store forgets the key of a session it does not hold (expired or deleted).
    return request.session.session_key is None


def _to_login(request: HttpRequest) -> HttpResponse:
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": str(IDLE_MESSAGE)}, status=401)
    messages.info(request, IDLE_MESSAGE)
    if request.headers.get("HX-Request"):
        # htmx would draw the login page inside the part it was updating:
        # send the whole window there, back to the page it was showing.
        current = urlsplit(request.headers.get("HX-Current-URL", "")).path or "/"
        return HttpResponseClientRedirect(
            f"{reverse('login')}?{urlencode({'next': current}, safe='/')}"
        )
    return redirect(f"{reverse('login')}?{urlencode({'next': request.path}, safe='/')}")
