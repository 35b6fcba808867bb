"""The case pages as the coordinating section and a team organization use them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tsunagu.accounts.roles import Role
from tsunagu.cases.models import Case, Consent, Stage
from tsunagu.core import tenancy
from tsunagu.tests import case_factories as cf
from tsunagu.tests import resident_factories as rf

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(ward):
    coordinator = ward.member(Role.COORDINATOR)
    counselor = ward.member(Role.COUNSELOR)
    head = rf.person(counselor, ward.center, family_name="佐藤", given_name="一郎")
    child = rf.person(counselor, ward.center, family_name="佐藤", given_name="次郎")
    household = rf.household(counselor, ward.center, head=head, members=[(child, "child")])
    consultation = rf.consultation(counselor, ward.center, household=household, subjects=[head])
    referral = rf.referral(
        counselor, ward.center, ward.coordinating, household=household, consultation=consultation
    )
    referral = rf.accepted(referral, coordinator)
    return coordinator, counselor, household, referral


def test_coordinator_opens_a_case_from_an_escalated_referral(client, ward, setting):
    coordinator, _counselor, household, referral = setting
    client.force_login(coordinator)
    page = client.get(reverse("cases:create") + f"?referral={referral.pk}")
    assert page.status_code == 200
    assert "佐藤" in page.content.decode() and household.number in page.content.decode()
    response = client.post(
        reverse("cases:create"),
        {
            "referral": referral.pk,
            "title": "8050・子のひきこもり",
            "opened_on": "令和8年4月1日",
            "team": [ward.center.pk],
            "consultations": [referral.consultation_id],
        },
    )
    assert response.status_code == 302
    with tenancy.tenant_context(ward.municipality):
        case = Case.objects.get()
        assert case.household == household
        assert set(case.team.values_list("organization_id", flat=True)) == {
            ward.coordinating.pk,
            ward.center.pk,
        }
        # The escalating つなぐシート follows the case: the sender sees it taken up.
        referral.refresh_from_db()
        assert referral.status == "in-progress"
        assert case.number in referral.events.last().note
    listing = client.get(reverse("cases:list")).content.decode()
    assert case.number in listing and "受付" in listing
    detail = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "8050・子のひきこもり" in detail and "「アセスメント」へ" in detail


def test_stage_change_needs_consent_and_keeps_history(client, ward, setting):
    coordinator, _counselor, household, _referral = setting
    case = cf.case(coordinator, ward.coordinating, household)
    case = cf.to_stage(coordinator, case, Stage.ASSESSMENT)
    client.force_login(coordinator)
    refused = client.post(
        reverse("cases:transition", args=[case.pk]),
        {"to_stage": Stage.CONSENTED, "version": case.version},
    )
    assert refused.status_code == 422
    assert "有効な本人同意がありません" in refused.content.decode()
    stale = client.post(
        reverse("cases:transition", args=[case.pk]),
        {"to_stage": Stage.MEETING_REVIEW, "version": case.version - 1},
    )
    assert stale.status_code == 409
    assert "他の職員が更新しました" in stale.content.decode()
    moved = client.post(
        reverse("cases:transition", args=[case.pk]),
        {"to_stage": Stage.MEETING_REVIEW, "version": case.version},
    )
    assert moved.status_code == 302
    detail = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "アセスメント → 支援会議で検討" in detail


def test_consent_recorded_then_withdrawn_from_the_page(client, ward, setting):
    coordinator, _counselor, household, _referral = setting
    other = rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south-1")
    case = cf.case(coordinator, ward.coordinating, household)
    client.force_login(coordinator)
    with tenancy.tenant_context(ward.municipality):
        members = list(household.memberships.values_list("person_id", flat=True))
    form = client.get(reverse("cases:consent_create", args=[case.pk]))
    assert form.status_code == 200
    response = client.post(
        reverse("cases:consent_create", args=[case.pk]),
        {
            "grantor_kind": "person",
            "grantor": members[0],
            "members": members,
            "purposes": ["information_sharing", "plan_meeting", "plan_making"],
            "organizations": [ward.other_center.pk],
            "method": "written",
            "obtained_on": "令和8年4月10日",
            "obtained_by_organization": ward.coordinating.pk,
            "valid_from": "令和8年4月10日",
            "valid_until": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    client.force_login(other)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    client.force_login(coordinator)
    with tenancy.tenant_context(ward.municipality):
        consent = Consent.objects.get()
    assert (
        client.post(
            reverse("cases:consent_withdraw", args=[consent.pk]), {"withdrawal_note": ""}
        ).status_code
        == 422
    )
    client.post(
        reverse("cases:consent_withdraw", args=[consent.pk]),
        {"withdrawal_note": "本人から電話で撤回の申し出"},
    )
    client.force_login(other)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404


def test_a_counselor_cannot_open_or_see_cases_without_basis(client, ward, setting):
    coordinator, _counselor, household, _referral = setting
    case = cf.case(coordinator, ward.coordinating, household)
    other = rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south-2")
    client.force_login(other)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    assert case.number not in client.get(reverse("cases:list")).content.decode()
    assert client.get(reverse("cases:create") + f"?household={household.pk}").status_code == 403
