"""Forms for persons and households."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tsunagu.core.forms import WarekiDateField
from tsunagu.core.forms_base import StyledForm, StyledModelForm
from tsunagu.people.models import Household, NameVariant, Person, Relationship


class PersonForm(StyledModelForm):
    birth_date = WarekiDateField(label=_("生年月日"), required=False)

    class Meta:
        model = Person
        fields = [
            "family_name",
            "given_name",
            "family_name_kana",
            "given_name_kana",
            "sex",
            "birth_date",
            "address",
            "district",
            "phone",
            "language_note",
            "nationality_note",
        ]
        widgets = {
            "family_name": forms.TextInput(attrs={"autocomplete": "off"}),
            "given_name": forms.TextInput(attrs={"autocomplete": "off"}),
            "family_name_kana": forms.TextInput(attrs={"autocomplete": "off"}),
            "given_name_kana": forms.TextInput(attrs={"autocomplete": "off"}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        }
        help_texts = {"district": _("空欄なら、住所から圏域を決めます。")}

    #: Typing in these asks for probable existing persons (htmx, intake and member forms).
    MATCHED = ("family_name", "given_name", "family_name_kana", "given_name_kana", "birth_date")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.MATCHED:
            self.fields[name].widget.attrs["class"] = "js-match-input"
        self.fields["district"].queryset = self.fields["district"].queryset.filter(  # type: ignore[attr-defined]
            archived_at=None
        )


class HouseholdForm(StyledModelForm):
    class Meta:
        model = Household
        fields = ["address", "district", "phone", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}


class MemberAddForm(StyledForm):
    relationship = forms.ChoiceField(label=_("続柄"), choices=Relationship.choices)
    started_on = WarekiDateField(label=_("加入日"), required=False)


class MemberEndForm(StyledForm):
    ended_on = WarekiDateField(label=_("離脱日"))
    end_reason = forms.CharField(
        label=_("離脱の理由"), max_length=200, help_text=_("例: 転出、施設入所、死亡")
    )


class ReasonForm(StyledForm):
    reason = forms.CharField(label=_("理由"), max_length=200)


class EmergencyForm(StyledForm):
    reason = forms.CharField(
        label=_("緊急に閲覧する理由"),
        min_length=10,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("生命・身体の保護のためなど、具体的に記入してください。監査担当が確認します。"),
    )
    query = forms.CharField(
        label=_("氏名・ふりがな・生年月日"),
        max_length=100,
        help_text=_("区内のすべての本人から探します。検索した内容も記録されます。"),
    )


class NameVariantForm(StyledModelForm):
    class Meta:
        model = NameVariant
        fields = ["variant", "standard", "note"]
