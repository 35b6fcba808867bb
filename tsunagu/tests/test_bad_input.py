"""What a clerk types is kept as typed, whatever it is, and what cannot be
kept is refused with a Japanese message that leaves the rest of the form as
it was.

- Rare kanji outside the BMP (𠮷 U+20BB7, 𩸽 U+29E3D), variant kanji (﨑 髙),
  combining marks, mixed scripts and ZWJ emoji go through the intake form
  (a new person and the consultation's free text) and come back unchanged on
  the household page, the consultation page and in search.
- A 10,000-character name is refused at its field, in Japanese; nothing is
  saved and every other field still holds what was typed.
- Control characters other than the line break and the tab are refused (not
  silently dropped) with a message that names them, by every form and by the
  API alike; line breaks and tabs of free text are kept. A search is no input
  to keep: control characters in it are ignored.
"""

from __future__ import annotations

import html
import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.accounts.services import api_token_create
from tsunagu.consultations.models import Consultation
from tsunagu.core import tenancy
from tsunagu.people.models import Household, Person
from tsunagu.tests import resident_factories as make
from tsunagu.tests.factories import Ward

pytestmark = pytest.mark.django_db

FAMILY = "髙\ufa11"  # 髙﨑: U+9AD9 and the compatibility ideograph U+FA11
GIVEN = "\U00020bb7子"  # 𠮷子: U+20BB7, outside the BMP
#: Combining marks (か + U+3099 is not the precomposed が; e + U+0301), mixed scripts.
KANA = "よしこ\u3099"
ADDRESS = "テスト区北1-2-3 Résidence Ca\u0301fe\u0301 ２０１号"
LANGUAGE = "ベトナム語（Tiếng Việt）・English・العربية"
FAMILY_EMOJI = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # 👨‍👩‍👧 (a ZWJ sequence)
SUMMARY = (
    f"長女から、母と孫の3人暮らし{FAMILY_EMOJI}について相談。\n"
    "夕食は\U00029e3d（ほっけ）を焼いた。\t冷蔵庫は空。\n"
    "ｶﾞｽ代の督促状あり（半角カナのまま）。Здравствуйте 🇯🇵 👍🏽"
)
CONTROL_MESSAGE = "見えない制御文字"


def intake_data(ward: Ward, **extra: Any) -> dict[str, Any]:
    received = timezone.localtime() - timedelta(hours=1)
    data: dict[str, Any] = {
        "organization": ward.center.pk,
        "received_on": received.date().isoformat(),
        "received_time": received.strftime("%H:%M"),
        "channel": "window",
        "consulter": "family",
        "consulter_note": f"長女 {FAMILY_EMOJI}",
        "subject_mode": "new",
        "person-family_name": FAMILY,
        "person-given_name": GIVEN,
        "person-family_name_kana": "たかさき",
        "person-given_name_kana": KANA,
        "person-sex": "female",
        "person-birth_date": "昭和20年5月1日",
        "person-address": ADDRESS,
        "person-language_note": LANGUAGE,
        "topics": ["care"],
        "main_topic": "care",
        "summary": SUMMARY,
        "urgency": "normal",
        "consent_to_share": "obtained",
        "outcome": "continue_here",
    }
    data.update(extra)
    return data


@pytest.fixture
def clerk(ward: Ward) -> Staff:
    return ward.member(Role.COUNSELOR)


@pytest.fixture
def client(clerk: Staff) -> Client:
    client = Client()
    client.force_login(clerk)
    return client


def page(response: Any) -> str:
    """The page's text as a reader sees it (entities decoded)."""
    return html.unescape(response.content.decode())


def counts(ward: Ward) -> tuple[int, int, int]:
    with tenancy.tenant_context(ward.municipality):
        return Person.objects.count(), Household.objects.count(), Consultation.objects.count()


# --- Kept as typed ---------------------------------------------------------------------


