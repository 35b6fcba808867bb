"""Tenants never mix: by construction in the managers, and through every route."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection
from django.db.models import Max
from django.test import Client

from tsunagu.accounts.models import ApiToken, Membership, Staff
from tsunagu.accounts.roles import Role
from tsunagu.accounts.services import api_token_create
from tsunagu.activities.models import ActivityRecord, CountedEntry
from tsunagu.audit.models import AuditEvent
from tsunagu.cases.models import Case, CaseEvent, CaseTeamMember, Consent
from tsunagu.community.models import (
    CommunityPlace,
    CommunityProject,
    IssueEvent,
    ProjectEvent,
    RegionalIssue,
)
from tsunagu.consultations.models import CaseFeature, Consultation
from tsunagu.consultations.services import case_features_ensure_defaults
from tsunagu.core import tenancy
from tsunagu.directory.models import Business, District, Organization, SubBusiness
from tsunagu.meetings.models import ActionItem, AgendaItem, Attendee, Meeting, MeetingPart
from tsunagu.outreach.models import OutreachContact, OutreachVisitor
from tsunagu.participation.models import Participation, ParticipationEvent, ParticipationProfile
from tsunagu.people.models import Household, HouseholdMembership, Person
from tsunagu.plans.models import PlanGoal, PlanMember, SupportPlan
from tsunagu.referrals.models import Referral
from tsunagu.reports.models import (
    Indicator,
    IndicatorValue,
    ProgrammeBudget,
    ReportRow,
    ReportTable,
    SheetNarrative,
    StrategyProgramme,
    StrategySheet,
)
from tsunagu.resources.models import Location, Provider, Resource, ResourceLocation, Schedule
from tsunagu.tests.factories import Ward
from tsunagu.tests.routes import walk

MARK = "ヨソ"
TENANT_MODELS = [
    Organization,
    District,
    Business,
    SubBusiness,
    Staff,
    Membership,
    ApiToken,
    Household,
    Person,
    HouseholdMembership,
    Consultation,
    Referral,
    CaseFeature,
    Case,
    CaseTeamMember,
    CaseEvent,
    Consent,
    Meeting,
    MeetingPart,
    Attendee,
    AgendaItem,
    ActionItem,
    SupportPlan,
    PlanMember,
    PlanGoal,
    OutreachContact,
    OutreachVisitor,
    ParticipationProfile,
    Participation,
    ParticipationEvent,
    Provider,
    Resource,
    Location,
    ResourceLocation,
    Schedule,
    CommunityPlace,
    CommunityProject,
    ProjectEvent,
    RegionalIssue,
    IssueEvent,
    ActivityRecord,
    CountedEntry,
    ReportTable,
    ReportRow,
    StrategySheet,
    StrategyProgramme,
    ProgrammeBudget,
    Indicator,
    IndicatorValue,
    SheetNarrative,
]


@pytest.mark.django_db
def test_without_a_current_municipality_tenant_querysets_are_empty(ward: Ward) -> None:
    assert Organization.objects.count() == 0
    assert Organization.all_tenants.count() > 0


@pytest.mark.django_db
def test_querysets_see_only_the_current_municipality(ward: Ward, other_ward: Ward) -> None:
    with tenancy.tenant_context(ward.municipality):
        ids = set(Organization.objects.values_list("municipality_id", flat=True))
        staff_ids = set(Staff.objects.values_list("municipality_id", flat=True))
        # Related managers are scoped too.
        reverse = set(ward.center.memberships.values_list("municipality_id", flat=True))
    assert ids == staff_ids == reverse == {ward.municipality.pk}


@pytest.mark.django_db
def test_a_row_of_another_municipality_cannot_be_saved(ward: Ward, other_ward: Ward) -> None:
    with tenancy.tenant_context(ward.municipality), pytest.raises(tenancy.TenantMismatch):
        other_ward.center.name = "書き換え"
        other_ward.center.save()
    with pytest.raises(tenancy.TenantMismatch):
        District(name="所属なし").save()  # no municipality at all


@pytest.mark.django_db
def test_new_rows_take_the_current_municipality(ward: Ward) -> None:
    with tenancy.tenant_context(ward.municipality):
        district = District.objects.create(name="東")
    assert district.municipality_id == ward.municipality.pk


def _align_id_sequences() -> None:
    """Start every tenant table's next id at one common number, so that the
    rows made below share their ids across tables and a few ids name a row in
    every table (the walk then needs few ids). Without this the tables' id
    sequences drift apart as other tests run (a rolled-back load still
    advances them), and the walk grew many times longer."""
    start = max(model.all_tenants.aggregate(m=Max("pk"))["m"] or 0 for model in TENANT_MODELS)
    _set_sequences([model._meta.db_table for model in TENANT_MODELS], (start // 1000 + 1) * 1000)


def _set_sequences(tables: list[str], start: int) -> None:
    with connection.cursor() as cursor:
        for table in tables:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, start]
                )
            else:
                cursor.execute(
                    "UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [start, table]
                )
                if cursor.rowcount == 0:
                    cursor.execute(
                        "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, start]
                    )


def _residents_of(other: Ward, count: int = 40) -> None:
    """Households, persons, consultations and referrals of the other ward, enough
    of them that their ids go past every id of this ward's rows."""
    municipality = other.municipality
    clerk = other.member(Role.COUNSELOR)
    _align_id_sequences()
    households = Household.all_tenants.bulk_create(
        Household(municipality=municipality, registered_by=other.center, label=MARK)
        for _ in range(count)
    )
    persons = Person.all_tenants.bulk_create(
        Person(
            municipality=municipality, registered_by=other.center, family_name=MARK, name_key="x"
        )
        for _ in range(count)
    )
    HouseholdMembership.all_tenants.bulk_create(
        HouseholdMembership(municipality=municipality, household=h, person=p, relationship="head")
        for h, p in zip(households, persons, strict=True)
    )
    consultations = Consultation.all_tenants.bulk_create(
        Consultation(
            municipality=municipality,
            organization=other.center,
            received_by=clerk,
            household=h,
            channel="phone",
            consulter="self",
            main_topic="other",
            summary=MARK,
            consent_to_share="obtained",
            outcome="refer",
        )
        for h in households
    )
    referrals = Referral.all_tenants.bulk_create(
        Referral(
            municipality=municipality,
            from_organization=other.center,
            to_organization=other.other_center,
            household=c.household,
            consultation=c,
            status="accepted",
            request=MARK,
            shared_summary=MARK,
            sharing_basis="consent",
            due_on="2026-01-01",
        )
        for c in consultations
    )
    cases = _cases_of(other, households, persons, referrals)
    _outreach_and_participation_of(other, households, persons, cases)
    _community_and_reports_of(other, households, cases)


