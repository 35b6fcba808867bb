"""LINE, both ways, through a local platform that speaks LINE's documented API.

Everything on our side is real: the webhook view, line-bot-sdk's signature
check and its Messaging API client, the services and the database. Only LINE
itself is the local server of ``line_platform.py``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from tsunagu.core import tenancy
from tsunagu.frontdoor import public, services
from tsunagu.frontdoor.line.webhook import MAX_BODY_BYTES, NOT_TEXT_NOTE
from tsunagu.frontdoor.models import (
    Channel,
    Delivery,
    Direction,
    LineContact,
    LineWebhookEvent,
    Message,
    Status,
    Thread,
)
from tsunagu.frontdoor.tests.line_platform import LinePlatform, channel_on, new_user_id
from tsunagu.tests.factories import Ward


@pytest.fixture
def platform() -> Iterator[LinePlatform]:
    server = LinePlatform().start()
    yield server
    server.stop()


@pytest.fixture
def client() -> Client:
    """LINE reaches the webhook on the municipality's public host (``localhost`` in tests)."""
    return Client(HTTP_HOST="localhost")


def test_the_staff_host_has_no_webhook(ward: Ward, platform: LinePlatform) -> None:
    channel_on(platform, ward.municipality)
    assert post(Client(), platform, [platform.text(new_user_id(), "こんにちは")]).status_code == 404


def post(client: Client, platform: LinePlatform, events: list[dict[str, Any]], **options: Any):
    """A signed delivery through Django's test client (the same bytes LINE sends)."""
    destination = options.pop("destination", None)
    body = platform.body(events, destination=destination)
    headers = platform.headers(body, **options)
    return client.post(
        "/hooks/line/",
        data=body,
        content_type=headers["Content-Type"],
        headers={"X-Line-Signature": headers["X-Line-Signature"]},
    )


def counts() -> dict[str, int]:
    """Rows of every municipality (the tenant filter set aside)."""
    return {
        "events": LineWebhookEvent.all_tenants.count(),
        "contacts": LineContact.all_tenants.count(),
        "threads": Thread.all_tenants.count(),
        "messages": Message.all_tenants.count(),
    }


def staff_reply(ward: Ward, thread: Thread, text: str) -> Message:
    coordinator = ward.member("coordinator")
    with tenancy.tenant_context(ward.municipality):
        return services.reply(thread, text, staff=coordinator, organization=ward.coordinating)


@pytest.mark.django_db(transaction=True)
def test_a_line_conversation_end_to_end(ward: Ward, platform: LinePlatform, live_server) -> None:
    """Over HTTP both ways: a resident follows and writes, the thread is in the
    inbox's data, a coordinator answers, and the push reaches LINE for that resident."""
    channel_on(platform, ward.municipality)
    resident = new_user_id()

    status, _body = platform.deliver(live_server.url, [platform.follow(resident)])
    assert status == 200
    assert len(platform.replied) == 1, "the greeting goes back through the reply API"
    greeting = platform.replied[0].body["messages"][0]["text"]
    assert "110" in greeting and "119" in greeting

    status, _body = platform.deliver(
        live_server.url, [platform.text(resident, "家賃が払えず、どうしたらいいかわかりません。")]
    )
    assert status == 200
    with tenancy.tenant_context(ward.municipality):
        thread = Thread.objects.get()
        assert thread.channel == Channel.LINE
        assert thread.line_contact.line_user_id == resident
        assert thread.status == Status.OPEN
        assert [m.body for m in thread.messages.all()] == [
            "家賃が払えず、どうしたらいいかわかりません。"
        ]

    sent = staff_reply(ward, thread, "ご連絡ありがとうございます。福祉政策課の担当です。")
    assert len(platform.pushed) == 1
    push = platform.pushed[0]
    assert push.body["to"] == resident
    assert push.body["messages"] == [
        {"type": "text", "text": "ご連絡ありがとうございます。福祉政策課の担当です。"}
    ]
    assert push.retry_key
    with tenancy.tenant_context(ward.municipality):
        sent.refresh_from_db()
        assert sent.delivery == Delivery.SENT
        assert sent.external_id, "the platform's message id is kept"
        thread.refresh_from_db()
        assert thread.first_response_at is not None

    status, _body = platform.deliver(
        live_server.url, [platform.text(resident, "ありがとうございます")]
    )
    assert status == 200
    with tenancy.tenant_context(ward.municipality):
        assert Thread.objects.count() == 1, "the answer joins the open thread"
        assert [(m.direction, m.body) for m in thread.messages.all()] == [
            (Direction.INBOUND, "家賃が払えず、どうしたらいいかわかりません。"),
            (Direction.OUTBOUND, "ご連絡ありがとうございます。福祉政策課の担当です。"),
            (Direction.INBOUND, "ありがとうございます"),
        ]
    assert platform.refused == []


