"""The demo ward's online inbox: synthetic threads in several channels and
languages (Vietnamese, a word of crisis, one answered, one turned into a
相談受付), the emergency guidance and the triage rules."""

from __future__ import annotations

from django.test import Client

from tsunagu.accounts.models import Staff
from tsunagu.core.models import Municipality
from tsunagu.demo.tests.conftest import Loaded
from tsunagu.frontdoor.models import FrontDoorSettings, Status, Thread, TriageRule
from tsunagu.reports import rollups
from tsunagu.tests.two_factor import force_login_verified


def test_load_demo_reports_the_inbox(loaded: Loaded) -> None:
    assert "オンライン相談のデモデータを作成しました" in loaded.output


def test_the_coordinator_finds_the_crisis_thread_first(demo: Municipality) -> None:
    threads = Thread.objects.all()
    assert {t.channel for t in threads} == {"web", "line", "mail"}
    assert threads.filter(language="vi").exists()
    assert threads.filter(first_response_at__isnull=False).exists()
    converted = threads.get(status=Status.CONVERTED)
    assert converted.consultation is not None and converted.consultation.household_id is None
    assert "警察110" in FrontDoorSettings.objects.get().emergency_guidance
    assert TriageRule.objects.filter(topic="income").exists()
    crisis = threads.get(crisis=True)
    client = force_login_verified(Client(), Staff.objects.get(username="demo-jimukyoku"))
    page = client.get("/threads/").content.decode()
    assert page.index(crisis.number) < min(
        page.index(t.number) for t in threads.filter(status=Status.OPEN, crisis=False)
    )
    assert "警察110" in client.get(f"/threads/{crisis.pk}/").content.decode()
    assert rollups.differences(demo.pk) == []
