"""The resident pages as a clerk and a receiving organization walk through them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditEvent
from tsunagu.consultations.models import Consultation
from tsunagu.core import tenancy
from tsunagu.people.models import Household, Person
from tsunagu.referrals.models import Referral, Status

pytestmark = pytest.mark.django_db


def intake_data(ward, **extra):
    # An hour ago, not "today at 09:30": just after midnight that would be the future.
    received = timezone.localtime() - timedelta(hours=1)
    data = {
        "organization": ward.center.pk,
        "received_on": received.date().isoformat(),
        "received_time": received.strftime("%H:%M"),
        "channel": "window",
        "consulter": "family",
        "consulter_note": "長女",
        "subject_mode": "new",
        "person-family_name": "髙橋",
        "person-given_name": "一郎",
        "person-family_name_kana": "",
        "person-given_name_kana": "",
        "person-sex": "male",
        "person-birth_date": "昭和20年5月1日",
        "person-address": "テスト区北1-2-3",
        "topics": ["care", "health"],
        "main_topic": "care",
        "life_issues": ["care"],
        "summary": "長女から、父の介護と訪問について相談。",
        "urgency": "normal",
        "consent_to_share": "obtained",
        "outcome": "refer",
    }
    data.update(extra)
    return data


def counselor_of(ward, organization):
    from tsunagu.tests.factories import StaffFactory, add_member

    staff = StaffFactory(municipality=ward.municipality)
    add_member(staff, organization, Role.COUNSELOR)
    return staff


def test_intake_new_person_then_referral_loop(client, ward):
    clerk = counselor_of(ward, ward.center)
    client.force_login(clerk)
    page = client.get(reverse("consultations:intake"))
    assert page.status_code == 200
    response = client.post(reverse("consultations:intake"), intake_data(ward))
    assert response.status_code == 302, response.content.decode()[:3000]
    with tenancy.tenant_context(ward.municipality):
        consultation = Consultation.objects.get()
        person = Person.objects.get()
        assert person.family_name == "髙橋"
        assert person.family_name_kana == ""  # a suggestion is never stored by itself
        assert consultation.household.memberships.get().person == person
    assert response["Location"].startswith(reverse("referrals:create"))
    # The referral form, pre-filled from the consultation.
    form = client.get(response["Location"])
    assert form.status_code == 200
    due = (timezone.localdate() + timedelta(days=7)).isoformat()
    sent = client.post(
        reverse("referrals:create"),
        {
            "consultation": consultation.pk,
            "to_organization": ward.other_center.pk,
            "request": "介護保険の申請支援をお願いします。",
            "shared_summary": "父の介護について長女から相談。",
            "shared_items": ["identity", "consultation"],
            "sharing_basis": "consent",
            "due_on": due,
            "persons": [person.pk],
        },
    )
    assert sent.status_code == 302, sent.content.decode()[:3000]
    with tenancy.tenant_context(ward.municipality):
        referral = Referral.objects.get()
    assert referral.status == Status.REQUESTED

    receiver = counselor_of(ward, ward.other_center)
    client.force_login(receiver)
    # Before acceptance: the referral, not the household.
    inbox = client.get(reverse("referrals:inbox"))
    assert referral.number in inbox.content.decode()
    assert "髙橋" not in inbox.content.decode()
    assert (
        client.get(reverse("people:household_detail", args=[consultation.household_id])).status_code
        == 404
    )
    detail = client.get(reverse("referrals:detail", args=[referral.pk]))
    assert "受理すると表示されます" in detail.content.decode()
    accepted = client.post(
        reverse("referrals:transition", args=[referral.pk]),
        {"to_status": "accepted", "version": referral.version},
    )
    assert accepted.status_code == 302
    household_page = client.get(
        reverse("people:household_detail", args=[consultation.household_id])
    )
    assert household_page.status_code == 200
    text = household_page.content.decode()
    assert "髙橋" in text and "つなぎ（紹介）による共有" in text
    # A stale version is a conflict, with the input kept.
    stale = client.post(
        reverse("referrals:transition", args=[referral.pk]),
        {"to_status": "completed", "version": referral.version, "note": "申請済みです"},
    )
    assert stale.status_code == 409
    assert "申請済みです" in stale.content.decode()
    referral.refresh_from_db()
    done = client.post(
        reverse("referrals:transition", args=[referral.pk]),
        {
            "to_status": "completed",
            "version": referral.version,
            "note": "要介護認定を申請しました。",
        },
    )
    assert done.status_code == 302
    client.force_login(clerk)
    sent_box = client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "要介護認定を申請しました。" in sent_box


def test_duplicate_warning_names_the_variant(client, ward):
    clerk = counselor_of(ward, ward.center)
    client.force_login(clerk)
    client.post(
        reverse("consultations:intake"),
        intake_data(ward, **{"person-family_name": "高橋", "outcome": "continue_here"}),
    )
    response = client.post(
        reverse("people:matches"),
        {
            "prefix": "person",
            "person-family_name": "髙橋",
            "person-given_name": "一郎",
            "person-birth_date": "昭和20年5月1日",
        },
    )
    text = response.content.decode()
    assert "すでに登録されている可能性がある方" in text
    assert "髙→高" in text
    # Another organization's clerk is not warned: that would disclose the person.
    other = counselor_of(ward, ward.other_center)
    client.force_login(other)
    response = client.post(
        reverse("people:matches"),
        {"prefix": "person", "person-family_name": "髙橋", "person-given_name": "一郎"},
    )
    assert "すでに登録されている" not in response.content.decode()


def test_unrelated_organization_gets_not_found_everywhere(client, ward):
    clerk = counselor_of(ward, ward.center)
    client.force_login(clerk)
    client.post(reverse("consultations:intake"), intake_data(ward, outcome="continue_here"))
    with tenancy.tenant_context(ward.municipality):
        household = Household.objects.get()
        person = Person.objects.get()
        consultation = Consultation.objects.get()
    stranger = counselor_of(ward, ward.department)
    client.force_login(stranger)
    assert client.get(reverse("people:household_detail", args=[household.pk])).status_code == 404
    assert client.get(reverse("people:person_detail", args=[person.pk])).status_code == 404
    assert client.get(reverse("consultations:detail", args=[consultation.pk])).status_code == 404
    found = client.post(reverse("people:search"), {"q": "髙橋"}).content.decode()
    assert reverse("people:person_detail", args=[person.pk]) not in found
    assert "該当する本人はいません。" in found
    found = client.post(reverse("people:search_consultations"), {"q": "介護"}).content.decode()
    assert reverse("consultations:detail", args=[consultation.pk]) not in found
    client.force_login(clerk)
    found = client.post(reverse("people:search"), {"q": "たかはし"}).content.decode()
    assert reverse("people:person_detail", args=[person.pk]) not in found  # no kana typed
    found = client.post(reverse("people:search"), {"q": "高橋"}).content.decode()
    assert reverse("people:person_detail", args=[person.pk]) in found
    found = client.post(reverse("people:search_consultations"), {"q": "介護"}).content.decode()
    assert reverse("consultations:detail", args=[consultation.pk]) in found
    denials = AuditEvent.objects.filter(actor=stranger, action="deny")
    assert denials.count() == 3


def test_emergency_opening_is_marked_and_listed(client, ward):
    clerk = counselor_of(ward, ward.center)
    client.force_login(clerk)
    client.post(reverse("consultations:intake"), intake_data(ward, outcome="continue_here"))
    with tenancy.tenant_context(ward.municipality):
        household = Household.objects.get()
    stranger = counselor_of(ward, ward.department)
    client.force_login(stranger)
    reason = "警察から安否確認の要請があり、緊急連絡先を確認するため"
    found = client.post(reverse("people:emergency"), {"reason": reason, "query": "髙橋"})
    assert "この世帯を緊急に開く" in found.content.decode()
    opened = client.post(
        reverse("people:emergency"), {"reason": reason, "query": "髙橋", "household": household.pk}
    )
    assert opened.status_code == 302
    page = client.get(reverse("people:household_detail", args=[household.pk])).content.decode()
    assert "緊急時の閲覧中" in page and reason in page
    client.force_login(ward.member(Role.AUDITOR))
    review = client.get(reverse("people:emergency_list")).content.decode()
    assert reason in review


def test_an_emergency_opening_gives_no_way_to_attach_a_consultation(client, ward):
    """Break-glass is for reading: recording a consultation about the person
    would otherwise turn it into a lasting own-organization basis."""
    clerk = counselor_of(ward, ward.center)
    client.force_login(clerk)
    client.post(reverse("consultations:intake"), intake_data(ward, outcome="continue_here"))
    with tenancy.tenant_context(ward.municipality):
        household = Household.objects.get()
        person = Person.objects.get()
    stranger = counselor_of(ward, ward.department)
    client.force_login(stranger)
    reason = "警察から安否確認の要請があり、緊急連絡先を確認するため"
    client.post(
        reverse("people:emergency"), {"reason": reason, "query": "髙橋", "household": household.pk}
    )
    assert client.get(reverse("people:household_detail", args=[household.pk])).status_code == 200
    data = intake_data(ward, organization=ward.department.pk, outcome="continue_here")
    data["existing_person"] = person.pk
    assert client.post(reverse("consultations:intake"), data).status_code == 404
    assert (
        client.get(reverse("consultations:intake") + f"?household={household.pk}").status_code
        == 404
    )
    with tenancy.tenant_context(ward.municipality):
        assert Consultation.objects.count() == 1
