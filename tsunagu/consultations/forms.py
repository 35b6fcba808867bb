"""The intake form: everything of the national 相談受付・申込票 on one screen,
in the order a clerk asks."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagu.appointments.models import ConsultationEvent
from tsunagu.consultations.models import (
    CaseFeature,
    Channel,
    Consultation,
    Continuity,
    LifeIssue,
    Outcome,
    Topic,
)
from tsunagu.core.forms import WarekiDateField
from tsunagu.core.forms_base import StyledForm, StyledModelForm
from tsunagu.directory.models import Organization
from tsunagu.people.models import Person

NEW = "new"
UNKNOWN = "unknown"
HOUSEHOLD = "household"
#: The value of the 「受け付けて、つなぐシートへ」 button (``then``): record and refer.
THEN_REFER = "refer"


#: How far from today an intake may choose an event (an event's consultations
#: are often typed in on the days after it).
EVENT_DAYS = 14


def recent_events(organizations: list[Organization]) -> Any:
    """The events of ``organizations`` from two weeks back to two weeks ahead."""
    today = timezone.localdate()
    return (
        ConsultationEvent.objects.filter(
            organization__in=[o.pk for o in organizations],
            archived_at=None,
            held_on__range=(today - timedelta(days=EVENT_DAYS), today + timedelta(days=EVENT_DAYS)),
        )
        .select_related("place__resource")
        .order_by("-held_on", "-starts_at")
    )


class IntakeForm(StyledModelForm):
    organization = forms.ModelChoiceField(
        label=_("受付機関"), queryset=Organization.objects.none(), empty_label=None
    )
    received_on = WarekiDateField(label=_("受付日"))
    received_time = forms.TimeField(
        label=_("受付時刻"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    subject_mode = forms.ChoiceField(
        label=_("対象者"),
        choices=[(NEW, _("本人を入力する")), (UNKNOWN, _("まだ特定できない（手がかりを記録）"))],
        widget=forms.RadioSelect,
        initial=NEW,
    )
    subjects = forms.ModelMultipleChoiceField(
        label=_("この世帯で相談の対象となる方"),
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    topics = forms.MultipleChoiceField(
        label=_("相談内容（該当するものすべて）"),
        choices=Topic.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    life_issues = forms.MultipleChoiceField(
        label=_("地域生活課題"),
        choices=LifeIssue.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    continuity = forms.ChoiceField(
        label=_("新規/継続"),
        choices=[("", _("記録から自動で判定")), *Continuity.choices],
        widget=forms.RadioSelect,
        required=False,
        initial="",
        help_text=_(
            "自動判定: 同じ機関で1年以内に同じ世帯・本人の相談受付があるか、受け付けたつなぐシート・"
            "多機関協働ケースで支援中なら継続、それ以外は新規。"
        ),
    )
    event = forms.ModelChoiceField(
        label=_("出張相談会・巡回相談"),
        queryset=ConsultationEvent.objects.none(),
        required=False,
        empty_label=_("（窓口などで受けた相談）"),
        help_text=_(
            "出張相談会・巡回相談の会場で受けた相談は、その回を選びます（相談経路は「出張相談」になります）。"
        ),
    )
    case_features = forms.ModelMultipleChoiceField(
        label=_("世帯の特徴"),
        queryset=CaseFeature.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Consultation
        fields = [
            "channel",
            "consulter",
            "consulter_note",
            "unknown_subject",
            "main_topic",
            "summary",
            "urgency",
            "consent_to_share",
            "outcome",
        ]
        widgets = {
            "channel": forms.RadioSelect,
            "consulter": forms.Select,
            "main_topic": forms.Select(attrs={"class": "js-main-topic"}),
            "summary": forms.Textarea(attrs={"rows": 5}),
            "urgency": forms.RadioSelect,
            "consent_to_share": forms.RadioSelect,
            "outcome": forms.RadioSelect,
        }
        help_texts = {
            "main_topic": _("チェックした相談内容から選びます（1つだけのときはそれが入ります）。"),
            "outcome": _(
                "「受け付ける」で終えるときに選びます（「他機関へつなぐ」「多機関協働へ」は"
                "つなぐシートの作成に進みます）。"
            ),
        }

    def __init__(
        self,
        *args: Any,
        organizations: list[Organization],
        household_members: list[Person] | None = None,
        **kwargs: Any,
    ) -> None:
        now = timezone.localtime()
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("received_on", now.date())
        kwargs["initial"].setdefault("received_time", now.strftime("%H:%M"))
        kwargs["initial"].setdefault("channel", Channel.VISIT_WINDOW)
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(  # type: ignore[attr-defined]
            pk__in=[o.pk for o in organizations]
        )
        self.fields["case_features"].queryset = CaseFeature.objects.filter(archived_at=None)  # type: ignore[attr-defined]
        self.fields["event"].queryset = recent_events(organizations)  # type: ignore[attr-defined]
        self.household_members = household_members
        if household_members is not None:
            self.fields["subject_mode"].choices = [(HOUSEHOLD, _("この世帯の方"))]  # type: ignore[attr-defined]
            self.fields["subject_mode"].initial = HOUSEHOLD
            self.fields["subject_mode"].widget = forms.HiddenInput()
            self.fields["subjects"].queryset = Person.objects.filter(  # type: ignore[attr-defined]
                pk__in=[p.pk for p in household_members]
            )
            self.fields["subjects"].required = True
        else:
            del self.fields["subjects"]
        # Filled by clean(): from the one ticked topic, and from the
        # 「受け付けて、つなぐシートへ」 button.
        self.fields["main_topic"].required = False
        self.fields["outcome"].required = False
        self.fields["topics"].widget.attrs["class"] = "js-topic"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, moment = data.get("received_on"), data.get("received_time")
        if day and moment:
            received = timezone.make_aware(datetime.combine(day, moment))
            if received > timezone.now() + timedelta(minutes=5):
                self.add_error("received_on", _("受付日時が未来になっています。"))
            self.instance.received_at = received
        if data.get("subject_mode") == UNKNOWN and not data.get("unknown_subject"):
            self.add_error(
                "unknown_subject",
                _(
                    "対象者が特定できないときは、手がかり（住所や「2階の高齢の方」など）を入力してください。"
                ),
            )
        self._clean_main_topic(data)
        self._clean_outcome(data)
        event = data.get("event")
        if event is not None:
            if data.get("organization") and event.organization_id != data["organization"].pk:
                self.add_error(
                    "event", _("受付機関が実施した出張相談会・巡回相談を選んでください。")
                )
            if data.get("channel") == Channel.VISIT_WINDOW:
                # Taken at the event's venue, not at the window.
                data["channel"] = self.instance.channel = Channel.OUTREACH_DESK
        self.instance.event = event
        return data

    def _clean_main_topic(self, data: dict[str, Any]) -> None:
        """主な相談内容 is one of the ticked topics; one ticked topic is the main one."""
        topics, main = data.get("topics") or [], data.get("main_topic")
        if not main and len(topics) == 1:
            data["main_topic"] = self.instance.main_topic = topics[0]
        elif not main:
            self.add_error(
                "main_topic",
                _("主な相談内容を選んでください（相談内容に2つ以上チェックしたとき）。")
                if topics
                else _("相談内容にチェックするか、主な相談内容を選んでください。"),
            )
        elif topics and main not in topics:
            self.add_error(
                "main_topic", _("主な相談内容は、チェックした相談内容の中から選んでください。")
            )

    def _clean_outcome(self, data: dict[str, Any]) -> None:
        """The 「受け付けて、つなぐシートへ」 button means 他機関へつなぐ (unless
        多機関協働へ was chosen, which also leads to a つなぐシート)."""
        if self.data.get("then") == THEN_REFER and data.get("outcome") not in (
            Outcome.REFER,
            Outcome.ESCALATE,
        ):
            data["outcome"] = self.instance.outcome = Outcome.REFER
        elif not data.get("outcome"):
            self.add_error("outcome", _("対応結果を選んでください。"))


class ContinuityForm(StyledForm):
    """The recording staff's 新規/継続 for a consultation already recorded."""

    continuity = forms.ChoiceField(
        label=_("新規/継続"), choices=Continuity.choices, widget=forms.RadioSelect
    )


class LinkForm(StyledForm):
    """Linking an unknown-subject consultation: the person found, then the
    household members the consultation was about (the person is always one)."""

    person = forms.IntegerField(widget=forms.HiddenInput)
    subjects = forms.ModelMultipleChoiceField(
        label=_("この相談の対象となる方"),
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: Any, members: list[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subjects"].queryset = Person.objects.filter(  # type: ignore[attr-defined]
            pk__in=[p.pk for p in members]
        )