def test_rare_kanji_combining_marks_and_emoji_are_stored_and_shown_intact(
    client: Client, ward: Ward
) -> None:
    response = client.post(reverse("consultations:intake"), intake_data(ward))
    assert response.status_code == 302, page(response)[:3000]

    with tenancy.tenant_context(ward.municipality):
        person = Person.objects.get()
        consultation = Consultation.objects.get()
    assert (person.family_name, person.given_name) == (FAMILY, GIVEN)
    assert person.given_name_kana == KANA  # not composed to よしご
    assert person.address == ADDRESS
    assert person.language_note == LANGUAGE
    assert consultation.summary == SUMMARY
    assert consultation.consulter_note == f"長女 {FAMILY_EMOJI}"

    household = client.get(reverse("people:household_detail", args=[consultation.household_id]))
    text = page(household)
    assert f"{FAMILY}\u3000{GIVEN}" in text  # Person.full_name
    # The consultation's text in the family's timeline, first line included.
    assert SUMMARY.split("\n")[0] in text

    detail = page(client.get(reverse("consultations:detail", args=[consultation.pk])))
    for line in SUMMARY.split("\n"):
        assert line in detail
    assert ADDRESS in page(client.get(reverse("people:person_detail", args=[person.pk])))


@pytest.mark.parametrize(
    "typed",
    [FAMILY, "高崎", "\U00020bb7子", "たかさき", "ﾀｶｻｷ", f"{FAMILY}{GIVEN}", "昭和20年5月1日"],
)
def test_a_person_with_rare_kanji_is_found_and_shown_intact_in_search(
    client: Client, clerk: Staff, ward: Ward, typed: str
) -> None:
    person = make.person(
        clerk,
        ward.center,
        family_name=FAMILY,
        given_name=GIVEN,
        family_name_kana="たかさき",
        given_name_kana="よしこ",
        birth_date=date(1945, 5, 1),
        address=ADDRESS,
    )
    make.household(clerk, ward.center, head=person)
    found = client.post(reverse("people:search"), {"q": typed}, headers={"HX-Request": "true"})
    assert found.status_code == 200
    text = page(found)
    assert reverse("people:person_detail", args=[person.pk]) in text, typed
    assert GIVEN in text and FAMILY in text and ADDRESS in text


def test_consultation_search_finds_and_shows_emoji_and_rare_kanji(
    client: Client, clerk: Staff, ward: Ward
) -> None:
    household = make.household(clerk, ward.center)
    consultation = make.consultation(
        clerk, ward.center, household=household, summary=SUMMARY.replace("\n", " ")
    )
    for typed in ("\U00029e3d", FAMILY_EMOJI, "ガス代", "здравствуйте"):
        found = client.post(
            reverse("people:search_consultations"), {"q": typed}, headers={"HX-Request": "true"}
        )
        text = page(found)
        assert reverse("consultations:detail", args=[consultation.pk]) in text, typed
        assert FAMILY_EMOJI in text and "\U00029e3d" in text


def test_line_breaks_and_tabs_of_free_text_are_kept(client: Client, ward: Ward) -> None:
    typed = "1行目\r\n\t字下げした2行目\r\n3行目"
    response = client.post(reverse("consultations:intake"), intake_data(ward, summary=typed))
    assert response.status_code == 302, page(response)[:3000]
    with tenancy.tenant_context(ward.municipality):
        assert Consultation.objects.get().summary == typed


# --- Too long ----------------------------------------------------------------------------


def test_a_10000_character_name_is_refused_in_japanese_and_the_rest_is_kept(
    client: Client, ward: Ward
) -> None:
    before = counts(ward)
    long_name = "長" * 10_000
    response = client.post(
        reverse("consultations:intake"), intake_data(ward, **{"person-family_name": long_name})
    )

    assert response.status_code == 200
    text = page(response)
    assert "氏は40文字以内で入力してください（いまは10000文字です）。" in text
    assert "本人の入力内容を確認してください。" in text
    # Everything else typed is still in the form, to correct and send again.
    for kept in (GIVEN, KANA, ADDRESS, LANGUAGE, "昭和20年5月1日", f"長女 {FAMILY_EMOJI}"):
        assert kept in text, kept
    assert html.escape(SUMMARY, quote=False) in response.content.decode()
    assert counts(ward) == before


