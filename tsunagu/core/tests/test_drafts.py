"""Drafts of long forms: kept as the clerk types, read by no one else, gone
when the form is sent, discarded or too old."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tsunagu import policy
from tsunagu.accounts.middleware import LAST_ACTIVITY_SESSION_KEY
from tsunagu.accounts.roles import Role
from tsunagu.core import drafts, tenancy
from tsunagu.core.models import Draft
from tsunagu.tests.factories import Ward
from tsunagu.tests.test_bad_input import intake_data

KEY = "/consultations/new/#intake"
TYPED = {"summary": ["上の階の人の様子が気になる"], "topics": ["care", "money"]}


def _client(staff: object) -> Client:
    client = Client()
    client.force_login(staff)  # type: ignore[arg-type]
    return client


def _save(client: Client, key: str = KEY, values: object = TYPED) -> int:
    response = client.post(
        "/drafts/save/",
        json.dumps({"form": key, "values": values}),
        content_type="application/json",
    )
    return response.status_code


@pytest.mark.django_db
def test_a_draft_comes_back_to_its_author_only(ward: Ward, other_ward: Ward) -> None:
    author = ward.member(Role.COUNSELOR)
    assert _save(_client(author), values={**TYPED, "csrfmiddlewaretoken": ["x"]}) == 200

    mine = _client(author).get("/drafts/", {"form": KEY})
    assert mine.status_code == 200
    assert mine.json()["values"] == TYPED  # (the CSRF token is never kept)

    # Nobody else: a colleague of the same organization, its manager, the
    # system administrator, a staff member of another municipality.
    for other in (
        ward.member(Role.ORG_MANAGER),
        ward.member(Role.SYSADMIN),
        ward.member(Role.COORDINATOR),
        other_ward.member(Role.COUNSELOR),
    ):
        assert _client(other).get("/drafts/", {"form": KEY}).json() == {"values": None}


@pytest.mark.django_db
def test_the_policy_opens_a_draft_to_its_author_alone(ward: Ward, other_ward: Ward) -> None:
    author = ward.member(Role.COUNSELOR)
    guest = ward.member(Role.GUEST)
    with tenancy.tenant_context(ward.municipality):
        draft = drafts.draft_save(actor=author, form_key=KEY, values=TYPED)
        guests = drafts.draft_save(actor=guest, form_key="/meetings/1/#x", values={})
        for action in (policy.Action.VIEW, policy.Action.CHANGE):
            assert policy.decide(author, action, "draft", draft).basis == policy.Basis.SELF
            assert not policy.decide(ward.member(Role.ORG_MANAGER), action, "draft", draft)
            assert not policy.decide(ward.member(Role.SYSADMIN), action, "draft", draft)
            assert not policy.decide(guest, action, "draft", draft)
            # An external guest keeps their own.
            assert policy.decide(guest, action, "draft", guests)
        assert not policy.decide(author, policy.Action.EXPORT, "draft", draft)
        assert list(policy.visible(author, "draft", policy.Action.VIEW)) == [draft]
        assert list(policy.visible(guest, "draft", policy.Action.VIEW)) == [guests]
    with tenancy.tenant_context(other_ward.municipality):
        stranger = other_ward.member(Role.COUNSELOR)
        assert not policy.visible(stranger, "draft", policy.Action.VIEW).exists()


@pytest.mark.django_db
def test_a_form_sent_successfully_takes_its_draft_with_it(ward: Ward) -> None:
    clerk = ward.member(Role.COUNSELOR)
    client = _client(clerk)
    assert _save(client) == 200
    assert _save(client, key="/plans/new/1/#plan") == 200

    # Sent back with an error: the draft stays.
    client.post("/consultations/new/", {})
    with tenancy.tenant_context(ward.municipality):
        assert Draft.objects.filter(form_key=KEY).exists()

    sent = client.post("/consultations/new/", intake_data(ward))
    assert sent.status_code == 302
    with tenancy.tenant_context(ward.municipality):
        assert list(Draft.objects.values_list("form_key", flat=True)) == ["/plans/new/1/#plan"]


@pytest.mark.django_db
def test_a_draft_can_be_discarded_and_bad_ones_are_refused(ward: Ward) -> None:
    client = _client(ward.member(Role.COUNSELOR))
    assert _save(client, values="not a dict") == 400
    assert _save(client, key="https://elsewhere/") == 400
    assert _save(client, values={"summary": ["あ" * (drafts.MAX_DRAFT_CHARACTERS + 1)]}) == 400
    assert _save(client) == 200
    assert client.post("/drafts/discard/", {"form": KEY}).status_code == 200
    assert client.get("/drafts/", {"form": KEY}).json() == {"values": None}


@pytest.mark.django_db
def test_old_drafts_are_purged(ward: Ward) -> None:
    clerk = ward.member(Role.COUNSELOR)
    with tenancy.tenant_context(ward.municipality):
        kept = drafts.draft_save(actor=clerk, form_key=KEY, values=TYPED)
        old = drafts.draft_save(actor=clerk, form_key="/old/#x", values=TYPED)
        Draft.objects.filter(pk=old.pk).update(
            expires_at=timezone.now() - datetime.timedelta(days=1)
        )
    call_command("purge_drafts")
    with tenancy.tenant_context(ward.municipality):
        assert list(Draft.objects.all()) == [kept]


@pytest.mark.django_db
def test_staying_signed_in_starts_the_idle_time_again(ward: Ward) -> None:
    client = _client(ward.member(Role.COUNSELOR))
    session = client.session
    session[LAST_ACTIVITY_SESSION_KEY] = int(timezone.now().timestamp()) - 25 * 60
    session.save()
    response = client.post("/account/stay-signed-in/")
    assert response.status_code == 200
    assert response.json()["idle_seconds"] == 30 * 60
    assert client.session[LAST_ACTIVITY_SESSION_KEY] >= int(timezone.now().timestamp()) - 2
    # The page carries the limit the warning counts down from, and the dialog.
    home = client.get("/").content.decode()
    assert 'data-idle-seconds="1800"' in home
    assert 'role="alertdialog"' in home
    assert "あと5分で自動的にサインアウトされます" in home