def _cases_of(other: Ward, households: list, persons: list, referrals: list) -> list:
    """The other ward's 多機関協働 records: a case per household with its team, a
    consent, a meeting with a 支援会議 part, agenda items, tasks and a plan."""
    municipality = other.municipality
    coordinator = other.member(Role.COORDINATOR)
    cases = Case.all_tenants.bulk_create(
        Case(
            municipality=municipality,
            household=h,
            organization=other.coordinating,
            lead_organization=other.center,
            title=MARK,
            next_action=MARK,
        )
        for h in households
    )
    CaseTeamMember.all_tenants.bulk_create(
        CaseTeamMember(municipality=municipality, case=c, organization=other.center, role=MARK)
        for c in cases
    )
    CaseEvent.all_tenants.bulk_create(
        CaseEvent(
            municipality=municipality,
            case=c,
            note=MARK,
            actor=coordinator,
            organization=other.coordinating,
        )
        for c in cases
    )
    consents = Consent.all_tenants.bulk_create(
        Consent(
            municipality=municipality,
            case=c,
            grantor=p,
            method="written",
            obtained_by_organization=other.coordinating,
            covers_case_team=True,
            note=MARK,
        )
        for c, p in zip(cases, persons, strict=True)
    )
    meeting = Meeting.all_tenants.create(
        municipality=municipality,
        title=MARK,
        organization=other.coordinating,
        held_on="2026-01-01",
        minutes=MARK,
    )
    part = MeetingPart.all_tenants.create(
        municipality=municipality, meeting=meeting, kind="support_meeting"
    )
    Attendee.all_tenants.create(
        municipality=municipality,
        meeting=meeting,
        staff=other.member(Role.COUNSELOR),
        name=MARK,
        organization=other.center,
    )
    items = AgendaItem.all_tenants.bulk_create(
        AgendaItem(
            municipality=municipality,
            part=part,
            case=c,
            review="new",
            brief_household=MARK,
            policy=MARK,
        )
        for c in cases
    )
    ActionItem.all_tenants.bulk_create(
        ActionItem(
            municipality=municipality,
            agenda_item=i,
            owner_organization=other.center,
            content=MARK,
            due_on="2026-01-01",
        )
        for i in items
    )
    plans = SupportPlan.all_tenants.bulk_create(
        SupportPlan(municipality=municipality, case=c, consent=k, overall_goal=MARK)
        for c, k in zip(cases, consents, strict=True)
    )
    members = PlanMember.all_tenants.bulk_create(
        PlanMember(municipality=municipality, plan=plan, person=p, wishes=MARK)
        for plan, p in zip(plans, persons, strict=True)
    )
    PlanGoal.all_tenants.bulk_create(
        PlanGoal(municipality=municipality, member=m, text=MARK) for m in members
    )
    return cases