@pytest.mark.django_db
def test_a_forged_signature_is_refused_and_nothing_is_stored(
    ward: Ward, platform: LinePlatform, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    channel_on(platform, ward.municipality)
    resident = new_user_id()
    events = [platform.follow(resident), platform.text(resident, "偽物の相談です")]
    body = platform.body(events)
    caplog.set_level(logging.DEBUG)

    forged = post(client, platform, events, secret="0" * 32)
    missing = client.post("/hooks/line/", data=body, content_type="application/json")
    # A signature of another body: the body was changed on the way.
    signature = platform.headers(platform.body([platform.follow(resident)]))["X-Line-Signature"]
    tampered = client.post(
        "/hooks/line/",
        data=body,
        content_type="application/json",
        headers={"X-Line-Signature": signature},
    )

    assert [forged.status_code, missing.status_code, tampered.status_code] == [400, 400, 400]
    assert counts() == {"events": 0, "contacts": 0, "threads": 0, "messages": 0}
    assert platform.replied == []
    warnings = [r for r in caplog.records if r.name.startswith("tsunagu.frontdoor")]
    assert len(warnings) == 3 and all(r.levelno == logging.WARNING for r in warnings)
    assert "偽物の相談です" not in caplog.text
    assert platform.channel_secret not in caplog.text


@pytest.mark.django_db
def test_a_redelivered_event_is_not_doubled(
    ward: Ward, platform: LinePlatform, client: Client
) -> None:
    channel_on(platform, ward.municipality)
    resident = new_user_id()
    event = platform.text(resident, "夜に眠れません")

    assert post(client, platform, [event]).status_code == 200
    # LINE resends the event it did not see answered, marked as a redelivery ...
    assert post(client, platform, [platform.redelivered(event)]).status_code == 200
    # ... and a delivery may even hold the same event twice.
    assert post(client, platform, [event, event]).status_code == 200

    with tenancy.tenant_context(ward.municipality):
        assert [m.body for m in Message.objects.all()] == ["夜に眠れません"]
        assert Thread.objects.count() == 1
        recorded = LineWebhookEvent.objects.get()
        assert recorded.webhook_event_id == event["webhookEventId"]
        assert recorded.redelivery is False
    # A first delivery that arrives marked as a redelivery is handled (once).
    late = platform.redelivered(platform.text(resident, "前に送った分です"))
    assert post(client, platform, [late]).status_code == 200
    with tenancy.tenant_context(ward.municipality):
        assert Message.objects.filter(body="前に送った分です").count() == 1
        assert LineWebhookEvent.objects.get(webhook_event_id=late["webhookEventId"]).redelivery


@pytest.mark.django_db
def test_follow_and_unfollow(
    ward: Ward, platform: LinePlatform, client: Client, django_capture_on_commit_callbacks
) -> None:
    channel_on(platform, ward.municipality)
    resident = new_user_id()
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, platform, [platform.follow(resident)]).status_code == 200
    with tenancy.tenant_context(ward.municipality):
        contact = LineContact.objects.get()
        assert contact.following and contact.followed_at is not None
    assert len(platform.replied) == 1

    post(client, platform, [platform.text(resident, "相談したいです")])
    post(client, platform, [platform.unfollow(resident)])
    with tenancy.tenant_context(ward.municipality):
        contact.refresh_from_db()
        assert not contact.following and contact.unfollowed_at is not None
        assert Thread.objects.filter(line_contact=contact).count() == 1, "threads stay"

    with django_capture_on_commit_callbacks(execute=True):
        post(client, platform, [platform.follow(resident)])
    with tenancy.tenant_context(ward.municipality):
        contact.refresh_from_db()
        assert contact.following, "following again after a block is lifted"
        assert LineContact.objects.count() == 1


@pytest.mark.django_db
def test_a_reply_to_a_contact_who_unfollowed_fails_visibly(
    ward: Ward, platform: LinePlatform, client: Client, django_capture_on_commit_callbacks
) -> None:
    channel_on(platform, ward.municipality)
    resident = new_user_id()
    post(client, platform, [platform.text(resident, "相談です")])
    post(client, platform, [platform.unfollow(resident)])
    with tenancy.tenant_context(ward.municipality):
        thread = Thread.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        message = staff_reply(ward, thread, "お返事です")

    with tenancy.tenant_context(ward.municipality):
        message.refresh_from_db()
    assert message.delivery == Delivery.FAILED
    assert "ブロック" in message.delivery_error
    assert platform.pushed == []


