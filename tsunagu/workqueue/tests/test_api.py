"""The work queue's counts and the notice settings through the API, as on the pages."""

from __future__ import annotations

import pytest
from django.test import Client

from tsunagu.accounts.models import NoticeKind, NoticeMode, Staff
from tsunagu.accounts.roles import Role
from tsunagu.core import tenancy
from tsunagu.tests import resident_factories as rf
from tsunagu.tests.factories import Ward

pytestmark = pytest.mark.django_db


def signed_in(staff: Staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def test_the_counts_of_the_acting_organization(ward: Ward) -> None:
    sender = ward.member(Role.COUNSELOR)
    receiver = rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south")
    rf.referral(sender, ward.center, ward.other_center)
    body = signed_in(receiver).get("/api/v1/me/work-queue").json()
    assert body["organization_id"] == ward.other_center.pk
    assert (body["referrals_waiting"], body["referrals_waiting_overdue"]) == (1, 0)
    # The sender has nothing to do yet.
    assert signed_in(sender).get("/api/v1/me/work-queue").json()["referrals_waiting"] == 0


def test_an_auditor_has_no_queue(ward: Ward) -> None:
    sender = ward.member(Role.COUNSELOR)
    rf.referral(sender, ward.center, ward.department)
    body = signed_in(ward.member(Role.AUDITOR)).get("/api/v1/me/work-queue").json()
    assert body["organization_id"] is None
    assert not any(v for k, v in body.items() if k != "organization_id")


def test_notice_settings_are_read_and_changed_with_the_pages_rules(ward: Ward) -> None:
    counselor = ward.member(Role.COUNSELOR)
    client = signed_in(counselor)
    assert client.get("/api/v1/me/notices").json()["notice_mode"] == NoticeMode.OFF
    refused = client.put(
        "/api/v1/me/notices",
        {"notice_mode": NoticeMode.DAILY, "email": "", "notice_kinds": [NoticeKind.TASKS]},
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert "メールアドレス" in refused.json()["errors"]["email"][0]
    changed = client.put(
        "/api/v1/me/notices",
        {
            "notice_mode": NoticeMode.DAILY,
            "email": "north@city.example.lg.jp",
            "notice_kinds": [NoticeKind.REFERRALS],
        },
        content_type="application/json",
    )
    assert changed.status_code == 200
    assert changed.json()["notice_kinds"] == [NoticeKind.REFERRALS]
    with tenancy.tenant_context(ward.municipality):
        kept = Staff.objects.get(pk=counselor.pk)
    assert (kept.notice_mode, kept.email) == (NoticeMode.DAILY, "north@city.example.lg.jp")
