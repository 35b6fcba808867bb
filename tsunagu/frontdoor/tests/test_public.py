"""The public side of オンライン相談, through the test client on the public host
(``localhost`` in the tests): a resident writes, keeps the link and code, reads
the reply and writes again; no cookie, nothing of staff, nothing of another
thread; the form's token, honeypot, size and rate limits."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from django.db import OperationalError
from django.test import Client
from django.utils import timezone

from tsunagu.accounts.roles import Role
from tsunagu.core import tenancy
from tsunagu.core.models import Municipality
from tsunagu.frontdoor import public, publichost, services
from tsunagu.frontdoor.models import (
    Channel,
    Direction,
    FrontDoorSettings,
    PublicHit,
    Status,
    Thread,
)
from tsunagu.tests.factories import Ward

pytestmark = pytest.mark.django_db

PUBLIC = "localhost"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture(autouse=True)
def _fresh_hosts() -> Iterator[None]:
    publichost.forget_public_hosts()
    yield
    publichost.forget_public_hosts()


def resident() -> Client:
    return Client(HTTP_HOST=PUBLIC)


def post(client: Client, url: str, data: dict[str, Any], **extra: Any) -> Any:
    return client.post(url, urlencode(data), content_type=FORM, **extra)


def opened_form(ward: Ward, **data: Any) -> dict[str, Any]:
    """A landing form opened ten seconds ago."""
    return {"form_token": public.form_token(ward.municipality, issued=time.time() - 10), **data}


def write(client: Client, ward: Ward, lang: str = "ja", **data: Any) -> Any:
    return post(client, f"/consult/{lang}/", opened_form(ward, **data))


def receipt(response: Any) -> tuple[str, str]:
    """The link and code the receipt shows."""
    text = response.content.decode()
    link = re.search(r'href="(/consult/[^"]+/t/[^"]+/)"', text)
    code = re.search(r'<dd class="code">(\d{6})</dd>', text)
    assert link and code, text
    return link[1], code[1]


def threads(ward: Ward) -> list[Thread]:
    with tenancy.tenant_context(ward.municipality):
        return list(Thread.objects.order_by("pk"))


def test_a_resident_writes_reads_the_reply_and_writes_again(ward: Ward) -> None:
    client = resident()
    landing = client.get("/consult/vi/")
    assert landing.status_code == 200
    assert '<html lang="vi">' in landing.content.decode()
    assert "Tư vấn trực tuyến" in landing.content.decode()

    sent = write(client, ward, "vi", body="Tôi không có tiền trả tiền nhà.", topic="income")
    assert sent.status_code == 200
    assert sent["Cache-Control"] == "no-store"
    link, code = receipt(sent)
    assert code not in link  # the code is never in a URL
    [thread] = threads(ward)
    assert (thread.channel, thread.language, thread.topic) == (Channel.WEB, "vi", "income")

    # The link alone shows only the code form.
    page = client.get(link)
    assert page.status_code == 200
    assert "Tôi không có tiền" not in page.content.decode()
    wrong = post(client, link, {"code": "000000" if code != "000000" else "111111"})
    assert wrong.status_code == 403
    assert "Tôi không có tiền" not in wrong.content.decode()

    staff = ward.member(Role.COORDINATOR)
    with tenancy.tenant_context(ward.municipality):
        services.reply(
            thread, "家賃のご相談ですね。窓口でお話を伺えます。", staff=staff,
            organization=ward.coordinating,
        )  # fmt: skip
    opened = post(client, link, {"code": code})
    text = opened.content.decode()
    assert opened.status_code == 200
    assert "Tôi không có tiền trả tiền nhà." in text
    assert "家賃のご相談ですね。" in text
    assert "Người phụ trách" in text and ward.coordinating.name in text  # 担当者 and the window
    assert staff.full_name not in text and staff.username not in text
    assert f'name="code" value="{code}"' in text  # carried with the next POST

    again = post(client, link, {"code": code, "body": "Cảm ơn. Tôi sẽ đến."})
    assert again.status_code == 200
    assert "Cảm ơn. Tôi sẽ đến." in again.content.decode()
    with tenancy.tenant_context(ward.municipality):
        directions = list(thread.messages.values_list("direction", flat=True))
    assert directions == [Direction.INBOUND, Direction.OUTBOUND, Direction.INBOUND]


def test_writing_to_a_closed_thread_opens_it_again(ward: Ward) -> None:
    client = resident()
    link, code = receipt(write(client, ward, body="相談です。"))
    [thread] = threads(ward)
    Thread.all_tenants.filter(pk=thread.pk).update(status=Status.CLOSED, closed_at=timezone.now())
    page = post(client, link, {"code": code})
    assert "この相談は終わっています。" in page.content.decode()
    post(client, link, {"code": code, "body": "また困っています。"})
    thread.refresh_from_db()
    assert thread.status == Status.OPEN


def test_no_public_answer_sets_a_cookie_and_a_staff_session_counts_for_nothing(
    ward: Ward,
) -> None:
    staff = ward.member(Role.COORDINATOR)
    client = Client(HTTP_HOST=PUBLIC)
    client.force_login(staff)  # the browser also holds a staff session cookie
    client.cookies["csrftoken"] = "x" * 32
    link, code = receipt(write(client, ward, body="相談です。"))
    answers = [
        client.get("/consult/"),
        client.get("/consult/ja/"),
        write(client, ward, body="二つ目の相談です。"),
        client.get(link),
        post(client, link, {"code": code}),
        post(client, link, {"code": code, "body": "追加です。"}),
        post(client, link, {"code": "999999" if code != "999999" else "888888"}),
        client.get("/consult/api/openapi.json"),
        client.get("/"),
        client.get("/login/"),
    ]
    for answer in answers:
        assert not answer.cookies, (answer.request["PATH_INFO"], answer.cookies)
        assert "Set-Cookie" not in answer.headers
        text = answer.content.decode()
        assert staff.full_name not in text and staff.username not in text
    # Staff pages do not exist on the public host.
    assert answers[-2].status_code == 404 and answers[-1].status_code == 404


def test_the_public_pages_are_not_on_the_staff_host(ward: Ward) -> None:
    staff_client = Client()
    staff_client.force_login(ward.member(Role.COORDINATOR))
    for url in ("/consult/", "/consult/ja/", "/consult/api/openapi.json"):
        assert staff_client.get(url).status_code == 404


def test_public_answers_carry_no_referrer_no_store_noindex_and_the_csp(ward: Ward) -> None:
    client = resident()
    link, code = receipt(write(client, ward, body="相談です。"))
    for answer in (client.get(link), post(client, link, {"code": code})):
        assert answer["Referrer-Policy"] == "no-referrer"
        assert answer["Cache-Control"] == "no-store"
        assert "noindex" in answer["X-Robots-Tag"]
        assert "script-src 'self'" in answer["Content-Security-Policy"]
        assert answer["X-Frame-Options"] == "DENY"
    assert "X-Robots-Tag" not in client.get("/consult/ja/").headers


def test_the_honeypot_and_a_form_sent_too_fast_or_too_late_are_refused(ward: Ward) -> None:
    client = resident()
    trapped = write(client, ward, body="相談です。", website="http://spam.example")
    assert trapped.status_code == 400
    fast = post(
        client,
        "/consult/en/",
        {"form_token": public.form_token(ward.municipality), "body": "hello"},
    )
    assert fast.status_code == 400
    assert "could not be sent" in fast.content.decode()
    late = post(
        client,
        "/consult/en/",
        {
            "form_token": public.form_token(ward.municipality, issued=time.time() - 7 * 3600),
            "body": "hello",
        },
    )
    assert late.status_code == 400
    assert "Too much time has passed" in late.content.decode()
    forged = post(client, "/consult/en/", {"form_token": "forged", "body": "hello"})
    assert forged.status_code == 400
    assert threads(ward) == []
    # What was typed is kept on the refused page.
    assert "http://spam.example" not in trapped.content.decode()
    assert "相談です。" in trapped.content.decode()


def test_size_limits_and_an_empty_worry_are_refused_in_the_residents_language(
    ward: Ward,
) -> None:
    client = resident()
    too_long = write(client, ward, "en", body="あ" * (public.BODY_MAX + 1), nickname="n" * 51)
    text = too_long.content.decode()
    assert too_long.status_code == 400
    assert "no more than 4,000 characters (now 4,001)" in text
    assert "no more than 50 characters" in text
    empty = write(client, ward, "ko", body="   ")
    assert empty.status_code == 400
    assert "상담하고 싶은 내용을 써 주십시오." in empty.content.decode()
    bad_topic = write(client, ward, body="相談です。", topic="nonsense", district="x")
    assert bad_topic.status_code == 400
    assert threads(ward) == []
    assert write(client, ward, body="あ" * public.BODY_MAX).status_code == 200


def test_an_upload_is_refused_with_a_clear_message(ward: Ward) -> None:
    client = resident()
    from django.core.files.uploadedfile import SimpleUploadedFile

    answer = client.post(
        "/consult/en/",
        {**opened_form(ward, body="photo"), "file": SimpleUploadedFile("a.jpg", b"\xff\xd8")},
    )
    assert answer.status_code == 415
    assert "Files and photos are not accepted." in answer.content.decode()
    assert threads(ward) == []
    assert 'type="file"' not in client.get("/consult/en/").content.decode()


def test_new_threads_are_limited_per_address(ward: Ward) -> None:
    client = resident()
    for _ in range(public.NEW_THREADS_PER_ADDRESS):
        assert write(client, ward, body="相談です。").status_code == 200
    refused = write(client, ward, "pt-br", body="Mais uma.")
    assert refused.status_code == 429
    assert "Foram enviadas mensagens demais" in refused.content.decode()
    # Another address may still write.
    other = post(
        Client(HTTP_HOST=PUBLIC, REMOTE_ADDR="192.0.2.7"),
        "/consult/ja/",
        opened_form(ward, body="別の人"),
    )
    assert other.status_code == 200
    with tenancy.tenant_context(ward.municipality):
        hashes = set(PublicHit.objects.values_list("address_hash", flat=True))
    assert "127.0.0.1" not in str(hashes) and "192.0.2.7" not in str(hashes)
    assert len(hashes) == 2


def test_messages_are_limited_per_thread(ward: Ward) -> None:
    client = resident()
    link, code = receipt(write(client, ward, body="相談です。"))
    for n in range(public.MESSAGES_PER_THREAD):
        assert post(client, link, {"code": code, "body": f"{n}"}).status_code == 200
    refused = post(client, link, {"code": code, "body": "もう一つ"})
    assert refused.status_code == 429
    assert refused["Retry-After"] == "3600"


def test_wrong_codes_lock_the_link_and_another_threads_token_never_opens(ward: Ward) -> None:
    client = resident()
    mine, my_code = receipt(write(client, ward, body="私の相談です。"))
    theirs, their_code = receipt(write(client, ward, body="他の人の相談です。"))
    # My code with their link, and a link that does not exist, answer alike.
    wrong = post(client, theirs, {"code": my_code}) if my_code != their_code else None
    unknown = post(client, "/consult/ja/t/" + "A" * 43 + "/", {"code": my_code})
    for answer in filter(None, (wrong, unknown)):
        assert answer.status_code == 403
        assert "他の人の相談です。" not in answer.content.decode()
        assert "リンクか番号がちがいます。" in answer.content.decode()
    bad = "123456" if my_code != "123456" else "654321"
    for _ in range(public.MAX_CODE_ATTEMPTS):
        post(client, mine, {"code": bad})
    locked = post(client, mine, {"code": my_code})
    assert locked.status_code == 403
    assert "このリンクは使えなくなりました" in locked.content.decode()
    assert "私の相談です。" not in locked.content.decode()


def test_an_anonymised_thread_shows_nothing(ward: Ward) -> None:
    client = resident()
    link, code = receipt(write(client, ward, body="相談です。"))
    [thread] = threads(ward)
    Thread.all_tenants.filter(pk=thread.pk).update(anonymised_at=timezone.now())
    answer = post(client, link, {"code": code})
    assert answer.status_code == 403
    assert "相談です。" not in answer.content.decode()


def test_a_municipalitys_own_public_host_serves_its_door_only(
    ward: Ward, other_ward: Ward, settings: Any
) -> None:
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "soudan.yoso.example"]
    with tenancy.tenant_context(other_ward.municipality):
        FrontDoorSettings.objects.create(public_host="soudan.yoso.example")
    publichost.forget_public_hosts()  # (front_door_settings_save does this after its commit)
    client = Client(HTTP_HOST="soudan.yoso.example")
    assert "よそ区" in client.get("/consult/ja/").content.decode()
    link, code = receipt(write(client, other_ward, body="よそ区への相談"))
    assert threads(ward) == [] and len(threads(other_ward)) == 1
    # The same link on the other municipality's door opens nothing.
    assert post(resident(), link, {"code": code}).status_code == 403


def test_the_door_can_stop_taking_new_threads(ward: Ward) -> None:
    with tenancy.tenant_context(ward.municipality):
        FrontDoorSettings.objects.create(accepting=False, public_notice="年末年始はお休みです。")
    client = resident()
    page = client.get("/consult/en/").content.decode()
    assert "We are not accepting consultations" in page and "年末年始はお休みです。" in page
    assert 'name="body"' not in page
    assert write(client, ward, body="相談です。").status_code == 403
    assert threads(ward) == []


@pytest.mark.parametrize(
    ("accept", "lang"),
    [("vi-VN,vi;q=0.9", "vi"), ("zh-CN", "zh-hans"), ("pt", "pt-br"), ("fr", "ja"), ("", "ja")],
)
def test_consult_goes_to_the_browsers_language(ward: Ward, accept: str, lang: str) -> None:
    answer = resident().get("/consult/", HTTP_ACCEPT_LANGUAGE=accept)
    assert answer.status_code == 302
    assert answer["Location"] == f"/consult/{lang}/"


def test_every_page_has_the_switcher_and_the_emergency_numbers_in_its_language(
    ward: Ward,
) -> None:
    client = resident()
    expected = {
        "ja": ("ja", "いますぐ助けが必要なとき"),
        "ja-easy": ("ja", "いま すぐ たすけが ほしい とき"),
        "en": ("en", "If you need help right now"),
        "zh-hans": ("zh-Hans", "如果您现在就需要帮助"),
        "ko": ("ko", "지금 바로 도움이 필요할 때"),
        "vi": ("vi", "Khi bạn cần giúp đỡ ngay bây giờ"),
        "pt-br": ("pt-BR", "Se você precisa de ajuda agora"),
    }
    for lang, (html_lang, heading) in expected.items():
        text = client.get(f"/consult/{lang}/").content.decode()
        assert f'<html lang="{html_lang}">' in text
        assert heading in text
        for number in ("110", "119", "0120-279-338"):
            assert number in text
        for code in public.LANGUAGES:
            assert f'href="/consult/{code}/" lang="{public.HTML_LANG[code]}"' in text
        assert text.count('aria-current="page"') == 1


def test_staff_pages_stay_japanese_whatever_the_browser_asks(ward: Ward) -> None:
    resident().get("/consult/en/")  # an English public page first, in the same process
    for client in (Client(), Client(HTTP_ACCEPT_LANGUAGE="en")):
        answer = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
        assert answer["Content-Language"] == "ja"
        text = answer.content.decode()
        assert '<html lang="ja">' in text and "ログイン" in text
    staff = Client(HTTP_ACCEPT_LANGUAGE="en")
    staff.force_login(ward.member(Role.COORDINATOR))
    home = staff.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert home["Content-Language"] == "ja"
    assert "本文へ移動" in home.content.decode()


def test_a_public_host_read_for_a_municipality_now_gone_is_read_again(ward: Ward) -> None:
    """The middleware keeps the public hosts it read; a municipality removed
    since (its door with it) must not leave its host answering 404: the hosts
    are read again and the host judged without it."""
    publichost.forget_public_hosts()
    publichost._public_hosts()  # read once: none set
    gone = max(Municipality.objects.values_list("pk", flat=True)) + 1000
    publichost._hosts["localhost"] = gone  # as if read before that municipality went
    answer = Client(HTTP_HOST="localhost").get("/consult/ja/")
    assert answer.status_code == 200
    assert "localhost" not in publichost._hosts
    publichost.forget_public_hosts()


def test_an_error_on_the_public_host_answers_in_the_residents_language_with_the_numbers(
    ward: Ward, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A resident who meets a server error may be the one in crisis: the page
    is in their language, says their words may not have arrived, keeps the
    emergency numbers and shows nothing of the error; a database that cannot
    be reached is a wait (503, Retry-After)."""

    def broken() -> None:
        raise RuntimeError("内部の失敗 sentinel-7f3a")

    monkeypatch.setattr(public, "door_settings", broken)
    client = Client(HTTP_HOST="localhost", raise_request_exception=False)
    answer = client.get("/consult/vi/")
    text = answer.content.decode()
    assert answer.status_code == 500 and '<html lang="vi">' in text
    assert "Nội dung bạn đã viết có thể chưa được gửi đến" in text
    assert all(entry.number in text for entry in public.EMERGENCY_NUMBERS)
    assert "sentinel-7f3a" not in text and "Retry-After" not in answer.headers
    assert not answer.cookies and answer.headers["Cache-Control"] == "no-store"

    def unreachable() -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(public, "door_settings", unreachable)
    waiting = client.get("/consult/en/")
    assert waiting.status_code == 503 and waiting.headers["Retry-After"] == "30"
    assert "What you wrote may not have reached us." in waiting.content.decode()
    api = client.post("/consult/api/threads", {"body": "相談です"}, content_type="application/json")
    assert api.status_code == 503 and api.json()["detail"].startswith("いまは表示できません。")
