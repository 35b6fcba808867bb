"""The 準備シート printed with the household's chronology (家族年表): only for the
pledged attendees of the 支援会議; everyone else gets the not-found of a
missing item, audited; the print itself is audited with what it shows."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from tsunagu import policy
from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditAction, AuditEvent
from tsunagu.core import tenancy
from tsunagu.directory.models import Organization
from tsunagu.lifeevents.services import life_event_record
from tsunagu.meetings.chronology import chronology, chronology_html
from tsunagu.meetings.models import AgendaItem, Kind, Meeting
from tsunagu.meetings.services import brief_save, meeting_cancel
from tsunagu.people.models import Relationship
from tsunagu.tests import case_factories as cf
from tsunagu.tests import resident_factories as rf

pytestmark = pytest.mark.django_db


class Sitting:
    """A 支援会議 of 福祉政策課 about the 架空 household: 南 centre attends,
    pledged; 総務課 attends without a pledge; 社協 recorded that the son left his
    job in 2019 and was in hospital in May 2021; the registrar (北 centre)
    received a consultation the 南 centre cannot see."""

    def __init__(self, ward) -> None:
        self.ward = ward
        self.coordinator = ward.member(Role.COORDINATOR)
        self.registrar = ward.member(Role.COUNSELOR)
        self.south = rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south")
        self.clerk = rf.staff_at(ward, ward.department, Role.COUNSELOR, "soumu")
        with tenancy.tenant_context(ward.municipality):
            self.council = Organization.objects.create(name="社会福祉協議会", kind="contractor")
        self.csw = rf.staff_at(ward, self.council, Role.COUNSELOR, "csw")
        self.head = rf.person(self.registrar, ward.center, family_name="架空", given_name="一子")
        self.son = rf.person(self.registrar, ward.center, family_name="架空", given_name="二郎")
        self.household = rf.household(
            self.registrar, ward.center, head=self.head, members=[(self.son, Relationship.CHILD)]
        )
        rf.consultation(
            self.registrar, ward.center, household=self.household, summary="北だけが知る相談の内容"
        )
        referral = rf.referral(self.registrar, ward.center, self.council, household=self.household)
        rf.accepted(referral, self.csw)
        with tenancy.tenant_context(ward.municipality):
            for kind, day, precision, text in (
                ("job_loss", datetime.date(2019, 1, 1), "year", "工場の閉鎖で失業"),
                ("admission", datetime.date(2021, 5, 1), "month", "肺炎で入院"),
            ):
                life_event_record(
                    actor=self.csw,
                    organization=self.council,
                    household=self.household,
                    person=self.son,
                    kind=kind,
                    occurred_on=day,
                    precision=precision,
                    description=text,
                    source="family",
                )
        self.case = cf.case(self.coordinator, ward.coordinating, self.household)
        self.meeting = cf.meeting(self.coordinator, ward.coordinating, kinds=[Kind.SUPPORT_MEETING])
        self.item = cf.on_agenda(self.coordinator, self.meeting, self.case)
        with tenancy.tenant_context(ward.municipality):
            brief_save(
                actor=self.coordinator, item=self.item, fields={"brief_current": "包括が訪問中"}
            )
        cf.attend(self.coordinator, self.meeting, self.south, ward.other_center)
        cf.attend(self.coordinator, self.meeting, self.clerk, ward.department, pledge=False)

    def url(self) -> str:
        return reverse("meetings:chronology", args=[self.item.pk])

    def get(self, staff):
        client = Client()
        client.force_login(staff)
        return client.get(self.url())


@pytest.fixture
def sitting(ward) -> Sitting:
    return Sitting(ward)


def _item(sitting: Sitting) -> AgendaItem:
    with tenancy.tenant_context(sitting.ward.municipality):
        return AgendaItem.objects.select_related("part__meeting", "case__household").get(
            pk=sitting.item.pk
        )


def test_a_pledged_attendee_prints_the_brief_with_the_family_s_history(sitting: Sitting) -> None:
    response = sitting.get(sitting.south)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Cache-Control"] == "no-store"
    with tenancy.tenant_context(sitting.ward.municipality):
        printed = AuditEvent.objects.filter(actor=sitting.south, action=AuditAction.PRINT).latest(
            "id"
        )
        assert printed.basis == policy.Basis.SUPPORT_MEETING
        assert printed.detail["print"] == "chronology"
        assert len(printed.detail["shown"]["life_event"]) == 2
        html = chronology_html(
            sitting.south, _item(sitting), chronology(sitting.south, _item(sitting))[0]
        )
    # The brief, and the life events (whoever recorded them), dated as known, oldest first.
    assert "包括が訪問中" in html
    assert html.index("2019年頃") < html.index("令和3年5月")
    assert "家族の出来事：失業" in html and "工場の閉鎖で失業" in html
    assert "社会福祉協議会" in html
    # The rest of the 家族年表 only as far as the printer may see it.
    assert "北だけが知る相談の内容" not in html


def test_an_attendee_without_a_pledge_cannot_print_it(sitting: Sitting) -> None:
    assert sitting.get(sitting.clerk).status_code == 404
    with tenancy.tenant_context(sitting.ward.municipality):
        assert AuditEvent.objects.filter(actor=sitting.clerk, action=AuditAction.DENY).exists()
        assert not AuditEvent.objects.filter(actor=sitting.clerk, action=AuditAction.PRINT).exists()


def test_a_non_attendee_cannot_print_it_even_the_recorder_of_the_events(sitting: Sitting) -> None:
    for staff in (sitting.csw, sitting.registrar, sitting.ward.member(Role.MANAGER)):
        assert sitting.get(staff).status_code == 404, staff
        with tenancy.tenant_context(sitting.ward.municipality):
            assert AuditEvent.objects.filter(actor=staff, action=AuditAction.DENY).exists()


def test_the_host_prints_it_only_through_a_pledged_attendance(sitting: Sitting) -> None:
    assert sitting.get(sitting.coordinator).status_code == 404
    cf.attend(sitting.coordinator, sitting.meeting, sitting.coordinator, sitting.ward.coordinating)
    assert sitting.get(sitting.coordinator).status_code == 200


def test_another_tenant_and_a_cancelled_meeting_are_refused(sitting: Sitting, other_ward) -> None:
    assert sitting.get(other_ward.member(Role.COORDINATOR)).status_code == 404
    with tenancy.tenant_context(sitting.ward.municipality):
        meeting_cancel(
            actor=sitting.coordinator,
            meeting=Meeting.objects.get(pk=sitting.meeting.pk),
            reason="台風のため",
        )
    assert sitting.get(sitting.south).status_code == 404


def test_the_sitting_page_offers_the_print_only_to_the_pledged(sitting: Sitting) -> None:
    link = sitting.url()
    for staff, offered in ((sitting.south, True), (sitting.coordinator, False)):
        client = Client()
        client.force_login(staff)
        body = client.get(reverse("meetings:detail", args=[sitting.meeting.pk])).content.decode()
        assert (link in body) is offered, staff
