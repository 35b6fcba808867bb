"""新規/継続 on consultations (derived from the records, set by the recording
staff, counted by the reports' 新規相談受付 with the rollups kept in the same
transaction) and linking a consultation about an unknown subject to the
household found later, through the page and the API, audited."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditAction, AuditEvent
from tsunagu.consultations.models import Consultation, ConsultationSubject
from tsunagu.consultations.services import consultation_continuity_set
from tsunagu.core import tenancy
from tsunagu.reports import metrics, rollups
from tsunagu.reports.business import business_report
from tsunagu.reports.layout import RowSpec, TableSpec, report_layout_install
from tsunagu.reports.metrics import Period
from tsunagu.reports.models import Metric, ReportRow
from tsunagu.tests import resident_factories as rf
from tsunagu.tests.factories import Ward

pytestmark = pytest.mark.django_db


def _at(days_ago: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days_ago, hours=1)


@pytest.fixture
def family(ward: Ward):
    counselor = ward.member(Role.COUNSELOR)
    head = rf.person(counselor, ward.center, family_name="上野", given_name="花子")
    son = rf.person(counselor, ward.center, family_name="上野", given_name="一郎")
    household = rf.household(counselor, ward.center, head=head, members=[(son, "child")])
    return counselor, household, head, son


def _mark(ward: Ward, consultation: Consultation) -> tuple[str, bool]:
    with tenancy.tenant_context(ward.municipality):
        row = Consultation.objects.get(pk=consultation.pk)
        return row.continuity, row.continuity_by_hand


def test_the_first_consultation_is_new_and_the_next_within_a_year_continues(ward, family):
    counselor, household, head, _son = family
    first = rf.consultation(counselor, ward.center, household=household, received_at=_at(400))
    second = rf.consultation(counselor, ward.center, household=household, received_at=_at(30))
    third = rf.consultation(counselor, ward.center, household=household, received_at=_at(1))
    # Another organization's first consultation about the same household is new there.
    elsewhere = rf.consultation(
        counselor, ward.other_center, household=household, received_at=_at(1)
    )
    # A subject named without the household continues as well.
    by_person = rf.consultation(counselor, ward.center, subjects=[head], received_at=_at(0))
    assert _mark(ward, first) == ("new", False)
    assert _mark(ward, second) == ("new", False)  # the earlier one is over a year before
    assert _mark(ward, third) == ("continuing", False)
    assert _mark(ward, elsewhere) == ("new", False)
    assert _mark(ward, by_person) == ("continuing", False)


def test_an_accepted_referral_makes_the_receiver_s_consultation_continuing(ward, family):
    counselor, household, _head, _son = family
    south = rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south")
    referral = rf.referral(counselor, ward.center, ward.other_center, household=household)
    rf.accepted(referral, south)
    continuing = rf.consultation(south, ward.other_center, household=household)
    assert _mark(ward, continuing) == ("continuing", False)


def test_the_recording_staff_sets_the_mark_and_the_report_counts_new_only(ward, family):
    counselor, household, _head, _son = family
    with tenancy.tenant_context(ward.municipality):
        report_layout_install(
            actor=ward.member(Role.COORDINATOR),
            layout=(
                TableSpec(1, "自立相談支援事業", rows=(
                    RowSpec("新規相談受付", Metric.NEW_CONSULTATIONS, "地域包括支援センター北"),
                    RowSpec("延べ", Metric.CONSULTATIONS, "地域包括支援センター北"),
                )),
            ),
        )  # fmt: skip
    rf.consultation(counselor, ward.center, household=household, received_at=_at(3))
    second = rf.consultation(counselor, ward.center, household=household, received_at=_at(2))
    rf.consultation(counselor, ward.center, received_at=_at(1))  # unknown subject: new
    today = timezone.localdate()
    period = Period(today - datetime.timedelta(days=10), today)

    def figures() -> dict[str, int | None]:
        """From the rollups (the report) and from the records: the same."""
        with tenancy.tenant_context(ward.municipality):
            rows = ReportRow.objects.filter(label__in=["新規相談受付", "延べ"])
            counted = {row.label: metrics.figure(row, period) for row in rows}
            report = business_report((period,))
            shown = {line.row.label: line.values[0] for line in report.rows()}
        assert shown == counted
        return counted

    assert figures() == {"新規相談受付": 2, "延べ": 3}
    # Set by hand through the page: the rollups follow in the same transaction.
    client = Client()
    client.force_login(counselor)
    response = client.post(
        reverse("consultations:continuity", args=[second.pk]), {"continuity": "new"}
    )
    assert response.status_code == 302
    assert _mark(ward, second) == ("new", True)
    assert figures() == {"新規相談受付": 3, "延べ": 3}
    assert rollups.differences(ward.municipality.pk) == []
    with tenancy.tenant_context(ward.municipality):
        assert AuditEvent.objects.filter(
            action=AuditAction.CHANGE, object_id=str(second.pk), detail__to="new"
        ).exists()
    # Another organization may read nothing here and change nothing.
    south = rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south")
    client.force_login(south)
    response = client.post(
        reverse("consultations:continuity", args=[second.pk]), {"continuity": "continuing"}
    )
    assert response.status_code == 404
    assert _mark(ward, second) == ("new", True)


def test_the_api_takes_and_answers_the_mark(ward, family):
    counselor, household, _head, _son = family
    client = Client()
    client.force_login(counselor)
    first = rf.consultation(counselor, ward.center, household=household, received_at=_at(5))
    body = client.get(f"/api/v1/consultations/{first.pk}").json()
    assert (body["continuity"], body["continuity_label"], body["continuity_by_hand"]) == (
        "new",
        "新規",
        False,
    )
    answer = client.put(
        f"/api/v1/consultations/{first.pk}/continuity",
        {"continuity": "continuing"},
        content_type="application/json",
    )
    assert answer.status_code == 200
    assert answer.json()["continuity_by_hand"] is True
    bad = client.put(
        f"/api/v1/consultations/{first.pk}/continuity",
        {"continuity": "maybe"},
        content_type="application/json",
    )
    assert bad.status_code == 422


def test_an_unknown_subject_is_linked_later_on_the_page(ward, family):
    counselor, household, _head, son = family
    previous = rf.consultation(counselor, ward.center, household=household, received_at=_at(20))
    assert previous.continuity == "new"
    upstairs = rf.consultation(
        counselor, ward.center, unknown_subject="上の階の人", received_at=_at(1)
    )
    assert _mark(ward, upstairs) == ("new", False)
    client = Client()
    client.force_login(counselor)
    detail = client.get(reverse("consultations:detail", args=[upstairs.pk])).content.decode()
    link = reverse("consultations:link", args=[upstairs.pk])
    assert link in detail
    found = client.get(link, {"q": "上野"}).content.decode()
    assert son.full_name in found and f'value="{son.pk}"' in found
    confirm = client.get(link, {"person": son.pk}).content.decode()
    assert "この世帯に結び付ける" in confirm
    response = client.post(link, {"person": son.pk, "subjects": [son.pk]})
    assert response.status_code == 302
    with tenancy.tenant_context(ward.municipality):
        linked = Consultation.objects.get(pk=upstairs.pk)
        assert linked.household_id == household.pk
        assert set(
            ConsultationSubject.objects.filter(consultation=linked).values_list(
                "person_id", flat=True
            )
        ) == {son.pk}
        event = AuditEvent.objects.filter(
            action=AuditAction.CHANGE, object_id=str(upstairs.pk)
        ).latest("id")
        assert event.detail["linked_household"] == household.pk
    # The household's earlier consultation makes it 継続 now, and the rollups follow.
    assert _mark(ward, upstairs) == ("continuing", False)
    assert rollups.differences(ward.municipality.pk) == []
    # Linked once: the page says so instead of offering it again.
    assert client.get(link).status_code == 302


def test_linking_is_refused_to_another_organization_and_to_a_household_out_of_reach(ward, family):
    counselor, household, _head, son = family
    upstairs = rf.consultation(counselor, ward.center, unknown_subject="上の階の人")
    south = rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south")
    client = Client()
    client.force_login(south)
    assert client.get(reverse("consultations:link", args=[upstairs.pk])).status_code == 404
    assert (
        client.post(
            f"/api/v1/consultations/{upstairs.pk}/link",
            {"household_id": household.pk, "subject_ids": [son.pk]},
            content_type="application/json",
        ).status_code
        == 404
    )
    # The south centre's own unknown-subject consultation, linked to a household it cannot see.
    theirs = rf.consultation(south, ward.other_center, unknown_subject="向かいの家")
    answer = client.post(
        f"/api/v1/consultations/{theirs.pk}/link",
        {"household_id": household.pk, "subject_ids": [son.pk]},
        content_type="application/json",
    )
    assert answer.status_code == 422
    response = client.post(
        reverse("consultations:link", args=[theirs.pk]), {"person": son.pk, "subjects": [son.pk]}
    )
    assert response.status_code == 404
    with tenancy.tenant_context(ward.municipality):
        assert Consultation.objects.get(pk=theirs.pk).household_id is None


def test_the_api_links_with_members_of_the_household_only(ward, family):
    counselor, household, head, son = family
    stranger = rf.person(counselor, ward.center, family_name="別所", given_name="太郎")
    upstairs = rf.consultation(counselor, ward.center, unknown_subject="上の階の人")
    client = Client()
    client.force_login(counselor)
    url = f"/api/v1/consultations/{upstairs.pk}/link"
    refused = client.post(
        url,
        {"household_id": household.pk, "subject_ids": [stranger.pk]},
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert "subject_ids" in refused.json()["errors"]
    answer = client.post(
        url,
        {"household_id": household.pk, "subject_ids": [head.pk, son.pk]},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["household_id"] == household.pk
    assert answer.json()["subject_ids"] == sorted([head.pk, son.pk])
    again = client.post(
        url,
        {"household_id": household.pk, "subject_ids": [son.pk]},
        content_type="application/json",
    )
    assert again.status_code == 422


def test_a_mark_set_by_hand_stays_when_the_consultation_is_linked(ward, family):
    counselor, household, _head, son = family
    rf.consultation(counselor, ward.center, household=household, received_at=_at(20))
    upstairs = rf.consultation(counselor, ward.center, unknown_subject="上の階の人")
    with tenancy.tenant_context(ward.municipality):
        consultation_continuity_set(actor=counselor, consultation=upstairs, continuity="new")
    client = Client()
    client.force_login(counselor)
    client.post(
        f"/api/v1/consultations/{upstairs.pk}/link",
        {"household_id": household.pk, "subject_ids": [son.pk]},
        content_type="application/json",
    )
    assert _mark(ward, upstairs) == ("new", True)
