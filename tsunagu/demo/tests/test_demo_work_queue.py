"""The demo's 自立相談支援窓口 is told of the つなぐシート waiting for it: its
counselor's home page lists them, with those past their deadline, and the
menu carries the count (issue 19: the home page said nothing of them)."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tsunagu.core.models import Municipality
from tsunagu.demo.residents import JIRITSU
from tsunagu.demo.tests.conftest import staff
from tsunagu.directory.models import Organization
from tsunagu.referrals.models import Referral, Status


def test_the_jiritsu_window_sees_its_incoming_sheets_on_its_home_page(
    demo: Municipality,
) -> None:
    counselor = staff("demo-jiritsu-1")
    window = Organization.objects.get(name=JIRITSU)
    today = timezone.localdate()
    waiting = Referral.objects.filter(to_organization=window, status=Status.REQUESTED)
    assert waiting.exists(), "the demo sends the window sheets to accept"
    client = Client()
    client.force_login(counselor)

    page = client.get(reverse("home"))

    found = page.context["queue"].counts
    assert found.referrals_waiting == waiting.count()
    assert found.referrals_waiting_overdue == waiting.filter(due_on__lt=today).count()
    html = page.content.decode()
    assert "今日の仕事" in html
    for referral in waiting.order_by("due_on", "pk")[:10]:
        assert reverse("referrals:detail", args=[referral.pk]) in html
    assert f'<span class="nav-count" aria-hidden="true">{found.referrals}</span>' in html
