"""Forms of events, appointment settings and bookings (staff and public)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from tsunagu.accounts.models import Staff
from tsunagu.appointments.models import Appointment, AppointmentSettings, ConsultationEvent, Status
from tsunagu.community.models import CommunityPlace
from tsunagu.core.forms import WarekiDateField
from tsunagu.core.forms_base import StyledForm, StyledModelForm
from tsunagu.directory.models import District

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class EventForm(StyledModelForm):
    held_on = WarekiDateField(label=_("実施日"))
    staff = forms.ModelMultipleChoiceField(
        label=_("従事した職員"),
        queryset=Staff.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = ConsultationEvent
        fields = ["kind", "starts_at", "ends_at", "place", "venue", "district", "note"]
        widgets = {
            "kind": forms.RadioSelect,
            "starts_at": TIME,
            "ends_at": TIME,
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, staff: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = staff  # type: ignore[attr-defined]
        self.fields["place"].queryset = CommunityPlace.objects.filter(  # type: ignore[attr-defined]
            archived_at=None
        ).select_related("resource")
        self.fields["place"].label_from_instance = lambda p: p.resource.name  # type: ignore[attr-defined]
        self.fields["district"].queryset = District.objects.filter(archived_at=None)  # type: ignore[attr-defined]


class EventArchiveForm(StyledForm):
    reason = forms.CharField(
        label=_("取り消す理由"),
        max_length=200,
        help_text=_("例: 同じ回を二重に登録した／雨天のため中止した"),
    )


class PeriodForm(StyledForm):
    start = WarekiDateField(label=_("期間（から）"))
    end = WarekiDateField(label=_("期間（まで）"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("期間の終わりは始まり以降の日にしてください。"))
        return data


class SettingsForm(StyledModelForm):
    class Meta:
        model = AppointmentSettings
        fields = [
            "takes_appointments",
            "public_booking",
            "opens_at",
            "closes_at",
            "lunch_starts_at",
            "lunch_ends_at",
            "slot_minutes",
            "capacity",
            "days_ahead",
            "year_end_closure",
        ]
        widgets = {
            "opens_at": TIME,
            "closes_at": TIME,
            "lunch_starts_at": TIME,
            "lunch_ends_at": TIME,
        }


class BookingForm(StyledModelForm):
    """A staff booking: a slot (from the week view), who comes, what about."""

    starts_at = forms.DateTimeField(
        label=_("日時"), widget=forms.HiddenInput, input_formats=["%Y-%m-%dT%H:%M"]
    )
    person_id = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Appointment
        fields = ["name", "contact_phone", "contact_mail", "purpose"]
        widgets = {"purpose": forms.Textarea(attrs={"rows": 3})}
        labels = {"name": _("お名前")}


class StatusForm(StyledForm):
    status = forms.ChoiceField(
        label=_("状態"),
        choices=[
            (Status.ARRIVED, Status.ARRIVED.label),
            (Status.CANCELLED, Status.CANCELLED.label),
            (Status.NO_SHOW, Status.NO_SHOW.label),
        ],
    )


class PublicBookingForm(forms.Form):
    """The resident's booking form (its signed token and honeypot are checked by
    the view, as on the public consultation page). Texts are checked as the
    consultation page checks them (length, control characters), with messages
    in the resident's language."""

    NAME_MAX = 50
    PHONE_MAX = 30
    MAIL_MAX = 200
    PURPOSE_MAX = 1000
    NAME_REQUIRED = _("お名前を書いてください。ニックネームでもかまいません。")
    BAD_MAIL = _("メールアドレスの形がちがいます。たしかめてください。")

    name = forms.CharField(
        label=_("お名前（ニックネームでもかまいません）"),
        error_messages={"required": NAME_REQUIRED},
    )
    contact_mail = forms.CharField(
        label=_("メールアドレス（前日にお知らせを送ります。なくてもかまいません）"), required=False
    )
    contact_phone = forms.CharField(label=_("電話番号（なくてもかまいません）"), required=False)
    purpose = forms.CharField(label=_("ご相談の内容（わかる範囲で）"), required=False)

    def _text(self, name: str, limit: int) -> str:
        from tsunagu.frontdoor import public

        value: str = self.cleaned_data.get(name) or ""
        error = public.text_error(value, limit)
        if error:
            raise forms.ValidationError(error)
        return value.strip()

    def clean_name(self) -> str:
        return self._text("name", self.NAME_MAX)

    def clean_contact_phone(self) -> str:
        return self._text("contact_phone", self.PHONE_MAX)

    def clean_purpose(self) -> str:
        return self._text("purpose", self.PURPOSE_MAX)

    def clean_contact_mail(self) -> str:
        value = self._text("contact_mail", self.MAIL_MAX)
        if value:
            try:
                validate_email(value)
            except forms.ValidationError:
                raise forms.ValidationError(self.BAD_MAIL) from None
        return value