def _outreach_and_participation_of(
    other: Ward, households: list, persons: list, cases: list
) -> None:
    """The other ward's outreach contacts (joint visits), participation profiles
    and paths, and the resource directory they lead into."""
    municipality = other.municipality
    clerk = other.member(Role.COUNSELOR)
    contacts = OutreachContact.all_tenants.bulk_create(
        OutreachContact(
            municipality=municipality,
            household=h,
            person=p,
            case=c,
            organization=other.center,
            occurred_at="2026-01-01T10:00:00+09:00",
            method="visit",
            result="through_door",
            intent="relationship",
            intent_note=MARK,
            stage_after="contact",
            content=MARK,
            next_step=MARK,
        )
        for h, p, c in zip(households, persons, cases, strict=True)
    )
    OutreachVisitor.all_tenants.bulk_create(
        OutreachVisitor(
            municipality=municipality, contact=c, staff=clerk, organization=other.center
        )
        for c in contacts
    )
    ParticipationProfile.all_tenants.bulk_create(
        ParticipationProfile(
            municipality=municipality,
            person=p,
            household=h,
            organization=other.center,
            interests=[MARK],
            wishes=MARK,
        )
        for h, p in zip(households, persons, strict=True)
    )
    provider = Provider.all_tenants.create(municipality=municipality, name=MARK)
    location = Location.all_tenants.create(
        municipality=municipality, provider=provider, name=MARK, address=MARK
    )
    resources = Resource.all_tenants.bulk_create(
        Resource(
            municipality=municipality,
            provider=provider,
            name=f"{MARK}{n}",
            category="place",
            description=MARK,
            interests=[MARK],
        )
        for n in range(len(households))
    )
    ResourceLocation.all_tenants.bulk_create(
        ResourceLocation(municipality=municipality, resource=r, location=location)
        for r in resources
    )
    Schedule.all_tenants.bulk_create(
        Schedule(municipality=municipality, resource=r, freq="WEEKLY", byday="TU", notes=MARK)
        for r in resources
    )
    paths = Participation.all_tenants.bulk_create(
        Participation(
            municipality=municipality,
            person=p,
            household=h,
            resource=r,
            organization=other.center,
            case=c,
            stage_changed_on="2026-01-01",
            proposed_on="2026-01-01",
            reason=MARK,
            arrangement=MARK,
        )
        for h, p, r, c in zip(households, persons, resources, cases, strict=True)
    )
    ParticipationEvent.all_tenants.bulk_create(
        ParticipationEvent(
            municipality=municipality,
            participation=path,
            actor=clerk,
            organization=other.center,
            kind="proposed",
            to_stage="proposed",
            happened_on="2026-01-01",
            note=MARK,
        )
        for path in paths
    )


