"""The demo ward's 支援経過記録: open cases carry a running record written by
the coordinating section and the case team, shown on the 家族年表, the case
page, and counted for the reports."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tsunagu.accounts.models import Staff
from tsunagu.cases.models import Case
from tsunagu.core.models import Municipality
from tsunagu.demo.cases import MODEL_CASE_TITLE
from tsunagu.demo.tests.conftest import Loaded
from tsunagu.progress.models import ProgressNote
from tsunagu.reports import rollups
from tsunagu.tests.two_factor import force_login_verified


def test_load_demo_reports_the_running_records(loaded: Loaded) -> None:
    assert "支援経過記録のデモデータを作成しました" in loaded.output


def test_the_model_case_has_a_running_record_by_two_organizations(demo: Municipality) -> None:
    case = Case.objects.get(title=MODEL_CASE_TITLE)
    notes = list(ProgressNote.objects.filter(case=case).order_by("occurred_at"))
    assert len(notes) >= 5
    assert len({note.organization_id for note in notes}) == 2
    assert len({note.kind for note in notes}) >= 5
    assert all(note.occurred_at < timezone.now() for note in notes)
    assert all(note.next_on is None or note.next_on >= note.occurred_at.date() for note in notes)
    assert rollups.differences(demo.pk) == []


def test_the_coordinator_sees_them_on_the_household_and_case_pages(demo: Municipality) -> None:
    case = Case.objects.get(title=MODEL_CASE_TITLE)
    coordinator = Staff.objects.get(username="demo-jimukyoku")
    client = force_login_verified(Client(), coordinator)
    page = client.get(reverse("people:household_detail", args=[case.household_id]))
    assert page.status_code == 200
    events = [e for e in page.context["view"].timeline if e.kind == "progress"]
    assert len(events) == ProgressNote.objects.filter(household=case.household).count()
    case_page = client.get(reverse("cases:detail", args=[case.pk]))
    assert case_page.context["progress_notes"]
