"""The public booking pages (on the municipality's public host, no sign-in,
no cookie): the windows that take bookings from residents, their free
slots, the booking form and its receipt with a secret cancel link.

Like the public consultation page: the language is in the URL, POSTs are
csrf_exempt and carry a signed form token (the slot and window it was shown
for, valid for an hour) and a honeypot field instead of a cookie. The public
side reads only windows' settings and free-slot counts; a booking is reached
again only by its cancel link, whose secret is kept as a digest."""

from __future__ import annotations

import datetime
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.views.decorators.csrf import csrf_exempt

from tsunagu import policy
from tsunagu.appointments import selectors, services, slots
from tsunagu.appointments.forms import PublicBookingForm
from tsunagu.appointments.models import AppointmentSettings, Status
from tsunagu.core import tenancy
from tsunagu.core.municipality import Municipality
from tsunagu.directory.models import Organization
from tsunagu.frontdoor import public_views
from tsunagu.frontdoor.models import Language

SALT = "tsunagu.appointments.public-booking"
#: How long a shown booking form stays valid.
FORM_MAX_AGE = 3600


def _municipality(request: HttpRequest) -> Municipality:
    """The municipality whose public host this request came to (set by
    frontdoor.publichost.PublicHostMiddleware; 404 on any other host)."""
    municipality = getattr(request, "public_municipality", None)
    if municipality is None:
        raise Http404
    return municipality


def _language(lang: str) -> str:
    if lang not in Language.values:
        raise Http404
    return lang


def _render(
    request: HttpRequest, lang: str, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    suffix = request.path.split(f"/consult/{lang}/", 1)[-1]
    with translation.override(lang):
        return public_views.page(
            request, template, {"lang": lang, **context}, status=status, suffix=suffix
        )


def _public_windows() -> list[tuple[Organization, AppointmentSettings]]:
    configs = (
        AppointmentSettings.objects.filter(takes_appointments=True, public_booking=True)
        .select_related("organization")
        .filter(organization__archived_at=None)
        .order_by("organization__sort_order", "organization__pk")
    )
    return [(c.organization, c) for c in configs]


def _window(pk: int) -> tuple[Organization, AppointmentSettings]:
    found = next(((o, c) for o, c in _public_windows() if o.pk == pk), None)
    if found is None:
        raise Http404
    return found


@policy.public_route("住民が予約を受け付ける窓口を選ぶ公開ページ（個人情報なし）")
def windows(request: HttpRequest, lang: str) -> HttpResponse:
    lang = _language(lang)
    with tenancy.tenant_context(_municipality(request)):
        return _render(
            request, lang, "appointments/public/windows.html", {"windows": _public_windows()}
        )


@policy.public_route("窓口の空き枠を示す公開ページ（件数だけで個人情報なし）")
def free_slots(request: HttpRequest, lang: str, organization_pk: int) -> HttpResponse:
    lang = _language(lang)
    with tenancy.tenant_context(_municipality(request)):
        organization, config = _window(organization_pk)
        today = timezone.localdate()
        found = selectors.free_slots(
            config, organization, today, slots.bookable_until(config, today), timezone.now()
        )
        days: dict[datetime.date, list[slots.Slot]] = {}
        for slot in found:
            days.setdefault(timezone.localtime(slot.starts_at).date(), []).append(slot)
        return _render(
            request,
            lang,
            "appointments/public/slots.html",
            {"organization": organization, "days": sorted(days.items())},
        )


def _moment(text: str) -> datetime.datetime:
    """A slot's start as the pages send it (``YYYY-MM-DDTHH:MM``, local time)."""
    return timezone.make_aware(datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M"))  # noqa: DTZ007


def _token(organization_pk: int, start: str) -> str:
    return signing.dumps({"o": organization_pk, "s": start}, salt=SALT)


@csrf_exempt
@policy.public_route("住民が予約枠を申し込む公開フォーム（署名付きフォームトークンとハニーポット）")
def book(request: HttpRequest, lang: str, organization_pk: int) -> HttpResponse:
    lang = _language(lang)
    municipality = _municipality(request)
    with tenancy.tenant_context(municipality):
        organization, _config = _window(organization_pk)
        start = request.GET.get("start", "")
        if request.method != "POST":
            try:
                moment = _moment(start)
            except ValueError:
                raise Http404 from None
            form = PublicBookingForm(initial={"form_token": _token(organization.pk, start)})
            return _render(
                request,
                lang,
                "appointments/public/book.html",
                {"organization": organization, "form": form, "moment": moment},
            )
        form = PublicBookingForm(request.POST)
        moment = None  # type: ignore[assignment]
        if form.is_valid():
            try:
                signed = signing.loads(
                    form.cleaned_data["form_token"], salt=SALT, max_age=FORM_MAX_AGE
                )
            except signing.BadSignature:
                form.add_error(
                    None, "画面の有効期限が切れました。もう一度、空き枠から選んでください。"
                )
            else:
                if signed.get("o") != organization.pk:
                    raise Http404
                moment = _moment(signed["s"])
                if form.cleaned_data["website"]:
                    # A robot filled the hidden field: answer as if booked, book nothing.
                    return _render(
                        request,
                        lang,
                        "appointments/public/receipt.html",
                        {"organization": organization, "appointment": None, "cancel_url": ""},
                    )
                try:
                    appointment, token = services.appointment_book_public(
                        municipality=municipality,
                        organization=organization,
                        starts_at=moment,
                        language=lang,
                        **{
                            k: form.cleaned_data[k]
                            for k in ("name", "contact_mail", "contact_phone", "purpose")
                        },
                    )
                except ValidationError as error:
                    form.add_error(None, error.messages)
                else:
                    cancel_url = request.build_absolute_uri(
                        f"/consult/{lang}/appointments/cancel/{token}/"
                    )
                    return _render(
                        request,
                        lang,
                        "appointments/public/receipt.html",
                        {
                            "organization": organization,
                            "appointment": appointment,
                            "cancel_url": cancel_url,
                        },
                    )
        return _render(
            request,
            lang,
            "appointments/public/book.html",
            {"organization": organization, "form": form, "moment": moment},
            status=422,
        )


@csrf_exempt
@policy.public_route("住民が秘密のリンクで自分の予約を取り消すページ")
def cancel(request: HttpRequest, lang: str, token: str) -> HttpResponse:
    lang = _language(lang)
    with tenancy.tenant_context(_municipality(request)):
        appointment = services.appointment_by_cancel_token(token)
        if appointment is None:
            raise Http404
        done = False
        error = ""
        if request.method == "POST":
            if appointment.status == Status.BOOKED:
                try:
                    services.appointment_set_status(
                        actor=None, appointment=appointment, status=Status.CANCELLED
                    )
                    done = True
                except ValidationError as refused:
                    error = " ".join(refused.messages)
            else:
                error = "この予約はすでに取り消されたか、終わっています。"
        return _render(
            request,
            lang,
            "appointments/public/cancel.html",
            {"appointment": appointment, "done": done, "error": error},
        )
