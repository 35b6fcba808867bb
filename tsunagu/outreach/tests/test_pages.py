"""Outreach as a CSW uses it: quick entry, a household's months, the work list
with overdue planned contacts first, and the counts for the report."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditEvent
from tsunagu.core import tenancy
from tsunagu.outreach.models import OutreachContact, Stage
from tsunagu.outreach.selectors import contacts_per_household_month, monthly_view
from tsunagu.outreach.services import outreach_contact_record
from tsunagu.tests import resident_factories as rf

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(ward):
    csw = ward.member(Role.COUNSELOR)
    head = rf.person(csw, ward.center, family_name="山本", given_name="和子")
    son = rf.person(csw, ward.center, family_name="山本", given_name="健", birth_date=None)
    household = rf.household(csw, ward.center, head=head, members=[(son, "child")])
    return csw, household, son


def _at(days_ago: int) -> datetime.datetime:
    """``days_ago`` days before an hour ago (never in the future, whatever the time of day)."""
    return timezone.now() - datetime.timedelta(days=days_ago, hours=1)


def _record(csw, ward, household, days_ago: int, **fields) -> OutreachContact:
    values = {
        "occurred_at": _at(days_ago),
        "method": "visit",
        "result": "absent",
        "intent": "relationship",
        "stage_after": Stage.NONE,
    }
    values.update(fields)
    with tenancy.tenant_context(ward.municipality):
        return outreach_contact_record(
            actor=csw, organization=ward.center, household=household, **values
        )


def test_a_doorstep_contact_is_recorded_with_a_joint_visitor(client, ward, setting):
    csw, household, son = setting
    partner = rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "outreach-partner")
    client.force_login(csw)
    form = client.get(reverse("outreach:create", args=[household.pk]))
    assert form.status_code == 200
    page = form.content.decode()
    assert "ドア越し" in page and "働きかけの意図" in page
    with tenancy.tenant_context(ward.municipality):
        membership = partner.memberships.get()
    moment = timezone.localtime(_at(0))
    today = moment.date()
    response = client.post(
        reverse("outreach:create", args=[household.pk]),
        {
            "occurred_on": today.isoformat(),
            "occurred_time": moment.strftime("%H:%M"),
            "method": "visit",
            "result": "through_door",
            "direction": "outgoing",
            "person": son.pk,
            "intent": "relationship",
            "intent_note": "顔を覚えてもらう",
            "stage_after": "contact",
            "content": "ドア越しに声をかけ、返事があった。",
            "next_step": "来月も同じ曜日に訪問",
            "next_on": (today + datetime.timedelta(days=30)).isoformat(),
            "visitors": [membership.pk],
        },
    )
    assert response.status_code == 302
    with tenancy.tenant_context(ward.municipality):
        contact = OutreachContact.objects.get()
        assert contact.result == "through_door" and contact.person == son
        assert contact.organization == ward.center
        assert set(contact.visitors.values_list("staff_id", "organization_id")) == {
            (csw.pk, ward.center.pk),
            (partner.pk, ward.other_center.pk),
        }
        assert AuditEvent.objects.filter(action="create", object_id=str(contact.pk)).exists()
    history = client.get(reverse("outreach:household", args=[household.pk])).content.decode()
    assert "ドア越し" in history and "顔を覚えてもらう" in history and "接触" in history
    # The joint visitor's organization sees the contact as its own record.
    client.force_login(partner)
    partner_view = client.get(reverse("outreach:household", args=[household.pk]))
    assert partner_view.status_code == 200
    assert "ドア越しに声をかけ" in partner_view.content.decode()


def test_bad_input_is_refused_in_japanese_and_kept(client, ward, setting):
    csw, household, _son = setting
    client.force_login(csw)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        reverse("outreach:create", args=[household.pk]),
        {
            "occurred_on": tomorrow.isoformat(),
            "occurred_time": "23:00",
            "method": "phone",
            "result": "no_response",
            "direction": "outgoing",
            "intent": "safety",
            "stage_after": "none",
            "content": "留守番電話に伝言",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "未来の日時は記録できません" in page
    assert "留守番電話に伝言" in page  # nothing the clerk typed is lost
    with tenancy.tenant_context(ward.municipality):
        assert not OutreachContact.objects.exists()


def test_months_show_counts_and_stage_changes_and_eighteen_closed_doors(ward, setting):
    csw, household, _son = setting
    for months_ago in range(18):
        _record(csw, ward, household, days_ago=30 * months_ago + 1, result="no_response")
    _record(csw, ward, household, days_ago=0, result="through_door", stage_after=Stage.CONTACT)
    with tenancy.tenant_context(ward.municipality):
        contacts = list(OutreachContact.objects.filter(household=household))
    months = monthly_view(contacts, today=timezone.localtime(_at(0)).date())
    assert len(months) >= 18
    assert sum(m.count for m in months) == 19
    assert all(m.met == 0 for m in months)
    last = months[-1]
    assert last.stage == Stage.CONTACT and last.stage_changed and last.stage_moved_forward
    assert not any(m.stage_changed for m in months[:-1])


def test_worklist_puts_overdue_planned_contacts_first(client, ward, setting):
    csw, household, _son = setting
    other = rf.household(
        csw, ward.center, head=rf.person(csw, ward.center, family_name="中村", given_name="誠")
    )
    today = timezone.localdate()
    _record(csw, ward, other, days_ago=2, next_on=today + datetime.timedelta(days=5))
    _record(csw, ward, household, days_ago=20, next_on=today - datetime.timedelta(days=3))
    client.force_login(csw)
    page = client.get(reverse("outreach:worklist")).content.decode()
    assert "予定日超過" in page
    assert page.index("山本") < page.index("中村")
    assert "予定日を過ぎた働きかけが1世帯あります" in page


def test_counts_give_the_monthly_maximum_and_distribution(client, ward, setting):
    csw, household, _son = setting
    for _ in range(12):
        _record(csw, ward, household, days_ago=0)
    other = rf.household(
        csw, ward.center, head=rf.person(csw, ward.center, family_name="小林", given_name="実")
    )
    _record(csw, ward, other, days_ago=0)
    today = timezone.localtime(_at(0)).date()
    with tenancy.tenant_context(ward.municipality):
        result = contacts_per_household_month(
            OutreachContact.objects.all(), today.replace(day=1), today
        )
    assert result.contacts == 13 and result.households == 2 and result.maximum == 12
    assert dict(result.distribution) == {
        "1回": 1,
        "2〜3回": 0,
        "4〜6回": 0,
        "7〜11回": 0,
        "12回以上": 1,
    }
    manager = ward.member(Role.MANAGER)
    client.force_login(manager)
    page = client.get(reverse("outreach:counts")).content.decode()
    assert "一世帯に対する月あたりの最多アプローチ回数" in page
    assert "山本" not in page  # counts carry no names


def test_an_unrelated_organization_sees_nothing(client, ward, setting):
    csw, household, _son = setting
    contact = _record(csw, ward, household, days_ago=1, content="秘密の内容")
    stranger = rf.staff_at(ward, ward.department, Role.COUNSELOR, "stranger")
    client.force_login(stranger)
    assert client.get(reverse("outreach:household", args=[household.pk])).status_code == 404
    assert client.get(reverse("outreach:update", args=[contact.pk])).status_code == 404
    assert "秘密の内容" not in client.get(reverse("outreach:worklist")).content.decode()
    search = client.get(reverse("people:search"), {"q": "山本"}).content.decode()
    assert "和子" not in search
