"""API of インテーク・アセスメント: the catalogue of the sheet, a person's
versions, one version, the next version, and the 課題 a case's members'
latest assessments propose to the plan.

Like the pages: the person is opened through the policy first (404 when the
viewer has no basis to them), every version answered carries the basis it is
shown under, and a new version goes through
:mod:`tsunagu.assessments.services` for the organization the staff member
acts for. The check boxes are the catalogue's item codes, listed in the
schema (``AssessmentItemCode``) and by ``GET /assessment-catalogue``.
"""

# No `from __future__ import annotations` here: django-ninja reads the
# endpoint annotations at import time through the policy wrapper.

import enum
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from tsunagu import policy
from tsunagu.api.errors import ERRORS, ErrorOut, FormErrorsOut, field_errors, invalid
from tsunagu.api.lookups import acting_casework_organization, basis_label, linkable_case
from tsunagu.api.pagination import BasisPagination
from tsunagu.assessments import catalogue, selectors, services
from tsunagu.assessments.models import Assessment
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.core.dates import Day
from tsunagu.core.http import StaffRequest
from tsunagu.people.models import HouseholdMembership

OBJECT_TYPE = "assessments.assessment"

# The catalogue's codes as enumerations of the schema.
if TYPE_CHECKING:
    AssessmentItemCode = str
    AssessmentSupplement = str
    AssessmentSection = str
else:
    AssessmentItemCode = enum.StrEnum(
        "AssessmentItemCode", {code: code for code in catalogue.ITEMS}
    )
    AssessmentSupplement = enum.StrEnum(
        "AssessmentSupplement", {sheet.code: sheet.code for sheet in catalogue.SUPPLEMENTS}
    )
    AssessmentSection = enum.StrEnum(
        "AssessmentSection", {section.code: section.code for section in catalogue.SECTIONS}
    )


# --- Schemas -------------------------------------------------------------------------


class AssessmentItemOut(Schema):
    code: str
    label: str
    #: A ticked item is a 課題 the plan may take up (not a plain fact).
    issue: bool


class AssessmentSectionOut(Schema):
    code: str
    title: str
    #: ``basic`` or the code of the supplement it belongs to.
    sheet: str
    note_label: str
    items: list[AssessmentItemOut]


class AssessmentSheetOut(Schema):
    code: str
    title: str


class AssessmentCatalogueOut(Schema):
    sheets: list[AssessmentSheetOut]
    sections: list[AssessmentSectionOut]


class AssessmentOut(Schema):
    id: int
    person_id: int
    household_id: int
    case_id: int | None
    organization_id: int
    organization: str = Field(..., alias="organization.name")
    version_number: int
    previous_id: int | None
    assessed_on: date
    background: str
    ticked: list[str]
    notes: dict[str, str]
    supplements: list[str]
    person_issues: str
    household_issues: str
    wishes: str
    basis: str
    basis_label: str

    @staticmethod
    def resolve_basis_label(obj: Any) -> str:
        return basis_label(obj.basis)


class AssessmentIn(Schema):
    #: The version number this one is made from (0: the organization's first):
    #: 409 when a version was saved meanwhile.
    based_on: int = Field(..., ge=0)
    assessed_on: Day | None = None
    #: The 多機関協働 case it is made for (one the staff member works on).
    case_id: int | None = None
    background: str = ""
    ticked: list[AssessmentItemCode] = []
    #: Section code → its note.
    notes: dict[AssessmentSection, str] = {}
    supplements: list[AssessmentSupplement] = []
    person_issues: str = ""
    household_issues: str = ""
    wishes: str = ""


class AssessmentProposalOut(Schema):
    person_id: int
    assessment_id: int
    #: The 課題 as the plan takes them in, headed by the version they come from.
    text: str


# --- Helpers -------------------------------------------------------------------------


def _with_basis(request: StaffRequest, assessment: Assessment, basis: Any) -> Assessment:
    assessment.basis = basis  # type: ignore[attr-defined]
    return assessment


def _catalogue() -> dict[str, Any]:
    return {
        "sheets": [{"code": s.code, "title": str(s.title)} for s in catalogue.SHEETS],
        "sections": [
            {
                "code": section.code,
                "title": str(section.title),
                "sheet": section.sheet,
                "note_label": str(section.note_label),
                "items": [
                    {"code": item.code, "label": str(item.label), "issue": item.issue}
                    for item in section.items
                ],
            }
            for section in catalogue.SECTIONS
        ],
    }


# --- Operations ----------------------------------------------------------------------

router: Router = Router(tags=["インテーク・アセスメント"])


@router.get(
    "/assessment-catalogue",
    response={200: AssessmentCatalogueOut, **ERRORS},
    summary="アセスメントシートの項目一覧",
    description="基本シートと補助シートの欄と項目（コードと表示名）。"
    "版の ticked・notes・supplements はこのコードで表します。",
)
@policy.route("assessment", policy.Action.LIST)
def assessment_catalogue(request: StaffRequest) -> Any:
    return _catalogue()


