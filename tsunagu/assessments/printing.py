"""The printed インテーク・アセスメントシート: one version of an assessment laid
out like the national default form (自治体事務マニュアル, modelled on the
自立相談支援 standard sheets), as a PDF.

The identity block carries over the person's fields (ID, 氏名, ふりがな,
性別, 生年月日 in 和暦, 住所, 電話); then the basic sheet and the supplements
used, every item of the catalogue with ☑ or ☐, each section's note, the
課題の整理 and 本人の意向.

The caller has already fetched the assessment through the policy
(``policy.get_or_404(user, "assessment", Action.PRINT, pk=...)``), which
checks the viewer's basis and writes the print to the audit trail; the basis
is named in the footer of every page. Nothing is fetched from outside while
rendering (core.printing's refusing URL fetcher).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu import policy
from tsunagu.assessments.models import Assessment
from tsunagu.assessments.selectors import sheet_rows
from tsunagu.core import tenancy
from tsunagu.core.printing import html_to_pdf, wareki_datetime
from tsunagu.core.printing import wareki_or_western as _wareki

if TYPE_CHECKING:
    from tsunagu.accounts.models import Staff

TEMPLATE = "assessments/sheet_print.html"


def assessment_sheet_context(
    assessment: Assessment,
    *,
    viewer: Staff,
    basis: policy.Basis | str | None,
    printed_at: datetime.datetime | None = None,
) -> dict[str, Any]:
    """Everything the print template shows, resolved to plain values."""
    if assessment.municipality_id != viewer.municipality_id:
        raise PermissionDenied
    printed_at = printed_at or timezone.now()
    with tenancy.tenant_context(viewer.municipality):
        person = assessment.person
        return {
            "municipality_name": viewer.municipality.name,
            "version_number": assessment.version_number,
            "person_id": person.pk,
            "name": person.full_name,
            "kana": person.full_name_kana,
            "sex": person.get_sex_display(),
            "birth_date": _wareki(person.birth_date),
            "age": person.age_on(assessment.assessed_on),
            "address": person.address,
            "phone": person.phone,
            "household_number": assessment.household.number,
            "case_number": assessment.case.number if assessment.case is not None else "",
            "organization_name": assessment.organization.name,
            "assessed_on": _wareki(assessment.assessed_on),
            "assessor": assessment.created_by.full_name if assessment.created_by else "",
            "background": assessment.background,
            "rows": sheet_rows(assessment),
            "person_issues": assessment.person_issues,
            "household_issues": assessment.household_issues,
            "wishes": assessment.wishes,
            "printed_at": wareki_datetime(printed_at),
            "printed_by": viewer.full_name,
            "basis_label": str(policy.Basis(basis).label) if basis else _("（根拠なし）"),
        }


def assessment_sheet_html(
    assessment: Assessment,
    *,
    viewer: Staff,
    basis: policy.Basis | str | None,
    printed_at: datetime.datetime | None = None,
) -> str:
    context = assessment_sheet_context(
        assessment, viewer=viewer, basis=basis, printed_at=printed_at
    )
    return render_to_string(TEMPLATE, context)


def assessment_sheet_pdf(
    assessment: Assessment,
    *,
    viewer: Staff,
    basis: policy.Basis | str | None,
    printed_at: datetime.datetime | None = None,
) -> bytes:
    """The sheet of ``assessment`` as PDF bytes (the view serves them as application/pdf)."""
    return html_to_pdf(
        assessment_sheet_html(assessment, viewer=viewer, basis=basis, printed_at=printed_at)
    )
