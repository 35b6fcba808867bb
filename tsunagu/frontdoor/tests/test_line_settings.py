"""The LINE channel's settings page: the system administrator sets it; the
secret and token are write-only (never in the page, the audit or the logs)."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditEvent
from tsunagu.core import tenancy
from tsunagu.frontdoor.models import LineChannel
from tsunagu.tests.factories import Ward

SECRET = "0123456789abcdef0123456789abcdef"
TOKEN = "TOKENvalue+/=._-" * 10
BOT = "U" + "a" * 32


def signed_in(ward: Ward, role: str) -> Client:
    client = Client()
    client.force_login(ward.member(role))
    return client


def form(**changes: object) -> dict[str, object]:
    return {
        "bot_user_id": BOT,
        "api_base": "https://api.line.me",
        "channel_secret": SECRET,
        "channel_access_token": TOKEN,
        "active": "on",
        **changes,
    }


@pytest.mark.django_db
def test_the_administrator_sets_the_channel_and_never_sees_the_secret_again(
    ward: Ward, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = signed_in(ward, Role.SYSADMIN)
    response = client.post("/settings/line/", form())
    assert response.status_code == 302
    with tenancy.tenant_context(ward.municipality):
        channel = LineChannel.objects.get()
    assert (channel.bot_user_id, channel.channel_secret, channel.channel_access_token) == (
        BOT,
        SECRET,
        TOKEN,
    )

    page = client.get("/settings/line/").content.decode()
    assert BOT in page
    assert "設定済みです" in page
    for secret in (SECRET, TOKEN, SECRET[-4:], TOKEN[-8:]):
        assert secret not in page

    # A change with the secret fields blank keeps them; an error elsewhere does
    # not echo a secret just typed.
    assert client.post("/settings/line/", form(channel_secret="", channel_access_token="",
                                                 active="")).status_code == 302  # fmt: skip
    with tenancy.tenant_context(ward.municipality):
        channel.refresh_from_db()
    assert channel.channel_secret == SECRET and not channel.active
    new_secret = "fedcba9876543210fedcba9876543210"
    refused = client.post("/settings/line/", form(bot_user_id="なし", channel_secret=new_secret))
    assert refused.status_code == 200
    assert "ボットのユーザーIDは" in refused.content.decode()
    assert new_secret not in refused.content.decode()

    events = AuditEvent.objects.filter(object_type="frontdoor.linechannel").order_by("pk")
    assert [e.action for e in events] == ["create", "change"]
    assert events[0].detail["secrets_changed"] == ["channel_secret", "channel_access_token"]
    assert events[1].detail == {"active": False, "secrets_changed": []}
    audited = "".join(str(e.detail) for e in events)
    assert SECRET not in audited and TOKEN not in audited
    logged = caplog.text + "".join(repr(r.args) for r in caplog.records)
    assert SECRET not in logged and TOKEN not in logged and new_secret not in logged


@pytest.mark.django_db
def test_a_malformed_secret_is_refused_in_japanese(ward: Ward) -> None:
    client = signed_in(ward, Role.SYSADMIN)
    response = client.post("/settings/line/", form(channel_secret="short"))
    assert response.status_code == 200
    assert "チャネルシークレットは英数字32文字です" in response.content.decode()
    with tenancy.tenant_context(ward.municipality):
        assert not LineChannel.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [r for r in Role if r != Role.SYSADMIN])
def test_only_the_administrator_opens_the_page(ward: Ward, role: Role) -> None:
    client = signed_in(ward, role)
    assert client.get("/settings/line/").status_code == 403
    assert client.post("/settings/line/", form()).status_code == 403
    with tenancy.tenant_context(ward.municipality):
        assert not LineChannel.objects.exists()