@router.get(
    "/persons/{person_id}/assessments",
    response={200: list[AssessmentOut], **ERRORS},
    summary="本人のアセスメント（すべての版）",
    description="閲覧できる版（自機関・ケースの記録・緊急時の閲覧）だけが、"
    "閲覧の根拠（basis）とともに新しい順に返ります。",
)
@paginate(BasisPagination, resource="assessment")
@policy.route("assessment", policy.Action.LIST)
def assessment_list(request: StaffRequest, person_id: int) -> Any:
    person, decision = policy.get_or_404(request.user, "person", policy.Action.VIEW, pk=person_id)
    audit_record(
        AuditAction.LIST,
        object_type=OBJECT_TYPE,
        basis=decision.basis or "",
        detail={"via": "api", "person": person.pk},
    )
    return (
        policy.visible(request.user, "assessment", policy.Action.LIST)
        .filter(person=person, archived_at=None)
        .select_related("organization")
        .order_by("-assessed_on", "-version_number", "-pk")
    )


@router.get(
    "/assessments/{assessment_id}",
    response={200: AssessmentOut, **ERRORS},
    summary="アセスメント（一つの版）",
)
@policy.route("assessment", policy.Action.VIEW)
def assessment_detail(request: StaffRequest, assessment_id: int) -> Any:
    assessment, decision = policy.get_or_404(
        request.user, "assessment", policy.Action.VIEW, pk=assessment_id
    )
    return _with_basis(request, assessment, decision.basis)


@router.post(
    "/persons/{person_id}/assessments",
    response={201: AssessmentOut, 409: ErrorOut, 422: FormErrorsOut, **ERRORS},
    summary="アセスメントの新しい版の保存",
    description="操作している機関のアセスメントの次の版として保存します（前の版はそのまま残ります）。"
    "based_on には読み込んだ版の番号（最初の版は 0）を送ります。"
    "その後に同じ機関の別の版が保存されていれば 409 を返します。",
)
@policy.route("assessment", policy.Action.CREATE)
def assessment_create(request: StaffRequest, person_id: int, payload: AssessmentIn) -> Any:
    person, _decision = policy.get_or_404(request.user, "person", policy.Action.VIEW, pk=person_id)
    membership = HouseholdMembership.objects.filter(person=person, ended_on=None).first()
    if membership is None:
        return invalid({"person_id": ["この方はどの世帯にも属していません。"]})
    household, _basis = policy.get_or_404(
        request.user, "household", policy.Action.CHANGE, pk=membership.household_id
    )
    organization = acting_casework_organization(request, "assessment")
    case = linkable_case(request, payload.case_id)
    if payload.case_id is not None and case is None:
        return invalid(
            {"case_id": ["指定されたケースが見つからないか、記録を結びつける権限がありません。"]}
        )
    try:
        assessment = services.assessment_create(
            actor=request.user,
            organization=organization,
            household=household,
            person=person,
            case=case,
            based_on=payload.based_on,
            assessed_on=payload.assessed_on,
            ticked=[str(code) for code in payload.ticked],
            notes={str(code): text for code, text in payload.notes.items()},
            supplements=[str(code) for code in payload.supplements],
            background=payload.background,
            person_issues=payload.person_issues,
            household_issues=payload.household_issues,
            wishes=payload.wishes,
        )
    except services.AssessmentConflict as conflict:
        return Status(409, {"detail": str(conflict)})
    except DjangoValidationError as error:
        return invalid(field_errors(error, {"case": "case_id", "person": "person_id"}))
    return Status(201, _with_basis(request, assessment, policy.Basis.OWN_ORGANIZATION))


@router.get(
    "/cases/{case_id}/assessment-proposals",
    response={200: list[AssessmentProposalOut], **ERRORS},
    summary="支援プランの課題の案（アセスメントから）",
    description="ケースの世帯員ごとに、閲覧できる最新のアセスメントがあげる課題を、"
    "どの版から来たかを添えて返します。プランの作成で take_assessment_issues を"
    "指定すると、この案がその世帯員の課題に入ります。",
)
@policy.route("assessment", policy.Action.LIST)
def assessment_proposals(request: StaffRequest, case_id: int) -> Any:
    case, decision = policy.get_or_404(request.user, "case", policy.Action.VIEW, pk=case_id)
    members = (
        policy.visible(request.user, "person", policy.Action.VIEW)
        .filter(memberships__household_id=case.household_id, memberships__ended_on=None)
        .values_list("pk", flat=True)
    )
    proposals = selectors.plan_proposals(request.user, case, list(members))
    audit_record(
        AuditAction.LIST,
        object_type=OBJECT_TYPE,
        basis=decision.basis or "",
        detail={
            "via": "api",
            "case": case.pk,
            "shown": sorted(p.assessment.pk for p in proposals.values()),
        },
    )
    return [
        {"person_id": person_id, "assessment_id": p.assessment.pk, "text": p.text}
        for person_id, p in sorted(proposals.items())
    ]
