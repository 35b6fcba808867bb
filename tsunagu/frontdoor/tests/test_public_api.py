"""The public JSON API on the public host: open a thread, read it with the code
in a header, write again; wrong codes and other threads get nothing; the same
limits as the pages; no cookie."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from tsunagu.accounts.roles import Role
from tsunagu.core import tenancy
from tsunagu.frontdoor import public, services
from tsunagu.frontdoor.models import Thread
from tsunagu.tests.factories import Ward

pytestmark = pytest.mark.django_db

API = "/consult/api"


def send(client: Client, url: str, payload: dict[str, Any], **headers: Any) -> Any:
    return client.post(url, json.dumps(payload), content_type="application/json", **headers)


def test_a_resident_opens_reads_and_writes_through_the_api(ward: Ward) -> None:
    client = Client(HTTP_HOST="localhost")
    created = send(client, f"{API}/threads", {"body": "Preciso de ajuda.", "language": "pt-br"})
    assert created.status_code == 201, created.content
    data = created.json()
    assert set(data) == {"number", "token", "code", "url"}
    assert data["url"] == f"http://localhost/consult/pt-br/t/{data['token']}/"
    assert not created.cookies

    with tenancy.tenant_context(ward.municipality):
        thread = Thread.objects.get()
        services.reply(
            thread, "お返事です。", staff=ward.member(Role.COORDINATOR),
            organization=ward.coordinating,
        )  # fmt: skip
    read = client.get(f"{API}/threads/{data['token']}", HTTP_X_THREAD_CODE=data["code"])
    assert read.status_code == 200
    body = read.json()
    assert [m["direction"] for m in body["messages"]] == ["in", "out"]
    assert body["messages"][1]["organization"] == ward.coordinating.name
    assert "author" not in json.dumps(body)

    wrote = send(
        client,
        f"{API}/threads/{data['token']}/messages",
        {"body": "Obrigado."},
        HTTP_X_THREAD_CODE=data["code"],
    )
    assert wrote.status_code == 201 and wrote.json()["direction"] == "in"

    wrong = "000000" if data["code"] != "000000" else "111111"
    refused = client.get(f"{API}/threads/{data['token']}", HTTP_X_THREAD_CODE=wrong)
    assert refused.status_code == 403
    unknown = client.get(f"{API}/threads/{'B' * 43}", HTTP_X_THREAD_CODE=data["code"])
    assert unknown.status_code == 403 and unknown.json() == refused.json()


def test_the_api_keeps_the_pages_limits(ward: Ward) -> None:
    client = Client(HTTP_HOST="localhost")
    too_long = send(client, f"{API}/threads", {"body": "x" * (public.BODY_MAX + 1)})
    assert too_long.status_code == 422
    for _ in range(public.NEW_THREADS_PER_ADDRESS):
        assert send(client, f"{API}/threads", {"body": "相談"}).status_code == 201
    assert send(client, f"{API}/threads", {"body": "相談"}).status_code == 429


def test_the_api_is_not_on_the_staff_host(ward: Ward) -> None:
    staff = Client()
    staff.force_login(ward.member(Role.SYSADMIN))
    assert staff.get(f"{API}/openapi.json").status_code == 404
    assert send(staff, f"{API}/threads", {"body": "相談"}).status_code == 404


def test_the_apis_refusals_come_in_the_residents_language(ward: Ward) -> None:
    """What a resident may meet through an app built on the API (an empty or
    too long text, a wrong code) comes back in the language the app asks for
    (Accept-Language), in the words of the public form; no header: Japanese."""
    client = Client(HTTP_HOST="localhost")
    vietnamese = {"HTTP_ACCEPT_LANGUAGE": "vi-VN,vi;q=0.9,en;q=0.5"}
    with translation.override("vi"):
        required, choose = str(public.REQUIRED), str(public.BAD_CHOICE)
        refused, too_long = str(public.INPUT_REFUSED), str(public.TOO_LONG)
    assert required != str(public.REQUIRED)  # not the Japanese (the catalogue has it)

    empty = send(client, f"{API}/threads", {"body": "  "}, **vietnamese)
    assert empty.status_code == 422
    assert empty.json() == {"detail": refused, "errors": {"body": [required]}}
    assert empty.headers["Content-Language"] == "vi"
    assert "Accept-Language" in empty.headers["Vary"]
    missing = send(client, f"{API}/threads", {"language": "vi"}, **vietnamese)
    assert missing.json()["errors"] == {"body": [required]}
    long = send(client, f"{API}/threads", {"body": "あ" * (public.BODY_MAX + 1)}, **vietnamese)
    assert long.json()["errors"] == {"body": [too_long % {"max": "4,000", "length": "4,001"}]}
    unknown = send(client, f"{API}/threads", {"body": "x", "language": "xx"}, **vietnamese)
    assert unknown.json()["errors"] == {"language": [choose]}

    created = send(client, f"{API}/threads", {"body": "Xin giúp tôi.", "language": "vi"}).json()
    wrong = "000000" if created["code"] != "000000" else "111111"
    korean = client.get(
        f"{API}/threads/{created['token']}", HTTP_X_THREAD_CODE=wrong, HTTP_ACCEPT_LANGUAGE="ko"
    )
    with translation.override("ko"):
        assert korean.status_code == 403 and korean.json()["detail"] == str(public.WRONG_CODE)
    plain = client.get(f"{API}/threads/{created['token']}", HTTP_X_THREAD_CODE=wrong)
    assert plain.json()["detail"].startswith("リンクか番号がちがいます。")
    assert plain.headers["Content-Language"] == "ja"


def test_the_document_states_the_text_limits_the_form_enforces(ward: Ward) -> None:
    document = Client(HTTP_HOST="localhost").get(f"{API}/openapi.json").json()
    thread_in = document["components"]["schemas"]["ThreadIn"]
    assert thread_in["required"] == ["body"]
    assert thread_in["properties"]["body"]["maxLength"] == public.BODY_MAX
    assert thread_in["properties"]["body"]["minLength"] == 1
    assert thread_in["properties"]["nickname"]["maxLength"] == public.NICKNAME_MAX
