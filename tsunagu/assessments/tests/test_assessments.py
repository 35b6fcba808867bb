"""インテーク・アセスメント as a counselor and the coordinator use it: versions
that keep the earlier ones, the form filled from the last version, a stale
form refused, its 課題 taken into the plan with one tick, the API, the
家族年表 and the printed sheet."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tsunagu import policy
from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.assessments import catalogue
from tsunagu.assessments.models import Assessment
from tsunagu.assessments.printing import assessment_sheet_html
from tsunagu.assessments.services import AssessmentConflict, assessment_create
from tsunagu.audit.models import AuditEvent
from tsunagu.core import tenancy
from tsunagu.directory.models import Organization
from tsunagu.grants import services as grants
from tsunagu.people.selectors import household_view
from tsunagu.plans.models import PlanMember
from tsunagu.plans.tests.test_plan_pages import Family, member_field, submitted
from tsunagu.tests import resident_factories as rf

pytestmark = pytest.mark.django_db


def assess(family: Family, *, based_on: int, **fields: Any) -> Assessment:
    with tenancy.tenant_context(family.ward.municipality):
        fields.setdefault("person", family.b)
        return assessment_create(
            actor=family.coordinator,
            organization=family.ward.coordinating,
            household=family.household,
            based_on=based_on,
            **fields,
        )


def test_each_save_is_a_new_version_and_the_earlier_ones_stay(ward: Any) -> None:
    family = Family(ward)
    first = assess(
        family,
        based_on=0,
        ticked=["income.none", "family.hikikomori"],
        notes={"family": "10年ほど自室から出ていない"},
        person_issues="生活費がない",
    )
    second = assess(family, based_on=1, ticked=["income.none"], person_issues="収入の確保")
    with tenancy.tenant_context(ward.municipality):
        first.refresh_from_db()
        assert (first.version_number, second.version_number) == (1, 2)
        assert second.previous_id == first.pk
        # Stored in the sheet's order, whatever order they came in.
        assert first.ticked == catalogue.in_catalogue_order(["family.hikikomori", "income.none"])
        assert first.note("family") == "10年ほど自室から出ていない"
        assert first.person_issues == "生活費がない"
        created = AuditEvent.objects.filter(
            action="create", object_type="assessments.assessment"
        ).values_list("object_id", flat=True)
        assert set(created) == {str(first.pk), str(second.pk)}


def test_a_version_made_from_an_older_one_is_refused_as_a_conflict(ward: Any) -> None:
    family = Family(ward)
    assess(family, based_on=0)
    assess(family, based_on=1)
    with pytest.raises(AssessmentConflict):
        assess(family, based_on=1, person_issues="古い画面から")
    with tenancy.tenant_context(ward.municipality):
        assert Assessment.objects.count() == 2


def test_unknown_codes_are_refused_and_a_supplement_follows_its_items(ward: Any) -> None:
    family = Family(ward)
    with pytest.raises(ValidationError) as refused:
        assess(family, based_on=0, ticked=["health.illness", "made.up"])
    assert "made.up" in str(refused.value)
    with pytest.raises(ValidationError):
        assess(family, based_on=0, supplements=["garden"])
    saved = assess(
        family, based_on=0, ticked=["sup_care.burden"], notes={"sup_finance": "月3万円の赤字"}
    )
    assert saved.supplements == ["finance", "care"]
    with pytest.raises(ValidationError):
        assess(
            family, based_on=1, person=family.b, case=None, assessed_on=datetime.date(2999, 1, 1)
        )


def test_the_form_starts_from_the_last_version_and_saves_the_next(client: Any, ward: Any) -> None:
    family = Family(ward)
    assess(family, based_on=0, ticked=["debt.tax_arrears"], wishes="働きたい")
    client.force_login(family.coordinator)
    url = reverse("assessments:create", args=[family.b.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="debt.tax_arrears"' in html
    form = page.context["form"]
    assert form.initial["items_debt"] == ["debt.tax_arrears"]
    assert form.initial["wishes"] == "働きたい"
    assert form.initial["based_on"] == 1
    assert "<legend>債務" in html and "<legend>緊急性の判断" in html
    data = {
        "based_on": "1",
        "assessed_on": timezone.localdate().isoformat(),
        "items_debt": ["debt.tax_arrears", "debt.loans"],
        "items_urgency": ["urgency.no_food"],
        "note_debt": "消費者金融2社",
        "wishes": "働きたい",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    with tenancy.tenant_context(ward.municipality):
        latest = Assessment.objects.get(version_number=2)
    assert response["Location"] == reverse("assessments:detail", args=[latest.pk])
    assert latest.ticked == ["urgency.no_food", "debt.loans", "debt.tax_arrears"]
    assert latest.note("debt") == "消費者金融2社"
    # The same form sent again (made from version 1): refused, what was typed kept.
    again = client.post(url, {**data, "note_debt": "もう一度"})
    assert again.status_code == 409
    assert "他の職員が更新しました" in again.content.decode()
    assert "もう一度" in again.content.decode()
    with tenancy.tenant_context(ward.municipality):
        assert Assessment.objects.count() == 2
    # Both versions stay readable, the page lists them.
    listing = client.get(reverse("assessments:person", args=[family.b.pk])).content.decode()
    assert listing.count("第1版") >= 1 and listing.count("第2版") >= 1


def test_the_plan_proposes_the_assessment_s_issues_taken_in_with_one_tick(
    client: Any, ward: Any
) -> None:
    family = Family(ward).consented()
    source = assess(
        family,
        based_on=0,
        case=family.fresh_case(),
        ticked=["income.none", "family.hikikomori", "health.outpatient"],
        household_issues="母の介護と本人のひきこもりが重なっている",
    )
    client.force_login(family.coordinator)
    url = reverse("plans:create", args=[family.case.pk])
    page = client.get(url)
    html = page.content.decode()
    assert "アセスメントからの課題の案" in html
    assert "収入・生活費: 収入がない" in html
    # A fact (通院している) is not an issue.
    assert "通院している" not in html
    assert AuditEvent.objects.filter(
        object_type="assessments.assessment", detail__page="plan_create"
    ).exists()
    changes = {
        member_field(family.b, "goals"): "外出の機会をつくる",
        "next_monitoring_on": (timezone.localdate() + datetime.timedelta(days=90)).isoformat(),
    }
    response = client.post(url, submitted(page, **changes))
    assert response.status_code == 302, response.content.decode()[:3000]
    with tenancy.tenant_context(ward.municipality):
        issues = PlanMember.objects.get(person=family.b).issues
    assert issues.startswith(f"【アセスメント（{ward.coordinating.name} 第1版")
    assert "家族・人間関係: ひきこもりの状態にある（本人・家族）" in issues
    assert "世帯の課題: 母の介護と本人のひきこもりが重なっている" in issues
    assert source.pk  # the version it came from is named in the text


def test_the_api_gives_the_catalogue_and_writes_versions(client: Any, ward: Any) -> None:
    family = Family(ward)
    client.force_login(family.coordinator)
    schema = client.get("/api/v1/openapi.json").json()
    codes = schema["components"]["schemas"]["AssessmentItemCode"]["enum"]
    assert set(codes) == set(catalogue.ITEMS)
    found = client.get("/api/v1/assessment-catalogue").json()
    assert [s["code"] for s in found["sections"]] == [s.code for s in catalogue.SECTIONS]

    url = f"/api/v1/persons/{family.b.pk}/assessments"
    body = {"based_on": 0, "ticked": ["work.unemployed"], "notes": {"work": "半年前に退職"}}
    created = client.post(url, json.dumps(body), content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["ticked"] == ["work.unemployed"]
    assert created.json()["basis"] == "own_organization"
    stale = client.post(url, json.dumps(body), content_type="application/json")
    assert stale.status_code == 409
    unknown = client.post(
        url, json.dumps({"based_on": 1, "ticked": ["nope"]}), content_type="application/json"
    )
    assert unknown.status_code == 422
    listed = client.get(url).json()
    assert [item["version_number"] for item in listed["items"]] == [1]


def test_the_chronology_shows_each_version_as_an_event(ward: Any) -> None:
    family = Family(ward)
    assess(family, based_on=0)
    assess(family, based_on=1)
    with tenancy.tenant_context(ward.municipality):
        view = household_view(family.coordinator, family.household, policy.Basis.COORDINATOR)
    events = [e for e in view.timeline if e.kind == "assessment"]
    assert len(events) == 2
    assert all(e.title.startswith("アセスメント実施") for e in events)
    assert len(view.shown["assessment"]) == 2


def test_the_sheet_prints_every_item_with_its_box_and_the_identity_fields(ward: Any) -> None:
    family = Family(ward)
    saved = assess(family, based_on=0, ticked=["housing.rent_arrears"], supplements=["care"])
    with tenancy.tenant_context(ward.municipality):
        html = assessment_sheet_html(saved, viewer=family.coordinator, basis="own_organization")
    assert "☑</span>家賃を滞納している" in html
    assert "☐</span>住居を失うおそれがある" in html
    assert "介護の状況" in html and "家計の状況" not in html
    for label in ("ふりがな", "性別", "生年月日", "住所", "電話", "じろう", "昭和60年"):
        assert label in html


def _statements(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_pages_ask_the_same_number_of_statements_however_many_versions(
    client: Any, ward: Any
) -> None:
    family = Family(ward)
    first = assess(family, based_on=0, ticked=["income.none"])
    client.force_login(family.coordinator)
    pages = [
        reverse("assessments:person", args=[family.b.pk]),
        reverse("assessments:detail", args=[first.pk]),
        reverse("assessments:create", args=[family.b.pk]),
    ]
    for url in pages:
        client.get(url)  # the session's first request is not the page's cost
    few = [_statements(client, url) for url in pages]
    for number in range(1, 5):
        assess(family, based_on=number, ticked=["income.none", "debt.loans"])
    assess(family, based_on=0, person=family.c)
    many = [_statements(client, url) for url in pages]
    assert many == few


def test_an_assessment_gives_its_organization_a_way_to_the_household(ward: Any) -> None:
    """An organization whose only tie to a household is its assessment opens
    the household (its own record, basis 1), and the grants agree with the records."""

    family = Family(ward)
    with tenancy.tenant_context(ward.municipality):
        newcomer = Organization.objects.create(
            name="アセスメントだけの機関", kind=Organization.Kind.CENTER
        )
    staff = rf.staff_at(ward, newcomer, Role.COUNSELOR, "only-assessment")
    assert not policy.decide(staff, policy.Action.VIEW, "household", family.household)
    with tenancy.tenant_context(ward.municipality):
        assessment_create(
            actor=staff,
            organization=newcomer,
            household=family.household,
            person=family.c,
            based_on=0,
            ticked=["sup_care.needs_care"],
        )
        assert not grants.check(ward.municipality.pk)
    fresh = Staff.all_tenants.get(pk=staff.pk)
    decision = policy.decide(fresh, policy.Action.VIEW, "household", family.household)
    assert decision.basis == policy.Basis.OWN_ORGANIZATION
