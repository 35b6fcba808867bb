"""Rate limits: login failures lock an account (django-axes) and the API
answers 429 in Japanese with Retry-After beyond a staff member's request rate
(settings.TSUNAGU_API_RATE; a low rate here, the product's in the settings)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from tsunagu.accounts.roles import Role
from tsunagu.accounts.services import api_token_create
from tsunagu.core import tenancy
from tsunagu.tests.factories import PASSWORD, Ward

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")

pytestmark = pytest.mark.django_db


def post_login(client: Client, username: str, password: str):
    return client.post("/login/", {"username": username, "password": password})


def _token(ward: Ward, role: Role = Role.COUNSELOR) -> str:
    staff = ward.member(role)
    with tenancy.tenant_context(staff.municipality):
        return api_token_create(actor=staff, name="集計")[1]


# --- Login ---------------------------------------------------------------------------


def test_a_locked_account_opens_again_after_the_cool_off(
    ward: Ward, settings, clean_counters: None
) -> None:
    staff = ward.member(Role.COUNSELOR)
    client = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, staff.username, "wrong-password-123")
    locked = post_login(client, staff.username, PASSWORD)
    assert locked.status_code == 429
    assert "ロック" in locked.content.decode() or "制限" in locked.content.decode()

    # Still locked a moment before the cool-off ends ...
    cool_off = timedelta(hours=settings.AXES_COOLOFF_TIME)
    AccessAttempt.objects.update(attempt_time=timezone.now() - cool_off + timedelta(minutes=1))
    assert post_login(client, staff.username, PASSWORD).status_code == 429
    # ... and open once it has passed.
    AccessAttempt.objects.update(attempt_time=timezone.now() - cool_off - timedelta(minutes=1))
    assert post_login(client, staff.username, PASSWORD).status_code == 302


def test_an_unknown_login_id_is_locked_like_a_real_one(
    ward: Ward, settings, clean_counters: None
) -> None:
    """The lockout does not tell which login IDs exist."""
    client = Client()
    answers = [
        post_login(client, "no-such-staff", "wrong-password-123").status_code
        for _attempt in range(settings.AXES_FAILURE_LIMIT + 1)
    ]
    assert answers[-1] == 429
    real = ward.member(Role.COUNSELOR).username
    real_answers = [
        post_login(client, real, "wrong-password-123").status_code
        for _attempt in range(settings.AXES_FAILURE_LIMIT + 1)
    ]
    assert real_answers == answers


# --- API -----------------------------------------------------------------------------


def test_the_product_limits_the_api() -> None:
    import tsunagu.settings as product
    from tsunagu.api.root import api
    from tsunagu.core.throttling import StaffRateThrottle

    count, period = StaffRateThrottle().parse_rate(product.TSUNAGU_API_RATE)
    assert count is not None and period is not None
    assert 0 < count / period <= 20  # 600/min by default
    assert any(isinstance(t, StaffRateThrottle) for t in api.throttle)  # type: ignore[union-attr]


def test_beyond_the_rate_the_api_answers_429_in_japanese_with_retry_after(
    ward: Ward, settings, clean_counters: None
) -> None:
    settings.TSUNAGU_API_RATE = "3/min"
    raw = _token(ward)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert [client.get("/api/v1/me").status_code for _ in range(3)] == [200, 200, 200]

    response = client.get("/api/v1/me")
    assert response.status_code == 429
    assert JAPANESE.search(response.json()["detail"])
    assert "しばらく待って" in response.json()["detail"]
    retry_after = int(response["Retry-After"])
    assert 0 < retry_after <= 60
    # Every operation counts towards the same limit, not only the one asked too often.
    assert client.get("/api/v1/districts").status_code == 429


def test_the_limit_is_per_staff_member_across_session_and_tokens(
    ward: Ward, settings, clean_counters: None
) -> None:
    settings.TSUNAGU_API_RATE = "4/min"
    counselor = ward.member(Role.COUNSELOR)
    first, second = _token(ward), _token(ward)
    session = Client()
    session.force_login(counselor)
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {first}").status_code == 200
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {second}").status_code == 200
    assert session.get("/api/v1/me").status_code == 200
    assert session.get("/api/v1/me").status_code == 200
    # A fifth request by the same person, by whatever means, is one too many ...
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {second}").status_code == 429
    assert session.get("/api/v1/me").status_code == 429
    # ... while a colleague is not held back by it.
    colleague = _token(ward, Role.ORG_MANAGER)
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {colleague}").status_code == 200


def test_the_rate_comes_from_the_environment(monkeypatch) -> None:
    import importlib

    import tsunagu.settings as product

    monkeypatch.setenv("TSUNAGU_API_RATE", "120/min")
    try:
        assert importlib.reload(product).TSUNAGU_API_RATE == "120/min"
    finally:
        monkeypatch.delenv("TSUNAGU_API_RATE")
        importlib.reload(product)


def test_the_pages_are_not_limited_by_the_api_rate(
    ward: Ward, settings, clean_counters: None
) -> None:
    settings.TSUNAGU_API_RATE = "1/min"
    client = Client()
    client.force_login(ward.member(Role.COUNSELOR))
    assert [client.get("/").status_code for _ in range(3)] == [200, 200, 200]
