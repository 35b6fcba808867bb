"""Two-factor enforcement: a staff member holding a role for which their
municipality requires two-factor authentication, or who has registered an
authenticator of their own accord, reaches nothing but the two-factor pages
(and logout) until the session is verified."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.accounts.selectors import has_confirmed_totp, two_factor_required

EXEMPT_URL_NAMES = frozenset({"login", "logout", "two_factor_setup", "two_factor_verify"})


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()  # type: ignore[union-attr,attr-defined]
            and (two_factor_required(user) or has_confirmed_totp(user))  # type: ignore[arg-type]
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


class IdleTimeoutMiddleware:
    """Signs a staff member out after their municipality's idle minutes.

    The session cookie itself ends with the browser; this checks the time
    since the last request on the server, so a terminal left open at a
    window does not stay signed in.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            now = int(timezone.now().timestamp())
            last = request.session.get(LAST_ACTIVITY_SESSION_KEY, now)
            limit = user.municipality.session_minutes * 60  # type: ignore[union-attr]
            if now - int(last) > limit:
                logout(request)
                messages.info(request, _("一定時間操作がなかったため、ログアウトしました。"))
                if request.path_info.startswith("/api/"):
                    return JsonResponse(
                        {"detail": "一定時間操作がなかったため、ログアウトしました。"}, status=401
                    )
                return redirect(f"{reverse('login')}?next={request.path}")
            request.session[LAST_ACTIVITY_SESSION_KEY] = now
        return self.get_response(request)
