"""Writes of assessments: a new version of an organization's assessment of a
person, with its audit event in the same transaction.

A version is never changed once saved: a correction is the next version, and
the earlier ones stay readable. A new version names the version it was made
from (``based_on``, 0 for the first): when a colleague of the same
organization saved a version meanwhile, it is refused as an edit conflict
(core/versioning.py) instead of silently becoming the later one.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tsunagu.accounts.models import Staff
from tsunagu.assessments import catalogue
from tsunagu.assessments.models import Assessment
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.cases.models import Case
from tsunagu.core.text import NOTE_MAX_LENGTH, TextLengthValidator, reject_control_characters
from tsunagu.core.versioning import EditConflict
from tsunagu.directory.models import Organization
from tsunagu.grants import services as grants
from tsunagu.people.models import Household, HouseholdMembership, Person


class AssessmentConflict(EditConflict):
    what = gettext_lazy("アセスメント")


def latest_version_number(organization: Organization, person: Person) -> int:
    """The number of the organization's latest version for the person (0: none yet)."""
    found = Assessment.objects.filter(organization=organization, person=person).aggregate(
        latest=Max("version_number")
    )["latest"]
    return int(found or 0)


def _clean_answers(
    ticked: Iterable[str], notes: Mapping[str, str], supplements: Iterable[str]
) -> tuple[list[str], dict[str, str], list[str]]:
    """The answers in the catalogue's terms: known codes in the sheet's order,
    non-empty notes of known sections, and the supplements used (those chosen
    and those whose items or notes were filled: nothing typed is dropped)."""
    errors: dict[str, list[str]] = {}
    ticked = list(ticked)
    unknown = catalogue.unknown_codes(ticked)
    if unknown:
        errors["ticked"] = [_("シートにない項目です: %(codes)s") % {"codes": "、".join(unknown)}]
    chosen = set(supplements)
    if chosen - catalogue.SUPPLEMENT_CODES:
        errors["supplements"] = [_("補助シートの種類が正しくありません。")]
    cleaned_notes: dict[str, str] = {}
    for section, text in notes.items():
        if section not in catalogue.SECTION_CODES:
            errors.setdefault("notes", []).append(
                _("シートにない欄です: %(code)s") % {"code": section}
            )
            continue
        text = (text or "").strip()
        try:
            reject_control_characters(text)
            TextLengthValidator(NOTE_MAX_LENGTH)(text)
        except ValidationError as error:
            errors.setdefault(f"notes.{section}", []).extend(error.messages)
            continue
        if text:
            cleaned_notes[section] = text
    if errors:
        raise ValidationError(errors)
    ordered = catalogue.in_catalogue_order(ticked)
    used = chosen | {catalogue.SECTION_OF[code].sheet for code in ordered}
    by_code = {section.code: section for section in catalogue.SECTIONS}
    used |= {by_code[section].sheet for section in cleaned_notes}
    sheets = [sheet.code for sheet in catalogue.SUPPLEMENTS if sheet.code in used]
    return ordered, cleaned_notes, sheets


def _check_links(household: Household, person: Person, case: Case | None) -> None:
    errors: dict[str, str] = {}
    if not HouseholdMembership.objects.filter(
        household=household, person=person, ended_on=None
    ).exists():
        errors["person"] = _("この世帯の世帯員を選んでください。")
    if case is not None and case.household_id != household.pk:
        errors["case"] = _("この世帯のケースを選んでください。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def assessment_create(
    *,
    actor: Staff,
    organization: Organization,
    household: Household,
    person: Person,
    based_on: int,
    case: Case | None = None,
    assessed_on: datetime.date | None = None,
    ticked: Iterable[str] = (),
    notes: Mapping[str, str] | None = None,
    supplements: Iterable[str] = (),
    background: str = "",
    person_issues: str = "",
    household_issues: str = "",
    wishes: str = "",
) -> Assessment:
    """Save the next version of ``organization``'s assessment of ``person``.

    ``based_on`` is the version number the user started from (0: the first);
    a version saved by someone else meanwhile refuses this one."""
    from tsunagu.policy import casework_organization_ids

    if organization.pk not in casework_organization_ids(actor):
        raise ValidationError(_("所属する機関の記録として登録してください。"))
    _check_links(household, person, case)
    assessed_on = assessed_on or timezone.localdate()
    if assessed_on > timezone.localdate():
        raise ValidationError({"assessed_on": _("実施日に未来の日付は入力できません。")})
    codes, cleaned_notes, sheets = _clean_answers(ticked, notes or {}, supplements)
    # Versions are numbered per organization and person: serialise their writers.
    Person.objects.select_for_update().filter(pk=person.pk).values_list("pk").first()
    previous = (
        Assessment.objects.filter(organization=organization, person=person)
        .order_by("-version_number")
        .first()
    )
    current = previous.version_number if previous is not None else 0
    if based_on != current:
        raise AssessmentConflict()
    assessment = Assessment(
        household=household,
        person=person,
        case=case,
        organization=organization,
        version_number=current + 1,
        previous=previous,
        assessed_on=assessed_on,
        ticked=codes,
        notes=cleaned_notes,
        supplements=sheets,
        background=background.strip(),
        person_issues=person_issues.strip(),
        household_issues=household_issues.strip(),
        wishes=wishes.strip(),
        created_by=actor,
        updated_by=actor,
    )
    assessment.full_clean(exclude=["municipality", "previous"])
    assessment.save()
    grants.refresh_for(assessment)
    audit_record(
        AuditAction.CREATE,
        actor=actor,
        obj=assessment,
        organization_id=organization.pk,
        detail={
            "person": person.pk,
            "version": assessment.version_number,
            "case": case and case.pk,
        },
    )
    return assessment


def proposal_source(assessment: Assessment) -> str:
    """Which version a proposed 課題 comes from, as the plan shows and keeps it."""
    from tsunagu.core.wareki import format_wareki

    return _("アセスメント（%(org)s 第%(n)d版・%(date)s）より") % {
        "org": assessment.organization.name,
        "n": assessment.version_number,
        "date": format_wareki(assessment.assessed_on),
    }


def proposed_issues(assessment: Assessment) -> str:
    """The assessment's 課題 as the plan's 課題 text, headed by the version it
    comes from: the ticked issues by section, then its 課題の整理."""
    lines = [
        f"・{section.title}: " + "、".join(str(item.label) for item in items)
        for section, items in assessment.issues()
    ]
    if assessment.person_issues:
        lines.append(_("・本人の課題: %(text)s") % {"text": assessment.person_issues})
    if assessment.household_issues:
        lines.append(_("・世帯の課題: %(text)s") % {"text": assessment.household_issues})
    if not lines:
        return ""
    return "\n".join([f"【{proposal_source(assessment)}】", *lines])


def with_proposal(issues: str, proposal: str) -> str:
    """The plan's 課題 with the assessment's proposal taken in (once: a proposal
    already there is not added again)."""
    issues = issues.strip()
    if not proposal or proposal in issues:
        return issues
    return f"{proposal}\n{issues}".strip()
