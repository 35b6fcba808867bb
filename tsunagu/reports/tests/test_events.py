"""出張相談会・巡回相談 in the business report: how many were held and how many
consultations were taken there, by the event's date, kind, window and
district (docs/reports.md); archived events and consultations, events outside
the period and another municipality's never count."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from tsunagu.accounts.roles import Role
from tsunagu.appointments import services
from tsunagu.appointments.models import ConsultationEvent, EventKind
from tsunagu.consultations.models import Consultation, Topic
from tsunagu.core import tenancy
from tsunagu.reports import metrics
from tsunagu.reports.figures import Figures
from tsunagu.reports.metrics import Period
from tsunagu.reports.models import Metric, ReportRow
from tsunagu.tests import resident_factories as rf
from tsunagu.tests.factories import Ward

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PERIOD = Period(TODAY - datetime.timedelta(days=60), TODAY)


def _event(ward: Ward, organization: Any, kind: str, days_ago: int, **fields: Any) -> Any:
    with tenancy.tenant_context(ward.municipality):
        return services.event_create(
            actor=ward.member(Role.COUNSELOR),
            organization=organization,
            kind=kind,
            held_on=TODAY - datetime.timedelta(days=days_ago),
            starts_at=datetime.time(10),
            ends_at=datetime.time(12),
            venue=fields.pop("venue", "北地区公民館"),
            **fields,
        )


@pytest.fixture
def events(ward: Ward, other_ward: Ward) -> dict[str, Any]:
    counselor = ward.member(Role.COUNSELOR)
    found = {
        "session": _event(ward, ward.center, EventKind.SESSION, 30, district=ward.districts[0]),
        "round": _event(ward, ward.center, EventKind.ROUND, 10),
        "before": _event(ward, ward.center, EventKind.SESSION, 90),
        "archived": _event(ward, ward.center, EventKind.SESSION, 5),
        "elsewhere": _event(other_ward, other_ward.center, EventKind.SESSION, 5),
    }
    for name, topics in (("session", [Topic.CARE]), ("session", [Topic.INCOME]), ("round", [])):
        rf.consultation(counselor, ward.center, topics=topics or [Topic.HOUSING], event=found[name])
    rf.consultation(counselor, ward.center, topics=[Topic.CARE], event=found["before"])
    rf.consultation(counselor, ward.center, topics=[Topic.CARE], event=found["archived"])
    gone = rf.consultation(counselor, ward.center, topics=[Topic.CARE], event=found["round"])
    rf.consultation(counselor, ward.center, topics=[Topic.CARE])  # at the desk: no event
    with tenancy.tenant_context(ward.municipality):
        ConsultationEvent.objects.filter(pk=found["archived"].pk).update(archived_at=timezone.now())
        Consultation.objects.filter(pk=gone.pk).update(archived_at=timezone.now())
    return found


@pytest.mark.parametrize(
    ("metric", "option", "expected"),
    [
        (Metric.EVENTS_HELD, "", 2),
        (Metric.EVENTS_HELD, EventKind.SESSION, 1),
        (Metric.EVENTS_HELD, EventKind.ROUND, 1),
        (Metric.EVENT_CONSULTATIONS, "", 3),
        (Metric.EVENT_CONSULTATIONS, EventKind.SESSION, 2),
        (Metric.EVENT_CONSULTATIONS, EventKind.ROUND, 1),
    ],
)
def test_events_held_and_consultations_taken_there(
    ward: Ward, events: dict[str, Any], metric: str, option: str, expected: int
) -> None:
    row = ReportRow(metric=metric, option=option)
    with tenancy.tenant_context(ward.municipality):
        assert metrics.figure(row, PERIOD) == expected
        assert Figures(PERIOD).figure(row) == expected
        # The drill-down lists the same records to the window's counselor.
        shown = metrics.drill_down(ward.member(Role.COUNSELOR), row, PERIOD)
        assert shown is not None and sum(records.count() for _r, records in shown) == expected
    assert "出張相談会" in metrics.counting_rule(row) or "巡回相談" in metrics.counting_rule(row)


def test_a_row_for_another_window_or_district_counts_its_own(
    ward: Ward, events: dict[str, Any]
) -> None:
    with tenancy.tenant_context(ward.municipality):
        other = ReportRow(metric=Metric.EVENTS_HELD, organization=ward.other_center)
        assert metrics.figure(other, PERIOD) == 0
        mine = ReportRow(metric=Metric.EVENT_CONSULTATIONS, organization=ward.center)
        assert metrics.figure(mine, PERIOD) == 3
        row = ReportRow(metric=Metric.EVENT_CONSULTATIONS, district=ward.districts[0])
        assert metrics.figure(row, PERIOD) == 2
    assert ward.center.name in metrics.counting_rule(mine)


def test_the_row_form_takes_only_an_event_kind_as_option(ward: Ward) -> None:
    from tsunagu.reports.forms_business import ReportRowForm

    data = {"label": "出張相談会", "metric": Metric.EVENTS_HELD, "sort_order": 1}
    with tenancy.tenant_context(ward.municipality):
        wrong = ReportRowForm(data={**data, "option": "web"})
        assert not wrong.is_valid()
        assert "出張相談会" in str(wrong.errors.get("option"))
        assert ReportRowForm(data={**data, "option": EventKind.ROUND}).is_valid()
