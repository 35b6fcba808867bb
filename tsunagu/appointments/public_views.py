"""The public booking pages (on the municipality's public host, no sign-in,
no cookie): the windows that take bookings from residents, their free
slots, the booking form and its receipt with a secret cancel link.

They keep the public consultation page's rules, from the same functions
(``frontdoor.public`` and ``frontdoor.public_views``): the language is in the
URL and every message is in it; POSTs are csrf_exempt and carry the page's
signed form token (here also naming the slot and window it was shown for)
and a honeypot field; texts are checked for length and control characters;
a POST that is not a plain form (a file) is refused; bookings are
rate-limited per address (kept only as a keyed hash). The public side reads
only windows' settings and free-slot counts; a booking is reached again only
by its cancel link, whose secret is kept as a digest."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagu.appointments import selectors, services, slots
from tsunagu.appointments.forms import PublicBookingForm
from tsunagu.appointments.models import AppointmentSettings, Status
from tsunagu.core import tenancy
from tsunagu.core.municipality import Municipality
from tsunagu.directory.models import Organization
from tsunagu.frontdoor import public, public_views
from tsunagu.frontdoor.public_views import public_page

ALREADY_ENDED = _("この予約はすでに取り消されたか、終わっています。")


def _municipality(request: HttpRequest) -> Municipality:
    """The municipality whose public host this request came to (set by
    frontdoor.publichost.PublicHostMiddleware; 404 on any other host)."""
    municipality = getattr(request, "public_municipality", None)
    if municipality is None:
        raise Http404
    return municipality


def _render(
    request: HttpRequest, lang: str, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    suffix = request.path.split(f"/consult/{lang}/", 1)[-1]
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


@public_page("住民が予約を受け付ける窓口を選ぶ公開ページ（個人情報なし）")
def windows(request: HttpRequest, lang: str) -> HttpResponse:
    with tenancy.tenant_context(_municipality(request)):
        return _render(
            request, lang, "appointments/public/windows.html", {"windows": _public_windows()}
        )


@public_page("窓口の空き枠を示す公開ページ（件数だけで個人情報なし）")
def free_slots(request: HttpRequest, lang: str, organization_pk: int) -> HttpResponse:
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


def _moment(text: Any) -> datetime.datetime:
    """A slot's start as the pages send it (``YYYY-MM-DDTHH:MM``, local time)."""
    if not isinstance(text, str):
        raise ValueError(text)
    return timezone.make_aware(datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M"))  # noqa: DTZ007


def _form_page(
    request: HttpRequest,
    lang: str,
    organization: Organization,
    form: PublicBookingForm,
    moment: datetime.datetime | None,
    token: str,
    errors: list[Any],
    status: int = 200,
) -> HttpResponse:
    return _render(
        request,
        lang,
        "appointments/public/book.html",
        {
            "organization": organization,
            "form": form,
            "moment": moment,
            "form_token": token,
            "errors": errors,
            "honeypot": public.HONEYPOT,
        },
        status=status,
    )


@public_page("住民が予約枠を申し込む公開フォーム（署名付きフォームトークンとハニーポット）")
def book(request: HttpRequest, lang: str, organization_pk: int) -> HttpResponse:
    municipality = _municipality(request)
    with tenancy.tenant_context(municipality):
        organization, _config = _window(organization_pk)
        if request.method == "GET":
            start = request.GET.get("start", "")
            try:
                offered = _moment(start)
            except ValueError:
                raise Http404 from None
            token = public.form_token(municipality, o=organization.pk, s=start)
            return _form_page(request, lang, organization, PublicBookingForm(), offered, token, [])
        if request.method != "POST":
            return HttpResponse(status=405, headers={"Allow": "GET, POST"})
        refused = public_views.refused_upload(request)
        if refused:
            return refused
        form = PublicBookingForm(request.POST)
        token = request.POST.get("form_token", "")
        shown, token_error = public.read_form_token(token, municipality)
        moment: datetime.datetime | None = None
        if not token_error:
            if shown.get("o") != organization.pk:
                raise Http404
            try:
                moment = _moment(shown.get("s"))
            except ValueError:
                token_error = public.FORM_REFUSED
        if request.POST.get(public.HONEYPOT):
            token_error = public.FORM_REFUSED
        if token_error or not form.is_valid():
            errors = [token_error] if token_error else []
            return _form_page(request, lang, organization, form, moment, token, errors, status=400)
        assert moment is not None
        address = public.address_hash(request)
        if not public.may_book(address):
            return public_views.too_many(request)
        try:
            with transaction.atomic():
                appointment, secret = services.appointment_book_public(
                    municipality=municipality,
                    organization=organization,
                    starts_at=moment,
                    language=lang,
                    **form.cleaned_data,
                )
                public.count_booking(address)
        except ValidationError as error:
            return _form_page(
                request, lang, organization, form, moment, token, error.messages, status=400
            )
        cancel_url = request.build_absolute_uri(f"/consult/{lang}/appointments/cancel/{secret}/")
        return _render(
            request,
            lang,
            "appointments/public/receipt.html",
            {"organization": organization, "appointment": appointment, "cancel_url": cancel_url},
        )


@public_page("住民が秘密のリンクで自分の予約を取り消すページ")
def cancel(request: HttpRequest, lang: str, token: str) -> HttpResponse:
    with tenancy.tenant_context(_municipality(request)):
        appointment = services.appointment_by_cancel_token(token)
        if appointment is None:
            raise Http404
        if request.method not in ("GET", "POST"):
            return HttpResponse(status=405, headers={"Allow": "GET, POST"})
        refused = public_views.refused_upload(request)
        if refused:
            return refused
        done = False
        error: Any = ""
        if request.method == "POST":
            if appointment.status == Status.BOOKED:
                try:
                    services.appointment_set_status(
                        actor=None, appointment=appointment, status=Status.CANCELLED
                    )
                    done = True
                except ValidationError as refused_change:
                    error = " ".join(refused_change.messages)
            else:
                error = ALREADY_ENDED
        return _render(
            request,
            lang,
            "appointments/public/cancel.html",
            {"appointment": appointment, "done": done, "error": error},
            status=400 if error else 200,
        )
