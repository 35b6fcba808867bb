"""家族の出来事 as staff use them: recorded from the household page with the date
as far as it is known, shown in the 家族年表 among the rest, corrected and
withdrawn by the recording organization only; the same through the API."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditAction, AuditEvent
from tsunagu.core import tenancy
from tsunagu.lifeevents.models import LifeEvent, Precision
from tsunagu.lifeevents.services import life_event_archive, life_event_record, life_event_update
from tsunagu.tests import resident_factories as rf

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(ward):
    csw = ward.member(Role.COUNSELOR)
    head = rf.person(csw, ward.center, family_name="山本", given_name="和子")
    son = rf.person(csw, ward.center, family_name="山本", given_name="健")
    household = rf.household(csw, ward.center, head=head, members=[(son, "child")])
    return csw, household, son


def _record(ward, csw, household, **fields) -> LifeEvent:
    values = {
        "kind": "dropout",
        "occurred_on": datetime.date(2016, 9, 15),
        "precision": Precision.DAY,
        "source": "person",
    }
    values.update(fields)
    with tenancy.tenant_context(ward.municipality):
        return life_event_record(actor=csw, organization=ward.center, household=household, **values)


def test_a_year_only_event_is_recorded_from_the_page_and_shown_in_the_chronology(
    client, ward, setting
):
    csw, household, son = setting
    client.force_login(csw)
    assert client.get(reverse("lifeevents:create", args=[household.pk])).status_code == 200
    response = client.post(
        reverse("lifeevents:create", args=[household.pk]),
        {
            "kind": "retirement",
            "person": son.pk,
            "year": "2019",
            "month": "",
            "day": "",
            "description": "体調を崩して退職した",
            "source": "family",
            "source_note": "母から",
        },
    )
    assert response.status_code == 302
    with tenancy.tenant_context(ward.municipality):
        event = LifeEvent.objects.get()
        assert (event.occurred_on, event.precision) == (datetime.date(2019, 1, 1), "year")
        assert event.recorded_basis == "own_organization"
        assert event.organization_id == ward.center.pk
        assert AuditEvent.objects.filter(
            action=AuditAction.CREATE, object_id=str(event.pk), actor=csw
        ).exists()
    page = client.get(reverse("people:household_detail", args=[household.pk])).content.decode()
    assert "家族の出来事：退職" in page
    assert "2019年頃" in page
    assert "体調を崩して退職した" in page


def test_a_day_without_a_month_and_an_impossible_date_get_japanese_errors(client, ward, setting):
    csw, household, _son = setting
    client.force_login(csw)
    url = reverse("lifeevents:create", args=[household.pk])
    base = {"kind": "move", "year": "2020", "source": "record"}
    body = client.post(url, {**base, "day": "3"}).content.decode()
    assert "日を入力したときは、月も入力してください。" in body
    body = client.post(url, {**base, "month": "2", "day": "30"}).content.decode()
    assert "その月にない日付です。" in body
    future = datetime.date.today().year + 1
    body = client.post(url, {**base, "year": str(future)}).content.decode()
    assert "これから起きることは記録できません" in body
    with tenancy.tenant_context(ward.municipality):
        assert not LifeEvent.objects.exists()


def test_only_the_recording_organization_corrects_and_withdraws(client, ward, setting):
    csw, household, son = setting
    event = _record(ward, csw, household, person=son)
    other = rf.staff_at(ward, ward.center, Role.COUNSELOR, "colleague")
    south = rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south")
    client.force_login(south)
    assert client.get(reverse("lifeevents:update", args=[event.pk])).status_code == 404
    assert client.get(reverse("lifeevents:archive", args=[event.pk])).status_code == 404
    client.force_login(other)
    response = client.post(
        reverse("lifeevents:update", args=[event.pk]),
        {"kind": "dropout", "year": "2016", "month": "9", "source": "person", "person": son.pk},
    )
    assert response.status_code == 302
    with tenancy.tenant_context(ward.municipality):
        event.refresh_from_db()
        assert (event.occurred_on, event.precision) == (datetime.date(2016, 9, 1), "month")
    response = client.post(reverse("lifeevents:archive", args=[event.pk]), {"reason": "誤記録"})
    assert response.status_code == 302
    page = client.get(reverse("people:household_detail", args=[household.pk])).content.decode()
    assert "家族の出来事：中退" not in page
    with tenancy.tenant_context(ward.municipality):
        event.refresh_from_db()
        assert event.archived_at is not None and event.archive_reason == "誤記録"
        with pytest.raises(ValidationError):
            life_event_update(actor=csw, event=event, person=None, kind="move")


def test_the_service_refuses_a_person_of_another_household_and_a_stranger(ward, setting):
    csw, household, _son = setting
    stranger = rf.person(csw, ward.center, family_name="他人", given_name="太郎")
    with pytest.raises(ValidationError) as refused:
        _record(ward, csw, household, person=stranger)
    assert "person" in refused.value.error_dict
    south = rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south")
    with tenancy.tenant_context(ward.municipality), pytest.raises(ValidationError):
        life_event_record(
            actor=south,
            organization=ward.other_center,
            household=household,
            kind="move",
            occurred_on=datetime.date(2020, 1, 1),
            source="record",
        )
    event = _record(ward, csw, household)
    with tenancy.tenant_context(ward.municipality), pytest.raises(ValidationError):
        life_event_archive(actor=csw, event=event, reason="  ")


def test_the_api_records_lists_corrects_and_withdraws(client, ward, setting):
    csw, household, son = setting
    client.force_login(csw)
    url = f"/api/v1/households/{household.pk}/life-events"
    created = client.post(
        url,
        {
            "kind": "admission",
            "occurred_on": "2021-05-01",
            "precision": "month",
            "source": "agency",
            "source_note": "病院のMSWから",
            "person_id": son.pk,
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["when_label"] == "令和3年5月"
    assert body["basis"] == "own_organization"
    assert body["recorded_basis"] == "own_organization"
    assert body["person"] == son.full_name
    listed = client.get(url).json()
    assert [item["id"] for item in listed["items"]] == [body["id"]]
    changed = client.put(
        f"/api/v1/life-events/{body['id']}",
        {"kind": "discharge", "occurred_on": "2021-06-10", "source": "agency"},
        content_type="application/json",
    )
    assert changed.status_code == 200
    assert changed.json()["kind_label"] == "退院" and changed.json()["person_id"] is None
    south = rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south")
    client.force_login(south)
    assert client.get(f"/api/v1/life-events/{body['id']}").status_code == 404
    refused = client.post(
        url,
        {"kind": "move", "occurred_on": "2020-01-01", "source": "record"},
        content_type="application/json",
    )
    assert refused.status_code == 404
    client.force_login(csw)
    archived = client.post(
        f"/api/v1/life-events/{body['id']}/archive",
        {"reason": "別の世帯の出来事だった"},
        content_type="application/json",
    )
    assert archived.status_code == 200
    assert client.get(url).json()["items"] == []


def test_the_pages_cost_the_same_statements_however_many_events(ward, setting):
    """The household's events page and its 家族年表: no statement per event."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    csw, household, son = setting
    for year in (2001, 2002):
        _record(ward, csw, household, occurred_on=datetime.date(year, 1, 1), precision="year")
    client = Client()
    client.force_login(csw)
    urls = [
        reverse("lifeevents:household", args=[household.pk]),
        reverse("people:household_detail", args=[household.pk]),
    ]
    for url in urls:
        client.get(url)

    def counts() -> list[int]:
        found = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            found.append(len(queries))
        return found

    few = counts()
    for year in range(2003, 2011):
        _record(ward, csw, household, person=son, occurred_on=datetime.date(year, 3, 1))
    assert counts() == few