def test_a_very_long_consultation_text_is_kept_whole(client: Client, ward: Ward) -> None:
    """A consultation's account can be long: 20,000 characters are stored whole."""
    typed = "\n".join([SUMMARY] * 200)
    assert len(typed) > 15_000
    response = client.post(reverse("consultations:intake"), intake_data(ward, summary=typed))
    assert response.status_code == 302, page(response)[:3000]
    with tenancy.tenant_context(ward.municipality):
        assert Consultation.objects.get().summary == typed


# --- Control characters ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("person-family_name", "髙\x00﨑", "U+0000"),
        ("person-given_name", "𠮷子\x07", "U+0007"),
        ("person-address", "北1-2-3\x1b[31m", "U+001B"),
        ("summary", "相談の概要\x0b続き\x7f", "U+000B、U+007F"),
        ("consulter_note", "長女\x85の夫", "U+0085"),
    ],
)
def test_control_characters_are_refused_with_a_message_naming_them(
    client: Client, ward: Ward, field: str, value: str, named: str
) -> None:
    before = counts(ward)
    response = client.post(reverse("consultations:intake"), intake_data(ward, **{field: value}))

    assert response.status_code == 200
    text = page(response)
    assert CONTROL_MESSAGE in text and named in text
    assert counts(ward) == before
    # The other fields keep what was typed.
    if field != "summary":
        assert html.escape(SUMMARY, quote=False) in response.content.decode()
    if field != "person-given_name":
        assert GIVEN in text


def test_control_characters_are_refused_on_the_household_form_too(
    client: Client, clerk: Staff, ward: Ward
) -> None:
    household = make.household(clerk, ward.center)
    url = reverse("people:household_edit", args=[household.pk])
    response = client.post(url, {"address": "北1-2-3", "note": "見守り\x08が必要", "phone": ""})
    assert response.status_code == 200
    assert CONTROL_MESSAGE in page(response) and "U+0008" in page(response)
    with tenancy.tenant_context(ward.municipality):
        assert Household.objects.get().note == ""


def test_a_search_with_control_characters_is_answered(
    client: Client, clerk: Staff, ward: Ward
) -> None:
    """A search is no input to keep: control characters in it are ignored."""
    person = make.person(clerk, ward.center, family_name=FAMILY, given_name=GIVEN)
    make.household(clerk, ward.center, head=person)
    for url in (reverse("people:search"), reverse("people:search_consultations")):
        found = client.post(url, {"q": f"{FAMILY}\x00\x1b"}, headers={"HX-Request": "true"})
        assert found.status_code == 200
    found = client.post(
        reverse("people:search"), {"q": f"{FAMILY}\x00"}, headers={"HX-Request": "true"}
    )
    assert reverse("people:person_detail", args=[person.pk]) in page(found)


# --- The API refuses and keeps the same way ----------------------------------------------


def token_client(staff: Staff) -> Client:
    with tenancy.tenant_context(staff.municipality):
        _token, raw = api_token_create(actor=staff, name="入力検査")
    return Client(enforce_csrf_checks=True, headers={"authorization": f"Bearer {raw}"})


def test_the_api_keeps_rare_kanji_and_emoji_and_refuses_control_characters(
    clerk: Staff, ward: Ward
) -> None:
    client = token_client(clerk)
    person = {"family_name": FAMILY, "given_name": GIVEN, "given_name_kana": KANA}
    person["address"] = ADDRESS
    created = client.post("/api/v1/persons", json.dumps(person), content_type="application/json")
    assert created.status_code == 201
    assert {k: created.json()[k] for k in person} == person

    refused = client.post(
        "/api/v1/persons",
        json.dumps({"family_name": "山\x00田", "address": "北1-2-3\x1b[31m"}),
        content_type="application/json",
    )
    assert refused.status_code == 422
    errors = refused.json()["errors"]
    assert set(errors) == {"family_name", "address"}
    assert CONTROL_MESSAGE in errors["family_name"][0] and "U+0000" in errors["family_name"][0]
    assert "U+001B" in errors["address"][0]

    query = client.get("/api/v1/counted-entries", {"item": "ひろば\x00"})
    assert query.status_code == 422
    assert set(query.json()["errors"]) == {"item"}
    assert counts(ward)[0] == 1
