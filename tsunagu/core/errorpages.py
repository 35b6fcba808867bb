"""Django's 400 and 404 for requests no view answered, in the API's shape
under ``/api/`` (JSON in Japanese, as the API's own errors) and as pages
elsewhere. (The 500 and 503: ``core.unavailable``.)

- 400: a request refused before any view, such as a body over
  ``DATA_UPLOAD_MAX_MEMORY_SIZE`` read by a middleware (413 for that one).
- 404: a path no route matches, such as an API id that is not digits
  (``/api/v1/persons/+5``: ids are routed with Django's ``int`` converter).
"""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler400``."""
    if _is_api(request):
        if isinstance(exception, RequestDataTooBig):
            return JsonResponse(
                {"detail": _("本文が大きすぎます。分けて送ってください。")}, status=413
            )
        return JsonResponse({"detail": _("リクエストの形式が正しくありません。")}, status=400)
    return defaults.bad_request(request, exception)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler404``."""
    if _is_api(request):
        return JsonResponse({"detail": _("見つかりません。")}, status=404)
    return defaults.page_not_found(request, exception)
