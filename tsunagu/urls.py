"""URL configuration. Every route is declared to the policy module; the
test ``tsunagu/tests/test_routes.py`` fails on any that is not."""

import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, URLResolver, include, path
from django.urls.resolvers import RoutePattern

from tsunagu import policy
from tsunagu.accounts import views as accounts_views
from tsunagu.accounts import views_retention
from tsunagu.api.root import api, integer_path_params
from tsunagu.frontdoor.line import urls as line_urls
from tsunagu.web import drafts as web_drafts
from tsunagu.web import views as web_views


def _japanese_405(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """ninja answers a wrong method with English plain text; answer in Japanese JSON."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405:
            answer = JsonResponse({"detail": "このメソッドは使えません。"}, status=405)
            answer["Allow"] = response.get("Allow", "")
            return answer
        return response

    return wrapped


def _api_urls() -> list[URLPattern | URLResolver]:
    # The API answers 401 in JSON itself (session or bearer token), so the
    # login-redirect middleware steps aside; every operation still carries its
    # own authentication and policy declaration (checked by the route test).
    # The API browser and the OpenAPI document stay behind the login page.
    patterns, _app, _namespace = api.urls
    integers = integer_path_params()
    for pattern in patterns:
        if isinstance(pattern, URLPattern) and pattern.callback.__module__ == "ninja.operation":
            pattern.callback = login_not_required(_japanese_405(pattern.callback))
            # Ids are digits: "+5" or " 5" is no id (see integer_path_params).
            route = re.sub(
                r"<(\w+)>",
                lambda m: f"<int:{m[1]}>" if m[1] in integers else m[0],
                str(pattern.pattern),
            )
            pattern.pattern = RoutePattern(route, name=pattern.name, is_endpoint=True)
        elif isinstance(pattern, URLPattern) and pattern.name == "api-root":
            # ninja's root redirects to the API browser; declare it like the browser.
            pattern.callback = policy.route("own_account", policy.Action.VIEW)(pattern.callback)
    return patterns


account_patterns = [
    path("", accounts_views.profile, name="profile"),
    path("tokens/<int:pk>/revoke/", accounts_views.api_token_revoke, name="api_token_revoke"),
    path("acting-organization/", accounts_views.acting_organization, name="acting_organization"),
    path("stay-signed-in/", web_drafts.stay_signed_in, name="stay_signed_in"),
    path("staff/", accounts_views.staff_list, name="staff_list"),
    path("staff/new/", accounts_views.staff_create, name="staff_create"),
    path("staff/<int:pk>/", accounts_views.staff_detail, name="staff_detail"),
    path("memberships/<int:pk>/end/", accounts_views.membership_end, name="membership_end"),
    path("security/", accounts_views.security, name="security"),
    path("security/retention/", views_retention.retention_report, name="retention_report"),
]

urlpatterns = [
    path("", web_views.home, name="home"),
    path("healthz", web_views.health, name="health"),
    path("drafts/", web_drafts.draft_detail, name="draft_detail"),
    path("drafts/save/", web_drafts.draft_save, name="draft_save"),
    path("drafts/discard/", web_drafts.draft_discard, name="draft_discard"),
    path("login/", accounts_views.login, name="login"),
    path("logout/", accounts_views.logout, name="logout"),
    path("two-factor/setup/", accounts_views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/verify/", accounts_views.two_factor_verify, name="two_factor_verify"),
    path("account/", include((account_patterns, "accounts"))),
    path("directory/", include("tsunagu.directory.urls")),
    path("people/", include("tsunagu.people.urls")),
    path("consultations/", include("tsunagu.consultations.urls")),
    path("referrals/", include("tsunagu.referrals.urls")),
    path("cases/", include("tsunagu.cases.urls")),
    path("meetings/", include("tsunagu.meetings.urls")),
    path("plans/", include("tsunagu.plans.urls")),
    path("outreach/", include("tsunagu.outreach.urls")),
    path("progress/", include("tsunagu.progress.urls")),
    path("assessments/", include("tsunagu.assessments.urls")),
    path("life-events/", include("tsunagu.lifeevents.urls")),
    path("participation/", include("tsunagu.participation.urls")),
    path("resources/", include("tsunagu.resources.urls")),
    path("community/", include("tsunagu.community.urls")),
    path("activities/", include("tsunagu.activities.urls")),
    path("reports/", include("tsunagu.reports.urls")),
    path("audit/", include("tsunagu.audit.urls")),
    path("", include("tsunagu.appointments.urls")),
    path("threads/", include("tsunagu.frontdoor.urls")),
    path("api/v1/", include((_api_urls(), "api"))),
    path("settings/line/", include((line_urls.settings_patterns, "line"))),
]

# A database that cannot be reached answers 503 with Retry-After (tsunagu/core/unavailable.py).
handler400 = "tsunagu.core.errorpages.bad_request"
handler404 = "tsunagu.core.errorpages.not_found"
handler500 = "tsunagu.core.unavailable.server_error"
