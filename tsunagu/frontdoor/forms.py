"""The inbox's small forms: one per action on a thread, each carrying the
version the page showed, and the coordinating section's settings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tsunagu.consultations.models import (
    ConsentToShare,
    Consultation,
    Consulter,
    Outcome,
    Topic,
    Urgency,
)
from tsunagu.core.forms_base import StyledForm, StyledModelForm
from tsunagu.directory.models import District, Organization
from tsunagu.frontdoor.models import FrontDoorSettings, Language, PublicTopic

UNKNOWN = "unknown"
KNOWN = "known"


class VersionedForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ReplyForm(VersionedForm):
    body = forms.CharField(
        label=_("返信"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("住民の方のページ（LINE・メールではその経路）に届きます。"),
    )


class HandOverForm(VersionedForm):
    organization = forms.ModelChoiceField(
        label=_("渡す先の窓口"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("多機関協働事務局に戻す（未振り分け）"),
    )
    note = forms.CharField(label=_("申し送り"), max_length=200, required=False)

    def __init__(self, *args: Any, windows: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = windows  # type: ignore[attr-defined]


class CloseForm(VersionedForm):
    reason = forms.CharField(
        label=_("終了する理由"),
        max_length=200,
        help_text=_("例: 情報提供で解決した、返信がないまま2週間たった"),
    )


class ReopenForm(VersionedForm):
    pass


class ConvertForm(StyledModelForm):
    """The 相談受付 a thread becomes: about an unknown subject (the default) or a
    person found through the search (the policy's visible persons)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    subject_mode = forms.ChoiceField(
        label=_("対象者"),
        choices=[
            (UNKNOWN, _("まだ特定できない（後で本人・世帯に結び付ける）")),
            (KNOWN, _("登録済みの本人")),
        ],
        widget=forms.RadioSelect,
        initial=UNKNOWN,
    )
    person = forms.TypedChoiceField(
        label=_("本人"), coerce=int, choices=[], required=False, widget=forms.RadioSelect
    )
    topics = forms.MultipleChoiceField(
        label=_("相談内容（該当するものすべて）"),
        choices=Topic.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Consultation
        fields = [
            "consulter",
            "unknown_subject",
            "main_topic",
            "summary",
            "urgency",
            "consent_to_share",
            "outcome",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 8}),
            "urgency": forms.RadioSelect,
            "consent_to_share": forms.RadioSelect,
            "outcome": forms.RadioSelect,
        }

    def __init__(self, *args: Any, persons: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [  # type: ignore[attr-defined]
            (p.pk, f"{p.full_name}（{p.full_name_kana}）") for p in persons
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("subject_mode") == KNOWN and not data.get("person"):
            self.add_error("person", _("本人を検索して選んでください。"))
        return data


def convert_initial(thread: Any, summary: str) -> dict[str, Any]:
    return {
        "version": thread.version,
        "subject_mode": UNKNOWN,
        "consulter": Consulter.SELF,
        "summary": summary,
        "urgency": Urgency.URGENT if thread.crisis else Urgency.NORMAL,
        "consent_to_share": ConsentToShare.NOT_OBTAINED,
        "outcome": Outcome.CONTINUE_HERE,
        "main_topic": Topic.OTHER,
    }


class FrontDoorSettingsForm(StyledModelForm):
    class Meta:
        model = FrontDoorSettings
        fields = ["accepting", "public_host", "mail_address", "emergency_guidance", "public_notice"]
        widgets = {
            "emergency_guidance": forms.Textarea(attrs={"rows": 6}),
            "public_notice": forms.Textarea(attrs={"rows": 3}),
        }


class TriageRuleForm(StyledForm):
    organization = forms.ModelChoiceField(label=_("窓口"), queryset=Organization.objects.none())
    topic = forms.ChoiceField(
        label=_("相談したいこと"),
        choices=[("", _("（指定しない）")), *PublicTopic.choices],
        required=False,
        help_text=_("住民が公開ページで選んだ「相談したいこと」"),
    )
    language = forms.ChoiceField(
        label=_("言語"), choices=[("", _("（指定しない）")), *Language.choices], required=False
    )
    district = forms.ModelChoiceField(
        label=_("圏域"), queryset=District.objects.none(), required=False
    )

    def __init__(self, *args: Any, windows: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = windows  # type: ignore[attr-defined]
        self.fields["district"].queryset = District.objects.filter(archived_at=None)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("topic") or data.get("language") or data.get("district")):
            raise forms.ValidationError(
                _("相談したいこと・言語・圏域のうち少なくとも1つを指定してください。")
            )
        return data
