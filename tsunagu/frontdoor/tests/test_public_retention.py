"""Threads follow the municipality's retention period: the daily retention job
(tsunagu/core/retention.py) anonymises a closed or converted thread whose
closing day is older than the period, in its dry run and its run."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tsunagu.core import retention, tenancy
from tsunagu.core.models import AnonymisedRecord
from tsunagu.frontdoor import public, services
from tsunagu.frontdoor.models import EventKind, Status, Thread
from tsunagu.tests.factories import Ward

pytestmark = pytest.mark.django_db


def thread_closed(ward: Ward, days_ago: int | None, body: str) -> tuple[Thread, str, str]:
    with tenancy.tenant_context(ward.municipality):
        thread = services.open_thread(
            channel="web", language="en", nickname="Mai", contact="090-0000-0000"
        )
        token, code = services.set_public_secret(thread)
        services.receive(thread, body)
        if days_ago is not None:
            thread.status = Status.CLOSED
            thread.closed_at = timezone.now() - datetime.timedelta(days=days_ago)
            thread.save(update_fields=["status", "closed_at"])
    return thread, token, code


def test_a_thread_closed_longer_ago_than_the_period_is_anonymised(ward: Ward) -> None:
    years = ward.municipality.retention_years
    old, token, code = thread_closed(ward, 365 * years + 10, "昔の相談の本文")
    recent, _token, _code = thread_closed(ward, 30, "最近の相談の本文")
    still_open, _t, _c = thread_closed(ward, None, "続いている相談")

    plan = retention.plan(ward.municipality, timezone.localdate())
    assert plan.ids()[retention.THREAD] == [old.pk]
    assert any("オンライン相談: 1件" in line for line in plan.lines())
    with tenancy.tenant_context(ward.municipality):
        assert old.messages.get().body == "昔の相談の本文"  # the dry run changes nothing

    result = retention.apply(plan)
    assert result.counts[retention.THREAD] == 1
    with tenancy.tenant_context(ward.municipality):
        old.refresh_from_db()
        assert old.anonymised_at is not None
        assert (old.nickname, old.contact, old.token_hash, old.code_hash) == ("", "", "", "")
        assert list(old.messages.values_list("body", flat=True)) == ["（匿名化済み）"]
        assert old.events.filter(kind=EventKind.ANONYMISED).count() == 1
        assert AnonymisedRecord.objects.filter(record_type="frontdoor.thread").count() == 1
        for kept in (recent, still_open):
            kept.refresh_from_db()
            assert kept.anonymised_at is None and kept.nickname == "Mai"
        # The resident's link opens nothing any more.
        assert public.open_own_thread(token, code).thread is None

    # Running again finds nothing.
    assert retention.plan(ward.municipality, timezone.localdate()).ids()[retention.THREAD] == []