def _community_and_reports_of(other: Ward, households: list, cases: list) -> None:
    """地域づくり, activity records, counted entries and the reports' configuration."""
    municipality = other.municipality
    clerk = other.member(Role.COUNSELOR)
    district = other.districts[0]
    resources = list(Resource.all_tenants.filter(municipality=municipality)[:20])
    places = CommunityPlace.all_tenants.bulk_create(
        CommunityPlace(
            municipality=municipality, resource=r, operator=MARK, district=district,
            opening_frequency=MARK, functions=["ibasho"], succession_note=MARK,
        )
        for r in resources
    )  # fmt: skip
    issues = RegionalIssue.all_tenants.bulk_create(
        RegionalIssue(
            municipality=municipality, title=MARK, description=MARK, source="case",
            source_case=c, raised_on="2026-01-01", organization=other.center, outcome=MARK,
        )
        for c in cases[:20]
    )  # fmt: skip
    IssueEvent.all_tenants.bulk_create(
        IssueEvent(municipality=municipality, issue=i, actor=clerk, organization=other.center, note=MARK)
        for i in issues
    )  # fmt: skip
    projects = CommunityProject.all_tenants.bulk_create(
        CommunityProject(
            municipality=municipality, title=MARK, district=district, organization=other.center,
            stage_changed_on="2026-01-01", purpose=MARK, place=place, regional_issue=issue,
        )
        for place, issue in zip(places, issues, strict=False)
    )  # fmt: skip
    ProjectEvent.all_tenants.bulk_create(
        ProjectEvent(municipality=municipality, project=p, actor=clerk, organization=other.center, support=MARK)
        for p in projects
    )  # fmt: skip
    ActivityRecord.all_tenants.bulk_create(
        ActivityRecord(
            municipality=municipality, organization=other.center, staff=clerk,
            occurred_on="2026-01-01", district=district, category="individual",
            kind="relationship", mode="direct", intent=MARK, note=MARK, household=h,
        )
        for h in households
    )  # fmt: skip
    CountedEntry.all_tenants.bulk_create(
        CountedEntry(
            municipality=municipality, organization=other.center, item=MARK,
            month=f"2025-{n:02d}-01", count=n,
        )
        for n in range(1, 13)
    )  # fmt: skip
    tables = ReportTable.all_tenants.bulk_create(
        ReportTable(municipality=municipality, business_number=1, heading=MARK, title=MARK)
        for _ in range(10)
    )
    ReportRow.all_tenants.bulk_create(
        ReportRow(
            municipality=municipality, table=t, label=MARK, metric="consultations",
            organization=other.center,
        )
        for t in tables
    )  # fmt: skip
    sheet = StrategySheet.all_tenants.create(municipality=municipality, title=MARK, vision=MARK)
    programmes = StrategyProgramme.all_tenants.bulk_create(
        StrategyProgramme(municipality=municipality, sheet=sheet, name=MARK, department=MARK)
        for _ in range(10)
    )
    ProgrammeBudget.all_tenants.bulk_create(
        ProgrammeBudget(municipality=municipality, programme=p, fiscal_year=2024, actual=1)
        for p in programmes
    )
    indicators = Indicator.all_tenants.bulk_create(
        Indicator(municipality=municipality, programme=p, name=MARK, unit="件", metric="entered")
        for p in programmes
    )
    IndicatorValue.all_tenants.bulk_create(
        IndicatorValue(municipality=municipality, indicator=i, fiscal_year=2024, actual=1)
        for i in indicators
    )
    SheetNarrative.all_tenants.bulk_create(
        SheetNarrative(municipality=municipality, sheet=sheet, fiscal_year=2024, section=section, text=MARK)
        for section in ("results", "society", "findings", "next")
    )  # fmt: skip


def _mark_other_ward(other: Ward) -> dict[type, list[int]]:
    """Give the other ward's rows names that must never appear, and collect their ids."""
    for model, field in ((Organization, "name"), (District, "name"), (Staff, "full_name")):
        for row in model.all_tenants.filter(municipality=other.municipality):
            model.all_tenants.filter(pk=row.pk).update(**{field: f"{MARK}{row.pk}"})
    SubBusiness.all_tenants.filter(municipality=other.municipality).update(name=MARK + "事業")
    with tenancy.tenant_context(other.municipality):
        api_token_create(actor=other.member(Role.SYSADMIN), name=MARK + "トークン")
    _residents_of(other)
    return {
        model: list(
            model.all_tenants.filter(municipality=other.municipality).values_list("pk", flat=True)
        )
        for model in TENANT_MODELS
    }