@pytest.mark.django_db
def test_a_repeated_push_of_one_message_reaches_the_resident_once(
    ward: Ward, platform: LinePlatform, client: Client, django_capture_on_commit_callbacks
) -> None:
    """A push sent again (its first answer lost) carries the same retry key: LINE
    answers 409 and the message counts as sent, once."""
    channel_on(platform, ward.municipality)
    post(client, platform, [platform.text(new_user_id(), "相談です")])
    with tenancy.tenant_context(ward.municipality):
        thread = Thread.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        message = staff_reply(ward, thread, "お返事です")
    with tenancy.tenant_context(ward.municipality):
        Message.objects.filter(pk=message.pk).update(delivery=Delivery.PENDING)
    services.deliver(message.pk, ward.municipality.pk)

    assert len(platform.pushed) == 1
    assert [(path, status) for path, status, _body in platform.refused] == [
        ("/v2/bot/message/push", 409)
    ]
    with tenancy.tenant_context(ward.municipality):
        message.refresh_from_db()
    assert message.delivery == Delivery.SENT
    assert message.external_id == f"accepted:{platform.pushed[0].request_id}"


@pytest.mark.django_db
def test_an_image_is_noted_not_stored_and_the_resident_is_told(
    ward: Ward, platform: LinePlatform, client: Client, django_capture_on_commit_callbacks
) -> None:
    channel_on(platform, ward.municipality)
    resident = new_user_id()
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, platform, [platform.image(resident)]).status_code == 200
    with tenancy.tenant_context(ward.municipality):
        assert [m.body for m in Message.objects.all()] == [NOT_TEXT_NOTE]
    assert len(platform.replied) == 1
    assert "文字で送ってください" in platform.replied[0].body["messages"][0]["text"]


@pytest.mark.django_db
def test_a_long_text_is_kept_whole(ward: Ward, platform: LinePlatform, client: Client) -> None:
    channel_on(platform, ward.municipality)
    text = "あ" * 4000 + "い" * 1000  # LINE takes up to 5,000 characters
    assert post(client, platform, [platform.text(new_user_id(), text)]).status_code == 200
    with tenancy.tenant_context(ward.municipality):
        assert "".join(m.body for m in Message.objects.all()) == text


@pytest.mark.django_db
def test_an_oversized_body_is_refused_unread(
    ward: Ward, platform: LinePlatform, client: Client
) -> None:
    channel_on(platform, ward.municipality)
    events = [platform.text(new_user_id(), "x" * 5000) for _ in range(60)]
    assert len(platform.body(events)) > MAX_BODY_BYTES
    assert post(client, platform, events).status_code == 413
    assert counts()["messages"] == 0


@pytest.mark.django_db
def test_the_webhook_sets_no_cookie_and_takes_only_post(
    ward: Ward, platform: LinePlatform, client: Client
) -> None:
    channel_on(platform, ward.municipality)
    response = post(client, platform, [platform.text(new_user_id(), "こんにちは")])
    assert response.status_code == 200
    assert response.cookies == {}
    assert client.get("/hooks/line/").status_code == 405


@pytest.mark.django_db
def test_another_municipality_cannot_post_into_this_one(
    ward: Ward, other_ward: Ward, client: Client
) -> None:
    ours = LinePlatform().start()
    theirs = LinePlatform().start()
    try:
        channel_on(ours, ward.municipality)
        channel_on(theirs, other_ward.municipality)
        resident = new_user_id()
        # Our bot as the destination, signed with the other municipality's secret.
        refused = post(
            client,
            theirs,
            [theirs.text(resident, "よその区から")],
            destination=ours.bot_user_id,
        )
        assert refused.status_code == 400
        assert counts()["messages"] == 0
        # Their own delivery lands with them, and nowhere else.
        assert post(client, theirs, [theirs.text(resident, "よその区へ")]).status_code == 200
        with tenancy.tenant_context(ward.municipality):
            assert not Message.objects.exists() and not LineContact.objects.exists()
        with tenancy.tenant_context(other_ward.municipality):
            assert [m.body for m in Message.objects.all()] == ["よその区へ"]
    finally:
        ours.stop()
        theirs.stop()


@pytest.mark.django_db
def test_an_inactive_channel_takes_nothing(
    ward: Ward, platform: LinePlatform, client: Client
) -> None:
    channel = channel_on(platform, ward.municipality)
    with tenancy.tenant_context(ward.municipality):
        channel.active = False
        channel.save()
    assert post(client, platform, [platform.text(new_user_id(), "届きますか")]).status_code == 400
    assert counts()["messages"] == 0


