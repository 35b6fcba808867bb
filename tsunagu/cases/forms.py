"""Forms of 多機関協働 cases and consents."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tsunagu.cases.models import Case, ClosureReason, Consent, ConsentPurpose, Stage
from tsunagu.core.forms import WarekiDateField
from tsunagu.core.forms_base import StyledForm, StyledModelForm
from tsunagu.directory.models import Organization
from tsunagu.people.models import Person


def _organizations() -> Any:
    return Organization.objects.filter(archived_at=None).order_by("kind", "sort_order", "id")


class CaseOpenForm(StyledForm):
    title = forms.CharField(
        label=_("ケースの概要"),
        max_length=120,
        help_text=_("一覧に出る短い説明（例: 8050・介護拒否・子のひきこもり）。氏名は書きません。"),
    )
    opened_on = WarekiDateField(label=_("受付日"))
    lead_organization = forms.ModelChoiceField(
        label=_("主担当機関（決まっていれば）"),
        queryset=Organization.objects.none(),
        required=False,
    )
    team = forms.ModelMultipleChoiceField(
        label=_("支援チームに入る機関"),
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    consultations = forms.ModelMultipleChoiceField(
        label=_("きっかけの相談"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, consultations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_organization"].queryset = _organizations()  # type: ignore[attr-defined]
        self.fields["team"].queryset = _organizations().exclude(  # type: ignore[attr-defined]
            kind=Organization.Kind.EXTERNAL
        )
        self.fields["consultations"].queryset = consultations  # type: ignore[attr-defined]
        self.fields["consultations"].label_from_instance = lambda c: (  # type: ignore[attr-defined]
            f"{c.received_at:%Y/%m/%d} {c.organization.name} {c.get_main_topic_display()}"
        )


class TransitionForm(StyledForm):
    to_stage = forms.ChoiceField(choices=Stage.choices, widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("理由・記録"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    closure_reason = forms.ChoiceField(
        label=_("終結理由"), choices=[("", "---------"), *ClosureReason.choices], required=False
    )
    evaluation = forms.CharField(
        label=_("評価（支援の振り返り）"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    follow_up_until = WarekiDateField(label=_("経過観察の期限"), required=False)


class CaseUpdateForm(StyledModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    next_action_on = WarekiDateField(label=_("次の対応の期日"), required=False)

    class Meta:
        model = Case
        fields = ["title", "lead_organization", "lead_staff", "next_action", "next_action_on"]

    def __init__(self, *args: Any, staff_queryset: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_organization"].queryset = _organizations()  # type: ignore[attr-defined]
        self.fields["lead_staff"].queryset = staff_queryset  # type: ignore[attr-defined]


class TeamAddForm(StyledForm):
    organization = forms.ModelChoiceField(label=_("機関"), queryset=Organization.objects.none())
    role = forms.CharField(label=_("役割"), max_length=200, required=False)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = case.team.filter(left_on=None).values("organization_id")
        self.fields["organization"].queryset = _organizations().exclude(pk__in=current)  # type: ignore[attr-defined]


class ConsentForm(StyledModelForm):
    """本人同意. Who agreed, for whom, to sharing with whom, for what, how, for how long."""

    members = forms.ModelMultipleChoiceField(
        label=_("対象となる世帯員"),
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    organizations = forms.ModelMultipleChoiceField(
        label=_("共有先の機関"),
        queryset=Organization.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    purposes = forms.MultipleChoiceField(
        label=_("目的"),
        choices=ConsentPurpose.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    obtained_on = WarekiDateField(label=_("同意日"))
    valid_from = WarekiDateField(label=_("有効期間（開始）"))
    valid_until = WarekiDateField(label=_("有効期間（終了）"), required=False)

    class Meta:
        model = Consent
        fields = [
            "grantor_kind",
            "grantor",
            "representative_name",
            "representative_relationship",
            "method",
            "obtained_on",
            "obtained_by_organization",
            "covers_case_team",
            "valid_from",
            "valid_until",
            "note",
        ]
        widgets = {
            "grantor_kind": forms.RadioSelect,
            "method": forms.RadioSelect,
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    field_order = [
        "grantor_kind",
        "grantor",
        "representative_name",
        "representative_relationship",
        "members",
        "purposes",
        "organizations",
        "covers_case_team",
        "method",
        "obtained_on",
        "obtained_by_organization",
        "valid_from",
        "valid_until",
        "note",
    ]

    def __init__(self, *args: Any, members: list[Person], team: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = Person.objects.filter(pk__in=[p.pk for p in members])
        self.fields["grantor"].queryset = people  # type: ignore[attr-defined]
        self.fields["members"].queryset = people  # type: ignore[attr-defined]
        self.fields["organizations"].queryset = _organizations()  # type: ignore[attr-defined]
        self.fields["obtained_by_organization"].queryset = team  # type: ignore[attr-defined]
        self.order_fields(self.field_order)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        purposes = set(data.get("purposes") or [])
        self.instance.for_information_sharing = ConsentPurpose.INFORMATION_SHARING in purposes
        self.instance.for_plan_meeting = ConsentPurpose.PLAN_MEETING in purposes
        self.instance.for_plan_making = ConsentPurpose.PLAN_MAKING in purposes
        return data


class ConsentWithdrawForm(StyledForm):
    withdrawal_note = forms.CharField(
        label=_("撤回の内容"),
        help_text=_("いつ、誰に、どのように撤回の申し出があったか"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