def _snapshot(other: Ward) -> dict[str, list[tuple[object, ...]]]:
    return {
        model.__name__: sorted(
            model.all_tenants.filter(municipality=other.municipality).values_list()
        )
        for model in TENANT_MODELS
    }


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_no_route_reaches_another_municipality(role: Role, ward: Ward, other_ward: Ward) -> None:
    other_ids = _mark_other_ward(other_ward)
    # Pages that create a municipality's defaults on first visit must not
    # create rows during the walk whose ids the walk then takes for the other ward's.
    for municipality in (ward.municipality, other_ward.municipality):
        with tenancy.tenant_context(municipality):
            case_features_ensure_defaults()
    other_ids = {
        model: list(
            model.all_tenants.filter(municipality=other_ward.municipality).values_list(
                "pk", flat=True
            )
        )
        for model in TENANT_MODELS
    }
    # The audit trail is read by id too (the auditor's API); its events are no
    # tenant model (a failed login belongs to no municipality) but carry one.
    other_ids[AuditEvent] = list(
        AuditEvent.objects.filter(municipality=other_ward.municipality).values_list("pk", flat=True)
    )
    # Ids of the other ward's rows that are no row of this ward in any table,
    # so that a 200 can only mean a leak.
    own_ids = {
        pk
        for model in TENANT_MODELS
        for pk in model.all_tenants.filter(municipality=ward.municipality).values_list(
            "pk", flat=True
        )
    } | set(AuditEvent.objects.filter(municipality=ward.municipality).values_list("pk", flat=True))
    # Ids that together name a row of every table (a greedy set cover: each
    # pick is the id that names rows in the most tables not yet covered), so
    # that every route is read with the id of a real row of whatever table it
    # looks up. Tables' id sequences drift apart (the demo tests' rolled-back
    # load advances some by 100,000), and one id per table per route would
    # multiply the walk; the cover keeps it to a few ids.
    uncovered = {
        model: set(ids) - own_ids for model, ids in other_ids.items() if set(ids) - own_ids
    }
    picks: list[int] = []
    while uncovered:
        tally = Counter(pk for ids in uncovered.values() for pk in ids)
        best = max(tally, key=lambda pk: (tally[pk], pk))
        picks.append(best)
        uncovered = {model: ids for model, ids in uncovered.items() if best not in ids}
    assert len(picks) >= 1
    all_other_ids = sorted(picks)
    # The walk writes audit events (every reading is audited): they must not
    # take a picked id, or the auditor would read their own new event by it.
    last_event = AuditEvent.objects.aggregate(m=Max("pk"))["m"] or 0
    _set_sequences([AuditEvent._meta.db_table], max([last_event, *picks]) + 1000)
    before = _snapshot(other_ward)
    events_before = AuditEvent.objects.filter(municipality=other_ward.municipality).count()

    client = Client()
    client.force_login(ward.member(role))
    routes = [r for r in walk() if r.name not in {"logout", "login"}]
    for route in routes:
        has_id = "<" in route.pattern
        for pk in all_other_ids if has_id else [None]:
            url = route.path(pk) if pk is not None else route.path()
            # Reads and writes with every picked id; any write that got
            # through would change the snapshot compared below.
            methods = ("get", "post")
            for method in methods:
                response = getattr(client, method)(url, {"name": "乗っ取り", "reason": "x"})
                body = response.content.decode(errors="replace")
                assert MARK not in body, (role, method, url)
                assert "よそ区" not in body, (role, method, url)
                if has_id and method == "get":
                    assert response.status_code in (403, 404, 405), (
                        role,
                        url,
                        response.status_code,
                    )
    assert _snapshot(other_ward) == before
    # Nothing done in one municipality lands in another's audit chain.
    assert AuditEvent.objects.filter(municipality=other_ward.municipality).count() == events_before
