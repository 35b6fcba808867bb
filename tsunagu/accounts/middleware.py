"""Two-factor enforcement: a staff member holding a role for which their
municipality requires two-factor authentication reaches nothing but the
two-factor pages (and logout) until the session is verified."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve

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
            and two_factor_required(user)  # type: ignore[arg-type]
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
