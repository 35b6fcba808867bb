"""The public side of オンライン相談, shared by its pages and its JSON API.

What a stranger may do, and the limits on it: open a thread (with a signed
form token and a honeypot on the page), read their own thread by its secret
link and short code, write again. Nothing here reads anything but the one
thread whose token and code were given. The resident's address is kept only
as a keyed hash (:func:`address_hash`), in :class:`~tsunagu.frontdoor.models.PublicHit`
rows that count writes for the rate limits.

Every text a resident reads is a gettext message whose msgid is the
Japanese text; the catalogues of the six other languages are in
``tsunagu/locale``.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _

from tsunagu.core.municipality import Municipality
from tsunagu.core.text import control_characters, lone_surrogates, text_length
from tsunagu.directory.models import District
from tsunagu.frontdoor import services
from tsunagu.frontdoor.models import (
    Channel,
    FrontDoorSettings,
    Language,
    Message,
    PublicHit,
    PublicTopic,
    Thread,
)

#: The languages of the public pages, in the switcher's order.
LANGUAGES: tuple[str, ...] = tuple(Language.values)
#: <html lang> per language (BCP 47; やさしい日本語 is Japanese).
HTML_LANG = {
    "ja": "ja",
    "ja-easy": "ja",
    "en": "en",
    "zh-hans": "zh-Hans",
    "ko": "ko",
    "vi": "vi",
    "pt-br": "pt-BR",
}


def language_for_tag(tag: str | None) -> str | None:
    """The public language for a BCP 47 tag (a LINE profile's, an
    ``Accept-Language`` entry): ``en-US`` → en, ``zh-CN``/``zh-Hans``/``zh-TW``
    → zh-hans (traditional Chinese gets the nearest offered), ``pt-BR`` →
    pt-br; None for a language not offered."""
    tag = (tag or "").strip().lower().replace("_", "-")
    if tag in LANGUAGES:
        return tag
    return {
        "ja": Language.JA,
        "en": Language.EN,
        "zh": Language.ZH_HANS,
        "ko": Language.KO,
        "vi": Language.VI,
        "pt": Language.PT_BR,
    }.get(tag.partition("-")[0])


BODY_MAX = 4000
NICKNAME_MAX = 50
CONTACT_MAX = 200

#: A page's form is good for this long, and is not sent by a person faster than this.
FORM_MAX_AGE = datetime.timedelta(hours=6)
FORM_MIN_SECONDS = 2
FORM_SALT = "tsunagu.frontdoor.public.form"
HONEYPOT = "website"

#: Rate limits (per hour): new threads per address, messages per address, messages per thread.
NEW_THREADS_PER_ADDRESS = 5
#: Bookings per address (the public booking pages, per hour).
BOOKINGS_PER_ADDRESS = 5
#: PublicHit.kind of a booking.
BOOKING = "booking"
MESSAGES_PER_ADDRESS = 30
MESSAGES_PER_THREAD = 20
RATE_WINDOW = datetime.timedelta(hours=1)
#: Hits older than this are no longer needed (removed by the retention job).
HIT_KEPT = datetime.timedelta(days=1)

#: Wrong short codes after which a link no longer opens its thread.
MAX_CODE_ATTEMPTS = 10


@dataclass(frozen=True)
class EmergencyNumber:
    label: Any
    number: str
    note: Any = ""

    @property
    def tel(self) -> str:
        return self.number.replace("-", "").replace("#", "%23")


#: Numbers shown on every public page (national ones; a municipality adds its
#: own in FrontDoorSettings.public_notice).
EMERGENCY_NUMBERS: tuple[EmergencyNumber, ...] = (
    EmergencyNumber(_("警察"), "110", _("事件・事故、身の危険を感じるとき")),
    EmergencyNumber(_("消防・救急"), "119", _("火事、急な病気やけが")),
    EmergencyNumber(
        _("よりそいホットライン"),
        "0120-279-338",
        _("24時間・無料。外国語はガイダンスのあと2番"),
    ),
    EmergencyNumber(_("いのちの電話"), "0570-783-556", _("死にたいほどつらいとき（10時〜22時）")),
    EmergencyNumber(_("児童相談所 虐待対応ダイヤル"), "189", _("子どもへの虐待が心配なとき")),
    EmergencyNumber(_("DV相談ナビ"), "#8008", _("配偶者やパートナーからの暴力")),
)

#: What the resident may say the worry is about (optional) → the consultation topic.
TOPICS: tuple[tuple[str, Any], ...] = tuple(PublicTopic.choices)
TOPIC_VALUES = frozenset(str(value) for value, _label in TOPICS)

# Messages (the msgids are the Japanese text).
REQUIRED = _("相談したいことを書いてください。")
TOO_LONG = _("%(max)s文字以内で書いてください（いまは%(length)s文字です）。")
BAD_CHARACTERS = _("使えない文字がふくまれています。消してからもう一度送ってください。")
BAD_CHOICE = _("選びなおしてください。")
#: The public API's refusals of an input (the pages show the form again instead).
INPUT_REFUSED = _("送った内容に、直してほしいところがあります。")
INPUT_UNREADABLE = _("この内容は読み取れませんでした。")
FORM_EXPIRED = _(
    "このページを開いてから時間がたちすぎました。もう一度ページを開いて書いてください。"
)
FORM_REFUSED = _("送信できませんでした。少し待ってから、もう一度送ってください。")
NOT_ACCEPTING = _("いまは受け付けを休んでいます。急ぐときは下の電話番号にかけてください。")
WRONG_CODE = _("リンクか番号がちがいます。受付のときに控えた6けたの番号を入れてください。")
LOCKED = _(
    "番号をまちがえた回数が多いため、このリンクは使えなくなりました。"
    "新しく相談を書くか、電話で相談してください。"
)
RATE_LIMITED = _("短い時間に送られた数が多すぎます。1時間ほどたってから、もう一度送ってください。")
NO_FILES = _("ファイルや写真は受け付けていません。文章だけを送ってください。")


def address_hash(request: HttpRequest) -> str:
    """The sender's network address as a keyed hash (the address itself is never stored)."""
    return keyed_hash(request.META.get("REMOTE_ADDR") or "unknown")