@pytest.mark.django_db
def test_the_secret_and_token_never_reach_the_logs(
    ward: Ward,
    platform: LinePlatform,
    client: Client,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks,
) -> None:
    """Every logger at DEBUG (ours, line-bot-sdk's, urllib3's) through a whole
    exchange, a forged delivery and a push the platform refuses."""
    caplog.set_level(logging.DEBUG)
    channel = channel_on(platform, ward.municipality)
    resident = new_user_id()
    with django_capture_on_commit_callbacks(execute=True):
        post(client, platform, [platform.follow(resident), platform.text(resident, "相談")])
    post(client, platform, [platform.text(resident, "偽物")], secret="f" * 32)
    with tenancy.tenant_context(ward.municipality):
        thread = Thread.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        staff_reply(ward, thread, "お返事です")
    # A token the platform does not know: the push is refused with 401.
    platform.access_token = "another-token-0123456789abcdef"
    with django_capture_on_commit_callbacks(execute=True):
        failed = staff_reply(ward, thread, "もう一度")
    with tenancy.tenant_context(ward.municipality):
        failed.refresh_from_db()
    assert failed.delivery == Delivery.FAILED
    assert "アクセストークン" in failed.delivery_error

    assert caplog.records, "the capture saw the exchange"
    logged = caplog.text + "".join(repr(r.args) for r in caplog.records)
    for secret in (channel.channel_secret, channel.channel_access_token):
        assert secret not in logged
        assert secret not in repr(channel)


def test_the_residents_language_comes_from_their_line_profile(
    ward: Ward,
    platform: LinePlatform,
    client: Client,
    django_capture_on_commit_callbacks,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A resident whose LINE is in Vietnamese is greeted in Vietnamese, and
    their thread is in Vietnamese (staff see it; triage by language works on
    it). Of the profile only the language is read: the name is never kept."""
    channel_on(platform, ward.municipality)
    vietnamese, portuguese, unknown = new_user_id(), new_user_id(), new_user_id()
    platform.profiles[vietnamese] = {
        "displayName": "Nguyễn Văn An",
        "language": "vi",
        "pictureUrl": "https://profile.line-scdn.net/abc",
        "statusMessage": "trạng thái riêng",
    }
    platform.profiles[portuguese] = {"displayName": "Maria Silva", "language": "pt-BR"}
    caplog.set_level(logging.DEBUG)
    follow = platform.follow(vietnamese)
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, platform, [follow]).status_code == 200
    greeting = platform.replied[-1].body["messages"][0]["text"]
    assert greeting.startswith("Cảm ơn bạn đã kết bạn.") and "110" in greeting
    with django_capture_on_commit_callbacks(execute=True):
        post(client, platform, [platform.text(vietnamese, "Tôi không trả được tiền nhà.")])
        post(client, platform, [platform.image(vietnamese)])
        # A resident who writes without a follow event (they added the account
        # before the webhook was set): the profile is read with the first message only.
        post(client, platform, [platform.text(portuguese, "Olá, preciso de ajuda.")])
        post(client, platform, [platform.text(portuguese, "Obrigada.")])
        # No profile to read (LINE answers 404): Japanese, as before.
        post(client, platform, [platform.follow(unknown)])
        # A redelivered follow changes nothing and asks for nothing.
        post(client, platform, [platform.redelivered(follow)])
    assert platform.replied[-2].body["messages"][0]["text"].startswith("Xin lỗi")
    assert platform.replied[-1].body["messages"][0]["text"].startswith("友だち追加")
    assert platform.profile_reads == [vietnamese, portuguese, unknown]
    with tenancy.tenant_context(ward.municipality):
        contacts = list(LineContact.objects.values())
        threads = {
            thread.line_contact.line_user_id: thread.language
            for thread in Thread.objects.select_related("line_contact")
        }
    assert {c["line_user_id"]: c["language"] for c in contacts} == {
        vietnamese: "vi",
        portuguese: "pt-br",
        unknown: "ja",
    }
    assert threads == {vietnamese: "vi", portuguese: "pt-br"}
    kept = f"{contacts} {caplog.text}"
    for private in ("Nguyễn Văn An", "Maria Silva", "profile.line-scdn.net", "trạng thái riêng"):
        assert private not in kept


@pytest.mark.parametrize(
    ("tag", "language"),
    [
        ("ja", "ja"),
        ("ja-easy", "ja-easy"),
        ("en-US", "en"),
        ("zh-Hans", "zh-hans"),
        ("zh-TW", "zh-hans"),
        ("ko", "ko"),
        ("vi", "vi"),
        ("pt-BR", "pt-br"),
        ("th", None),
        ("", None),
        (None, None),
    ],
)
def test_a_line_language_tag_maps_to_an_offered_language(
    tag: str | None, language: str | None
) -> None:
    assert public.language_for_tag(tag) == language
