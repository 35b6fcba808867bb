"""Reads of assessments through the policy: a person's versions, the latest
of each organization's series, a case's, and the one a new version starts from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from tsunagu import policy
from tsunagu.accounts.models import Staff
from tsunagu.assessments import catalogue
from tsunagu.assessments.models import Assessment
from tsunagu.cases.models import Case
from tsunagu.people.models import Household, Person


def visible(staff: Staff, action: policy.Action = policy.Action.VIEW) -> QuerySet[Assessment]:
    return (
        policy.visible(staff, "assessment", action)
        .filter(archived_at=None)
        .select_related("organization", "person", "case", "created_by")
    )


def latest_of_each(versions: list[Assessment]) -> list[Assessment]:
    """The latest version of each organization's series for each person, newest first."""
    seen: set[tuple[int, int]] = set()
    found = []
    for version in sorted(versions, key=lambda a: (-a.version_number, -a.pk)):
        key = (version.organization_id, version.person_id)
        if key not in seen:
            seen.add(key)
            found.append(version)
    return sorted(found, key=lambda a: (a.assessed_on, a.pk), reverse=True)


def person_versions(staff: Staff, person: Person) -> list[Assessment]:
    """Every version of the person's assessments the viewer may see, newest first."""
    return list(visible(staff).filter(person=person).order_by("-assessed_on", "-version_number"))


def case_assessments(staff: Staff, case: Case) -> list[Assessment]:
    """The latest visible version of each series made for the case."""
    return latest_of_each(list(visible(staff).filter(case=case)))


def household_assessments(staff: Staff, household: Household) -> list[Assessment]:
    """The latest visible version of each series about the household's members."""
    return latest_of_each(list(visible(staff).filter(household=household)))


def starting_point(staff: Staff, person: Person, organization_id: int) -> Assessment | None:
    """What a new version starts from: the organization's own latest version,
    else the latest version of the person the viewer may see (another
    organization's, under a case), so nothing is typed twice."""
    versions = visible(staff).filter(person=person)
    own = versions.filter(organization_id=organization_id).order_by("-version_number").first()
    if own is not None:
        return own
    return versions.order_by("-assessed_on", "-pk").first()


def latest_for_plan(staff: Staff, case: Case, person_ids: list[int]) -> dict[int, Assessment]:
    """For each member, the latest assessment the viewer may see: the one made
    for this case first, else the newest of the person's."""
    found: dict[int, Assessment] = {}
    rank: dict[int, tuple[Any, ...]] = {}
    for assessment in visible(staff).filter(person_id__in=person_ids):
        key = (assessment.case_id == case.pk, assessment.assessed_on, assessment.pk)
        if assessment.person_id not in rank or key > rank[assessment.person_id]:
            rank[assessment.person_id] = key
            found[assessment.person_id] = assessment
    return found


def sheet_rows(assessment: Assessment) -> list[dict[str, Any]]:
    """The sheet's sections with every item's mark, for the page and the print."""
    ticked = assessment.ticked_set
    used = {catalogue.BASIC, *assessment.supplements}
    rows = []
    for sheet in catalogue.SHEETS:
        if sheet.code not in used:
            continue
        for section in catalogue.sections_of(sheet.code):
            rows.append(
                {
                    "sheet": sheet,
                    "section": section,
                    "items": [(item, item.code in ticked) for item in section.items],
                    "note": assessment.note(section.code),
                }
            )
    return rows


@dataclass(frozen=True)
class Proposal:
    """The 課題 a member's latest assessment proposes to the plan, and the version it comes from."""

    assessment: Assessment
    text: str


def plan_proposals(staff: Staff, case: Case, person_ids: list[int]) -> dict[int, Proposal]:
    """For each member, the 課題 their latest assessment the viewer may see
    proposes (members whose assessment names no 課題 are left out)."""
    from tsunagu.assessments.services import proposed_issues

    found = {}
    for person_id, assessment in latest_for_plan(staff, case, person_ids).items():
        text = proposed_issues(assessment)
        if text:
            found[person_id] = Proposal(assessment, text)
    return found