def keyed_hash(address: str) -> str:
    """An address (network or mail) as a keyed hash, for the rate limits."""
    key = hashlib.sha256(f"frontdoor.address:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, address.casefold().encode(), hashlib.sha256).hexdigest()


# --- The signed form token (in place of a CSRF cookie) -------------------------


def form_token(municipality: Municipality, *, issued: float | None = None, **shown: Any) -> str:
    """A token the page's form carries: which municipality's page, when it was
    opened, and what else the page showed (``shown``, e.g. the booked slot)."""
    return signing.dumps(
        {**shown, "m": municipality.pk, "t": int(issued if issued is not None else time.time())},
        salt=FORM_SALT,
        compress=False,
    )


def read_form_token(token: str, municipality: Municipality) -> tuple[dict[str, Any], Any | None]:
    """A form's token: what it carries, and why it is refused (None: the form may be taken)."""
    try:
        data = signing.loads(token, salt=FORM_SALT, max_age=FORM_MAX_AGE)
    except signing.SignatureExpired:
        return {}, FORM_EXPIRED
    except signing.BadSignature:
        return {}, FORM_REFUSED
    if not isinstance(data, dict) or data.get("m") != municipality.pk:
        return {}, FORM_REFUSED
    issued = data.get("t")
    if not isinstance(issued, int) or time.time() - issued < FORM_MIN_SECONDS:
        return {}, FORM_REFUSED
    if time.time() - issued > FORM_MAX_AGE.total_seconds():
        return {}, FORM_EXPIRED
    return data, None


def form_token_error(token: str, municipality: Municipality) -> Any | None:
    """Why a form's token is refused, or None (the form may be taken)."""
    return read_form_token(token, municipality)[1]


# --- What the resident writes ---------------------------------------------------


def text_error(value: str, limit: int, *, required: bool = False) -> Any | None:
    if required and not value.strip():
        return REQUIRED
    if control_characters(value) or lone_surrogates(value):
        return BAD_CHARACTERS
    length = text_length(value)
    if length > limit:
        return TOO_LONG % {"max": f"{limit:,}", "length": f"{length:,}"}
    return None


def districts() -> list[District]:
    return list(District.objects.filter(archived_at__isnull=True))


@dataclass
class NewThread:
    """What the public form (or the API) asks to open, checked."""

    body: str
    topic: str = ""
    district_id: int | None = None
    nickname: str = ""
    contact: str = ""

    def errors(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for name, limit, required in (
            ("body", BODY_MAX, True),
            ("nickname", NICKNAME_MAX, False),
            ("contact", CONTACT_MAX, False),
        ):
            error = text_error(getattr(self, name), limit, required=required)
            if error:
                found[name] = error
        if self.topic and self.topic not in TOPIC_VALUES:
            found["topic"] = BAD_CHOICE
        if self.district_id is not None and not any(d.pk == self.district_id for d in districts()):
            found["district"] = BAD_CHOICE
        return found


def door_settings() -> FrontDoorSettings | None:
    return FrontDoorSettings.objects.first()


def accepting() -> bool:
    door = door_settings()
    return door is None or door.accepting


# --- Rate limits ---------------------------------------------------------------


def _recent(**filters: Any) -> int:
    return PublicHit.objects.filter(at__gte=timezone.now() - RATE_WINDOW, **filters).count()


def may_open_thread(address: str) -> bool:
    return _recent(address_hash=address, thread=None, kind="") < NEW_THREADS_PER_ADDRESS


def may_book(address: str) -> bool:
    return _recent(address_hash=address, kind=BOOKING) < BOOKINGS_PER_ADDRESS


def count_booking(address: str) -> None:
    """Count a booking made from ``address`` (call it in the booking's transaction)."""
    PublicHit.objects.create(address_hash=address, kind=BOOKING)


def may_write(address: str, thread: Thread) -> bool:
    return (
        _recent(address_hash=address, thread__isnull=False) < MESSAGES_PER_ADDRESS
        and _recent(thread=thread) < MESSAGES_PER_THREAD
    )


@transaction.atomic
def open_web_thread(new: NewThread, *, language: str, address: str) -> tuple[Thread, str, str]:
    """Open the thread, give it its link and code, take the first message.

    Returns the thread, the link's token and the short code (shown once)."""
    thread = services.open_thread(
        channel=Channel.WEB,
        language=language,
        topic=new.topic,
        district_id=new.district_id,
        nickname=new.nickname.strip(),
        contact=new.contact.strip(),
    )
    token, code = services.set_public_secret(thread)
    services.receive(thread, new.body)
    count_new_thread(address)
    return thread, token, code


def count_new_thread(address: str) -> None:
    """Count a thread opened from ``address`` (any channel; in the opening transaction)."""
    PublicHit.objects.create(address_hash=address, thread=None)


@transaction.atomic
def write_again(thread: Thread, body: str, *, address: str) -> Message:
    message = services.receive(thread, body)
    PublicHit.objects.create(address_hash=address, thread=thread)
    return message


# --- The resident's own thread ---------------------------------------------------


@dataclass
class Access:
    """The outcome of a link and code: the thread, or why not."""

    thread: Thread | None
    locked: bool = False


def open_own_thread(token: str, code: str) -> Access:
    """The thread whose secret link is ``token``, if ``code`` is its short code.

    An unknown link, an anonymised thread and a wrong code look alike; after
    :data:`MAX_CODE_ATTEMPTS` wrong codes the link is locked."""
    thread = (
        Thread.objects.filter(
            token_hash=services.token_digest(token),
            channel=Channel.WEB,
            anonymised_at__isnull=True,
        )
        .exclude(token_hash="")
        .first()
        if token
        else None
    )
    if thread is None or not thread.code_hash:
        return Access(None)
    if thread.failed_code_attempts >= MAX_CODE_ATTEMPTS:
        return Access(None, locked=True)
    given = services.code_digest(thread.token_hash, code.strip())
    if not code or not constant_time_compare(given, thread.code_hash):
        Thread.objects.filter(pk=thread.pk).update(
            failed_code_attempts=F("failed_code_attempts") + 1
        )
        thread.refresh_from_db(fields=["failed_code_attempts"])
        return Access(None, locked=thread.failed_code_attempts >= MAX_CODE_ATTEMPTS)
    if thread.failed_code_attempts:
        Thread.objects.filter(pk=thread.pk).update(failed_code_attempts=0)
    return Access(thread)


def conversation(thread: Thread) -> list[Message]:
    return list(thread.messages.select_related("organization").order_by("sent_at", "pk"))


def pick_language(accept_language: str) -> str:
    """The public language closest to the browser's Accept-Language (else Japanese)."""
    from django.utils.translation.trans_real import parse_accept_lang_header

    aliases = {"zh": "zh-hans", "zh-cn": "zh-hans", "zh-sg": "zh-hans", "pt": "pt-br"}
    for code, _quality in parse_accept_lang_header(accept_language or ""):
        code = code.lower()
        if code in LANGUAGES:
            return code
        if code in aliases:
            return aliases[code]
        base = code.split("-")[0]
        if base in aliases:
            return aliases[base]
        if base in LANGUAGES:
            return base
    return "ja"
