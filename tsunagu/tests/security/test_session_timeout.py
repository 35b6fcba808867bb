"""Sessions end after the idle time: the next request leads to the login page,
which says why in Japanese. Time is moved by rewriting what the server
remembers (the time of the last request, the session's expiry), not by waiting."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from tsunagu.accounts.middleware import LAST_ACTIVITY_SESSION_KEY
from tsunagu.accounts.roles import Role
from tsunagu.core.models import Municipality
from tsunagu.tests.factories import PASSWORD, Ward
from tsunagu.tests.security.conftest import Resident

MESSAGE = "一定時間操作がなかったため、ログアウトしました。"


def signed_in(ward: Ward, role: Role = Role.COUNSELOR) -> Client:
    client = Client()
    response = client.post(
        "/login/", {"username": ward.member(role).username, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


def idle_for(client: Client, seconds: int) -> None:
    """As if the last request had come ``seconds`` ago."""
    session = client.session
    session[LAST_ACTIVITY_SESSION_KEY] = int(timezone.now().timestamp()) - seconds
    session.save()


def assert_at_login_with_the_message(client: Client, response, next_path: str) -> None:
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={next_path}"
    page = client.get(response["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert "<h1>ログイン</h1>" in body
    assert MESSAGE in body
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_idle_past_the_session_age_leads_to_login_with_a_message(
    resident: Resident, settings
) -> None:
    client = signed_in(resident.ward)
    household = f"/people/households/{resident.household.pk}/"
    assert client.get(household).status_code == 200

    idle_for(client, settings.SESSION_COOKIE_AGE + 1)
    response = client.get(household)
    assert_at_login_with_the_message(client, response, household)
    assert resident.person.family_name not in response.content.decode()
    # Signed out for good: the page stays closed.
    assert client.get(household)["Location"].startswith("/login/")


@pytest.mark.django_db
def test_a_request_within_the_idle_time_keeps_the_session(ward: Ward, settings) -> None:
    client = signed_in(ward)
    idle_for(client, settings.SESSION_COOKIE_AGE - 60)
    assert client.get("/").status_code == 200
    # ... and counts as activity: the clock starts again.
    idle_for(client, 0)
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_a_session_the_server_has_expired_leads_to_login_with_the_message(
    ward: Ward,
) -> None:
    """The session store ends a session SESSION_COOKIE_AGE after the last
    request (each request saves it); the browser still sends its cookie."""
    client = signed_in(ward)
    assert client.get("/").status_code == 200
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    session = Session.objects.get(session_key=key)
    assert session.expire_date <= timezone.now() + timedelta(
        seconds=settings.SESSION_COOKIE_AGE + 5
    )
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    response = client.get("/referrals/")
    assert_at_login_with_the_message(client, response, "/referrals/")


@pytest.mark.django_db
def test_a_visitor_who_never_signed_in_sees_no_timeout_message(ward: Ward) -> None:
    client = Client()
    response = client.get("/referrals/")
    assert response.status_code == 302
    assert MESSAGE not in client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_the_municipality_s_shorter_idle_minutes_apply(ward: Ward) -> None:
    Municipality.objects.filter(pk=ward.municipality.pk).update(session_minutes=5)
    client = signed_in(ward)
    idle_for(client, 4 * 60)
    assert client.get("/").status_code == 200
    idle_for(client, 5 * 60 + 1)
    assert_at_login_with_the_message(client, client.get("/"), "/")


@pytest.mark.django_db
def test_the_session_age_caps_the_municipality_s_minutes(ward: Ward, settings) -> None:
    settings.SESSION_COOKIE_AGE = 10 * 60  # e.g. TSUNAGU_SESSION_SECONDS=600
    client = signed_in(ward)
    idle_for(client, 10 * 60 + 1)  # within the municipality's 30 minutes
    assert_at_login_with_the_message(client, client.get("/"), "/")


@pytest.mark.django_db
def test_an_idle_htmx_request_sends_the_whole_window_to_login(resident: Resident) -> None:
    client = signed_in(resident.ward)
    idle_for(client, settings.SESSION_COOKIE_AGE + 1)
    response = client.post(
        "/people/search/",
        {"q": resident.person.family_name},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/people/search/",
    )
    assert response["HX-Redirect"] == "/login/?next=/people/search/"
    assert resident.person.family_name not in response.content.decode()
    assert MESSAGE in client.get("/login/").content.decode()


@pytest.mark.django_db
def test_an_idle_api_session_is_refused_in_japanese(ward: Ward, settings) -> None:
    client = signed_in(ward)
    assert client.get("/api/v1/me").status_code == 200
    idle_for(client, settings.SESSION_COOKIE_AGE + 1)
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert MESSAGE in response.json()["detail"]
    assert client.get("/api/v1/me").status_code == 401


@pytest.mark.django_db
def test_the_last_activity_is_recorded_once_a_minute(ward: Ward, settings) -> None:
    """A request within a minute of the recorded activity writes nothing (the
    session is not saved: its expiry in the store stays); the first after it
    records the activity again and renews the store's expiry."""
    import tsunagu.settings as product

    settings.TSUNAGU_LAST_ACTIVITY_RESOLUTION = product.TSUNAGU_LAST_ACTIVITY_RESOLUTION
    client = signed_in(ward)
    assert client.get("/").status_code == 200
    key = client.session.session_key
    idle_for(client, settings.TSUNAGU_LAST_ACTIVITY_RESOLUTION - 5)
    recorded = client.session[LAST_ACTIVITY_SESSION_KEY]
    expiry = Session.objects.get(session_key=key).expire_date

    assert client.get("/").status_code == 200
    assert client.session[LAST_ACTIVITY_SESSION_KEY] == recorded
    assert Session.objects.get(session_key=key).expire_date == expiry

    idle_for(client, settings.TSUNAGU_LAST_ACTIVITY_RESOLUTION)
    assert client.get("/").status_code == 200
    assert client.session[LAST_ACTIVITY_SESSION_KEY] >= int(timezone.now().timestamp()) - 1
    assert Session.objects.get(session_key=key).expire_date >= expiry


def test_the_product_s_sessions_end_at_browser_close_and_are_saved_with_the_activity() -> None:
    import tsunagu.settings as product

    assert product.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    # The store's expiry is idle time: renewed when the last activity is recorded.
    assert product.SESSION_SAVE_EVERY_REQUEST is False
    assert 0 < product.TSUNAGU_LAST_ACTIVITY_RESOLUTION <= 60
    assert 0 < product.SESSION_COOKIE_AGE <= 1800
    assert product.MIDDLEWARE.index(
        "django.contrib.messages.middleware.MessageMiddleware"
    ) < product.MIDDLEWARE.index("tsunagu.accounts.middleware.IdleTimeoutMiddleware")


@pytest.mark.django_db
def test_the_guest_of_the_ward_is_signed_out_too(ward: Ward, settings) -> None:
    client = signed_in(ward, Role.GUEST)
    idle_for(client, settings.SESSION_COOKIE_AGE + 1)
    assert_at_login_with_the_message(client, client.get("/"), "/")
