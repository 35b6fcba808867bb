"""The API at /api/v1/ assembled: the NinjaAPI, its answers to refusals, and
every app's router. Imported by the URL configuration alone
(tsunagu/tests/test_api_imports.py): the apps' APIs import the shared
modules beside this one, never this one.
"""

from collections import defaultdict
from typing import Any

from ninja.security import SessionAuth

from tsunagu import policy
from tsunagu.accounts.api import router as accounts_router
from tsunagu.activities.api import router as activities_router
from tsunagu.api import errors
from tsunagu.api.auth import TokenAuth, policy_before_input
from tsunagu.api.document import DocumentedAPI
from tsunagu.api.parsing import TextParser
from tsunagu.appointments.api import router as appointments_router
from tsunagu.assessments.api import router as assessments_router
from tsunagu.audit.api import router as audit_router
from tsunagu.cases.api import router as cases_router
from tsunagu.community.api import router as community_router
from tsunagu.consultations.api import router as consultations_router
from tsunagu.core.throttling import StaffRateThrottle
from tsunagu.directory.api import router as directory_router
from tsunagu.directory.api_organizations import router as organizations_router
from tsunagu.frontdoor.api import router as frontdoor_router
from tsunagu.lifeevents.api import router as lifeevents_router
from tsunagu.meetings.api import router as meetings_router
from tsunagu.outreach.api import router as outreach_router
from tsunagu.participation.api import router as participation_router
from tsunagu.people.api import router as people_router
from tsunagu.plans.api import router as plans_router
from tsunagu.progress.api import router as progress_router
from tsunagu.referrals.api import router as referrals_router
from tsunagu.reports.api_business import router as reports_business_router
from tsunagu.reports.api_strategy import router as reports_strategy_router
from tsunagu.reports.api_survey import router as reports_survey_router
from tsunagu.resources.api import router as resources_router
from tsunagu.resources.hsds_api import router as hsds_router

api = DocumentedAPI(
    title="つなぐ API",
    version="1",
    description="重層的支援体制整備事業 支援システムの API。すべての操作はアクセス方針と監査証跡の対象です。",
    # The token first: a request carrying one needs no CSRF token, and the
    # session check would refuse it before the token was looked at.
    auth=[TokenAuth(), SessionAuth()],
    # Per staff member (settings.TSUNAGU_API_RATE); over it: 429 with Retry-After.
    throttle=[StaffRateThrottle()],
    urls_namespace="api",
    docs_decorator=policy.route("own_account", policy.Action.VIEW),
    parser=TextParser(),
)

_forbidden = errors.install(api)

api.add_router("/", accounts_router)
api.add_router("/", organizations_router)
api.add_router("/", directory_router)
api.add_router("/", people_router)
api.add_router("/", consultations_router)
api.add_router("/", referrals_router)
api.add_router("/", cases_router)
api.add_router("/", meetings_router)
api.add_router("/", plans_router)
api.add_router("/", outreach_router)
api.add_router("/", progress_router)
api.add_router("/", assessments_router)
api.add_router("/", lifeevents_router)
api.add_router("/", participation_router)
api.add_router("/", resources_router)
api.add_router("/hsds", hsds_router)
api.add_router("/", activities_router)
api.add_router("/", community_router)
api.add_router("/", reports_business_router)
api.add_router("/", reports_strategy_router)
api.add_router("/", reports_survey_router)
api.add_router("/", audit_router)
api.add_router("/", appointments_router)
api.add_router("/", frontdoor_router)


def operations() -> list[Any]:
    """Every operation of the API (for the route-enumeration test)."""
    found = []
    for bound in api._get_bound_routers():
        for path_view in bound.path_operations.values():
            found.extend(path_view.operations)
    return found


def integer_path_params() -> frozenset[str]:
    """Path parameters that every operation naming them declares as ``int``.

    ninja routes ``{person_id}`` with Django's ``str`` converter and lets
    pydantic read the text, which takes ``+5``, `` 5`` and ``5.0`` as 5.
    ``urls.py`` routes these with Django's ``int`` converter instead (digits
    only): anything else is no path of the API (404)."""
    typed: dict[str, set[Any]] = defaultdict(set)
    for operation in operations():
        for param in operation.signature.params:
            if param.name in operation.signature.path_params_names:
                typed[param.name].add(param.annotation)
    return frozenset(name for name, annotations in typed.items() if annotations == {int})


for _operation in operations():
    policy_before_input(_operation, _forbidden)
